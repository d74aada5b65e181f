using System;
using System.Management.Automation;
using System.Threading;
using WeChatNet.WeChat;

namespace WeChatNet.Commands
{
    /// <summary>Performs WeChat's HTTP dispatch request (newgetdns) and returns the parsed answer.</summary>
    [Cmdlet(VerbsCommon.Get, "WeChatDispatch")]
    [OutputType(typeof(Dispatch))]
    public sealed class GetWeChatDispatchCommand : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();

        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNull]
        [ValidateHttpUri]
        public Uri? Uri { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ClientVersion { get; set; } = "0x" + NewGetDnsRequest.DefaultClientVersion.ToString("X8");

        [Parameter]
        public DispatchNetwork Network { get; set; } = DispatchNetwork.Wifi;

        /// <summary>How long the request may take. -TimeoutSec: Invoke-RestMethod's and Invoke-WebRequest's alias for their
        /// timeout in seconds, the name an admin types for an HTTP request (a number is seconds here too).</summary>
        [Parameter]
        [Alias("TimeoutSec")]
        [DurationTransformation]
        [ValidateDuration(0.1, 600)]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

        [Parameter]
        public SwitchParameter ShowIdentifiers { get; set; }

        protected override void ProcessRecord()
        {
            if (!NewGetDnsRequest.TryParseClientVersion(ClientVersion, out uint version))
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-ClientVersion '{ClientVersion}' is not a number: give WeChat's hex-coded version (0x26060030 is Android 6.6.0) or its decimal value."),
                    "ClientVersionInvalid", ErrorCategory.InvalidArgument, ClientVersion));
            var options = new DispatchRequestOptions
            {
                Uri = Uri ?? DispatchRequestOptions.DefaultUri,
                ClientVersion = version,
                Net = (int)Network,
                Timeout = Timeout,
                ShowIdentifiers = ShowIdentifiers,
            };
            WriteVerbose($"GET {options.EffectiveUri()}");
            DispatchResult result;
            try
            {
                result = DispatchClient.FetchAsync(options, _cancel.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
            {
                return;
            }
            if (result.Dispatch != null)
            {
                foreach (var w in result.Dispatch.Warnings) WriteVerbose("Dispatch document: " + w);
                WriteObject(result.Dispatch);
                return;
            }
            var category = result.Failure switch
            {
                DispatchFailure.DispatchTimeout => ErrorCategory.OperationTimeout,
                DispatchFailure.DispatchUnreachable => ErrorCategory.ConnectionError,
                DispatchFailure.DispatchHttpError => ErrorCategory.ProtocolError,
                DispatchFailure.DispatchTooLarge => ErrorCategory.LimitsExceeded,
                DispatchFailure.DispatchDtdProhibited => ErrorCategory.SecurityError,
                _ => ErrorCategory.InvalidData,
            };
            WriteError(new ErrorRecord(new InvalidOperationException(result.Message), result.Failure.ToString(), category, result.Uri.GetLeftPart(UriPartial.Path)));
        }

        protected override void StopProcessing() => _cancel.Cancel();

        public void Dispose() => _cancel.Dispose();
    }
}
