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

        public static string Resolve(PSCmdlet cmdlet, string? path, string? literalPath, string writeErrorId)
        {
            if (literalPath != null) return FileSystemPath(cmdlet, literalPath, writeErrorId);
            string pattern = path ?? "";
            // The Win32 device-namespace prefixes (\\?\, \\.\) are part of a Windows path, never wildcards.
            string name = pattern.StartsWith(@"\\?\", StringComparison.Ordinal) || pattern.StartsWith(@"\\.\", StringComparison.Ordinal)
                ? pattern.Substring(4) : pattern;
            if (!WildcardPattern.ContainsWildcardCharacters(name)) return FileSystemPath(cmdlet, pattern, writeErrorId);
            Collection<string> matches;
            ProviderInfo? provider = null;
            try { matches = cmdlet.GetResolvedProviderPathFromPSPath(pattern, out provider); }
            catch (ItemNotFoundException) { matches = new Collection<string>(); }
            if (provider != null) RequireFileSystem(cmdlet, pattern, provider, writeErrorId);
            if (matches.Count == 1) return matches[0];
            string message = matches.Count == 0
                ? $"-Path '{pattern}' has wildcard characters and matches no file. To write a file of that name, give it as -LiteralPath '{pattern}'."
                : $"-Path '{pattern}' matches {matches.Count} files ({string.Join(", ", matches.Take(3))}{(matches.Count > 3 ? ", ..." : "")}): give one file, or -LiteralPath for a name with wildcard characters.";
            cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), "OutputPathWildcardUnresolved", ErrorCategory.InvalidArgument, pattern));
            return pattern;
        }

        /// <summary>
        /// The file-system path of a file to write, as typed (relative to the current location, ~ and drives resolved). A path
        /// of another provider (Env:, HKLM:, Variable:, a module's drive) is the error <paramref name="writeErrorId"/>: its
        /// provider path is only an item name, which .NET would take as a file in the process's working folder.
        /// </summary>
        public static string FileSystemPath(PSCmdlet cmdlet, string psPath, string writeErrorId)
        {
            string path = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(psPath, out var provider, out _);
            RequireFileSystem(cmdlet, psPath, provider, writeErrorId);
            return path;
        }

        private static void RequireFileSystem(PSCmdlet cmdlet, string psPath, ProviderInfo provider, string writeErrorId)
        {
            if (provider.ImplementingType == typeof(Microsoft.PowerShell.Commands.FileSystemProvider)) return;
            cmdlet.ThrowTerminatingError(new ErrorRecord(
                new ArgumentException($"'{psPath}' is a path of the {provider.Name} provider, not of the file system: give a file path (for example ./{System.IO.Path.GetFileName(psPath.TrimEnd('/', '\\'))})."),
                writeErrorId, ErrorCategory.InvalidArgument, psPath));
        }
    }
}
