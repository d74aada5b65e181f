using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using WeChatNet.Route;

namespace WeChatNet.Commands
{
    /// <summary>
    /// Traces the path to a WeChat server (or any host): all TTLs probed at once over ICMP, UDP or TCP (Paris-style),
    /// mtr-style rounds, one WeChatNet.RouteHop per hop as hops complete.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "WeChatRoute")]
    [OutputType(typeof(RouteHop))]
    public sealed class GetWeChatRouteCommand : PSCmdlet
    {
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();

        /// <summary>Host names or addresses; none traces WeChat's long-link host.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        // ServerAddress: a Flow (Get-WeChatFlow) traces to the address it talked to, by property name (not its ToString()).
        [Alias("ServerAddress", "Name", "ComputerName", "RemoteAddress")]
        [ArgumentCompleter(typeof(EndpointNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Target { get; set; }

        /// <summary>
        /// The addresses a piped object carries with its name (a Resolve-WeChatDomain answer, a dispatch domain): the name is
        /// traced to the first of them of the requested family instead of being resolved again. Bound by its Addresses property.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        // AddressesText first: it survives Export-Csv and Import-Csv, where Addresses becomes the text 'System.String[]'.
        [Alias("AddressesText", "Addresses")]
        [AllowNull]
        [AllowEmptyCollection]
        public object[]? ResolvedAddress { get; set; }

        [Parameter]
        public RouteProtocol Protocol { get; set; } = RouteProtocol.Icmp;

        [Parameter]
        [ValidateRange(1, 65535)]
        public int Port { get; set; }

        [Parameter]
        [ValidateRange(1, 255)]
        public int MaxHops { get; set; } = 30;

        [Parameter]
        [ValidateRange(1, 1000)]
        public int Count { get; set; } = 3;

        /// <summary>How long to wait for each probe's answer.</summary>
        [Parameter]
        [DurationTransformation]
        [ValidateDuration(0.001, 60)]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>Time between the starts of rounds; by default 50 ms with up to 5 rounds, 1 s with more (as mtr).</summary>
        [Parameter]
        [DurationTransformation]
        [ValidateDuration(0, 60)]
        public TimeSpan Interval { get; set; }

        [Parameter]
        public SwitchParameter ResolveNames { get; set; }

        [Parameter]
        public SwitchParameter IPv6 { get; set; }

        protected override void BeginProcessing()
        {
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Port)) && Protocol == RouteProtocol.Icmp)
                WriteWarning("-Port is ignored with -Protocol Icmp: use -Protocol Tcp or Udp to probe a port.");
        }

        protected override void ProcessRecord()
        {
            foreach (var target in Target ?? new[] { RouteRequest.DefaultTarget })
            {
                if (_cancel.IsCancellationRequested) return;
                List<IPAddress>? piped = null;
                if (ResolvedAddress != null)
                {
                    piped = PipedAddresses.Parse(this, ResolvedAddress, target);
                    if (piped.Count == 0)
                    {
                        WriteError(new ErrorRecord(new RouteException(RouteException.TargetNotResolved,
                            $"The piped answer for '{target}' has no address (it failed or was empty); it is not resolved again."),
                            RouteException.TargetNotResolved, ErrorCategory.ObjectNotFound, target));
                        continue;
                    }
                }
                TraceOne(target, piped);
            }
        }

        private void TraceOne(string target, IReadOnlyList<IPAddress>? piped)
        {
            var request = new RouteRequest
            {
                Target = target,
                // Addresses piped in with the name (Resolve-WeChatDomain -Server S | Get-WeChatRoute): trace what S answered.
                TargetResolver = piped is null ? null : (_, _) => Task.FromResult(piped.ToArray()),
                Protocol = Protocol,
                Port = MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? Port : (int?)null,
                MaxHops = MaxHops,
                Count = Count,
                TimeoutMs = (int)Math.Ceiling(Timeout.TotalMilliseconds),
                IntervalMs = MyInvocation.BoundParameters.ContainsKey(nameof(Interval)) ? (int)Math.Round(Interval.TotalMilliseconds) : (int?)null,
                ResolveNames = ResolveNames.IsPresent,
                IPv6 = IPv6.IsPresent,
            };
            int activity = Math.Abs(target.GetHashCode() % 1000) + 1;
            var progress = new ProgressRecord(activity, "Get-WeChatRoute " + target, "Resolving and opening sockets");
            try
            {
                foreach (var hop in RouteTracer.Trace(request, p =>
                         {
                             progress.StatusDescription = string.Format(CultureInfo.InvariantCulture, "Round {0} of {1}: {2} probes sent, {3} replies{4}",
                                 p.Round, p.Rounds, p.ProbesSent, p.RepliesReceived, p.DestinationHop is int d ? $", target at hop {d}" : "");
                             progress.PercentComplete = p.PercentComplete;
                             WriteProgress(progress);
                         }, _cancel.Token))
                {
                    WriteObject(hop);
                }
            }
            catch (RouteException e) when (e.ErrorId == RouteException.NeedsPrivilege)
            {
                ThrowTerminatingError(new ErrorRecord(e, e.ErrorId, ErrorCategory.PermissionDenied, target));
            }
            catch (RouteException e) when (e.ErrorId == RouteException.ProtocolUnsupported)
            {
                // Every target would fail the same way: stop, saying which protocol works here.
                ThrowTerminatingError(new ErrorRecord(e, e.ErrorId, ErrorCategory.InvalidArgument, Protocol));
            }
            catch (RouteException e)
            {
                var category = e.ErrorId == RouteException.SocketFailed ? ErrorCategory.ConnectionError : ErrorCategory.ObjectNotFound;
                WriteError(new ErrorRecord(e, e.ErrorId, category, target));
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "RouteArgumentInvalid", ErrorCategory.InvalidArgument, target));
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: what is known was written as it came.
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                try { WriteProgress(progress); } catch (PipelineStoppedException) { }
            }
        }

        protected override void StopProcessing() => _cancel.Cancel();
    }
}
