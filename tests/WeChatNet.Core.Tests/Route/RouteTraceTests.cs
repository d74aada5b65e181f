using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using WeChatNet.Route;
using WeChatNet.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace WeChatNet.Tests.Route
{
    /// <summary>Traces through real Linux routers in network namespaces (see <see cref="RouteTopology"/>).</summary>
    public sealed class RouteTraceTests
    {
        /// <summary>
        /// The per-probe timeout of the traces whose timeout is not what they test. Answering hops reply in well under a
        /// millisecond, so a long timeout costs nothing there, and a silent hop waits only ten times the later hops' RTT
        /// (the tracer's near rule); 800-1500 ms let a loaded two-core machine make an answering hop look lossy.
        /// </summary>
        private const int Generous = 5000;

        private readonly ITestOutputHelper _out;

        public RouteTraceTests(ITestOutputHelper output) => _out = output;

        private List<RouteHop> Trace(RouteTopology topo, RouteRequest request, Action<RouteProgress>? progress = null, CancellationToken ct = default)
        {
            var hops = NamespaceThread.Run(topo.Client, () => RouteTracer.Trace(request, progress, ct).ToList());
            foreach (var h in hops)
                _out.WriteLine($"{h.Hop,2} {string.Join(",", h.Addresses),-32} sent {h.Sent} recv {h.Received} loss {h.LossPercent}% best {h.BestMs} avg {h.AvgMs} {h.Reply} dest={h.IsDestination} {h.Note}");
            return hops;
        }

        private static void AssertPath(IReadOnlyList<RouteHop> hops, string[][] expected, int silentHop = 0)
        {
            Assert.Equal(expected.Length, hops.Count);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal(i + 1, hops[i].Hop);
                if (i + 1 == silentHop) continue;
                Assert.NotEmpty(hops[i].Addresses);
                Assert.All(hops[i].Addresses, a => Assert.Contains(a, expected[i]));
            }
            Assert.True(hops[^1].IsDestination);
            Assert.All(hops.Take(hops.Count - 1), h => Assert.False(h.IsDestination));
        }

        [Theory]
        [InlineData(RouteProtocol.Icmp, false)]
        [InlineData(RouteProtocol.Udp, false)]
        [InlineData(RouteProtocol.Tcp, false)]
        [InlineData(RouteProtocol.Icmp, true)]
        [InlineData(RouteProtocol.Udp, true)]
        [InlineData(RouteProtocol.Tcp, true)]
        public void HopAddressesEqualTheTopology(RouteProtocol protocol, bool ipv6)
        {
            using var topo = new RouteTopology("path");
            var hops = Trace(topo, new RouteRequest
            {
                Target = (ipv6 ? RouteTopology.Server6 : RouteTopology.Server4).ToString(),
                Protocol = protocol,
                IPv6 = ipv6,
                Count = 3,
                TimeoutMs = Generous,
            });
            AssertPath(hops, ipv6 ? RouteTopology.Hops6 : RouteTopology.Hops4);
            Assert.All(hops, h => Assert.Equal(3, h.Sent));
            Assert.All(hops, h => Assert.Equal(3, h.Received));
            // Without ECMP the path is r3a at hop 3.
            Assert.Equal(ipv6 ? "2001:db8:3::2" : "198.18.3.2", hops[2].Address);
        }
    
        [Theory]
        [InlineData(RouteProtocol.Icmp, false)]
        [InlineData(RouteProtocol.Tcp, false)]
        [InlineData(RouteProtocol.Udp, true)]
        public void ASilentHopIsReportedAsNoReplyWhileLaterHopsAnswer(RouteProtocol protocol, bool ipv6)
        {
            using var topo = new RouteTopology("silent", silentHop: 4);
            var hops = Trace(topo, new RouteRequest
            {
                Target = (ipv6 ? RouteTopology.Server6 : RouteTopology.Server4).ToString(),
                Protocol = protocol,
                IPv6 = ipv6,
                TimeoutMs = Generous,
            });
            AssertPath(hops, ipv6 ? RouteTopology.Hops6 : RouteTopology.Hops4, silentHop: 4);
            var silent = hops[3];
            Assert.Equal(3, silent.Sent);
            Assert.Equal(0, silent.Received);
            Assert.Null(silent.Address);
            Assert.Empty(silent.Addresses);
            Assert.Null(silent.AvgMs);
            Assert.Contains("Not loss: later hops answer", silent.Note);
            Assert.Equal(3, hops[4].Received);
            Assert.Equal(0, hops[4].LossPercent);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void RateLimitedIcmpAtOneRouterIsFlaggedAsNotRealLoss(bool ipv6)
        {
            // r2 answers at most a few time-exceeded messages per 20 s (a fresh peer starts with a small burst).
            using var topo = new RouteTopology("ratelimit", rateLimitedHop: 2);
            var hops = Trace(topo, new RouteRequest
            {
                Target = (ipv6 ? RouteTopology.Server6 : RouteTopology.Server4).ToString(),
                Protocol = RouteProtocol.Icmp,
                IPv6 = ipv6,
                Count = 10,
                IntervalMs = 20,
                TimeoutMs = Generous,
            });
            AssertPath(hops, ipv6 ? RouteTopology.Hops6 : RouteTopology.Hops4);
            var limited = hops[1];
            Assert.Equal(10, limited.Sent);
            Assert.InRange(limited.Received, 1, 9);
            Assert.Contains("not real loss", limited.Note);
            foreach (var later in hops.Skip(2))
            {
                Assert.Equal(10, later.Received);
                Assert.Equal(0, later.LossPercent);
                Assert.DoesNotContain("loss", later.Note ?? "", StringComparison.OrdinalIgnoreCase);
            }
        }

        [Theory]
        [InlineData(RouteProtocol.Udp, false)]
        [InlineData(RouteProtocol.Tcp, false)]
        [InlineData(RouteProtocol.Udp, true)]
        [InlineData(RouteProtocol.Tcp, true)]
        public void ParisProbesOfOneRunAllTakeOneBranchOfAnEcmpSplit(RouteProtocol protocol, bool ipv6)
        {
            using var topo = new RouteTopology("ecmp", ecmp: true);
            var target = ipv6 ? RouteTopology.Server6 : RouteTopology.Server4;
            // The split is real: classic traceroute (a new UDP port per probe) sees both branches at hop 3.
            string traceroute = ExternalTool.Require("traceroute", "traceroute");
            var branches = ipv6 ? RouteTopology.Hops6[2] : RouteTopology.Hops4[2];
            // 10 probes per run land on one branch with probability 2^-9: up to three runs make that 2^-27.
            string classic = "";
            for (int attempt = 0; attempt < 3 && !branches.All(b => classic.Contains(b)); attempt++)
                classic += topo.Client.Exec(traceroute, ipv6 ? "-6" : "-4", "-n", "-q", "10", "-f", "3", "-m", "3", "-w", "1", target.ToString()).StandardOutput;
            Assert.All(branches, b => Assert.Contains(b, classic));

            var hops = Trace(topo, new RouteRequest { Target = target.ToString(), Protocol = protocol, IPv6 = ipv6, Count = 10, IntervalMs = 10, TimeoutMs = Generous });
            AssertPath(hops, ipv6 ? RouteTopology.Hops6 : RouteTopology.Hops4);
            Assert.Equal(10, hops[2].Received);
            Assert.Single(hops[2].Addresses);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void TcpToAnOpenAndAClosedPortBothReachTheTarget(bool ipv6)
        {
            using var topo = new RouteTopology("tcp");
            var target = (ipv6 ? RouteTopology.Server6 : RouteTopology.Server4).ToString();
            var open = Trace(topo, new RouteRequest { Target = target, Protocol = RouteProtocol.Tcp, IPv6 = ipv6, Port = RouteTopology.OpenPort, TimeoutMs = Generous });
            var closed = Trace(topo, new RouteRequest { Target = target, Protocol = RouteProtocol.Tcp, IPv6 = ipv6, Port = RouteTopology.ClosedPort, TimeoutMs = Generous });
            AssertPath(open, ipv6 ? RouteTopology.Hops6 : RouteTopology.Hops4);
            AssertPath(closed, ipv6 ? RouteTopology.Hops6 : RouteTopology.Hops4);
            Assert.Equal("TcpSynAck", open[^1].Reply);
            Assert.Equal("TcpReset", closed[^1].Reply);
            Assert.Equal(RouteTopology.OpenPort, open[^1].Port);
            Assert.Equal(RouteTopology.ClosedPort, closed[^1].Port);
            Assert.Equal(3, closed[^1].Received);
        }

        [Fact]
        public void CleanupRemovesEveryNamespaceEvenWhenATestFails()
        {
            List<string> names = new List<string>();
            string ip = ExternalTool.Require("ip", "iproute2");
            Assert.Throws<InvalidOperationException>((Action)(() =>
            {
                using var topo = new RouteTopology("fail");
                names = topo.Namespaces.Select(n => n.Name).ToList();
                Assert.Contains(names[0], ExternalTool.Run(ip, "netns", "list").StandardOutput);
                throw new InvalidOperationException("the test failed half-way");
            }));
            Assert.Equal(7, names.Count);
            var left = ExternalTool.Run(ip, "netns", "list").StandardOutput;
            Assert.All(names, n => Assert.DoesNotContain(n, left));

            // A topology that fails while it is being built removes what it had created.
            var before = ExternalTool.Run(ip, "netns", "list").StandardOutput;
            Assert.Throws<ArgumentOutOfRangeException>(() => new RouteTopology("half", silentHop: 3));
            var after = ExternalTool.Run(ip, "netns", "list").StandardOutput
                .Split('\n').Where(l => l.Contains("half")).ToList();
            Assert.DoesNotContain(after, l => !before.Contains(l.Split(' ')[0]));
        }

        [Fact]
        public void CancellingStopsAtOnceAndReturnsWhatIsKnown()
        {
            // Hop 4 is silent and the target never answers: with a 60 s timeout nothing would settle for a minute.
            using var topo = new RouteTopology("cancel", silentHop: 4, blackholeTarget: true);
            using var cts = new CancellationTokenSource();
            var seen = new List<RouteHop>();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            NamespaceThread.Run(topo.Client, () =>
            {
                foreach (var hop in RouteTracer.Trace(new RouteRequest { Target = RouteTopology.Server4.ToString(), TimeoutMs = 60000 }, null, cts.Token))
                {
                    seen.Add(hop);
                    if (hop.Hop == 3) cts.Cancel();
                }
                return 0;
            });
            watch.Stop();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"the trace ran on for {watch.Elapsed} after cancellation");
            // The hops that answered came out while the trace still waited for the rest, and nothing unsettled is invented.
            Assert.Equal(new[] { 1, 2, 3 }, seen.Select(h => h.Hop));
            Assert.All(seen, h => Assert.Equal(3, h.Received));
            Assert.DoesNotContain(seen, h => h.IsDestination);
        }

        [Fact]
        public void ATargetThatNeverAnswersEndsWithANoReplyHopAfterTheLastAnsweringOne()
        {
            using var topo = new RouteTopology("blackhole", blackholeTarget: true);
            // Here the timeout is what ends hops 5 to 8; 2 s (not 300 ms) so hop 4's reply is never late under load.
            var hops = Trace(topo, new RouteRequest { Target = RouteTopology.Server4.ToString(), TimeoutMs = 2000, MaxHops = 8 });
            Assert.Equal(new[] { 1, 2, 3, 4, 5 }, hops.Select(h => h.Hop));
            Assert.Equal("198.18.5.2", hops[3].Address);
            Assert.Equal(0, hops[4].Received);
            Assert.Contains("No reply from here on", hops[4].Note);
            Assert.DoesNotContain(hops, h => h.IsDestination);
        }

        [Fact]
        public void WithoutRawSocketPrivilegeTheErrorSaysWhatToDo()
        {
            using var topo = new RouteTopology("priv");
            foreach (var protocol in new[] { RouteProtocol.Icmp, RouteProtocol.Udp, RouteProtocol.Tcp })
            {
                var e = Assert.Throws<RouteException>(() => NamespaceThread.Run(topo.Client,
                    () => RouteTracer.Trace(new RouteRequest { Target = RouteTopology.Server4.ToString(), Protocol = protocol }).ToList(), dropNetRaw: true));
                Assert.Equal(RouteException.NeedsPrivilege, e.ErrorId);
                Assert.Contains("sudo pwsh", e.Message);
                Assert.Contains("setcap cap_net_raw+ep", e.Message);
                Assert.Contains("-Protocol " + protocol, e.Message);
                // ICMP could also run unprivileged, if the administrator allowed ping sockets (this namespace does not).
                Assert.Equal(protocol == RouteProtocol.Icmp, e.Message.Contains("net.ipv4.ping_group_range"));
            }
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void WithoutRawSocketsIcmpTracesThroughUnprivilegedPingSockets(bool ipv6)
        {
            using var topo = new RouteTopology("ping", silentHop: 4);
            // Allow ICMP datagram sockets to group 0 in the client namespace only; the thread drops CAP_NET_RAW.
            topo.Client.Exec("sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 0");
            var request = new RouteRequest { Target = (ipv6 ? RouteTopology.Server6 : RouteTopology.Server4).ToString(), IPv6 = ipv6, TimeoutMs = Generous };
            var hops = NamespaceThread.Run(topo.Client, () => RouteTracer.Trace(request).ToList(), dropNetRaw: true);
            foreach (var h in hops) _out.WriteLine($"{h.Hop} {h.Address} {h.Received}/{h.Sent} {h.Reply} {h.Note}");
            AssertPath(hops, ipv6 ? RouteTopology.Hops6 : RouteTopology.Hops4, silentHop: 4);
            Assert.All(hops.Where(h => h.Hop != 4), h => Assert.Equal(3, h.Received));
            Assert.Equal("TimeExceeded", hops[0].Reply);
            Assert.Equal("EchoReply", hops[^1].Reply);
            Assert.Equal(0, hops[3].Received);

            // UDP and TCP still need raw sockets: a clear error, not a trace of '*'.
            var e = Assert.Throws<RouteException>(() => NamespaceThread.Run(topo.Client,
                () => RouteTracer.Trace(new RouteRequest { Target = request.Target, IPv6 = ipv6, Protocol = RouteProtocol.Udp }).ToList(), dropNetRaw: true));
            Assert.Equal(RouteException.NeedsPrivilege, e.ErrorId);
        }

        [Fact]
        public void ProgressIsReportedPerRoundOnTheEnumeratingThreadAndNamesResolveInParallel()
        {
            using var topo = new RouteTopology("progress");
            var progress = new List<(RouteProgress P, int Thread)>();
            int enumeratingThread = 0;
            // Five distinct addresses answer (4 routers, the server): each lookup waits until all five are under way,
            // so lookups made one after another would time out and leave the names empty.
            using var allStarted = new CountdownEvent(5);
            var request = new RouteRequest
            {
                Target = RouteTopology.Server4.ToString(),
                Count = 4,
                TimeoutMs = 1000,
                ResolveNames = true,
                ReverseResolver = (address, ct) => System.Threading.Tasks.Task.Run(() =>
                {
                    allStarted.Signal();
                    return allStarted.Wait(TimeSpan.FromSeconds(4)) ? "hop-" + address.ToString().Replace('.', '-') + ".test" : null;
                }),
            };
            var hops = NamespaceThread.Run(topo.Client, () =>
            {
                enumeratingThread = Environment.CurrentManagedThreadId;
                return RouteTracer.Trace(request, p => progress.Add((p, Environment.CurrentManagedThreadId))).ToList();
            });
            Assert.Equal(new[] { 1, 2, 3, 4 }, progress.Select(p => p.P.Round));
            Assert.All(progress, p => Assert.Equal(enumeratingThread, p.Thread));
            Assert.All(progress, p => Assert.Equal(4, p.P.Rounds));
            Assert.All(hops, h => Assert.Equal("hop-" + h.Address!.Replace('.', '-') + ".test", h.HostName));
        }
    
        [Theory]
        [InlineData(false, 0)]
        [InlineData(false, 4)]
        [InlineData(true, 0)]
        public void TheHopListEqualsDebianTracerouteAndMtr(bool ipv6, int silentHop)
        {
            using var topo = new RouteTopology("peers", silentHop: silentHop);
            string target = (ipv6 ? RouteTopology.Server6 : RouteTopology.Server4).ToString();
            string family = ipv6 ? "-6" : "-4";
            var ours = PeerTraces.Of(Trace(topo, new RouteRequest { Target = target, IPv6 = ipv6, TimeoutMs = Generous }));
            var traceroute = PeerTraces.Traceroute(topo.Client, target, family, "-w", "5");
            var mtr = PeerTraces.Mtr(topo.Client, target, 3, family, "-i", "0.1");
            _out.WriteLine("ours       " + PeerTraces.Show(ours));
            _out.WriteLine("traceroute " + PeerTraces.Show(traceroute));
            _out.WriteLine("mtr        " + PeerTraces.Show(mtr));
            Assert.Equal(PeerTraces.Show(traceroute), PeerTraces.Show(ours));
            Assert.Equal(PeerTraces.Show(mtr), PeerTraces.Show(ours));
        }
    
        [Fact]
        public void ConcurrentTracesFromOneMachineDoNotTakeEachOthersReplies()
        {
            // Raw ICMP sockets see every ICMP message of the host: each run must keep only its own (identifier, ports, keys).
            using var topo = new RouteTopology("concurrent");
            var protocols = new[] { RouteProtocol.Icmp, RouteProtocol.Icmp, RouteProtocol.Udp, RouteProtocol.Tcp };
            var results = new List<RouteHop>[protocols.Length];
            var threads = protocols.Select((p, i) => new Thread(() =>
            {
                results[i] = NamespaceThread.Run(topo.Client, () => RouteTracer.Trace(new RouteRequest
                {
                    Target = RouteTopology.Server4.ToString(), Protocol = p, Count = 5, IntervalMs = 0, TimeoutMs = Generous,
                }).ToList());
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromSeconds(60))));
            for (int i = 0; i < protocols.Length; i++)
            {
                AssertPath(results[i], RouteTopology.Hops4);
                Assert.All(results[i], h => Assert.Equal(5, h.Sent));
                Assert.All(results[i], h => Assert.Equal(5, h.Received));
            }
        }
    }
}
