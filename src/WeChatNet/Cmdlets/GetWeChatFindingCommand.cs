using System.Management.Automation;
using WeChatNet.Analysis;

namespace WeChatNet.Commands
{
    /// <summary>Plain-language findings about WeChat's networking in a capture.</summary>
    [Cmdlet(VerbsCommon.Get, "WeChatFinding", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(Finding))]
    public sealed class GetWeChatFindingCommand : CaptureAnalysisCommandBase
    {
        [Parameter]
        [ValidateSet("Info", "Warning", "Error")]
        public string MinimumSeverity { get; set; } = "Info";

        protected override void WriteResult(CaptureAnalysisResult result)
        {
            foreach (var finding in FindingEngine.AtLeast(result.Findings, MinimumSeverity)) WriteObject(finding);
        }
    }
}
