using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using WeChatNet.Dns;
using WeChatNet.Text;
using WeChatNet.WeChat;

namespace WeChatNet.Commands
{
    /// <summary>Tab completion of WeChat host names from the catalog.</summary>
    public sealed class EndpointNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            string pattern = Wildcard.ContainsWildcard(word) ? word : word + "*";
            foreach (var endpoint in EndpointCatalog.Default.Endpoints)
            {
                if (Wildcard.IsMatch(endpoint.Name, pattern))
                {
                    string text = endpoint.Name.IndexOf('*') >= 0 ? "'" + endpoint.Name + "'" : endpoint.Name;
                    yield return new CompletionResult(text, endpoint.Name, CompletionResultType.ParameterValue,
                        $"{endpoint.Role} ({endpoint.Family}, {endpoint.Region}): {endpoint.Description}");
                }
            }
        }
    }

    /// <summary>Tab completion of resolvers from the presets (Mainland, Overseas), with their operator.</summary>
    public sealed class ResolverCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            foreach (var preset in ResolverPresets.Table)
            {
                if (!preset.Server.StartsWith(word, System.StringComparison.OrdinalIgnoreCase)) continue;
                yield return new CompletionResult(preset.Server, preset.Server, CompletionResultType.ParameterValue, $"{preset.Operator} ({preset.Region})");
            }
        }
    }

    /// <summary>Tab completion of the sample captures' names.</summary>
    public sealed class SampleNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            string pattern = Wildcard.ContainsWildcard(word) ? word : word + "*";
            foreach (var name in SampleCaptureGenerator.Names)
                if (Wildcard.IsMatch(name, pattern))
                    yield return new CompletionResult(name, name, CompletionResultType.ParameterValue, SampleCaptureGenerator.Describe(name));
        }
    }
}
