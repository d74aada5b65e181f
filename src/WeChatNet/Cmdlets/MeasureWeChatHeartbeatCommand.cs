using System.Management.Automation;
using WeChatNet.Analysis;

namespace WeChatNet.Commands
{
    /// <summary>Heartbeats of every long link in a capture, against WeChat's smart-heartbeat rules.</summary>
    [Cmdlet(VerbsDiagnostic.Measure, "WeChatHeartbeat", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(HeartbeatReport))]
    public sealed class MeasureWeChatHeartbeatCommand : CaptureAnalysisCommandBase
    {
        protected override void WriteResult(CaptureAnalysisResult result)
        {
            foreach (var report in result.Heartbeats) WriteObject(report);
        }
    }
}
