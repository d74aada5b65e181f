using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using WeChatNet.Analysis;
using WeChatNet.Diagnostics;

namespace WeChatNet.Commands
{
    /// <summary>
    /// The runbook in one command: capture analysis (-Path) and live checks from this machine (-Live: resolvers from
    /// mainland and overseas, WeChat's dispatch, TCP connects, the path to the long link). Writes WeChatNet.Finding
    /// objects, errors first; -Report writes an HTML or Markdown report.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "WeChatDiagnostic", SupportsShouldProcess = true)]
    [OutputType(typeof(Finding))]
    public sealed class InvokeWeChatDiagnosticCommand : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly List<string> _paths = new List<string>();

        /// <summary>Capture files to analyse (pcap, pcapng, .gz); wildcards allowed.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        /// <summary>Capture files taken as typed (no wildcards); what Get-ChildItem passes down the pipeline.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[]? LiteralPath { get; set; }

        /// <summary>Read the capture files as one capture (a rotation set); otherwise each file is analysed on its own.</summary>
        [Parameter]
        public SwitchParameter Join { get; set; }

        /// <summary>Run the live checks from this machine.</summary>
        [Parameter]
        public SwitchParameter Live { get; set; }

        /// <summary>Resolver presets for the live checks (default: Mainland and Overseas, unless -Server is given).</summary>
        [Parameter]
        public ResolverRegion[]? Region { get; set; }

        /// <summary>Resolvers given by hand; prefix with Mainland= or Overseas= to label their region.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ResolverCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Server { get; set; }

        /// <summary>Host names to resolve and test (default: WeChat's dispatch, long- and short-link hosts).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(EndpointNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <summary>Addresses or hosts to connect to and trace instead of the resolved ones.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Target { get; set; }

        [Parameter]
        [ValidateRange(1, 65535)]
        public int[]? Port { get; set; }

        /// <summary>The dispatch to ask instead of WeChat's own.</summary>
        [Parameter]
        [ValidateHttpUri]
        public Uri? DispatchUri { get; set; }

        [Parameter]
        public SwitchParameter SkipDispatch { get; set; }

        [Parameter]
        public SwitchParameter SkipTrace { get; set; }

        /// <summary>Judge every flow and DNS name of the captures, not only WeChat's.</summary>
        [Parameter]
        public SwitchParameter All { get; set; }

        [Parameter]
        public RouteProtocol TraceProtocol { get; set; } = RouteProtocol.Icmp;

        /// <summary>Where the client of the capture is, for the region rules.</summary>
        [Parameter]
        public ClientRegion? ClientRegion { get; set; }

        /// <summary>Per-try DNS timeout.</summary>
        [Parameter]
        [DurationTransformation]
        [ValidateDuration(0.1, 60)]
        public TimeSpan DnsTimeout { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>Timeout of each TCP connect.</summary>
        [Parameter]
        [DurationTransformation]
        [ValidateDuration(0.001, 120)]
        public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

        /// <summary>Writes a report: .html (tables and a latency chart, self-contained) or .md.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Report { get; set; }

        /// <summary>Replace an existing report file.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public FindingSeverity MinimumSeverity { get; set; } = FindingSeverity.Info;

        /// <summary>MaxMind DB files used to label addresses with region and owner.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Database { get; set; }

        /// <summary>MMTLS key logs for the capture analysis (file paths, no wildcards); the report only counts what they decrypted.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? KeyLogPath { get; set; }

        protected override void ProcessRecord()
        {
            if (Path != null || LiteralPath != null) _paths.AddRange(CaptureFiles.Resolve(this, Path, LiteralPath));
        }

        protected override void EndProcessing()
        {
            if (_paths.Count == 0 && !Live)
            {
                if (Path != null || LiteralPath != null) return; // every path failed and was reported
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("There is nothing to diagnose: give a capture with -Path, or -Live, or both."),
                    "NoDiagnosticInput", ErrorCategory.InvalidArgument, null));
            }
            string? reportPath = null;
            if (Report != null)
            {
                reportPath = OutputPaths.FileSystemPath(this, Report, "ReportWriteError");
                if (Directory.Exists(reportPath))
                    ThrowTerminatingError(new ErrorRecord(new IOException($"-Report '{Report}' is a folder: give the report's file name, for example '{System.IO.Path.Combine(reportPath, "wechat-diagnostic.html")}'."),
                        "ReportWriteError", ErrorCategory.WriteError, reportPath));
                if (DiagnosticReport.FormatOf(reportPath) is null)
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Report '{Report}': the format is chosen by the extension: .html, .htm, .md or .markdown."),
                        "ReportFormatUnknown", ErrorCategory.InvalidArgument, Report));
                string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(reportPath));
                if (folder != null && !Directory.Exists(folder))
                    ThrowTerminatingError(new ErrorRecord(new DirectoryNotFoundException($"The folder '{folder}' of the report does not exist."),
                        "ReportWriteError", ErrorCategory.ObjectNotFound, reportPath));
                if (!Force && File.Exists(reportPath))
                    ThrowTerminatingError(new ErrorRecord(new ReportExistsException(reportPath), "ReportExists", ErrorCategory.ResourceExists, reportPath));
            }
            var request = new DiagnosticRequest
            {
                CapturePaths = _paths,
                JoinCaptures = Join.IsPresent,
                Live = Live,
                Regions = Region?.ToList(),
                Servers = Server?.ToList() ?? new List<string>(),
                Names = Name?.ToList() ?? new List<string>(),
                Targets = Target?.ToList() ?? new List<string>(),
                Ports = Port?.ToList() ?? new List<int>(),
                DispatchUri = DispatchUri,
                SkipDispatch = SkipDispatch,
                SkipTrace = SkipTrace,
                TraceProtocol = TraceProtocol,
                ClientRegion = ClientRegion?.ToString(),
                AllTraffic = All.IsPresent,
                DnsTimeoutSec = DnsTimeout.TotalSeconds,
                ConnectTimeoutMs = (int)Math.Ceiling(ConnectTimeout.TotalMilliseconds),
                IpIntel = IpIntelParameters.Resolve(this, Database, null, null),
                KeyLog = KeyLogPaths.Load(this, KeyLogPath),
            };
            var progress = new ProgressRecord(1, "Invoke-WeChatDiagnostic", "Starting");
            DiagnosticResult result;
            try
            {
                result = DiagnosticRunner.Run(request, p =>
                {
                    progress.StatusDescription = p.Stage;
                    progress.CurrentOperation = p.Status;
                    progress.PercentComplete = p.Percent;
                    WriteProgress(progress);
                }, _cancel.Token);
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "DiagnosticRequestInvalid", ErrorCategory.InvalidArgument, null));
                return;
            }
            finally
            {
                if (!_cancel.IsCancellationRequested)
                {
                    progress.RecordType = ProgressRecordType.Completed;
                    WriteProgress(progress);
                }
            }
            foreach (var problem in result.Problems)
                WriteError(new ErrorRecord(new InvalidOperationException(problem.Message), problem.ErrorId, ErrorCategory.NotSpecified, problem.Target));
            // -Join: a file that does not continue the one before it.
            foreach (var warning in result.Capture?.Warnings ?? new System.Collections.Generic.List<string>()) WriteWarning(warning);
            foreach (var check in result.Checks) WriteVerbose(check);
            KeyLogPaths.Report(this, result.Capture?.Decryption, verbose: false); // the checks above already said it
            if (reportPath != null && ShouldProcess(reportPath, "Write diagnostic report"))
            {
                try
                {
                    DiagnosticReport.Write(result, reportPath, Force);
                    WriteVerbose("Report written to " + reportPath);
                }
                catch (ReportExistsException e)
                {
                    WriteError(new ErrorRecord(e, "ReportExists", ErrorCategory.ResourceExists, reportPath));
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    WriteError(new ErrorRecord(e, "ReportWriteError", ErrorCategory.WriteError, reportPath));
                }
            }
            foreach (var finding in FindingEngine.AtLeast(result.Findings, MinimumSeverity.ToString())) WriteObject(finding);
        }

        protected override void StopProcessing() => _cancel.Cancel();

        public void Dispose() => _cancel.Dispose();
    }
}
