using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using WeChatNet.Analysis;
using WeChatNet.Dns;
using WeChatNet.IpIntel;
using WeChatNet.Route;
using WeChatNet.Tests.Connectivity;
using WeChatNet.Tests.Dns;
using WeChatNet.Tests.Infrastructure;
using WeChatNet.Tests.Route;
using WeChatNet.Tests.WeChat;
using Xunit;
using Xunit.Abstractions;
using WeChatNet.Diagnostics;

namespace WeChatNet.Tests.Diagnostics
{
    /// <summary>
    /// A second Knot DNS instance with zone data of its own (one view of WeChat's names), on a random loopback port.
    /// </summary>
    public sealed class KnotView : IDisposable
    {
        private readonly TempDirectory _dir;
        private readonly Daemon? _knot;

        public KnotView(string testName, string weixinZoneBody)
        {
            string knotd = ExternalTool.Require("knotd", "knot");
            _dir = new TempDirectory(testName);
            try
            {
                Port = FreePort.UdpAndTcp();
                File.WriteAllText(_dir.File("weixin.qq.com.zone"), "$ORIGIN weixin.qq.com.\n$TTL 300\n@ SOA ns1 admin 1 3600 600 86400 60\n@ NS ns1\nns1 A 127.0.0.1\n" + weixinZoneBody);
                File.WriteAllText(_dir.File("knot.conf"), $@"server:
    rundir: ""{_dir.Path}""
    listen: 127.0.0.1@{Port}
database:
    storage: ""{_dir.Path}""
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: ""{_dir.Path}""
    file: ""%s.zone""
zone:
  - domain: weixin.qq.com
");
                _knot = new Daemon(knotd, "-c", _dir.File("knot.conf"));
                _knot.WaitForTcp(Port, "knotd (" + testName + ")");
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public int Port { get; }
        public string Address => "127.0.0.1:" + Port;

        public void Dispose()
        {
            _knot?.Dispose();
            _dir.Dispose();
        }
    }

    /// <summary>
    /// Invoke-WeChatDiagnostic -Live against real local components only: the shared Knot and Unbound (a mainland view
    /// of WeChat's names), a second Knot with an overseas view, a UDP port that never answers, a local HTTP dispatch,
    /// and routers in network namespaces for the connects and the trace (addresses from 198.18.0.0/15). Every server is
    /// given explicitly; nothing leaves the machine.
    /// </summary>
    [Collection(DnsServersFixture.Collection)]
    public sealed class DiagnosticLiveTests
    {
        private static readonly string[] Names = { "long.weixin.qq.com", "short.weixin.qq.com", "dns.weixin.qq.com" };
        private readonly DnsServersFixture _dns;
        private readonly ITestOutputHelper _out;

        public DiagnosticLiveTests(DnsServersFixture dns, ITestOutputHelper output)
        {
            _dns = dns;
            _out = output;
        }

        private static RawHttpServer Dispatch(int status = 200) => new RawHttpServer(path => status == 200
            ? RawHttpServer.Response(200, "OK", Encoding.UTF8.GetBytes(DispatchDocumentTests.SampleXml))
            : RawHttpServer.Response(status, "Internal Server Error", Encoding.ASCII.GetBytes("broken")));

        /// <summary>Connects from sockets created in the client namespace; the trace runs on a thread inside it.</summary>
        private static void InNamespace(DiagnosticRequest request, RouteTopology topo, NamespaceSockets sockets, bool dropNetRaw = false)
        {
            request.SocketFactory = sockets.Create;
            request.Tracer = (r, ct) => NamespaceThread.Run(topo.Client, () => RouteTracer.Trace(r, null, ct).ToList(), dropNetRaw);
        }

        private void Dump(DiagnosticResult r)
        {
            foreach (var c in r.Checks) _out.WriteLine("check: " + c);
            foreach (var f in r.Findings) _out.WriteLine($"{f.Severity} {f.RuleId}: {f.Title} | {f.Evidence}");
            foreach (var p in r.Problems) _out.WriteLine("problem: " + p);
        }

        [Fact]
        public void MainlandAndOverseasViewsDisagreeAFailingResolverAClosedPortAndTheTraceAreReported()
        {
            // The overseas view sends the long and short link abroad; the dispatch host resolves the same in both views.
            using var overseas = new KnotView("diag-live-overseas", "long A 43.130.1.1\nshort A 129.226.9.9\ndns A 101.227.1.1\n");
            using var topo = new RouteTopology("diaglive");
            using var sockets = new NamespaceSockets(topo.Client);
            using var dispatch = Dispatch();
            var request = new DiagnosticRequest
            {
                Live = true,
                Names = Names,
                Servers = new[]
                {
                    $"Mainland=127.0.0.1:{_dns.KnotPort}", $"Mainland=127.0.0.1:{_dns.UnboundPort}",
                    "Overseas=" + overseas.Address, $"Overseas=127.0.0.1:{_dns.SilentPort}",
                },
                DnsTimeoutSec = 3, // only the silent resolver reaches it; Knot and Unbound answer inside it under load
                DispatchUri = dispatch.Uri("/cgi-bin/micromsg-bin/newgetdns"),
                Targets = new[] { RouteTopology.Server4.ToString() },
                Ports = new[] { RouteTopology.OpenPort, RouteTopology.ClosedPort },
                ConnectTimeoutMs = 2000,
                TraceTimeoutMs = 5000, // the hops answer at once: a long timeout costs nothing and never turns a late reply into loss
            };
            InNamespace(request, topo, sockets);
            var progress = new List<DiagnosticProgress>();
            var r = DiagnosticRunner.Run(request, progress.Add);
            Dump(r);

            // Resolution: three views answered, the silent resolver timed out on every name.
            Assert.Equal(12, r.DnsAnswers.Count);
            Assert.All(r.DnsAnswers.Where(a => a.Server == $"127.0.0.1:{_dns.SilentPort}"), a => Assert.Equal("Timeout", a.Status));
            var mainlandLong = r.DnsAnswers.First(a => a.Name == "long.weixin.qq.com" && a.Region == "Mainland");
            Assert.Equal(new[] { "101.226.5.4", "180.163.10.11" }, mainlandLong.Addresses.OrderBy(x => x));
            Assert.Equal(mainlandLong.Addresses.Select(a => IpIntelligence.Default.Lookup(a).Region), mainlandLong.AddressRegions);

            var disagree = r.Findings.Where(f => f.RuleId == "ResolversDisagree").ToList();
            Assert.Equal(2, disagree.Count); // long and short differ; dns.weixin.qq.com is the same everywhere
            var longDisagree = Assert.Single(disagree, f => f.Title.Contains("long.weixin.qq.com"));
            Assert.Equal("Mainland and Overseas resolvers give different addresses for long.weixin.qq.com", longDisagree.Title);
            Assert.Contains("101.226.5.4 (MainlandChina", longDisagree.Evidence);
            Assert.Contains($"43.130.1.1 ({IpIntelligence.Default.Lookup("43.130.1.1").Region}", longDisagree.Evidence);
            var failed = Assert.Single(r.Findings, f => f.RuleId == "ResolverFailed");
            Assert.Equal($"Resolver 127.0.0.1:{_dns.SilentPort} (Overseas) failed for 3 of 3 names: Timeout", failed.Title);

            // Dispatch answered: no finding about it.
            Assert.NotNull(r.Dispatch!.Dispatch);
            Assert.DoesNotContain(r.Findings, f => f.RuleId == "DispatchFailed");

            // Connects to the namespace server: 8080 accepts, 8081 is refused.
            Assert.Equal(2, r.Connections.Count);
            Assert.True(r.Connections.Single(t => t.Port == RouteTopology.OpenPort).Succeeded);
            Assert.Equal("Refused", r.Connections.Single(t => t.Port == RouteTopology.ClosedPort).Error);
            var connect = Assert.Single(r.Findings, f => f.RuleId == "ConnectFailed");
            Assert.Equal("1 of 2 TCP connects to 198.18.7.2 failed (Refused)", connect.Title);
            Assert.Contains("198.18.7.2 (Special) port 8081: Refused", connect.Evidence);

            // The trace went through the routers to the server.
            Assert.Equal("198.18.7.2", r.RouteTarget);
            Assert.Null(r.RouteSkipped);
            Assert.Equal(5, r.Route.Count);
            Assert.Equal("198.18.1.1", r.Route[0].Address);
            Assert.True(r.Route[^1].IsDestination);
            Assert.All(r.Route, h => Assert.Equal("Special", h.Region)); // 198.18.0.0/15 is a benchmarking range
            Assert.DoesNotContain(r.Findings, f => f.RuleId == "PathLoss" || f.RuleId == "PathTraceSkipped");

            // Sorted by severity, and nothing else fired (no WeChat runs on a test machine: that is said, as Info).
            Assert.Equal(new[] { "ConnectFailed", "ResolverFailed", "ResolversDisagree", "WeChatNotRunning" }, r.Findings.Select(f => f.RuleId).Distinct().OrderBy(x => x));
            var ranks = r.Findings.Select(f => f.Severity == "Error" ? 0 : f.Severity == "Warning" ? 1 : 2).ToList();
            Assert.Equal(ranks.OrderBy(x => x), ranks);
            // Progress went through every stage, never backwards, ending at 100.
            Assert.Equal(new[] { "Dns", "Dispatch", "Connections", "Route", "Done" }, progress.Select(p => p.Stage).Distinct());
            Assert.Equal(progress.Select(p => p.Percent).OrderBy(x => x), progress.Select(p => p.Percent));
            Assert.Equal(100, progress[^1].Percent);

            // The same result as a report, both formats.
            using var dir = new TempDirectory("diag-live-report");
            DiagnosticReport.Write(r, dir.File("report.html"), overwrite: false);
            string html = File.ReadAllText(dir.File("report.html"));
            Assert.Contains("<svg", html);
            Assert.Contains("198.18.3.", html);
            Assert.Contains("ResolversDisagree", html);
            DiagnosticReport.Write(r, dir.File("report.md"), overwrite: false);
            Assert.Contains("| 5 | 198.18.7.2 (target) |", File.ReadAllText(dir.File("report.md")));
        }

        [Fact]
        public void WithoutTargetsTheResolvedAddressesAreConnectedAndTheLongLinkIsTraced()
        {
            // A lab view: every WeChat host resolves into the namespace topology; 198.18.9.9 is routed nowhere.
            using var lab = new KnotView("diag-live-lab", "long A 198.18.7.2\nshort A 198.18.7.2\nshort A 198.18.9.9\ndns A 198.18.7.2\n");
            using var topo = new RouteTopology("diaglab");
            using var sockets = new NamespaceSockets(topo.Client);
            var request = new DiagnosticRequest
            {
                Live = true,
                Names = Names,
                Servers = new[] { lab.Address },
                SkipDispatch = true,
                Ports = new[] { RouteTopology.OpenPort },
                ConnectTimeoutMs = 3000,
                TraceTimeoutMs = 5000, // the hops answer at once: a long timeout costs nothing and never turns a late reply into loss
                TraceProtocol = RouteProtocol.Tcp,
            };
            InNamespace(request, topo, sockets);
            var r = DiagnosticRunner.Run(request);
            Dump(r);

            Assert.Equal(4, r.Connections.Count); // long, dns at one address, short at two
            Assert.All(r.Connections.Where(t => t.Address == "198.18.7.2"), t => Assert.True(t.Succeeded));
            Assert.False(r.Connections.Single(t => t.Address == "198.18.9.9").Succeeded);
            Assert.Equal("LongLink", r.Connections.Single(t => t.Host == "long.weixin.qq.com").Role);
            var partial = Assert.Single(r.Findings, f => f.RuleId == "ConnectFailed");
            Assert.Equal("ShortLink", partial.Area);
            Assert.DoesNotContain(r.Findings, f => f.RuleId == "HostUnreachable" || f.RuleId == "ResolversDisagree" || f.RuleId.StartsWith("Dispatch"));
            Assert.Contains("Dispatch: skipped (-SkipDispatch)", r.Checks);

            // The trace target is the long link's address that accepted a connect, traced with TCP SYNs to 8080.
            Assert.Equal("198.18.7.2", r.RouteTarget);
            Assert.Equal(5, r.Route.Count);
            Assert.Equal("Tcp", r.Route[^1].Protocol);
            Assert.Equal("TcpSynAck", r.Route[^1].Reply);
        }

        [Fact]
        public void WithoutPrivilegeTheTraceIsSkippedWithTheReasonAndAFailingDispatchIsAnError()
        {
            using var lab = new KnotView("diag-live-noraw", "long A 198.18.7.2\nshort A 198.18.7.2\ndns A 198.18.7.2\n");
            using var topo = new RouteTopology("diagnoraw");
            using var sockets = new NamespaceSockets(topo.Client);
            using var dispatch = Dispatch(500);
            var request = new DiagnosticRequest
            {
                Live = true,
                Names = Names,
                Servers = new[] { lab.Address },
                DispatchUri = dispatch.Uri("/cgi-bin/micromsg-bin/newgetdns"),
                Ports = new[] { RouteTopology.OpenPort },
                TraceProtocol = RouteProtocol.Tcp,
            };
            InNamespace(request, topo, sockets, dropNetRaw: true);
            var r = DiagnosticRunner.Run(request);
            Dump(r);

            var skipped = Assert.Single(r.Findings, f => f.RuleId == "PathTraceSkipped");
            Assert.Equal("Info", skipped.Severity);
            Assert.Equal("The path to 198.18.7.2 was not traced", skipped.Title);
            Assert.Contains("setcap cap_net_raw+ep", skipped.Recommendation);
            // The advice names this cmdlet's parameter (-TraceProtocol), not Get-WeChatRoute's -Protocol.
            Assert.StartsWith("Tracing with -TraceProtocol Tcp sends raw IP packets", r.RouteSkipped);
            Assert.DoesNotContain("-Protocol ", r.RouteSkipped);
            Assert.Empty(r.Route);
            Assert.StartsWith("Route: skipped: ", r.Checks.Last());

            var d = r.Findings[0];
            Assert.Equal("DispatchFailed", d.RuleId);
            Assert.Equal("Error", d.Severity);
            Assert.Equal($"WeChat's dispatch at {dispatch.Uri("/cgi-bin/micromsg-bin/newgetdns")} failed: DispatchHttpError", d.Title);
            Assert.Contains("HTTP 500", d.Evidence);

            // The report says it was not traced, instead of drawing an empty chart.
            string html = DiagnosticReport.Html(r);
            Assert.Contains("Not traced:", html);
            Assert.DoesNotContain("<svg", html);
        }

        [Fact]
        public void ATargetNameIsResolvedByTheResolversGivenNeverByTheSystemResolver()
        {
            // -Server S -Target szlong.weixin.qq.com: the target is not among -Name, and it was looked up with the machine's
            // resolver (not S), so a healthy setup got HostUnreachable (DnsFailed) wherever that resolver is not S.
            using var own = new KnotView("diag-live-target", "long A 127.0.0.1\nszlong A 127.0.0.1\n");
            using var open = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            open.Start();
            int port = ((System.Net.IPEndPoint)open.LocalEndpoint).Port;
            var request = new DiagnosticRequest
            {
                Live = true, Names = new[] { "long.weixin.qq.com" }, Servers = new[] { own.Address }, SkipDispatch = true, SkipTrace = true,
                Targets = new[] { "szlong.weixin.qq.com", "nosuch.weixin.qq.com" }, Ports = new[] { port },
            };
            var r = DiagnosticRunner.Run(request);
            Dump(r);
            Assert.Contains(r.DnsAnswers, a => a.Name == "szlong.weixin.qq.com" && a.Server == own.Address && a.Status == "Ok");
            var connect = Assert.Single(r.Connections, t => t.Host == "szlong.weixin.qq.com");
            Assert.Equal(("127.0.0.1", true), (connect.Address, connect.Succeeded));
            // A target the resolvers given do not know is not looked up elsewhere either.
            var unknown = Assert.Single(r.Connections, t => t.Host == "nosuch.weixin.qq.com");
            Assert.Equal("DnsFailed", unknown.Error);
            Assert.Contains(own.Address, unknown.ErrorMessage);
        }

        [Fact]
        public void AMainlandClientWhoseOwnResolverAnswersForAbroadIsWarned()
        {
            // The client's own resolver (unlabelled: Custom) gives the overseas view; the dispatch host stays in the mainland.
            using var own = new KnotView("diag-live-own", "long A 43.130.1.1\nshort A 129.226.9.9\ndns A 101.227.1.1\n");
            using var refused = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            refused.Start();
            int closedPort = ((System.Net.IPEndPoint)refused.LocalEndpoint).Port;
            refused.Stop(); // nobody listens there now: connects are refused, and nothing leaves the machine
            var request = new DiagnosticRequest
            {
                Live = true, Names = Names, Servers = new[] { own.Address }, ClientRegion = "MainlandChina",
                SkipDispatch = true, SkipTrace = true, Targets = new[] { "127.0.0.1" }, Ports = new[] { closedPort },
            };
            var r = DiagnosticRunner.Run(request);
            Dump(r);
            var mismatch = r.Findings.Where(f => f.RuleId == "ResolverRegionMismatch").ToList();
            Assert.Equal(new[] { "long.weixin.qq.com", "short.weixin.qq.com" }, mismatch.Select(f => f.Title.Split(' ')[7]).OrderBy(x => x));
            Assert.Equal($"MainlandChina client sent to Overseas addresses for long.weixin.qq.com by resolver {own.Address}",
                mismatch.Single(f => f.Title.Contains("long.")).Title);
            Assert.Contains("43.130.1.1 (Overseas, Tencent)", mismatch.Single(f => f.Title.Contains("long.")).Evidence);
            var down = Assert.Single(r.Findings, f => f.RuleId == "HostUnreachable");
            Assert.Equal($"No TCP connection to 127.0.0.1 succeeded (1 tried: Refused)", down.Title);
            Assert.Equal("HostUnreachable", r.Findings[0].RuleId);

            // An overseas client with the same resolver is where it should be.
            request.ClientRegion = "Overseas";
            Assert.DoesNotContain(DiagnosticRunner.Run(request).Findings, f => f.RuleId == "ResolverRegionMismatch" && !f.Title.Contains("dns.weixin"));
        }

        [Fact]
        public void NothingToDiagnoseAndBadSettingsAreRejected()
        {
            Assert.Throws<ArgumentException>(() => DiagnosticRunner.Run(new DiagnosticRequest()));
            Assert.Throws<ArgumentException>(() => DiagnosticRunner.Run(new DiagnosticRequest { Live = true, Ports = new[] { 0 } }));
            Assert.Throws<ArgumentException>(() => DiagnosticRunner.Run(new DiagnosticRequest { Live = true, ClientRegion = "Mars" }));
        }

        [Fact]
        public void CancellingWhileQueriesAreInFlightStopsAtOnce()
        {
            // Knot answers at once, the silent resolver would keep its query waiting 2 x 30 s: cancel on the first answer.
            using var cts = new CancellationTokenSource();
            var stages = new List<string>();
            var request = new DiagnosticRequest
            {
                Live = true, Names = new[] { "long.weixin.qq.com" }, Servers = new[] { $"127.0.0.1:{_dns.KnotPort}", $"127.0.0.1:{_dns.SilentPort}" },
                DnsTimeoutSec = 30, SkipDispatch = true, SkipTrace = true,
            };
            Assert.ThrowsAny<OperationCanceledException>(() => DiagnosticRunner.Run(request, p =>
            {
                stages.Add(p.Stage);
                if (p.Stage == "Dns" && p.Status.StartsWith("1 of", StringComparison.Ordinal)) cts.Cancel();
            }, cts.Token));
            Assert.True(cts.IsCancellationRequested);
            Assert.DoesNotContain("Connections", stages);
        }

        [Fact]
        public void CancellingStopsTheLiveChecks()
        {
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            var request = new DiagnosticRequest
            {
                Live = true, Names = Names, Servers = new[] { $"127.0.0.1:{_dns.SilentPort}" }, SkipDispatch = true, SkipTrace = true,
            };
            Assert.ThrowsAny<OperationCanceledException>(() => DiagnosticRunner.Run(request, null, cts.Token));
        }
    }
}
