using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using WeChatNet.WeChat;

namespace WeChatNet.Commands
{
    /// <summary>Lists the sample captures shipped in the module's samples folder, with their full paths.</summary>
    [Cmdlet(VerbsCommon.Get, "WeChatSample")]
    [OutputType(typeof(WeChatSample))]
    public sealed class GetWeChatSampleCommand : PSCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(SampleNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        protected override void ProcessRecord()
        {
            string? dir = SampleCatalog.ModuleSamplesDirectory(typeof(GetWeChatSampleCommand).Assembly.Location);
            if (dir is null)
            {
                ThrowTerminatingError(new ErrorRecord(new DirectoryNotFoundException(
                    "The module's samples folder is missing; reinstall the module or regenerate the samples (samples/README.md)."),
                    "SamplesFolderMissing", ErrorCategory.ObjectNotFound, null));
                return;
            }
            var samples = SampleCatalog.List(dir, Name, out IReadOnlyList<string> unmatched);
            foreach (var s in samples) WriteObject(s);
            foreach (var name in unmatched)
                WriteError(new ErrorRecord(new ItemNotFoundException($"No sample named '{name}'. Run Get-WeChatSample without -Name to list them."),
                    "SampleNotFound", ErrorCategory.ObjectNotFound, name));
        }
    }
}
