using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading;
using WeChatNet.Connectivity;
using WeChatNet.IpIntel;

namespace WeChatNet.Commands
{
    /// <summary>
    /// Times TCP connects to WeChat's hosts (every address, every port, concurrently) and sends one plain HTTP request
    /// to the dispatch host; says plainly which test ran and why one failed.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "WeChatConnection")]
    [OutputType(typeof(ConnectionTest))]
    public sealed class TestWeChatConnectionCommand : PSCmdlet, IDisposable
    {
        private readonly List<string> _names = new List<string>();
        private bool _namesGiven;
        private readonly Dictionary<string, IList<IPAddress>> _piped = new Dictionary<string, IList<IPAddress>>(StringComparer.OrdinalIgnoreCase);
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();

        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        // ComputerName: Test-Connection's name for its -TargetName.
        [Alias("ComputerName")]
        [ArgumentCompleter(typeof(EndpointNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <summary>Addresses to test instead of resolving the names (or alone, without names).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Address { get; set; }

        /// <summary>
        /// The addresses a piped object carries with its name (a Resolve-WeChatDomain answer, a dispatch domain): that name is
        /// tested at them instead of being resolved again. Bound from the pipeline by its Addresses property.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        // AddressesText first: it survives Export-Csv and Import-Csv, where Addresses becomes the text 'System.String[]'.
        [Alias("AddressesText", "Addresses")]
        [AllowNull]
        [AllowEmptyCollection]
        public object[]? ResolvedAddress { get; set; }

        [Parameter]
        [ValidateRange(1, 65535)]
        public int[]? Port { get; set; }

        [Parameter]
        [DurationTransformation]
        [ValidateDuration(0.001, ConnectionTestRequest.MaxTimeoutMs / 1000.0)]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);

        [Parameter]
        [ValidateRange(1, ConnectionTestRequest.MaxCount)]
        public int Count { get; set; } = 1;

        /// <summary>The host the HTTP request is sent to (Host header; resolved unless -DispatchAddress or -Address is given).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string DispatchHost { get; set; } = ConnectionTestRequest.DefaultDispatchHost;

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DispatchAddress { get; set; }

        [Parameter]
        [ValidateRange(1, 65535)]
        public int DispatchPort { get; set; } = 80;

        [Parameter]
        public SwitchParameter SkipHttp { get; set; }

        [Parameter]
        [ValidateRange(1, 256)]
        public int ThrottleLimit { get; set; } = 16;

        /// <summary>MaxMind DB files used to label addresses with region and owner.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Database { get; set; }

        protected override void ProcessRecord()
        {
            if (Name is null) return;
            _namesGiven = true;
            // A malformed name is said to be one here, not handed to a resolver (which would only say it does not resolve).
            var valid = new List<string>();
            foreach (var name in Name)
            {
                if (WeChatNet.Text.HostName.Normalize(name, out string? notAName) is null)
                    WriteError(new ErrorRecord(new ArgumentException($"'{name}' is not a valid host name: {notAName}. It is not tested."),
                        "DomainNameInvalid", ErrorCategory.InvalidArgument, name));
                else valid.Add(name);
            }
            _names.AddRange(valid);
            if (ResolvedAddress != null)
            {
                foreach (var name in valid)
                {
                    if (!_piped.TryGetValue(name, out var list)) _piped[name] = list = new List<IPAddress>();
                    foreach (var address in PipedAddresses.Parse(this, ResolvedAddress, name)) list.Add(address);
                }
            }
        }

        protected override void EndProcessing()
        {
            // Every name given was malformed: test nothing, rather than WeChat's default hosts.
            if (_namesGiven && _names.Count == 0 && Address is null) return;
            var intel = IpIntelParameters.Resolve(this, Database, null, null);
            var request = new ConnectionTestRequest
            {
                Hosts = _names,
                Addresses = (Address ?? Array.Empty<string>()).Select(a => ParseAddress(a, "Address")).ToList(),
                HostAddresses = _piped,
                Ports = Port?.ToList() ?? new List<int>(),
                TimeoutMs = (int)Math.Ceiling(Timeout.TotalMilliseconds),
                Count = Count,
                MaxParallel = ThrottleLimit,
                Http = !SkipHttp.IsPresent,
                DispatchHost = DispatchHost,
                DispatchAddress = DispatchAddress is null ? null : ParseAddress(DispatchAddress, "DispatchAddress"),
                DispatchPort = DispatchPort,
            };
            var progress = new ProgressRecord(1, "Test-WeChatConnection", "Connecting");
            try
            {
                foreach (var result in new ConnectionTester(intel).Run(request, _cancel.Token, p =>
                         {
                             progress.StatusDescription = $"{p.Completed} of {p.Known} tests done";
                             progress.CurrentOperation = p.Current;
                             progress.PercentComplete = p.Known == 0 ? 0 : Math.Min(100, 100 * p.Completed / p.Known);
                             WriteProgress(progress);
                         }))
                {
                    WriteObject(result);
                }
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "ConnectionTestInvalid", ErrorCategory.InvalidArgument, null));
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
            {
                // StopProcessing: the pipeline is stopping.
            }
            finally
            {
                if (!_cancel.IsCancellationRequested)
                {
                    progress.RecordType = ProgressRecordType.Completed;
                    WriteProgress(progress);
                }
            }
        }

        private IPAddress ParseAddress(string text, string parameter)
        {
            if (IpIntelligence.TryParseAddress(text, out var address)) return address;
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException($"-{parameter} '{text}' is not an IPv4 or IPv6 address. Give host names with -Name."),
                "IpAddressInvalid", ErrorCategory.InvalidArgument, text));
            throw new InvalidOperationException("unreachable");
        }

        protected override void StopProcessing() => _cancel.Cancel();

        public void Dispose() => _cancel.Dispose();
    }
}
