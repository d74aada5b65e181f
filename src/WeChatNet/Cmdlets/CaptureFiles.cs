using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading;
using WeChatNet.Capture;

namespace WeChatNet.Commands
{
    /// <summary>
    /// The one capture-file path of the cmdlets: -Path (wildcards) and -LiteralPath resolved to files, reading with progress
    /// and Ctrl+C, and every failure mapped to an error record that names the file, with the error ids of docs/conventions.md.
    /// </summary>
    internal static class CaptureFiles
    {
        public const string NotFound = "CaptureFileNotFound";
        public const string IsDirectory = "CapturePathIsDirectory";
        public const string NotFileSystem = "CapturePathNotFileSystem";
        public const string Unreadable = "CaptureFileUnreadable";

        /// <summary>Every error id this helper (and the core's <see cref="CaptureFileError.ErrorId"/>) can write.</summary>
        public static readonly string[] ErrorIds =
        {
            NotFound, IsDirectory, NotFileSystem, Unreadable,
            "NotACaptureFile", "CaptureFormatUnsupported", "CaptureFileTruncated", "CaptureInterfaceUnknown", "CaptureFileCorrupt",
        };

        /// <summary>
        /// Capture files named by <paramref name="paths"/> (wildcards, PowerShell drives) or <paramref name="literalPaths"/>
        /// (taken as typed: '[' and '*' are part of the name). What does not resolve to a file is reported, naming the path.
        /// </summary>
        public static List<string> Resolve(PSCmdlet cmdlet, IEnumerable<string>? paths, IEnumerable<string>? literalPaths = null)
        {
            var files = new List<string>();
            foreach (var p in paths ?? Array.Empty<string>())
            {
                try
                {
                    var resolved = cmdlet.GetResolvedProviderPathFromPSPath(p, out var provider);
                    if (provider.Name != "FileSystem") { cmdlet.WriteError(NotOnFileSystem(p)); continue; }
                    if (resolved.Count == 0)
                        cmdlet.WriteError(new ErrorRecord(new ItemNotFoundException($"No file matches '{p}'."), NotFound, ErrorCategory.ObjectNotFound, p));
                    foreach (var r in resolved) Add(cmdlet, files, r);
                }
                catch (Exception e) when (e is ItemNotFoundException || e is System.Management.Automation.DriveNotFoundException || e is ProviderNotFoundException || e is NotSupportedException)
                {
                    // A plain missing file needs no second sentence ("Cannot find path ... because it does not exist.");
                    // a missing drive or provider keeps PowerShell's explanation.
                    string why = e is ItemNotFoundException ? "." : ": " + e.Message;
                    cmdlet.WriteError(new ErrorRecord(new ItemNotFoundException($"Capture file '{p}' not found{why}", e), NotFound, ErrorCategory.ObjectNotFound, p));
                }
            }
            foreach (var p in literalPaths ?? Array.Empty<string>())
            {
                try
                {
                    string r = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(p, out var provider, out _);
                    if (provider.Name != "FileSystem") { cmdlet.WriteError(NotOnFileSystem(p)); continue; }
                    if (!File.Exists(r) && !Directory.Exists(r))
                    {
                        cmdlet.WriteError(new ErrorRecord(new FileNotFoundException($"Capture file '{r}' not found.", r), NotFound, ErrorCategory.ObjectNotFound, p));
                        continue;
                    }
                    Add(cmdlet, files, r);
                }
                catch (Exception e) when (e is System.Management.Automation.DriveNotFoundException || e is ProviderNotFoundException || e is NotSupportedException || e is ArgumentException)
                {
                    cmdlet.WriteError(new ErrorRecord(new ItemNotFoundException($"Capture file '{p}' not found: {e.Message}", e), NotFound, ErrorCategory.ObjectNotFound, p));
                }
            }
            return files;
        }

        private static void Add(PSCmdlet cmdlet, List<string> files, string path)
        {
            if (Directory.Exists(path))
                cmdlet.WriteError(new ErrorRecord(new IOException($"'{path}' is a directory, not a capture file: give the files in it, for example Get-ChildItem '{path}' -Filter *.pcapng."),
                    IsDirectory, ErrorCategory.InvalidArgument, path));
            else files.Add(path);
        }

        private static ErrorRecord NotOnFileSystem(string path) =>
            new ErrorRecord(new ArgumentException($"'{path}' is not a file-system path: capture files are read from the file system."), NotFileSystem, ErrorCategory.InvalidArgument, path);

        /// <summary>
        /// Runs <paramref name="read"/> over one file with a progress bar and Ctrl+C: a cancelled read stops the pipeline; a file
        /// that cannot be opened or read is one error naming it (the cmdlet goes on with the next file).
        /// Returns false when the file could not be read.
        /// </summary>
        public static bool Read(PSCmdlet cmdlet, string file, string activity, CancellationToken cancel, Action<Action<CaptureProgress>> read)
        {
            var progress = new ProgressRecord(1, activity, file);
            bool shown = false;
            try
            {
                read(p =>
                {
                    progress.PercentComplete = Math.Max(0, p.Percent);
                    progress.StatusDescription = $"{file}: {p.PacketsRead:N0} packets";
                    cmdlet.WriteProgress(progress);
                    shown = true;
                });
                return true;
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is InvalidDataException)
            {
                cmdlet.WriteError(ReadFailure(e, file));
                return false;
            }
            finally
            {
                if (shown)
                {
                    progress.RecordType = ProgressRecordType.Completed;
                    try { cmdlet.WriteProgress(progress); } catch (PipelineStoppedException) { }
                }
            }
        }

        /// <summary>A file that could not be opened or read, as an error record naming it.</summary>
        public static ErrorRecord ReadFailure(Exception e, string file)
        {
            if (e is FileNotFoundException || e is DirectoryNotFoundException)
                return new ErrorRecord(new FileNotFoundException($"Capture file '{file}' not found.", file, e), NotFound, ErrorCategory.ObjectNotFound, file);
            string message = e.Message.IndexOf(file, StringComparison.Ordinal) >= 0 ? e.Message : $"{file}: {e.Message}";
            return new ErrorRecord(new IOException(message, e), Unreadable, ErrorCategory.ReadError, file);
        }

        /// <summary>Damage inside a file (reading went on past it where the format allows), naming file and offset.</summary>
        public static ErrorRecord Damage(CaptureFileError damage) =>
            new ErrorRecord(new InvalidDataException(damage.ToString()), damage.ErrorId, ErrorCategory.InvalidData, damage.File)
            {
                ErrorDetails = new ErrorDetails(damage.ToString())
                {
                    RecommendedAction = damage.ResumedAt.HasValue ? $"Packets after offset {damage.ResumedAt} were read." : "Packets before the damage were read.",
                },
            };
    }
}
