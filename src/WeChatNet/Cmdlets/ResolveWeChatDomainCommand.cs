using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using WeChatNet.Dns;
using WeChatNet.Resolution;

namespace WeChatNet.Commands
{
    /// <summary>
    /// Asks resolvers (and optionally WeChat's HTTP dispatch) for WeChat's hosts, every name from every server at once,
    /// and streams one WeChatNet.DnsAnswer per (name, server); -Compare groups them and flags differences.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Resolve, "WeChatDomain")]
    [OutputType(typeof(DnsAnswer), typeof(DnsComparison))]
    public sealed class ResolveWeChatDomainCommand : PSCmdlet, IDisposable
    {
        private readonly List<string> _names = new List<string>();
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();

        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(EndpointNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        [Parameter(Position = 1)]
        [ArgumentCompleter(typeof(ResolverCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Server { get; set; }

        [Parameter]
        public ResolverRegion[]? Region { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ClientSubnet { get; set; }

        [Parameter]
        public DnsRecordType Type { get; set; } = DnsRecordType.A;

        [Parameter]
        public DnsProtocol Protocol { get; set; }

        /// <summary>Per-try timeout.</summary>
        [Parameter]
        [DurationTransformation]
        [ValidateDuration(0.05, 300)]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

        [Parameter]
        [ValidateRange(0, 10)]
        public int Retries { get; set; } = 2;

        [Parameter]
        public SwitchParameter NoTcpFallback { get; set; }

        [Parameter]
        public DohMethod DohMethod { get; set; } = DohMethod.Post;

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CertificatePath { get; set; }

        [Parameter]
        public SwitchParameter DnssecOk { get; set; }

        [Parameter]
        [ValidateRange(1, 1024)]
        public int ThrottleLimit { get; set; } = 128;

        [Parameter]
        public SwitchParameter Dispatch { get; set; }

        [Parameter]
        [ValidateNotNull]
        [ValidateHttpUri]
        public Uri? DispatchUri { get; set; }

        [Parameter]
        public SwitchParameter Compare { get; set; }

        protected override void ProcessRecord()
        {
            if (Name != null) _names.AddRange(Name);
        }

        protected override void EndProcessing()
        {
            var plan = ResolvePlan.Create(new ResolveSettings
            {
                Names = _names.Count > 0 ? _names.ToArray() : null,
                Servers = Server,
                Regions = Region,
                ClientSubnet = ClientSubnet,
                Type = Type,
                Protocol = MyInvocation.BoundParameters.ContainsKey(nameof(Protocol)) ? Protocol : (DnsProtocol?)null,
                TimeoutSec = Timeout.TotalSeconds,
                Retries = Retries,
                NoTcpFallback = NoTcpFallback,
                DohMethod = DohMethod,
                CertificatePath = CertificatePath != null ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(CertificatePath) : null,
                DnssecOk = DnssecOk,
                ThrottleLimit = ThrottleLimit,
                Dispatch = Dispatch || DispatchUri != null,
                DispatchUri = DispatchUri,
            });
            foreach (var p in plan.Problems)
            {
                var record = new ErrorRecord(new ArgumentException(p.Message), p.ErrorId, ErrorCategory.InvalidArgument, p.Target);
                if (p.Terminating) ThrowTerminatingError(record);
                WriteError(record);
            }
            if (!plan.CanRun) return;
            WriteVerbose($"Resolving {plan}: {string.Join(", ", plan.Request.Servers)}.");

            var progress = new ProgressRecord(1, "Resolve-WeChatDomain", $"{plan.QueryCount} queries ({plan})");
            var answers = DomainResolver.Resolve(plan.Request, (done, total) =>
            {
                progress.PercentComplete = total == 0 ? 100 : done * 100 / total;
                progress.StatusDescription = string.Format(CultureInfo.InvariantCulture, "{0} of {1} answered", done, total);
                WriteProgress(progress);
            }, _cancel.Token);
            try
            {
                if (Compare)
                {
                    var all = new List<DnsAnswer>(answers);
                    foreach (var c in DomainResolver.Compare(all)) WriteObject(c);
                }
                else
                {
                    foreach (var a in answers) WriteObject(a);
                }
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
            {
                // Ctrl+C: StopProcessing cancelled every query in flight.
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }

        protected override void StopProcessing() => _cancel.Cancel();

        public void Dispose() => _cancel.Dispose();
    }
}
