using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading;
using WeChatNet.Capture;

namespace WeChatNet.Commands
{
    /// <summary>Reads pcap / pcapng files (optionally gzip-compressed) and emits one WeChatNet.Packet per packet.</summary>
    [Cmdlet(VerbsData.Import, "WeChatCapture", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(Packet))]
    public sealed class ImportWeChatCaptureCommand : PSCmdlet, IDisposable
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private PacketFilter? _filter;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = Array.Empty<string>();

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
            var files = ParameterSetName == LiteralPathSet ? CaptureFiles.Resolve(this, null, LiteralPath) : CaptureFiles.Resolve(this, Path);
            foreach (var file in files)
            {
                if (_cancel.IsCancellationRequested) return;
                CaptureFiles.Read(this, file, "Import-WeChatCapture", _cancel.Token, progress =>
                {
                    foreach (var item in CaptureImport.Read(file, _filter, progress, _cancel.Token))
                    {
                        if (item.Warning != null) WriteWarning(item.Warning);
                        if (item.Packet != null) WriteObject(item.Packet);
                        else if (item.Error != null) WriteError(CaptureFiles.Damage(item.Error));
                    }
                });
            }
        }

        protected override void StopProcessing() => _cancel.Cancel();

        public void Dispose() => _cancel.Dispose();
    }
}
