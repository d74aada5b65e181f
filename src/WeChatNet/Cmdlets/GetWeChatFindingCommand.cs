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

        /// <summary>Judge every flow and DNS name, not only WeChat's.</summary>
        [Parameter]
        public SwitchParameter All { get; set; }

        protected override void WriteResult(CaptureAnalysisResult result)
        {
            var findings = All.IsPresent ? result.EvaluateFindings(allTraffic: true) : result.Findings;
            foreach (var finding in FindingEngine.AtLeast(findings, MinimumSeverity)) WriteObject(finding);
        }
    }
}
