using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using WeChatNet.Capture;
using WeChatNet.Connectivity;
using WeChatNet.IpIntel;
using WeChatNet.WeChat;
using WeChatNet.Analysis;

namespace WeChatNet.Diagnostics
{
    /// <summary>Everything a diagnostic found and measured; <see cref="Findings"/> is what the cmdlet writes, the rest feeds the report.</summary>
    internal sealed class DiagnosticResult
    {
        public DateTimeOffset StartedAt { get; internal set; }
        public double ElapsedMs { get; internal set; }
        /// <summary>The findings of every check, errors first.</summary>
        public List<Finding> Findings { get; internal set; } = new List<Finding>();
        public List<DiagnosticProblem> Problems { get; internal set; } = new List<DiagnosticProblem>();
        /// <summary>Which checks ran and which were skipped (with the reason), in order.</summary>
        public List<string> Checks { get; internal set; } = new List<string>();

        // Capture
        public List<string> CaptureFiles { get; internal set; } = new List<string>();
        public CaptureAnalysisResult? Capture { get; internal set; }

        // Live
        public bool Live { get; internal set; }
        /// <summary>-All: the captures' every flow was judged and is listed, not only WeChat's.</summary>
        public bool AllTraffic { get; internal set; }

        /// <summary>The capture's flows the report lists: WeChat's (as Get-WeChatFlow shows them, WeChat's DNS lookups included), or all with -All.</summary>
        internal List<Flow> ShownFlows => Capture is null ? new List<Flow>() : AllTraffic ? Capture.Flows : Capture.Flows.Where(FlowSelection.IsWeChat).ToList();
        public List<string> Resolvers { get; internal set; } = new List<string>();
        public List<DnsAnswer> DnsAnswers { get; internal set; } = new List<DnsAnswer>();
        public List<DnsComparison> DnsComparisons { get; internal set; } = new List<DnsComparison>();
        public DispatchResult? Dispatch { get; internal set; }
        public List<ConnectionTest> Connections { get; internal set; } = new List<ConnectionTest>();
        public string? RouteTarget { get; internal set; }
        public string? RouteSkipped { get; internal set; }
        public List<RouteHop> Route { get; internal set; } = new List<RouteHop>();
        /// <summary>WeChat's own connections at the end of the live checks (Get-WeChatConnection's view), long links first.</summary>
        public List<Connection> WeChatConnections { get; internal set; } = new List<Connection>();
    }
}
