using System;
using System.Collections.Generic;
using System.Linq;
using WeChatNet.Analysis;
using WeChatNet.WeChat;
using Xunit;
using WeChatNet.Diagnostics;

namespace WeChatNet.Tests.Diagnostics
{
    /// <summary>The live-check rules on facts whose truth the test sets: thresholds met, just missed, and evidence wording.</summary>
    public sealed class LiveFindingRulesTests
    {
        private static List<Finding> Evaluate(AnalysisFacts facts) => FindingEngine.Default.Evaluate(facts);

        private static ConnectionTest Tcp(string host, string? role, string address, int port, double? ms, string? error = null) =>
            new ConnectionTest("TcpConnect", host, role, address, "SystemResolver", port, error is null, 1, error is null ? 1 : 0, ms,
                ms.HasValue ? new[] { ms.Value } : Array.Empty<double>(), error, error, null, null, "Overseas", "Tencent");

        private static RouteHop Hop(int hop, string? address, double? best, double loss = 0, double? step = null, bool biggest = false, bool destination = false) =>
            new RouteHop
            {
                Hop = hop, Address = address, Addresses = address is null ? new string[0] : new[] { address }, Sent = 10,
                Received = (int)Math.Round(10 * (100 - loss) / 100), LossPercent = loss, BestMs = best, AvgMs = best, WorstMs = best,
                StepMs = step, IsBiggestStep = biggest, IsDestination = destination, TargetAddress = "203.0.113.9",
            };

        [Fact]
        public void ConnectsAllFailedPartlyFailedAndSlow()
        {
            var facts = new AnalysisFacts
            {
                Connections = new[]
                {
                    Tcp("long.weixin.qq.com", "LongLink", "203.0.113.1", 8080, null, "TimedOut"),
                    Tcp("long.weixin.qq.com", "LongLink", "203.0.113.1", 443, null, "Refused"),
                    Tcp("short.weixin.qq.com", "ShortLink", "203.0.113.2", 80, 151),
                    Tcp("short.weixin.qq.com", "ShortLink", "203.0.113.2", 443, null, "TimedOut"),
                    Tcp("dns.weixin.qq.com", "Dispatch", "203.0.113.3", 80, 150), // exactly at the threshold: not slow
                },
            };
            var f = Evaluate(facts);
            var down = Assert.Single(f, x => x.RuleId == "HostUnreachable");
            Assert.Equal(("Error", "LongLink"), (down.Severity, down.Area));
            Assert.Equal("No TCP connection to long.weixin.qq.com succeeded (2 tried: TimedOut, Refused)", down.Title);
            var partial = Assert.Single(f, x => x.RuleId == "ConnectFailed");
            Assert.Equal(("ShortLink", "1 of 2 TCP connects to short.weixin.qq.com failed (TimedOut)"), (partial.Area, partial.Title));
            var slow = Assert.Single(f, x => x.RuleId == "SlowConnect");
            Assert.Equal("Slow TCP connects to short.weixin.qq.com: 151 ms at best", slow.Title);
            Assert.Equal("HostUnreachable", f[0].RuleId); // errors first
        }

        [Fact]
        public void AHostThatCouldNotBeResolvedIsUnreachable()
        {
            var t = new ConnectionTest("TcpConnect", "long.example.test", null, null, "SystemResolver", 8080, false, 0, 0, null, Array.Empty<double>(),
                "DnsFailed", "long.example.test has no addresses.", null, null, null, null);
            var f = Assert.Single(Evaluate(new AnalysisFacts { Connections = new[] { t } }));
            Assert.Equal(("HostUnreachable", "Path"), (f.RuleId, f.Area));
            Assert.Equal("No TCP connection to long.example.test succeeded (1 tried: DnsFailed)", f.Title);
            Assert.Equal("port 8080: DnsFailed (long.example.test has no addresses.)", f.Evidence);
        }

        [Fact]
        public void TheBiggestLatencyStepOverTheThresholdIsNamedWithItsHop()
        {
            var route = new[]
            {
                Hop(1, "192.0.2.1", 1), Hop(2, "192.0.2.2", 5, step: 4), Hop(3, null, null, loss: 100),
                Hop(4, "198.51.100.4", 185, step: 180, biggest: true), Hop(5, "203.0.113.9", 190, step: 5, destination: true),
            };
            var f = Evaluate(new AnalysisFacts { Route = route, RouteTarget = "203.0.113.9", WhereIs = a => ("Overseas", null) });
            var step = Assert.Single(f, x => x.RuleId == "PathLatencyStep");
            Assert.Equal("Latency jumps by 180 ms at hop 4 (198.51.100.4) on the way to 203.0.113.9", step.Title);
            Assert.Equal("hop 2 192.0.2.2 (Overseas) best 5 ms -> hop 4 198.51.100.4 (Overseas) best 185 ms (+180 ms); 5 hops to 203.0.113.9", step.Evidence);
            Assert.DoesNotContain(f, x => x.RuleId == "PathLoss"); // the silent hop 3 does not carry on

            route[3].StepMs = 100; // at the threshold: no finding
            Assert.DoesNotContain(Evaluate(new AnalysisFacts { Route = route }), x => x.RuleId == "PathLatencyStep");
        }

        [Fact]
        public void LossThatCarriesOnToTheTargetIsReportedFromWhereItStarts()
        {
            var route = new[]
            {
                Hop(1, "192.0.2.1", 1), Hop(2, "192.0.2.2", 2, loss: 30), Hop(3, "192.0.2.3", 3, loss: 20), Hop(4, "203.0.113.9", 4, loss: 20, destination: true),
            };
            var loss = Assert.Single(Evaluate(new AnalysisFacts { Route = route, RouteTarget = "203.0.113.9" }), x => x.RuleId == "PathLoss");
            Assert.Equal("20% of probes to 203.0.113.9 lost", loss.Title);
            Assert.Equal("the target answered 8 of 10 probes; loss from hop 2 (192.0.2.2) onwards", loss.Evidence);

            route[3].LossPercent = 0;
            Assert.DoesNotContain(Evaluate(new AnalysisFacts { Route = route }), x => x.RuleId == "PathLoss");
        }

        [Fact]
        public void ATargetThatIgnoresTheProbesButAcceptsConnectsIsFilteringNotLoss()
        {
            // A healthy path whose server drops ICMP echo (common for servers): every router answers, the target never does,
            // and the diagnostic's own TCP connects to that very address succeeded. Nothing is lost on the way to it.
            var route = new[]
            {
                Hop(1, "192.0.2.1", 1), Hop(2, "192.0.2.2", 2), Hop(3, "192.0.2.3", 3), Hop(4, null, null, loss: 100),
            };
            foreach (var h in route) h.Protocol = "Icmp";
            var connects = new[] { Tcp("long.weixin.qq.com", "LongLink", "203.0.113.9", 8080, 30), Tcp("long.weixin.qq.com", "LongLink", "203.0.113.9", 443, 31) };
            var f = Evaluate(new AnalysisFacts { Route = route, RouteTarget = "203.0.113.9", Connections = connects });
            Assert.DoesNotContain(f, x => x.RuleId == "PathLoss");
            var silent = Assert.Single(f, x => x.RuleId == "PathTargetSilent");
            Assert.Equal(("Info", "Path"), (silent.Severity, silent.Area));
            Assert.Equal("203.0.113.9 did not answer the trace's Icmp probes, but TCP connects to it succeeded", silent.Title);
            Assert.Equal("the routers up to hop 3 (192.0.2.3) answered; 203.0.113.9 never did; TCP connects to it succeeded on port(s) 443, 8080", silent.Evidence);

            // The same silent target without a successful connect is still loss as far as anyone can tell.
            var failed = new[] { Tcp("long.weixin.qq.com", "LongLink", "203.0.113.9", 8080, null, "TimedOut") };
            var f2 = Evaluate(new AnalysisFacts { Route = route, RouteTarget = "203.0.113.9", Connections = failed });
            Assert.Single(f2, x => x.RuleId == "PathLoss");
            Assert.DoesNotContain(f2, x => x.RuleId == "PathTargetSilent");
        }

        [Fact]
        public void ADispatchWithANonZeroRetcodeAndASkippedTraceAreReported()
        {
            var uri = new Uri("http://127.0.0.1:1/cgi-bin/micromsg-bin/newgetdns");
            var dispatch = new Dispatch(uri.ToString(), -1, "", "", null, "", new DispatchDomain[0], new string[0], false, false, "None", 10, 12.5, new string[0]);
            var f = Evaluate(new AnalysisFacts
            {
                Dispatch = new DispatchResult(dispatch, DispatchFailure.None, "", uri),
                RouteSkipped = "Tracing needs raw sockets.",
                RouteTarget = "203.0.113.9",
            });
            Assert.Equal(new[] { "DispatchFailed", "PathTraceSkipped" }, f.Select(x => x.RuleId));
            Assert.Equal("WeChat's dispatch at http://127.0.0.1:1/cgi-bin/micromsg-bin/newgetdns failed: retcode -1", f[0].Title);
            Assert.Equal("Tracing needs raw sockets.", f[1].Recommendation);
        }

        [Fact]
        public void MainlandAndOverseasResolversDisagreeingIsInformationNotAWarning()
        {
            // WeChat's DNS answers by region by design: a mainland and an overseas resolver always differ on a healthy
            // network, so `Invoke-WeChatDiagnostic -Live` (which asks both presets) must not warn about it. The harmful
            // case, the client's own resolver answering for the other region, is ResolverRegionMismatch's Warning.
            DnsAnswer Ok(string server, string region, string address) =>
                new DnsAnswer("long.weixin.qq.com", "A", server, region, "Dns", "Udp", "Ok", Array.Empty<string>(), new[] { address },
                    new[] { address }, 300, 5, "", -1, "NoError", 1, 0, "");
            var answers = new[] { Ok("223.5.5.5", "Mainland", "101.226.5.4"), Ok("8.8.8.8", "Overseas", "43.130.1.1") };
            var facts = new AnalysisFacts { DnsAnswers = answers, DnsComparisons = global::WeChatNet.Resolution.DomainResolver.Compare(answers).ToList() };
            var disagree = Assert.Single(Evaluate(facts), x => x.RuleId == "ResolversDisagree");
            Assert.Equal("Info", disagree.Severity);
            Assert.Contains("by design", disagree.Recommendation);
            Assert.DoesNotContain(Evaluate(facts), x => x.Severity != "Info");
        }

        [Fact]
        public void NoLiveFactsNoLiveFindings() => Assert.Empty(Evaluate(new AnalysisFacts()));
    }
}
