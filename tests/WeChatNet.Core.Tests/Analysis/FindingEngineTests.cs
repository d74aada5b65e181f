using System;
using System.Collections.Generic;
using System.Linq;
using WeChatNet.Analysis;
using Xunit;

namespace WeChatNet.Tests.Analysis
{
    public sealed class FindingEngineTests
    {
        private static readonly FindingEngine Engine = FindingEngine.Default;

        private static HeartbeatReport Hb(int id, string ending, bool died, double idle, int missed = 0, int? next = null, params double[] intervals) => new HeartbeatReport
        {
            FlowId = id, Client = "192.0.2.10:5000" + id, Server = "101.32.104.4:8080", Ending = ending, Died = died, IdleBeforeEndSec = idle,
            Missed = missed, Count = intervals.Length + 1, Replies = intervals.Length + 1 - missed, ReconnectFlowId = next, ReconnectAfterMs = next.HasValue ? 500 : null,
            ReconnectServer = next.HasValue ? "43.130.30.240:8080" : null, IntervalsSec = intervals,
            Pattern = HeartbeatAnalyzer.DescribeIntervals(intervals, new HeartbeatOptions()),
        };

        /// <summary>A TCP flow captured at the client: its SYN/ACK delay is the server's side of the path, its own side is 0.</summary>
        private static Flow Tcp(int id, string kind = "LongLink", double rate = 0, int retrans = 0, double? handshake = null, string? region = null, string resetBy = "None")
            => new Flow { Id = id, Protocol = "Tcp", Kind = kind, Client = "192.0.2.10:1", Server = $"101.32.104.{id}:8080", ServerAddress = $"101.32.104.{id}",
                RetransmissionRate = rate, Retransmissions = retrans, DataRetransmissions = retrans, DataSegments = rate > 0 ? (long)Math.Round(retrans / rate) : 100,
                HandshakeMs = handshake, SynAckDelayMs = handshake, Region = region, ResetBy = resetBy, Resets = resetBy == "None" ? 0 : 1,
                ServerSideRttMs = handshake, ClientSideRttMs = handshake.HasValue ? 0 : (double?)null, PathRttMs = handshake,
                CapturePoint = handshake.HasValue ? CapturePoint.Client : CapturePoint.Unknown };

        /// <summary>The same flow captured at the server: the SYN/ACK leaves at once, the client's side carries the path.</summary>
        private static Flow AtServer(Flow f)
        {
            double path = f.PathRttMs!.Value;
            // What the server itself took stays; the path moves to the client's side of the capture point.
            f.SynAckDelayMs = f.SynAckDelayMs!.Value - path + 0.1; f.HandshakeMs = f.HandshakeMs!.Value - path + 0.1;
            f.ServerSideRttMs = 0.1; f.ClientSideRttMs = path; f.PathRttMs = path + 0.1;
            if (f.DataRttMs.HasValue) f.DataRttMs = 0.2;
            f.CapturePoint = CapturePoint.Server;
            return f;
        }

        [Fact]
        public void TheShippedRulesParseAndEveryRuleHasLogic()
        {
            Assert.Equal(32, Engine.Rules.Count);
        }

        [Fact]
        public void LinksDyingAfterTheSameSilenceAreANatTimeoutWithItsInterval()
        {
            var facts = new AnalysisFacts
            {
                Heartbeats = new[]
                {
                    Hb(1, "ResetByClient", true, 308, 1, 2), Hb(2, "ResetByClient", true, 300, 1, 3), Hb(3, "ResetByServer", false, 305, 0, 4),
                    Hb(4, "Open", false, 0),
                },
            };
            var all = Engine.Evaluate(facts);
            // One cause, one finding: the deaths are the idle timeout's effects, so it takes their severity and evidence.
            var f = Assert.Single(all);
            Assert.Equal("LongLinkIdleTimeout", f.RuleId);
            Assert.Equal("Error", f.Severity);
            Assert.Equal("LongLink", f.Area);
            Assert.Equal("Long links do not survive 305 s of silence: a NAT or carrier idle timeout (3 reconnect(s))", f.Title);
            Assert.Contains("about 305 s", f.Recommendation);
            Assert.Contains("3 long links to 101.32.104.4:8080 ended after 300, 305, 308 s of silence", f.Evidence);
            Assert.Contains("causing 3 reconnect(s): flow 2 reconnected 0.5 s later as flow 3", f.Evidence);
            Assert.Contains("it explains LongLinkDied (Error): Long link died", f.Evidence);
            Assert.Equal(new[] { 1, 2, 3, 4 }, f.FlowIds);
        }

        // ---- one cause, one finding: a test per row of docs/findings.md's cause/effect table

        [Fact]
        public void TheCauseEffectTableIsTheDocumentedOne()
        {
            Assert.Equal(new[]
            {
                "LongLinkIdleTimeout > LongLinkDied, HeartbeatMissed, HeartbeatStuckAtMinimum, Retransmissions, HighRetransmission | Flows",
                "HighRetransmission > SlowHandshake, SlowShortLink, HeartbeatMissed | Servers",
                "CaptureDrops > CaptureGaps | Capture",
                "DnsFailure > HostUnreachable, ConnectFailed | Servers",
                "ResolverFailed > HostUnreachable, ConnectFailed | Servers",
            }, Engine.Absorbs.Select(a => $"{a.Cause} > {string.Join(", ", a.Effects)} | {a.On}"));
            string doc = System.IO.File.ReadAllText(System.IO.Path.Combine(WeChatNet.Tests.Infrastructure.ExternalTool.RepoRoot, "docs", "findings.md"));
            foreach (var a in Engine.Absorbs)
                foreach (var e in a.Effects)
                    Assert.Contains($"| {a.Cause} | {e} | {a.On} |", doc);
        }

        [Fact]
        public void AnIdleTimeoutAbsorbsTheMissedHeartbeatsAndTheStuckIntervalOfItsLinks()
        {
            var facts = new AnalysisFacts
            {
                Heartbeats = new[]
                {
                    Hb(1, "ResetByClient", true, 180, 1, 2, 210, 210, 210, 210), Hb(2, "ResetByServer", false, 182, 0, 3), Hb(3, "Open", false, 0),
                    Hb(4, "Open", false, 0, 2, null),
                },
            };
            // Flow 4's missed heartbeats are not on a link the timeout ended or its reconnects: they stay their own finding.
            var all = Engine.Evaluate(facts);
            var cause = Assert.Single(all, f => f.RuleId == "LongLinkIdleTimeout");
            Assert.Contains("it explains HeartbeatStuckAtMinimum (Warning)", cause.Evidence);
            Assert.Contains("it explains LongLinkDied (Error)", cause.Evidence);
            Assert.Equal("Error", cause.Severity);
            Assert.DoesNotContain(all, f => f.RuleId == "HeartbeatStuckAtMinimum" || f.RuleId == "LongLinkDied");
            Assert.Equal(new[] { 4 }, Assert.Single(all, f => f.RuleId == "HeartbeatMissed").FlowIds);
            Assert.DoesNotContain(all, f => f.RuleId == "HeartbeatMissed" && f.FlowIds.Contains(1));
        }

        [Theory]
        [InlineData(3, 300, "Retransmissions")]     // a few heartbeats sent again on busy links: Info
        [InlineData(12, 30, "HighRetransmission")]  // links that carried little else: over the rate
        public void AnIdleTimeoutAbsorbsTheHeartbeatsSentAgainIntoTheVoid(int retrans, int segments, string effect)
        {
            var links = new[] { Tcp(1, "LongLink"), Tcp(2, "LongLink"), Tcp(3, "LongLink") };
            foreach (var l in links) { l.ServerAddress = "101.32.104.4"; l.Server = "101.32.104.4:8080"; l.DataSegments = segments / 2; }
            links[0].DataRetransmissions = links[1].DataRetransmissions = retrans / 2 + retrans % 2;
            links[0].RetransmissionRate = links[1].RetransmissionRate = 0.1;
            var all = Engine.Evaluate(new AnalysisFacts
            {
                Flows = links,
                Heartbeats = new[] { Hb(1, "ResetByClient", true, 40, 1, 2), Hb(2, "ResetByClient", true, 41, 1, 3), Hb(3, "Open", false, 0) },
            });
            var f = Assert.Single(all);
            Assert.Equal("LongLinkIdleTimeout", f.RuleId);
            Assert.Contains($"it explains {effect} (", f.Evidence);
        }

        [Fact]
        public void ALossyPathAbsorbsTheSlowConnectsToTheSameServerOnly()
        {
            Flow To(Flow f, string address) { f.ServerAddress = address; f.Server = address + ":80"; f.Host = address == "43.130.30.241" ? "sgshort.wechat.com" : null; return f; }
            var lossy = To(Tcp(1, "ShortLink", 0.1, 10, handshake: 40), "43.130.30.241");
            var retried = To(Tcp(2, "ShortLink", handshake: 1040), "43.130.30.241");
            retried.SynRetries = 1; retried.SynAckDelayMs = 40;
            var elsewhere = To(Tcp(3, "ShortLink", handshake: 1050), "43.130.30.242");
            elsewhere.SynRetries = 1; elsewhere.SynAckDelayMs = 50;
            var all = Engine.Evaluate(new AnalysisFacts { Flows = new[] { lossy, retried, elsewhere } });
            var cause = Assert.Single(all, f => f.RuleId == "HighRetransmission");
            Assert.Contains("it explains SlowHandshake (Warning)", cause.Evidence);
            Assert.Equal(new[] { 1, 2 }, cause.FlowIds);
            Assert.Equal(new[] { 3 }, Assert.Single(all, f => f.RuleId == "SlowHandshake").FlowIds); // another server: not the loss's effect
        }

        [Fact]
        public void ALossyPathAbsorbsTheSlowResponsesAndMissedHeartbeatsOfItsServer()
        {
            var link = Tcp(1, "LongLink", 0.1, 10, handshake: 40);
            var shortLink = Tcp(1, "ShortLink", handshake: 40);
            shortLink.Id = 2; // same server as flow 1
            var hb = Hb(1, "Open", false, 0, 2); hb.Server = link.Server;
            var all = Engine.Evaluate(new AnalysisFacts { Flows = new[] { link, shortLink }, ShortLinks = new[] { new ShortLinkTiming(2, 2500) }, Heartbeats = new[] { hb } });
            var cause = Assert.Single(all);
            Assert.Equal("HighRetransmission", cause.RuleId);
            Assert.Contains("it explains SlowShortLink (Warning)", cause.Evidence);
            Assert.Contains("it explains HeartbeatMissed (Warning)", cause.Evidence);
        }

        [Fact]
        public void CaptureDropsAbsorbTheGapsTheyLeft()
        {
            var facts = new AnalysisFacts { Flows = new[] { new Flow { Id = 9, Protocol = "Tcp", Kind = "LongLink", CaptureGaps = 2, CaptureGapBytes = 2800, Server = "x" } }, DroppedPackets = 17 };
            var f = Assert.Single(Engine.Evaluate(facts));
            Assert.Equal("CaptureDrops", f.RuleId);
            Assert.Contains("it explains CaptureGaps (Info): The capture missed 2800 bytes in 2 places on 1 flow(s)", f.Evidence);
            Assert.Equal(new[] { 9 }, f.FlowIds);
            facts.DroppedPackets = 0;
            Assert.Equal("CaptureGaps", Assert.Single(Engine.Evaluate(facts)).RuleId);
        }

        private static ConnectionTest Connect(string host, string? error, string? address = null) =>
            new ConnectionTest("TcpConnect", host, "LongLink", address, "System", 8080, error is null, 1, error is null ? 1 : 0, error is null ? 30 : (double?)null,
                Array.Empty<double>(), error, error is null ? null : "failed", null, null, null, null);

        private static DnsAnswer Answer(string name, string server, string status) =>
            new DnsAnswer(name, "A", server, "System", "Dns", "Udp", status, Array.Empty<string>(), Array.Empty<string>(), Array.Empty<string>(), 0, 5, "", 0,
                status == "Ok" ? "NoError" : "ServFail", 1, 0, status == "Ok" ? "" : "SERVFAIL");

        [Fact]
        public void AFailingResolverAbsorbsTheHostsThatCouldNotBeReachedForWantOfAnAddress()
        {
            var facts = new AnalysisFacts
            {
                DnsAnswers = new[] { Answer("sglong.wechat.com", "127.0.0.53:53", "ServFail"), Answer("sgshort.wechat.com", "127.0.0.53:53", "Ok") },
                Connections = new[] { Connect("sglong.wechat.com", "DnsFailed"), Connect("sgshort.wechat.com", "TimedOut", "43.130.30.241") },
            };
            var all = Engine.Evaluate(facts);
            var cause = Assert.Single(all, f => f.RuleId == "ResolverFailed");
            Assert.Equal("Error", cause.Severity);
            Assert.Contains("it explains HostUnreachable (Error): No TCP connection to sglong.wechat.com succeeded", cause.Evidence);
            // A host that resolved but did not answer is its own fault.
            Assert.Contains("sgshort.wechat.com", Assert.Single(all, f => f.RuleId == "HostUnreachable").Title);

            // Some connects to a name started (another resolver answered), the others never did: ConnectFailed, the same cause.
            facts.Connections = new[] { Connect("sglong.wechat.com", "DnsFailed"), Connect("sglong.wechat.com", null, "43.130.30.240") };
            var partly = Engine.Evaluate(facts);
            Assert.Contains("it explains ConnectFailed (Warning)", Assert.Single(partly, f => f.RuleId == "ResolverFailed").Evidence);
            Assert.DoesNotContain(partly, f => f.RuleId == "ConnectFailed");
        }

        [Fact]
        public void ADnsFailureInTheCaptureAbsorbsTheLiveConnectsThatNeverStarted()
        {
            var t0 = new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
            var capture = Engine.Evaluate(new AnalysisFacts { Dns = new[] { new DnsOutcome("sglong.wechat.com", "A", "ServFail", t0) }, CaptureEnd = t0.AddSeconds(60) });
            var live = Engine.Evaluate(new AnalysisFacts { Connections = new[] { Connect("sglong.wechat.com", "DnsFailed"), Connect("sglong.wechat.com", "DnsFailed") } });
            var both = FindingEngine.Sort(Engine.Absorb(capture.Concat(live)));
            var f = Assert.Single(both);
            Assert.Equal("DnsFailure", f.RuleId);
            Assert.Equal("Error", f.Severity);
            Assert.Contains("it explains HostUnreachable (Error)", f.Evidence);

            var partly = Engine.Evaluate(new AnalysisFacts { Connections = new[] { Connect("sglong.wechat.com", "DnsFailed"), Connect("sglong.wechat.com", null, "43.130.30.240") } });
            List<Finding> Capture() => Engine.Evaluate(new AnalysisFacts { Dns = new[] { new DnsOutcome("sglong.wechat.com", "A", "ServFail", t0) }, CaptureEnd = t0.AddSeconds(60) });
            var one = Assert.Single(FindingEngine.Sort(Engine.Absorb(Capture().Concat(partly))));
            Assert.Equal("Warning", one.Severity);
            Assert.Contains("it explains ConnectFailed (Warning)", one.Evidence);
            // Connects that started and failed are not the name's fault.
            var refused = Engine.Evaluate(new AnalysisFacts { Connections = new[] { Connect("sglong.wechat.com", "Refused", "43.130.30.240") } });
            Assert.Equal(2, Engine.Absorb(Capture().Concat(refused)).Count);
        }

        [Fact]
        public void SlowConnectsAreJudgedTheSameWhereverTheCaptureSat()
        {
            // Healthy 183 ms connects and one whose SYN/ACK came 600 ms late, seen at the client and at the server.
            Flow[] Make() => Enumerable.Range(1, 8).Select(i =>
            {
                var f = Tcp(i, "ShortLink", handshake: i == 8 ? 783 : 181 + i % 4, region: "Overseas");
                f.ServerAddress = "43.130.30.241"; f.Server = "43.130.30.241:80"; f.Host = "sgshort.wechat.com";
                if (i == 8) { f.PathRttMs = 183; f.ServerSideRttMs = 183; f.DataRttMs = 183; }
                return f;
            }).ToArray();
            foreach (var flows in new[] { Make(), Make().Select(AtServer).ToArray() })
            {
                var all = Engine.Evaluate(new AnalysisFacts { Flows = flows, ClientRegion = "Overseas" });
                var slow = Assert.Single(all, f => f.Severity != "Info");
                Assert.Equal("SlowHandshake", slow.RuleId);
                Assert.Equal(new[] { 8 }, slow.FlowIds);
                Assert.Contains("up to 783 ms from the first SYN", slow.Title);
                Assert.Single(all, f => f.RuleId == "LongRoundTrip");
            }
        }

        [Fact]
        public void OneDeathIsAnErrorButNotATimeoutPattern()
        {
            var findings = Engine.Evaluate(new AnalysisFacts { Heartbeats = new[] { Hb(1, "ResetByClient", true, 488, 1, 2) } });
            Assert.DoesNotContain(findings, f => f.RuleId == "LongLinkIdleTimeout");
            var died = findings.Single(f => f.RuleId == "LongLinkDied");
            Assert.Equal("Error", died.Severity);
            Assert.Contains("0.5 s later to 43.130.30.240:8080 (flow 2)", died.Recommendation);
            Assert.Equal("Error", findings[0].Severity); // sorted: errors first
        }

        [Fact]
        public void MissedHeartbeatsAndAStuckIntervalAreWarnings()
        {
            var findings = Engine.Evaluate(new AnalysisFacts { Heartbeats = new[] { Hb(1, "Open", false, 0, 2, null, 210, 210, 211, 210) } });
            Assert.Contains(findings, f => f.RuleId == "HeartbeatMissed" && f.Title == "2 heartbeat(s) on long links to 101.32.104.4:8080 got no reply within 8 s");
            Assert.Contains(findings, f => f.RuleId == "HeartbeatStuckAtMinimum" && f.Evidence == "flow 1: intervals 210, 210, 211, 210 s");
        }

        [Theory]
        [InlineData(0.05, 5, true)]    // 5 of 100 data segments
        [InlineData(0.019, 2, false)]  // under the 2% threshold
        [InlineData(0.5, 2, false)]    // 2 of 4: too few segments to judge
        public void RetransmissionRateAboveTheThresholdIsAWarning(double rate, int retrans, bool expected)
        {
            var findings = Engine.Evaluate(new AnalysisFacts { Flows = new[] { Tcp(7, "ShortLink", rate, retrans) } });
            Assert.Equal(expected, findings.Any(f => f.RuleId == "HighRetransmission" && f.Area == "ShortLink" && f.FlowIds.SequenceEqual(new[] { 7 })));
        }

        [Fact]
        public void SlowHandshakesAreJudgedAgainstThePathAndNameTheRegion()
        {
            // Flow 3's SYN/ACK took 240 ms on a path whose data round trip is 30 ms: slow for its path.
            var slow = Tcp(3, handshake: 240, region: "Overseas");
            slow.DataRttMs = 30;
            var f = Engine.Evaluate(new AnalysisFacts { Flows = new[] { slow, Tcp(4, handshake: 30) } }).Single(x => x.RuleId == "SlowHandshake");
            Assert.Equal("Slow TCP connects to 101.32.104.3:8080 in Overseas: 1 of 1, up to 240 ms from the first SYN", f.Title);
            Assert.Contains("against a path round trip of 30 ms", f.Evidence);
            Assert.Equal(new[] { 3 }, f.FlowIds);
        }

        [Fact]
        public void ALongButSteadyRoundTripIsInfoWithTheRegionPairNeverAWarning()
        {
            // 15 connects to one server at 181-185 ms (North America to Singapore): physics, not a fault.
            var flows = Enumerable.Range(1, 15).Select(i =>
            {
                var f = Tcp(i, handshake: 181 + i % 5, region: "Overseas");
                f.ServerAddress = "43.130.30.241"; f.Server = "43.130.30.241:80"; f.Host = "sgshort.wechat.com"; f.DataRttMs = 180 + i % 3;
                return f;
            }).ToArray();
            var all = Engine.Evaluate(new AnalysisFacts { Flows = flows, ClientRegion = "Overseas" });
            var info = Assert.Single(all);
            Assert.Equal("LongRoundTrip", info.RuleId);
            Assert.Equal("Info", info.Severity);
            Assert.Contains("Overseas to Overseas", info.Title);
            Assert.Equal(Enumerable.Range(1, 15), info.FlowIds);
            Assert.Contains("min 181 / median 183 / max 185 ms", info.Evidence);
        }

        [Fact]
        public void FiftySlowFlowsToOneServerAreOneFinding()
        {
            var flows = Enumerable.Range(1, 50).Select(i =>
            {
                var f = Tcp(i, handshake: 1030 + i, region: "Overseas");
                f.ServerAddress = "43.130.30.241"; f.Server = "43.130.30.241:80"; f.Host = "sgshort.wechat.com";
                f.SynRetries = 1; f.SynAckDelayMs = 30 + i % 4;
                return f;
            }).ToArray();
            var slow = Assert.Single(Engine.Evaluate(new AnalysisFacts { Flows = flows }), x => x.RuleId == "SlowHandshake");
            Assert.Equal(50, slow.FlowIds.Length);
            Assert.Contains("50 of 50 connection(s) to sgshort.wechat.com (43.130.30.241)", slow.Evidence);
            Assert.Contains("first SYN to SYN/ACK min 1031 / median 1056 / max 1080 ms", slow.Evidence);
            Assert.Contains("and 30 more", slow.Evidence);
        }

        [Fact]
        public void AMainlandClientServedOverseasIsFlagged()
        {
            var facts = new AnalysisFacts { ClientRegion = "MainlandChina", Flows = new[] { Tcp(1, region: "Overseas"), Tcp(2, region: "MainlandChina"), Tcp(3, kind: "Other", region: "Overseas") } };
            var f = Engine.Evaluate(facts).Single(x => x.RuleId == "RegionMismatch");
            Assert.Equal("MainlandChina client served by Overseas address 101.32.104.1", f.Title);
            Assert.DoesNotContain(Engine.Evaluate(new AnalysisFacts { Flows = facts.Flows }), x => x.RuleId == "RegionMismatch");
        }

        [Fact]
        public void SlowShortLinksDnsFailuresGapsDropsAndResets()
        {
            var facts = new AnalysisFacts
            {
                ShortLinks = new[] { new ShortLinkTiming(5, 120), new ShortLinkTiming(6, 2500), new ShortLinkTiming(6, 90) },
                Dns = new[] { new DnsOutcome("szshort.weixin.qq.com", "ServFail"), new DnsOutcome("dns.weixin.qq.com", "Ok") },
                Flows = new[] { new Flow { Id = 9, Protocol = "Tcp", Kind = "LongLink", CaptureGaps = 2, CaptureGapBytes = 2800, Server = "x" }, Tcp(10, resetBy: "Server"), Tcp(11, resetBy: "Server"),
                    Tcp(5, "ShortLink"), Tcp(6, "ShortLink") },
                DroppedPackets = 17,
            };
            var all = Engine.Evaluate(facts);
            Assert.Equal("Short-link responses from 101.32.104.6:8080 slower than 1000 ms (1 of 2, worst 2500 ms)", all.Single(f => f.RuleId == "SlowShortLink").Title);
            Assert.Equal("DNS failed for szshort.weixin.qq.com A", all.Single(f => f.RuleId == "DnsFailure").Title);
            Assert.Equal("The capture dropped 17 packets", all.Single(f => f.RuleId == "CaptureDrops").Title);
            Assert.Contains("it explains CaptureGaps (Info): The capture missed 2800 bytes in 2 places on 1 flow(s)", all.Single(f => f.RuleId == "CaptureDrops").Evidence);
            Assert.DoesNotContain(all, f => f.RuleId == "ServerResets"); // one reset to each of two servers
            facts.Flows = new[] { Tcp(10, resetBy: "Server"), Tcp(11, resetBy: "Server") };
            foreach (var f in facts.Flows) { f.ServerAddress = "101.32.104.10"; f.Server = "101.32.104.10:8080"; }
            Assert.Equal(new[] { 10, 11 }, Engine.Evaluate(facts).Single(f => f.RuleId == "ServerResets").FlowIds);
        }

        [Fact]
        public void DnsFailuresNameTheRecordTypeAndAaaaOnlyFailuresAreInfo()
        {
            var t0 = new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
            var dns = new[]
            {
                new DnsOutcome("sglong.wechat.com", "A", "Ok", t0), new DnsOutcome("sglong.wechat.com", "AAAA", "ServFail", t0),
                new DnsOutcome("sgshort.wechat.com", "A", "Ok", t0), new DnsOutcome("sgshort.wechat.com", "AAAA", "ServFail", t0),
                new DnsOutcome("time.google.com", "A", "ServFail", t0),                                  // not WeChat's: left out
                new DnsOutcome("szshort.weixin.qq.com", "A", "NoResponse", t0.AddSeconds(58)),            // asked 2 s before the end
            };
            var v4 = new[] { Tcp(1) };
            var all = Engine.Evaluate(new AnalysisFacts { Dns = dns, Flows = v4, CaptureEnd = t0.AddSeconds(60) });
            var info = Assert.Single(all);
            Assert.Equal("DnsOptionalLookupFailure", info.RuleId);
            Assert.Equal("Info", info.Severity);
            Assert.Equal("The resolver fails AAAA lookups for sglong.wechat.com, sgshort.wechat.com while their A lookups succeed", info.Title);
            Assert.Contains("sglong.wechat.com AAAA: ServFail", info.Evidence);

            // A client that used IPv6: the failing AAAA lookups matter.
            var v6 = Tcp(2); v6.ServerAddress = "2402:4e00::1"; v6.Server = "[2402:4e00::1]:443";
            var warn = Engine.Evaluate(new AnalysisFacts { Dns = dns, Flows = new[] { v6 }, CaptureEnd = t0.AddSeconds(60) }).Single(f => f.RuleId == "DnsFailure");
            Assert.Equal("DNS failed for sglong.wechat.com AAAA, sgshort.wechat.com AAAA", warn.Title);

            // -All judges every name; a query unanswered long before the end is a failure.
            var everything = Engine.Evaluate(new AnalysisFacts { Dns = dns, Flows = v4, CaptureEnd = t0.AddSeconds(600), AllTraffic = true }).Single(f => f.RuleId == "DnsFailure");
            Assert.Equal("DNS failed for time.google.com A, szshort.weixin.qq.com A", everything.Title);
        }

        [Fact]
        public void LinkLocalAndMulticastIpv6IsNotAClientUsingIpv6()
        {
            // Seen in a real capture of an IPv4-only client: its mDNS and SSDP queries leave from its fe80:: address to
            // ff02::fb and ff02::c (every phone and laptop on Wi-Fi sends them). They reach no server, so the resolver's failing
            // AAAA lookups stay the Info they are on an IPv4-only network, not a DnsFailure Warning.
            var t0 = new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
            var dns = new[] { new DnsOutcome("szshort.weixin.qq.com", "A", "Ok", t0), new DnsOutcome("szshort.weixin.qq.com", "AAAA", "ServFail", t0) };
            Flow Udp(int id, string client, string server, ushort port) => new Flow
            {
                Id = id, Protocol = "Udp", Kind = "Other", ClientAddress = client, ServerAddress = server, ServerPort = port, Server = $"[{server}]:{port}",
            };
            var flows = new[]
            {
                Tcp(1), Udp(2, "fe80::7ca7:beff:fee1:8c1", "ff02::fb", 5353), Udp(3, "fe80::7ca7:beff:fee1:8c1", "ff02::c", 1900),
                Udp(4, "fe80::7ca7:beff:fee1:8c1", "fe80::1", 547),
            };
            var all = Engine.Evaluate(new AnalysisFacts { Dns = dns, Flows = flows, CaptureEnd = t0.AddSeconds(60) });
            var info = Assert.Single(all);
            Assert.Equal("DnsOptionalLookupFailure", info.RuleId);
            Assert.Equal("Info", info.Severity);
        }

        [Fact]
        public void FlowsThatAreNotWeChatsAreNotJudgedUnlessAll()
        {
            var google = new[] { 1, 2, 3 }.Select(i => new Flow
            {
                Id = i, Protocol = "Tcp", Kind = "Other", Server = "142.250.1.1:443", ServerAddress = "142.250.1.1", ResetBy = "Server", Resets = 1,
                DataRetransmissions = 9, DataSegments = 30, RetransmissionRate = 0.3,
            }).ToArray();
            Assert.Empty(Engine.Evaluate(new AnalysisFacts { Flows = google }));
            var all = Engine.Evaluate(new AnalysisFacts { Flows = google, AllTraffic = true });
            Assert.Contains(all, f => f.RuleId == "ServerResets" && f.FlowIds.Length == 3);
            Assert.Contains(all, f => f.RuleId == "HighRetransmission" && f.FlowIds.Length == 3 && f.Area == "Path");
        }

        [Fact]
        public void AHealthyCaptureHasNoWarnings()
        {
            var facts = new AnalysisFacts
            {
                Flows = new[] { Tcp(1, handshake: 35, rate: 0.0, region: "MainlandChina") },
                Heartbeats = new[] { Hb(1, "Open", false, 0, 0, null, 210, 270, 330) },
                ShortLinks = new[] { new ShortLinkTiming(2, 80) },
                Dns = new[] { new DnsOutcome("dns.weixin.qq.com", "Ok") },
                ClientRegion = "MainlandChina",
            };
            Assert.Empty(Engine.Evaluate(facts));
        }

        [Theory]
        [InlineData("X | Warning | Dns | | t | r", "no logic for rule 'X'")]
        [InlineData("DnsFailure | Severe | Dns | | t | r", "severity 'Severe'")]
        [InlineData("DnsFailure | Warning | Dns | a=b | t | r", "parameter 'a=b' is not name=number")]
        [InlineData("DnsFailure | Warning | Dns | t | r", "expected 6 columns")]
        public void BadRuleDataNamesTheLine(string text, string expected)
        {
            var e = Assert.Throws<FormatException>(() => FindingEngine.Parse("# comment\n" + text));
            Assert.Contains("line 2", e.Message);
            Assert.Contains(expected, e.Message);
        }

        [Fact]
        public void ThresholdsComeFromTheRuleData()
        {
            var strict = FindingEngine.Parse("LongRoundTrip | Error | Path | thresholdMs=20 | long {ms} over {thresholdMs} | r");
            var f = Assert.Single(strict.Evaluate(new AnalysisFacts { Flows = new[] { Tcp(1, handshake: 35) } }));
            Assert.Equal("Error", f.Severity);
            Assert.Equal("long 35 over 20", f.Title);
        }
    }
}
