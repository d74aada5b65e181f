using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading;
using WeChatNet.Capture;

namespace WeChatNet.Commands
{
    /// <summary>Reads pcap / pcapng files (optionally gzip-compressed) and emits one WeChatNet.Packet per packet.</summary>
    [Cmdlet(VerbsData.Import, "WeChatCapture")]
    [OutputType(typeof(Packet))]
    public sealed class ImportWeChatCaptureCommand : PSCmdlet
    {
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private PacketFilter? _filter;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        public string? Filter { get; set; }

        protected override void BeginProcessing()
        {
            if (Filter == null) return;
            try { _filter = PacketFilter.Parse(Filter); }
            catch (FilterSyntaxException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "CaptureFilterInvalid", ErrorCategory.InvalidArgument, Filter));
            }
        }

        protected override void ProcessRecord()
        {
            foreach (var file in ResolveFiles())
            {
                if (_cancel.IsCancellationRequested) return;
                ReadFile(file);
            }
        }

        private IEnumerable<string> ResolveFiles()
        {
            var files = new List<string>();
            foreach (var p in Path)
            {
                try
                {
                    var resolved = GetResolvedProviderPathFromPSPath(p, out var provider);
                    if (provider.Name != "FileSystem")
                    {
                        WriteError(new ErrorRecord(new ArgumentException($"'{p}' is not a file-system path."), "CaptureFileNotFound", ErrorCategory.InvalidArgument, p));
                        continue;
                    }
                    if (resolved.Count == 0)
                        WriteError(new ErrorRecord(new ItemNotFoundException($"No file matches '{p}'."), "CaptureFileNotFound", ErrorCategory.ObjectNotFound, p));
                    foreach (var r in resolved)
                    {
                        if (Directory.Exists(r))
                            WriteError(new ErrorRecord(new IOException($"'{r}' is a directory, not a capture file."), "CaptureFileNotFound", ErrorCategory.InvalidArgument, r));
                        else files.Add(r);
                    }
                }
                catch (Exception e) when (e is ItemNotFoundException || e is System.Management.Automation.DriveNotFoundException || e is ProviderNotFoundException || e is NotSupportedException)
                {
                    WriteError(new ErrorRecord(e, "CaptureFileNotFound", ErrorCategory.ObjectNotFound, p));
                }
            }
            return files;
        }

        private void ReadFile(string file)
        {
            var progress = new ProgressRecord(1, "Import-WeChatCapture", "Reading " + file);
            bool progressShown = false;
            IEnumerable<CaptureImportItem> items;
            try
            {
                items = CaptureImport.Read(file, _filter, p =>
                {
                    if (p.TotalBytes < 4 * 1024 * 1024 && !progressShown) return;
                    progressShown = true;
                    progress.PercentComplete = Math.Max(0, p.Percent);
                    progress.StatusDescription = $"{p.PacketsRead:N0} packets read, {p.PacketsMatched:N0} matched ({p.BytesRead / (1024 * 1024):N0} of {p.TotalBytes / (1024 * 1024):N0} MiB)";
                    WriteProgress(progress);
                }, _cancel.Token);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteError(new ErrorRecord(e, e is FileNotFoundException ? "CaptureFileNotFound" : "CaptureFileReadError", ErrorCategory.ReadError, file));
                return;
            }
            try
            {
                foreach (var item in items)
                {
                    if (item.Warning != null) WriteWarning(item.Warning);
                    if (item.Packet != null) WriteObject(item.Packet);
                    else if (item.Error != null)
                        WriteError(new ErrorRecord(new InvalidDataException(item.Error.ToString()), item.Error.ErrorId, ErrorCategory.InvalidData, file)
                        {
                            ErrorDetails = new ErrorDetails(item.Error.ToString())
                            {
                                RecommendedAction = item.Error.ResumedAt.HasValue ? $"Packets after offset {item.Error.ResumedAt} were read." : "Packets before the damage were read.",
                            },
                        });
                }
            }
            catch (OperationCanceledException) { }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteError(new ErrorRecord(e, "CaptureFileReadError", ErrorCategory.ReadError, file));
            }
            finally
            {
                if (progressShown)
                {
                    progress.RecordType = ProgressRecordType.Completed;
                    WriteProgress(progress);
                }
            }
        }

        protected override void StopProcessing() => _cancel.Cancel();
    }
}
