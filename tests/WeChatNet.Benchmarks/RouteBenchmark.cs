using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using WeChatNet.Route;
using WeChatNet.Tests.Route;

namespace WeChatNet.Benchmarks
{
    /// <summary>
    /// Get-WeChatRoute's engine against Debian's traceroute (default settings) and mtr --report -c 3 on the same
    /// namespace topology (5 hops, 198.18.0.0/15), in one run: same hop list, and wall time for 3 probes per hop.
    /// Needs root. Args: [runs] (default 3; the median is reported).
    /// </summary>
    public sealed class RouteBenchmark : IBenchmark
    {
        public string Name => "route";
        public string Description => "Get-WeChatRoute vs traceroute and mtr --report -c 3: hop lists and wall time (root, namespaces)";

        public string Run(string[] args)
        {
            int runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
            var md = new StringBuilder();
            md.AppendLine("## Route");
            md.AppendLine();
            md.AppendLine($"`sudo dotnet run --project tests/WeChatNet.Benchmarks -c Release -- route {runs}` ({DateTime.UtcNow:yyyy-MM-dd}). ");
            md.AppendLine("Topology: client, routers r1, r2, r3, r4 and a server in network namespaces (veth, 198.18.0.0/15), no added delay. ");
            md.AppendLine($"Each figure is the median wall time of {runs} runs of a full trace with 3 probes per hop, every tool at its defaults: ");
            md.AppendLine($"WeChatNet ICMP/UDP/TCP (timeout {new RouteRequest().TimeoutMs / 1000.0} s, rounds {new RouteRequest().EffectiveIntervalMs} ms apart), `traceroute -n` (UDP, 3 probes, waits up to 5 s, 16 probes at once), ");
            md.AppendLine("`mtr -n --report -c 3` (ICMP, rounds 1 s apart). Ratio = peer time / WeChatNet ICMP time. \"Hops equal\" compares the address lists hop by hop.");
            md.AppendLine();
            md.AppendLine("| Path | WeChatNet ICMP | WeChatNet UDP | WeChatNet TCP | traceroute | ratio | mtr -c 3 | ratio | hops equal |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
            foreach (var (label, silent) in new[] { ("5 hops, all answer", 0), ("5 hops, hop 4 silent", 4) })
            {
                using var topo = new RouteTopology("bench", silentHop: silent);
                string target = RouteTopology.Server4.ToString();
                List<string[]>? ours = null, tr = null, mtr = null;
                double Time(Action a)
                {
                    var times = new List<double>();
                    for (int i = 0; i < runs; i++)
                    {
                        var w = Stopwatch.StartNew();
                        a();
                        times.Add(w.Elapsed.TotalSeconds);
                    }
                    times.Sort();
                    return times[times.Count / 2];
                }
                List<RouteHop> TraceOurs(RouteProtocol p) =>
                    NamespaceThread.Run(topo.Client, () => RouteTracer.Trace(new RouteRequest { Target = target, Protocol = p, Count = 3 }).ToList());
                double icmp = Time(() => ours = PeerTraces.Of(TraceOurs(RouteProtocol.Icmp)));
                double udp = Time(() => TraceOurs(RouteProtocol.Udp));
                double tcp = Time(() => TraceOurs(RouteProtocol.Tcp));
                double traceroute = Time(() => tr = PeerTraces.Traceroute(topo.Client, target));
                double mtrTime = Time(() => mtr = PeerTraces.Mtr(topo.Client, target, 3));
                bool equal = PeerTraces.Show(ours!) == PeerTraces.Show(tr!) && PeerTraces.Show(ours!) == PeerTraces.Show(mtr!);
                md.AppendLine(string.Format(CultureInfo.InvariantCulture,
                    "| {0} | {1:0.00} s | {2:0.00} s | {3:0.00} s | {4:0.00} s | {5:0.0}x | {6:0.00} s | {7:0.0}x | {8} |",
                    label, icmp, udp, tcp, traceroute, traceroute / icmp, mtrTime, mtrTime / icmp,
                    equal ? "yes (" + PeerTraces.Show(ours!) + ")" : $"NO: ours {PeerTraces.Show(ours!)}; traceroute {PeerTraces.Show(tr!)}; mtr {PeerTraces.Show(mtr!)}"));
            }
            md.AppendLine();
            md.AppendLine("Goal: the same hops, and a 3-round trace within about the slowest hop's RTT plus the timeout (2 s), not hops x timeout. ");
            md.AppendLine("With every hop answering, a trace takes the two gaps between its three rounds plus the RTT. A silent hop whose later hops answer ");
            md.AppendLine("is given up after 10 x their RTT (at least 50 ms), as traceroute does, rather than after the full timeout; only a path where nothing ");
            md.AppendLine("answers past a hop waits the timeout. mtr spends its 1 s per round by design.");
            return md.ToString();
        }
    }
}
