using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading;
using WeChatNet.Analysis;
using WeChatNet.Capture;

namespace WeChatNet.Commands
{
    /// <summary>
    /// What Get-WeChatFlow, Measure-WeChatHeartbeat and Get-WeChatFinding share: capture files (-Path) analysed in one
    /// pass inside the core, or packets from the pipeline; the analysis result is written at the end.
    /// </summary>
    public abstract class CaptureAnalysisCommandBase : PSCmdlet
    {
        protected const string PathSet = "Path";
        protected const string PacketSet = "Packet";

        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private CaptureAnalyzer? _analyzer;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [Alias("FullName")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = PacketSet)]
        [ValidateNotNull]
        public Packet? InputObject { get; set; }

        /// <summary>Where the client is, for the region rules.</summary>
        [Parameter]
        [ValidateSet("MainlandChina", "Overseas")]
        public string? ClientRegion { get; set; }

        /// <summary>MMTLS key logs (file paths, no wildcards): records whose entries verify are decrypted and their frames read.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? KeyLogPath { get; set; }

        protected override void BeginProcessing()
        {
            var options = new CaptureAnalysisOptions { ClientRegion = ClientRegion };
            options.Decoding.KeyLog = KeyLogPaths.Load(this, KeyLogPath);
            _analyzer = new CaptureAnalyzer(options);
        }

        protected override void ProcessRecord()
        {
            var analyzer = _analyzer!;
            if (ParameterSetName == PacketSet)
            {
                analyzer.AddPacket(InputObject!);
                return;
            }
            foreach (var file in CapturePaths.Resolve(this, Path!)) AnalyzeFile(analyzer, file);
        }

        protected override void EndProcessing()
        {
            var result = _analyzer!.Complete();
            KeyLogPaths.Report(this, result.Decryption);
            WriteResult(result);
        }

        protected override void StopProcessing() => _cancel.Cancel();

        /// <summary>Writes what the cmdlet reports of the analysis.</summary>
        protected abstract void WriteResult(CaptureAnalysisResult result);

        private void AnalyzeFile(CaptureAnalyzer analyzer, string file)
        {
            var progress = new ProgressRecord(1, MyInvocation.MyCommand.Name, "Analysing " + file);
            int before = analyzer.Errors.Count;
            try
            {
                analyzer.AddFile(file, (position, length) =>
                {
                    if (length <= 0) return;
                    progress.PercentComplete = (int)Math.Min(100, position * 100 / length);
                    progress.StatusDescription = $"{file}: {analyzer.Packets:N0} packets";
                    WriteProgress(progress);
                }, _cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
            catch (FileNotFoundException e)
            {
                WriteError(new ErrorRecord(e, "CaptureFileNotFound", ErrorCategory.ObjectNotFound, file));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is InvalidDataException)
            {
                WriteError(new ErrorRecord(e, "CaptureFileUnreadable", ErrorCategory.ReadError, file));
            }
            // Damage inside the file: reported with its offset; the analysis went on past it.
            for (int i = before; i < analyzer.Errors.Count; i++)
            {
                var damage = analyzer.Errors[i];
                WriteError(new ErrorRecord(new InvalidDataException(damage.Message), damage.ErrorId, ErrorCategory.InvalidData, file));
            }
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }
}
