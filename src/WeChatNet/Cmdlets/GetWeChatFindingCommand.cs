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

        /// <summary>Judge every flow and DNS name, not only WeChat's.</summary>
        [Parameter]
        public SwitchParameter All { get; set; }

        protected override bool AllTraffic => All.IsPresent;

        protected override void WriteResult(CaptureAnalysisResult result)
        {
            foreach (var finding in FindingEngine.AtLeast(result.Findings, MinimumSeverity.ToString())) WriteObject(finding);
        }
    }
}
