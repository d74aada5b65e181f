using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using WeChatNet.Analysis;
using WeChatNet.Capture;

namespace WeChatNet.Commands
{
    /// <summary>
    /// What Get-WeChatFlow, Measure-WeChatHeartbeat and Get-WeChatFinding share: capture files (-Path, -LiteralPath) or packets
    /// from the pipeline, analysed in one pass inside the core. One capture per file: each file (and the packets of each file)
    /// is analysed on its own and its results carry its File; -Join reads them as one capture (a rotation set).
    /// </summary>
    public abstract class CaptureAnalysisCommandBase : PSCmdlet, IDisposable
    {
        protected const string PathSet = "Path";
        protected const string LiteralPathSet = "LiteralPath";
        protected const string PacketSet = "Packet";

        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        // Packets are analysed per file (Packet.File) unless -Join; files are analysed as they come unless -Join.
        private readonly Dictionary<string, CaptureAnalyzer> _byFile = new Dictionary<string, CaptureAnalyzer>(StringComparer.Ordinal);
        private readonly List<CaptureAnalyzer> _order = new List<CaptureAnalyzer>();
        private CaptureAnalyzer? _joined;

        /// <summary>Capture files; wildcards allowed.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        /// <summary>Capture files, taken as typed (no wildcards); what Get-ChildItem passes down the pipeline.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[]? LiteralPath { get; set; }

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = PacketSet)]
        [ValidateNotNull]
        public Packet? InputObject { get; set; }

        /// <summary>Read all files (or all packets) as one capture: for a rotation set whose files continue one another.</summary>
        [Parameter]
        public SwitchParameter Join { get; set; }

        /// <summary>Where the client is, for the region rules.</summary>
        [Parameter]
        public ClientRegion? ClientRegion { get; set; }

        /// <summary>MMTLS key logs (file paths, no wildcards): records whose entries verify are decrypted and their frames read.
        /// By property name too: Get-WeChatSample mmtls-keylog | Get-WeChatFlow uses the sample's key log.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string[]? KeyLogPath { get; set; }

        private WeChatNet.WeChat.MmtlsKeyLog? _keyLog;
        private string[]? _keyLogFrom;

        protected override void BeginProcessing()
        {
            // Only what the command line gave is bound here; an empty value there is a mistake (a sample without a key
            // log pipes an empty KeyLogPath, which means none).
            KeyLogPaths.RejectEmpty(this, KeyLogPath);
            _keyLog = KeyLogPaths.Load(this, KeyLogPath);
            _keyLogFrom = KeyLogPath;
        }

        /// <summary>A key log bound from the pipeline object (its KeyLogPath) applies to that object's files.</summary>
        private void KeyLogOfThisRecord()
        {
            if (ReferenceEquals(KeyLogPath, _keyLogFrom)) return;
            _keyLog = KeyLogPaths.Load(this, KeyLogPaths.NonEmpty(KeyLogPath));
            _keyLogFrom = KeyLogPath;
        }

        private CaptureAnalyzer NewAnalyzer()
        {
            var options = new CaptureAnalysisOptions { ClientRegion = ClientRegion?.ToString(), AllTraffic = AllTraffic };
            options.Decoding.KeyLog = _keyLog;
            return new CaptureAnalyzer(options);
        }

        /// <summary>Findings judge every flow and DNS name, not only WeChat's (Get-WeChatFinding -All).</summary>
        protected virtual bool AllTraffic => false;

        /// <summary>An analyzer that has read something, written at the end (in order of first use).</summary>
        private void Used(CaptureAnalyzer analyzer)
        {
            if (!_order.Contains(analyzer)) _order.Add(analyzer);
        }

        protected override void ProcessRecord()
        {
            KeyLogOfThisRecord();
            if (ParameterSetName == PacketSet)
            {
                var packet = InputObject!;
                CaptureAnalyzer analyzer;
                if (Join) analyzer = _joined ??= NewAnalyzer();
                else if (!_byFile.TryGetValue(packet.File ?? "", out analyzer!)) _byFile[packet.File ?? ""] = analyzer = NewAnalyzer();
                Used(analyzer);
                analyzer.AddPacket(packet);
                return;
            }
            foreach (var file in CaptureFiles.Resolve(this, Path, LiteralPath))
            {
                if (Join)
                {
                    if (AnalyzeFile(_joined ??= NewAnalyzer(), file)) Used(_joined);
                    continue;
                }
                // One capture per file: written as soon as the file is done.
                var analyzer = NewAnalyzer();
                if (AnalyzeFile(analyzer, file)) Write(analyzer);
            }
        }

        protected override void EndProcessing()
        {
            foreach (var analyzer in _order) Write(analyzer);
        }

        protected override void StopProcessing() => _cancel.Cancel();

        public void Dispose() => _cancel.Dispose();

        /// <summary>Writes what the cmdlet reports of the analysis.</summary>
        protected abstract void WriteResult(CaptureAnalysisResult result);

        private void Write(CaptureAnalyzer analyzer)
        {
            var result = analyzer.Complete();
            foreach (var w in result.Warnings) WriteWarning(w);
            KeyLogPaths.Report(this, result.Decryption);
            WriteResult(result);
        }

        private bool AnalyzeFile(CaptureAnalyzer analyzer, string file)
        {
            int before = analyzer.Errors.Count;
            bool read = CaptureFiles.Read(this, file, MyInvocation.MyCommand.Name, _cancel.Token, progress => analyzer.AddFile(file, progress, _cancel.Token));
            // Damage inside the file: reported with its offset; the analysis went on past it.
            for (int i = before; i < analyzer.Errors.Count; i++) WriteError(CaptureFiles.Damage(analyzer.Errors[i]));
            return read;
        }
    }
}
