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
            md.AppendLine("`mtr -n --report -c 3` (ICMP, rounds 1 s apart). Ratio = peer time / WeChatNet ICMP time. \"Hops equal\" compares the address lists hop by hop " +
                "(trailing silent hops left out: the peers print them up to hop 30, WeChatNet reports one).");
            md.AppendLine();
            md.AppendLine("| Path | WeChatNet ICMP | ICMP, `-Interval 0` | UDP | TCP | traceroute | ratio | mtr -c 3 | ratio | hops equal |");
            md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            foreach (var (label, silent, blackhole) in new[] { ("5 hops, all answer", 0, false), ("5 hops, hop 4 silent", 4, false), ("target drops everything", 0, true) })
            {
                using var topo = new RouteTopology("bench", silentHop: silent, blackholeTarget: blackhole);
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
                List<RouteHop> TraceOurs(RouteProtocol p, int? interval = null) =>
                    NamespaceThread.Run(topo.Client, () => RouteTracer.Trace(new RouteRequest { Target = target, Protocol = p, Count = 3, IntervalMs = interval }).ToList());
                double icmp = Time(() => ours = PeerTraces.Of(TraceOurs(RouteProtocol.Icmp)));
                double icmp0 = Time(() => TraceOurs(RouteProtocol.Icmp, 0));
                double udp = Time(() => TraceOurs(RouteProtocol.Udp));
                double tcp = Time(() => TraceOurs(RouteProtocol.Tcp));
                double traceroute = Time(() => tr = PeerTraces.Traceroute(topo.Client, target));
                double mtrTime = Time(() => mtr = PeerTraces.Mtr(topo.Client, target, 3));
                // Where the target never answers, the peers list hops up to their maximum of 30: compare the hops that answered.
                static string Cell(List<string[]> hops) => string.Join(" > ", Trim(hops).Select(h => h.Length == 0 ? "*" : string.Join(",", h)));
                static List<string[]> Trim(List<string[]> hops) { var l = hops.ToList(); while (l.Count > 0 && l[^1].Length == 0) l.RemoveAt(l.Count - 1); return l; }
                bool equal = Cell(ours!) == Cell(tr!) && Cell(ours!) == Cell(mtr!);
                static string Ms(double seconds) => seconds < 1 ? string.Format(CultureInfo.InvariantCulture, "{0:0} ms", seconds * 1000) : string.Format(CultureInfo.InvariantCulture, "{0:0.00} s", seconds);
                md.AppendLine(string.Format(CultureInfo.InvariantCulture,
                    "| {0} | {1} | {2} | {3} | {4} | {5} | {6:0.00}x | {7} | {8:0.0}x | {9} |",
                    label, Ms(icmp), Ms(icmp0), Ms(udp), Ms(tcp), Ms(traceroute), traceroute / icmp, Ms(mtrTime), mtrTime / icmp,
                    equal ? "yes (" + Cell(ours!) + ")" : $"NO: ours {Cell(ours!)}; traceroute {Cell(tr!)}; mtr {Cell(mtr!)}"));
            }
            md.AppendLine();
            md.AppendLine("Goal: the same hops, and a 3-round trace within about the slowest hop's RTT plus the timeout (2 s), not hops x timeout. ");
            md.AppendLine("With every hop answering, a trace takes the two gaps between its three rounds plus the RTT. A silent hop whose later hops answer ");
            md.AppendLine("is given up after 10 x their RTT (at least 50 ms), as traceroute does, rather than after the full timeout; only a path where nothing ");
            md.AppendLine("answers past a hop waits the timeout. mtr spends its 1 s per round by design. On this zero-latency path traceroute, which sends ");
            md.AppendLine("a hop's 3 probes back to back, is faster than WeChatNet's default 50 ms between rounds (kept for routers that rate-limit ICMP); ");
            md.AppendLine("`-Interval 0` shows the engine's own cost.");
            return md.ToString();
        }
    }
}
