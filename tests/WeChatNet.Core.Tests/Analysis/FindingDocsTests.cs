using System.IO;
using System.Linq;
using WeChatNet.Analysis;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.Analysis
{
    public sealed class FindingDocsTests
    {
        [Fact]
        public void EveryShippedRuleIsDocumentedWithItsSeverity()
        {
            string doc = File.ReadAllText(Path.Combine(ExternalTool.RepoRoot, "docs", "findings.md"));
            foreach (var rule in FindingEngine.Default.Rules)
                Assert.Contains($"| `{rule.Id}` | {rule.Severity} |", doc);
            Assert.Equal(FindingEngine.Default.Rules.Count, doc.Split('\n').Count(l => l.StartsWith("| `")));
        }

        [Fact]
        public void EveryRuleSaysWhatTriggersItWhatDoesNotAndWhy()
        {
            string doc = File.ReadAllText(Path.Combine(ExternalTool.RepoRoot, "docs", "findings.md"));
            var sections = doc.Split(new[] { "\n### `" }, System.StringSplitOptions.None).Skip(1).ToList();
            Assert.Equal(FindingEngine.Default.Rules.Select(r => r.Id).OrderBy(x => x, System.StringComparer.Ordinal),
                sections.Select(s => s.Substring(0, s.IndexOf('`'))).OrderBy(x => x, System.StringComparer.Ordinal));
            foreach (var s in sections)
            {
                Assert.Contains("- **Fires when**: ", s);
                Assert.Contains("- **Does not fire when**: ", s);
                Assert.Contains("- **Why**: ", s);
            }
        }
    }
}
