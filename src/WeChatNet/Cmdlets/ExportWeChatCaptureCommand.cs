using System;
using System.IO;
using System.Management.Automation;
using WeChatNet.Capture;

namespace WeChatNet.Commands
{
    /// <summary>Capture file formats Export-WeChatCapture writes.</summary>
    public enum CaptureExportFormat { PcapNg, Pcap }

    /// <summary>Writes WeChatNet.Packet objects from the pipeline to a pcapng or pcap file (temp file + rename).</summary>
    [Cmdlet(VerbsData.Export, "WeChatCapture", SupportsShouldProcess = true, DefaultParameterSetName = OutputPaths.PathSet)]
    [OutputType(typeof(CaptureFileSummary))]
    public sealed class ExportWeChatCaptureCommand : PSCmdlet, IDisposable
    {
        private CaptureExport? _export;
        private bool _skip;
        private volatile bool _stopping;

        /// <summary>The capture file; wildcards match one existing file, as Export-Csv's -Path.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = OutputPaths.PathSet)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>The capture file, taken exactly as typed (a name with [ ] * ?), as Export-Csv's -LiteralPath.</summary>
        [Parameter(Mandatory = true, ParameterSetName = OutputPaths.LiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string? LiteralPath { get; set; }

        private string _target = "";

        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [AllowEmptyCollection]
        public Packet[] InputObject { get; set; } = Array.Empty<Packet>();

        [Parameter]
        public CaptureExportFormat Format { get; set; } = CaptureExportFormat.PcapNg;

        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            string target = _target = OutputPaths.Resolve(this, Path, LiteralPath, "CaptureFileWriteError");
            if (!ShouldProcess(target, $"Write {Format} capture file"))
            {
                _skip = true;
                return;
            }
            try
            {
                _export = CaptureExport.Create(target, Format == CaptureExportFormat.Pcap ? CaptureFileFormat.Pcap : CaptureFileFormat.PcapNg, Force.IsPresent);
            }
            catch (CaptureFileExistsException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "CaptureFileExists", ErrorCategory.ResourceExists, target));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                ThrowTerminatingError(new ErrorRecord(e, "CaptureFileWriteError", ErrorCategory.WriteError, target));
            }
        }

        protected override void ProcessRecord()
        {
            if (_skip || _export == null) return;
            foreach (var packet in InputObject)
            {
                if (_stopping) { Abandon(); return; }
                if (packet == null) continue;
                try { _export.Add(packet); }
                catch (InvalidOperationException e)
                {
                    Abandon();
                    ThrowTerminatingError(new ErrorRecord(e, "CaptureLinkTypeMismatch", ErrorCategory.InvalidData, packet));
                }
                catch (ArgumentException e)
                {
                    WriteError(new ErrorRecord(e, "CapturePacketInvalid", ErrorCategory.InvalidData, packet));
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    Abandon();
                    ThrowTerminatingError(new ErrorRecord(e, "CaptureFileWriteError", ErrorCategory.WriteError, _target));
                }
            }
        }

        protected override void EndProcessing()
        {
            if (_stopping) { Abandon(); return; }
            if (_skip || _export == null) return;
            try
            {
                var summary = _export.Commit();
                _export = null;
                if (PassThru) WriteObject(summary);
            }
            catch (CaptureFileExistsException e)
            {
                Abandon();
                ThrowTerminatingError(new ErrorRecord(e, "CaptureFileExists", ErrorCategory.ResourceExists, _target));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                Abandon();
                ThrowTerminatingError(new ErrorRecord(e, "CaptureFileWriteError", ErrorCategory.WriteError, _target));
            }
        }

        // StopProcessing runs on another thread: only flag it here; the pipeline thread abandons the temporary
        // file (ProcessRecord, EndProcessing or Dispose, which PowerShell always calls).
        protected override void StopProcessing() => _stopping = true;

        private void Abandon()
        {
            var export = _export;
            _export = null;
            export?.Dispose();
        }

        /// <summary>PowerShell disposes cmdlets after the pipeline ends, also when it was stopped or failed.</summary>
        public void Dispose() => Abandon();
    }
}
