using System;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;

namespace WeChatNet.Commands
{
    /// <summary>
    /// The file an export cmdlet writes, from -Path or -LiteralPath as Export-Csv, Export-Clixml and Out-File read them:
    /// -LiteralPath is the name as typed; -Path without wildcard characters is too; a -Path with wildcard characters
    /// must match exactly one existing file (the one replaced with -Force), else it is an error that points to -LiteralPath.
    /// </summary>
    internal static class OutputPaths
    {
        public const string PathSet = "Path";
        public const string LiteralPathSet = "LiteralPath";

        public static string Resolve(PSCmdlet cmdlet, string? path, string? literalPath)
        {
            if (literalPath != null) return cmdlet.GetUnresolvedProviderPathFromPSPath(literalPath);
            string pattern = path ?? "";
            // The Win32 device-namespace prefixes (\\?\, \\.\) are part of a Windows path, never wildcards.
            string name = pattern.StartsWith(@"\\?\", StringComparison.Ordinal) || pattern.StartsWith(@"\\.\", StringComparison.Ordinal)
                ? pattern.Substring(4) : pattern;
            if (!WildcardPattern.ContainsWildcardCharacters(name)) return cmdlet.GetUnresolvedProviderPathFromPSPath(pattern);
            Collection<string> matches;
            try { matches = cmdlet.GetResolvedProviderPathFromPSPath(pattern, out _); }
            catch (ItemNotFoundException) { matches = new Collection<string>(); }
            if (matches.Count == 1) return matches[0];
            string message = matches.Count == 0
                ? $"-Path '{pattern}' has wildcard characters and matches no file. To write a file of that name, give it as -LiteralPath '{pattern}'."
                : $"-Path '{pattern}' matches {matches.Count} files ({string.Join(", ", matches.Take(3))}{(matches.Count > 3 ? ", ..." : "")}): give one file, or -LiteralPath for a name with wildcard characters.";
            cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), "OutputPathWildcardUnresolved", ErrorCategory.InvalidArgument, pattern));
            return pattern;
        }
    }
}
