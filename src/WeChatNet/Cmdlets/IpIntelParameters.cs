using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using WeChatNet.IpIntel;

namespace WeChatNet.Commands
{
    /// <summary>Turns a cmdlet's -Database / prefix-file parameters into the IP intelligence it uses, or a terminating error.</summary>
    internal static class IpIntelParameters
    {
        public static IpIntelligence Resolve(PSCmdlet cmdlet, IEnumerable<string>? databases, string? mainlandPrefixFile, string? tencentPrefixFile)
        {
            string? Path(string? p) => p is null ? null : cmdlet.GetUnresolvedProviderPathFromPSPath(p);
            var dbs = databases?.Select(d => Path(d)!).ToList();
            string? mainland = Path(mainlandPrefixFile), tencent = Path(tencentPrefixFile);
            foreach (var f in (dbs ?? new List<string>()).Append(mainland).Append(tencent))
                if (f != null && Directory.Exists(f))
                    cmdlet.ThrowTerminatingError(new ErrorRecord(new IOException($"'{f}' is a directory, not an address data file: give the file in it."),
                        "IpDataPathIsDirectory", ErrorCategory.InvalidArgument, f));
            var all = (dbs ?? new List<string>()).Append(mainland).Append(tencent);
            try
            {
                return IpIntelligence.ForCommand(dbs, mainland, tencent);
            }
            catch (FileNotFoundException e)
            {
                cmdlet.ThrowTerminatingError(Record(e, "IpDataFileNotFound", ErrorCategory.ObjectNotFound, e.FileName != null ? new[] { e.FileName } : all));
            }
            catch (MmdbFormatException e)
            {
                cmdlet.ThrowTerminatingError(Record(e, "IpDatabaseInvalid", ErrorCategory.InvalidData, dbs));
            }
            catch (FormatException e)
            {
                cmdlet.ThrowTerminatingError(Record(e, "IpDataFileInvalid", ErrorCategory.InvalidData, new[] { mainland, tencent }));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                cmdlet.ThrowTerminatingError(Record(e, "IpDataFileUnreadable", ErrorCategory.ReadError, all));
            }
            throw new InvalidOperationException("unreachable");
        }

        /// <summary>An error record whose message names the file in full (the core's messages may give only its name).</summary>
        private static ErrorRecord Record(Exception e, string errorId, ErrorCategory category, IEnumerable<string?>? candidates)
        {
            var list = (candidates ?? Array.Empty<string?>()).Where(f => f != null).Select(f => f!).ToList();
            string? file = list.FirstOrDefault(f => e.Message.IndexOf(f, StringComparison.Ordinal) >= 0)
                ?? list.FirstOrDefault(f => e.Message.IndexOf(System.IO.Path.GetFileName(f), StringComparison.Ordinal) >= 0)
                ?? (list.Count == 1 ? list[0] : null);
            Exception shown = e;
            if (file != null && e.Message.IndexOf(file, StringComparison.Ordinal) < 0)
            {
                string message = e.Message.StartsWith(System.IO.Path.GetFileName(file) + ":", StringComparison.Ordinal)
                    ? file + e.Message.Substring(System.IO.Path.GetFileName(file).Length)
                    : $"{file}: {e.Message}";
                shown = e is FileNotFoundException ? new FileNotFoundException(message, file, e) : e is IOException || e is UnauthorizedAccessException ? new IOException(message, e) : new InvalidDataException(message, e);
            }
            return new ErrorRecord(shown, errorId, category, file);
        }
    }
}
