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
        public FindingSeverity MinimumSeverity { get; set; } = FindingSeverity.Info;

        protected override void WriteResult(CaptureAnalysisResult result)
        {
            foreach (var finding in FindingEngine.AtLeast(result.Findings, MinimumSeverity.ToString())) WriteObject(finding);
        }
    }
}
