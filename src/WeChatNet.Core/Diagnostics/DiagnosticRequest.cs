using System;
using System.Collections.Generic;
using System.Net.Sockets;
using System.Threading;
using WeChatNet.Capture;
using WeChatNet.Connectivity;
using WeChatNet.IpIntel;
using WeChatNet.WeChat;
using WeChatNet.Analysis;

namespace WeChatNet.Diagnostics
{
    /// <summary>What Invoke-WeChatDiagnostic runs: capture analysis (<see cref="CapturePaths"/>), live checks (<see cref="Live"/>), or both.</summary>
    internal sealed class DiagnosticRequest
    {
        /// <summary>Capture files analysed together in one pass (flows, heartbeats, findings).</summary>
        public IList<string> CapturePaths { get; set; } = new List<string>();
        /// <summary>Read the files as one capture (a rotation set whose files continue one another); otherwise one capture per file.</summary>
        public bool JoinCaptures { get; set; }

        /// <summary>MMTLS key log for the capture analysis (-KeyLogPath); null decrypts nothing. Never copied into the report.</summary>
        public WeChatNet.WeChat.MmtlsKeyLog? KeyLog { get; set; }

        /// <summary>Resolve, ask the dispatch, test connections and trace the path from this machine.</summary>
        public bool Live { get; set; }

        /// <summary>Resolver presets; null means Mainland, Overseas and System (this machine's own) unless <see cref="Servers"/> are given.</summary>
        public IList<ResolverRegion>? Regions { get; set; }

        /// <summary>Resolvers given by hand (<c>1.2.3.4</c>, <c>127.0.0.1:5353</c>, a DoH URL), optionally labelled <c>Mainland=</c> / <c>Overseas=</c>.</summary>
        public IList<string> Servers { get; set; } = new List<string>();

        /// <summary>Names to resolve and test; empty means the catalog's dispatch, long- and short-link hosts.</summary>
        public IList<string> Names { get; set; } = new List<string>();

        /// <summary>The dispatch to ask (the newgetdns parameters are appended); null means WeChat's own.</summary>
        public Uri? DispatchUri { get; set; }

        /// <summary>Leave out the dispatch request.</summary>
        public bool SkipDispatch { get; set; }

        /// <summary>Addresses (or host names) to connect to and trace instead of the resolved ones.</summary>
        public IList<string> Targets { get; set; } = new List<string>();

        /// <summary>Ports of the connect tests; empty means 80, 443 and 8080.</summary>
        public IList<int> Ports { get; set; } = new List<int>();

        /// <summary>Per-try DNS timeout.</summary>
        public double DnsTimeoutSec { get; set; } = 2;

        public int ConnectTimeoutMs { get; set; } = 3000;

        /// <summary>Most addresses of one name tested (the first ones, in the order resolvers gave them).</summary>
        public int MaxAddressesPerName { get; set; } = 4;

        /// <summary>Leave out the trace to the long link.</summary>
        public bool SkipTrace { get; set; }

        public RouteProtocol TraceProtocol { get; set; } = RouteProtocol.Icmp;

        /// <summary>Destination port of UDP/TCP trace probes; null picks the route engine's default (TCP 8080).</summary>
        public int? TracePort { get; set; }

        public int TraceCount { get; set; } = 3;
        public int TraceMaxHops { get; set; } = 30;
        public int TraceTimeoutMs { get; set; } = 2000;

        /// <summary>Where the client is (MainlandChina or Overseas), for the region rules of the capture and of the resolvers it uses.</summary>
        public string? ClientRegion { get; set; }

        /// <summary>Judge every flow and DNS name of the captures, not only WeChat's (-All).</summary>
        public bool AllTraffic { get; set; }

        /// <summary>Region and owner of addresses; null uses <see cref="IpIntelligence.Default"/>.</summary>
        public IpIntelligence? IpIntel { get; set; }

        /// <summary>Creates the TCP sockets of the connect tests (tests create them inside a network namespace); null: ordinary sockets.</summary>
        public Func<AddressFamily, Socket>? SocketFactory { get; set; }

        /// <summary>The socket table WeChat's own connections are read from; null: this platform's (Get-WeChatConnection's).</summary>
        public Func<Connections.ISocketTable>? ConnectionTable { get; set; }

        /// <summary>How often WeChat's connections are read while the live checks run.</summary>
        public TimeSpan ConnectionInterval { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>Runs the trace (tests run it inside a network namespace); null: <see cref="Route.RouteTracer.Trace"/> on the calling thread.</summary>
        public Func<Route.RouteRequest, CancellationToken, IEnumerable<RouteHop>>? Tracer { get; set; }

        /// <summary>Throws ArgumentException naming the first bad setting.</summary>
        public void Validate()
        {
            if (CapturePaths.Count == 0 && !Live)
                throw new ArgumentException("There is nothing to diagnose: give a capture (-Path) or -Live, or both.");
            if (DnsTimeoutSec <= 0 || DnsTimeoutSec > 60) throw new ArgumentException($"The DNS timeout {DnsTimeoutSec} s is not above 0 and at most 60 s.");
            if (ConnectTimeoutMs < 1 || ConnectTimeoutMs > ConnectionTestRequest.MaxTimeoutMs) throw new ArgumentException($"The connect timeout {ConnectTimeoutMs} ms is not 1..{ConnectionTestRequest.MaxTimeoutMs}.");
            if (MaxAddressesPerName < 1) throw new ArgumentException("MaxAddressesPerName must be at least 1.");
            foreach (int p in Ports)
                if (p < 1 || p > 65535) throw new ArgumentException($"Port {p} is not 1..65535.");
            if (ClientRegion != null && ClientRegion != "MainlandChina" && ClientRegion != "Overseas")
                throw new ArgumentException($"The client region '{ClientRegion}' is not MainlandChina or Overseas.");
        }
    }

    /// <summary>Where a diagnostic is: the stage (Capture, Dns, Dispatch, Connections, Route), what it does, and overall percent.</summary>
    internal readonly struct DiagnosticProgress
    {
        public DiagnosticProgress(string stage, string status, int percent)
        {
            Stage = stage;
            Status = status;
            Percent = percent;
        }

        public string Stage { get; }
        public string Status { get; }
        public int Percent { get; }
    }
}
