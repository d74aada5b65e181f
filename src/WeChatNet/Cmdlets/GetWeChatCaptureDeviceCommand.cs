using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using WeChatNet.Capture.Live;
using WeChatNet.Text;

namespace WeChatNet.Commands
{
    /// <summary>Lists the interfaces libpcap / Npcap can capture on, and which one carries the default route.</summary>
    [Cmdlet(VerbsCommon.Get, "WeChatCaptureDevice")]
    [OutputType(typeof(CaptureDevice))]
    public sealed class GetWeChatCaptureDeviceCommand : PSCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(CaptureInterfaceCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <summary>Only the device carrying the default route (the one Start-WeChatCapture uses without -Interface).</summary>
        [Parameter]
        public SwitchParameter Default { get; set; }

        private IReadOnlyList<CaptureDevice>? _devices;

        protected override void ProcessRecord()
        {
            try
            {
                _devices ??= CaptureDevices.List();
            }
            catch (LiveCaptureException e)
            {
                ThrowTerminatingError(CaptureErrors.Record(e, null));
                return;
            }
            var devices = _devices;
            if (Default.IsPresent)
            {
                var d = CaptureDevices.Default(devices);
                devices = d is null ? new CaptureDevice[0] : new[] { d };
            }
            if (Name is null)
            {
                foreach (var d in devices) WriteObject(d);
                return;
            }
            foreach (var pattern in Name)
            {
                var matched = devices.Where(d => Wildcard.IsMatch(d.Name, pattern) || Wildcard.IsMatch(d.FriendlyName, pattern) || Wildcard.IsMatch(d.Description, pattern)).ToList();
                foreach (var d in matched) WriteObject(d);
                if (matched.Count == 0 && !Wildcard.ContainsWildcard(pattern))
                    WriteError(new ErrorRecord(
                        new ItemNotFoundException($"There is no capture interface named '{pattern}'. Run Get-WeChatCaptureDevice without -Name to list them."),
                        "CaptureInterfaceNotFound", ErrorCategory.ObjectNotFound, pattern));
            }
        }
    }

    /// <summary>Tab completion of capture interface names (from libpcap), with their description and addresses.</summary>
    public sealed class CaptureInterfaceCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            System.Management.Automation.Language.CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters)
        {
            string word = (wordToComplete ?? string.Empty).Trim('\'', '"');
            string pattern = Wildcard.ContainsWildcard(word) ? word : word + "*";
            IReadOnlyList<CaptureDevice> devices;
            try { devices = CaptureDevices.List(); }
            catch (LiveCaptureException) { yield break; }
            foreach (var d in devices.Where(d => Wildcard.IsMatch(d.Name, pattern)))
            {
                string text = d.Name.IndexOfAny(new[] { ' ', '{', '}', '\\' }) >= 0 ? "'" + d.Name + "'" : d.Name;
                string tip = (d.Description.Length > 0 ? d.Description + " " : "") + string.Join(", ", d.Addresses) + (d.IsDefault ? " (default)" : "");
                yield return new CompletionResult(text, d.Name, CompletionResultType.ParameterValue, tip.Length > 0 ? tip : d.Name);
            }
        }
    }

    /// <summary>LiveCaptureException -> ErrorRecord with its specific ErrorId and category.</summary>
    internal static class CaptureErrors
    {
        public static ErrorRecord Record(LiveCaptureException e, object? target)
        {
            var category = e.Kind switch
            {
                LiveCaptureErrorKind.LibraryMissing => ErrorCategory.NotInstalled,
                LiveCaptureErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
                LiveCaptureErrorKind.InterfaceNotFound => ErrorCategory.ObjectNotFound,
                LiveCaptureErrorKind.InterfaceNotUp => ErrorCategory.ResourceUnavailable,
                LiveCaptureErrorKind.FilterInvalid => ErrorCategory.InvalidArgument,
                LiveCaptureErrorKind.FileWriteFailed => ErrorCategory.WriteError,
                LiveCaptureErrorKind.ReadFailed => ErrorCategory.ReadError,
                _ => ErrorCategory.OpenError,
            };
            return new ErrorRecord(e, e.ErrorId, category, target);
        }
    }
}
