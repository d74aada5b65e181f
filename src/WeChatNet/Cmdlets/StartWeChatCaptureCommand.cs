using System;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using WeChatNet.Capture.Live;

namespace WeChatNet.Commands
{
    /// <summary>
    /// Captures live traffic with libpcap / Npcap: WeChat's traffic by default, streamed as WeChatNet.Packet objects, or
    /// written to pcapng (optionally a ring of size-limited files) with a WeChatNet.CaptureSummary at the end.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Start, "WeChatCapture", DefaultParameterSetName = WeChatSet, SupportsShouldProcess = true)]
    [OutputType(typeof(Packet), typeof(CaptureSummary))]
    public sealed class StartWeChatCaptureCommand : PSCmdlet, IDisposable
    {
        private const string WeChatSet = "WeChat", FilterSet = "Filter", AllSet = "All";
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();

        [Parameter(Position = 0, ParameterSetName = WeChatSet)]
        [Parameter(Position = 0, ParameterSetName = FilterSet)]
        [Parameter(Position = 0, ParameterSetName = AllSet)]
        [ArgumentCompleter(typeof(CaptureInterfaceCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Interface { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = FilterSet)]
        [ValidateNotNullOrEmpty]
        public string? Filter { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = AllSet)]
        public SwitchParameter All { get; set; }

        [Parameter]
        [DurationTransformation]
        public TimeSpan? Duration { get; set; }

        [Parameter]
        [ValidateRange(1L, long.MaxValue)]
        public long Count { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OutFile { get; set; }

        /// <summary>Start a new file when the current one reaches this size, in bytes (PowerShell's 100MB is 100 MiB).</summary>
        [Parameter]
        [ValidateRange(10_000L, 1_000_000_000_000L)]
        public long MaxFileSize { get; set; }

        [Parameter]
        [ValidateRange(1, 1_000_000)]
        public int MaxFiles { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        [Parameter]
        [ValidateRange(64, 262144)]
        public int SnapLength { get; set; } = 262144;

        [Parameter]
        public SwitchParameter Promiscuous { get; set; }

        protected override void EndProcessing()
        {
            long maxBytes = MaxFileSize;
            if (Duration is TimeSpan d && d <= TimeSpan.Zero)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Duration must be positive (e.g. 30, '90s', '5m' or '00:05:00')."),
                    "CaptureDurationInvalid", ErrorCategory.InvalidArgument, Duration));
            if ((maxBytes > 0 || MaxFiles > 0) && OutFile is null)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-MaxFileSize and -MaxFiles need -OutFile."),
                    "CaptureRotationNeedsOutFile", ErrorCategory.InvalidArgument, null));
            if (MaxFiles > 0 && maxBytes <= 0)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-MaxFiles keeps a ring of files that roll over by size: give -MaxFileSize too."),
                    "CaptureRotationNeedsOutFile", ErrorCategory.InvalidArgument, null));

            string? path = OutFile is null ? null : OutputPaths.FileSystemPath(this, OutFile, "CaptureFileWriteError");
            if (path != null)
            {
                string target = maxBytes > 0
                    ? $"{LiveCapture.RotatedFileName(path, maxBytes, 1)}, ... (new file every {maxBytes.ToString(CultureInfo.InvariantCulture)} bytes{(MaxFiles > 0 ? $", newest {MaxFiles} kept" : "")})"
                    : path;
                if (!ShouldProcess(target, "Write live capture")) return;
            }

            var options = new LiveCaptureOptions
            {
                Interface = Interface,
                Filter = ParameterSetName == FilterSet ? Filter : null,
                CaptureAll = All.IsPresent,
                Count = Count,
                Duration = Duration,
                OutFile = path,
                MaxFileBytes = maxBytes,
                MaxFiles = MaxFiles,
                EmitFrames = path is null || PassThru.IsPresent,
                Open = new PcapOpenOptions { SnapLength = SnapLength, Promiscuous = Promiscuous.IsPresent, ImmediateMode = path is null || PassThru.IsPresent },
            };

            LiveCapture capture;
            try
            {
                capture = LiveCapture.Start(options, _cancel.Token);
            }
            catch (LiveCaptureException e)
            {
                ThrowTerminatingError(CaptureErrors.Record(e, Interface ?? OutFile));
                return;
            }

            using (capture)
            {
                foreach (var w in capture.Warnings) WriteWarning(w);
                WriteVerbose($"Capturing on {capture.Interface} (link type {LiveCapture.LinkTypeName(capture.LinkType)}) with filter: {(capture.Filter.Length > 0 ? capture.Filter : "(none, -All)")}");
                var progress = new ProgressRecord(1, $"Capturing on {capture.Interface}", "Starting");
                try
                {
                    foreach (var packet in capture.ReadPackets(p => Report(progress, p)))
                        WriteObject(packet);
                }
                catch (LiveCaptureException e)
                {
                    if (capture.Summary != null && path != null) WriteObject(capture.Summary);
                    ThrowTerminatingError(CaptureErrors.Record(e, capture.Interface));
                }
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
                var summary = capture.Summary!;
                if (summary.ObjectsSkipped > 0)
                    WriteWarning($"{summary.ObjectsSkipped} of {summary.PacketsCaptured} packets were not written to the pipeline because it fell behind" +
                                 (path != null ? "; every packet is in the capture file." : ". Use -OutFile to keep every packet."));
                if (summary.PacketsDroppedByKernel > 0 || summary.PacketsDroppedByInterface > 0)
                    WriteWarning($"The kernel dropped {summary.PacketsDroppedByKernel} and the interface {summary.PacketsDroppedByInterface} packets before they could be read; " +
                                 "use -OutFile without -PassThru, a narrower -Filter or a smaller -SnapLength.");
                WriteVerbose($"{summary.PacketsCaptured} packets, {summary.Bytes} bytes captured in {summary.DurationMs / 1000:F1} s; stopped by {summary.StopReason}.");
                if (path != null) WriteObject(summary);
            }
        }

        private void Report(ProgressRecord record, CaptureProgress p)
        {
            record.StatusDescription = $"{p.Packets} packets, {p.Bytes / 1024} KiB" + (p.Files > 1 ? $", file {p.Files}" : "") +
                                       (p.ObjectsSkipped > 0 ? $", {p.ObjectsSkipped} objects skipped" : "") + " (Ctrl+C stops and keeps the file)";
            if (p.DurationMs is double total && total > 0)
            {
                record.PercentComplete = (int)Math.Min(100, p.ElapsedMs * 100 / total);
                record.SecondsRemaining = (int)Math.Max(0, (total - p.ElapsedMs) / 1000);
            }
            else if (Count > 0)
            {
                record.PercentComplete = (int)Math.Min(100, p.Packets * 100 / Count);
            }
            WriteProgress(record);
        }

        protected override void StopProcessing() => _cancel.Cancel();

        public void Dispose() => _cancel.Dispose();
    }
}
