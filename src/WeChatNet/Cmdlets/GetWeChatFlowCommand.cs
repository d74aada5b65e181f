using System.Linq;
using System.Management.Automation;
using WeChatNet.Analysis;

namespace WeChatNet.Commands
{
    /// <summary>The connections in a capture, with their WeChat role and TCP health.</summary>
    [Cmdlet(VerbsCommon.Get, "WeChatFlow", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(Flow))]
    public sealed class GetWeChatFlowCommand : CaptureAnalysisCommandBase
    {
        [Parameter]
        public EndpointRole[]? Role { get; set; }

        [Parameter]
        public FlowProtocol? Protocol { get; set; }

        [Parameter]
        public SwitchParameter All { get; set; }

        protected override void WriteResult(CaptureAnalysisResult result)
        {
            var roles = Role?.Select(r => r.ToString()).ToList();
            foreach (var flow in FlowSelection.Select(result.Flows, roles, Protocol?.ToString(), All.IsPresent)) WriteObject(flow);
        }
    }
}
