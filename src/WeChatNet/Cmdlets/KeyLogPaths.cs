using System;
using System.IO;
using System.Management.Automation;
using WeChatNet.WeChat;

namespace WeChatNet.Commands
{
    /// <summary>
    /// -KeyLogPath of the capture cmdlets: literal file paths (no wildcards) read into one <see cref="MmtlsKeyLog"/>. A file that
    /// cannot be read stops the command with an error naming the path only; malformed lines are warnings with their line
    /// numbers. Nothing read from a key log is ever written anywhere: key logs are secrets.
    /// </summary>
    internal static class KeyLogPaths
    {
        public static MmtlsKeyLog? Load(PSCmdlet cmdlet, string[]? paths)
        {
            if (paths is null || paths.Length == 0) return null;
            var files = new string[paths.Length];
            for (int i = 0; i < paths.Length; i++)
            {
                string file = cmdlet.GetUnresolvedProviderPathFromPSPath(paths[i]);
                if (Directory.Exists(file))
                    cmdlet.ThrowTerminatingError(new ErrorRecord(new IOException($"-KeyLogPath '{file}' is a folder, not a key log file."),
                        "KeyLogPathIsDirectory", ErrorCategory.InvalidArgument, file));
                if (!File.Exists(file))
                    cmdlet.ThrowTerminatingError(new ErrorRecord(new FileNotFoundException($"The key log '{file}' does not exist.", file),
                        "KeyLogFileNotFound", ErrorCategory.ObjectNotFound, file));
                files[i] = file;
            }
            MmtlsKeyLog? log = null;
            try
            {
                log = MmtlsKeyLog.Load(files);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // the exception's own message names the path, never the contents
                cmdlet.ThrowTerminatingError(new ErrorRecord(new IOException("A key log could not be read: " + e.Message, e), "KeyLogFileUnreadable", ErrorCategory.ReadError, null));
            }
            foreach (var warning in log!.Warnings) cmdlet.WriteWarning("Key log: " + warning);
            if (log.OuterEntries == 0)
                cmdlet.WriteWarning($"The key log ({string.Join(", ", files)}) holds no OUTER entries: nothing can be decrypted.");
            cmdlet.WriteVerbose($"Key log: {log.OuterEntries} OUTER and {log.InnerEntries} INNER entries from {files.Length} file(s).");
            return log;
        }

        /// <summary>-KeyLogPath '' (or $null) typed on the command line: stops the command, as a missing key log does.</summary>
        public static void RejectEmpty(PSCmdlet cmdlet, string[]? paths)
        {
            if (paths is null || (paths.Length > 0 && Array.TrueForAll(paths, p => !string.IsNullOrEmpty(p)))) return;
            cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException("-KeyLogPath is empty: give the path of a key log file."),
                "KeyLogFileNotFound", ErrorCategory.ObjectNotFound, null));
        }

        /// <summary>The paths a pipeline object gave, without empty ones (a sample without a key log has none): null when none is left.</summary>
        public static string[]? NonEmpty(string[]? paths)
        {
            if (paths is null) return null;
            var kept = Array.FindAll(paths, p => !string.IsNullOrEmpty(p));
            return kept.Length == 0 ? null : kept;
        }

        /// <summary>After decoding: the one line about the key log, and a single warning when it decrypted nothing.</summary>
        public static void Report(PSCmdlet cmdlet, MmtlsDecryptionTally? tally, bool verbose = true)
        {
            if (tally is null) return;
            if (verbose) cmdlet.WriteVerbose(tally.Describe());
            if (tally.Records > 0 && tally.Decrypted == 0)
                cmdlet.WriteWarning($"The key log decrypted none of the {tally.Records} MMTLS records ({tally.TagMismatches} tag mismatches, {tally.NoEntry} without an entry): is it the key log of this capture?");
        }
    }
}
