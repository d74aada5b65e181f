using System;
using System.Collections.Generic;
using System.Linq;
using WeChatNet.Analysis;
using Xunit;

namespace WeChatNet.Tests.Analysis
{
    /// <summary>The live connection rules of Invoke-WeChatDiagnostic -Live over facts the test writes.</summary>
    public sealed class LiveConnectionRuleTests
    {
        private static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 12, 6, 20, 0, 0, TimeSpan.Zero);

        private static Connection Link(int localPort, string remote = "129.226.1.10", string region = "Overseas", string role = "LongLink", double rtt = 40, long retrans = 0, double at = 10) => new Connection
        {
            ProcessId = 100, ProcessName = "WeChat", LocalAddress = "192.0.2.10", LocalPort = localPort, RemoteAddress = remote, RemotePort = 8080,
            State = "Established", Role = role, MatchedBy = "Process", Region = region, RttMs = rtt, Retransmissions = retrans, Timestamp = T0.AddSeconds(at),
        };

        private static List<Finding> Evaluate(LiveConnectionFacts live, string? clientRegion = null, IReadOnlyList<ConnectionTest>? connects = null) =>
            FindingEngine.Default.Evaluate(new AnalysisFacts { LiveConnections = live, ClientRegion = clientRegion, Connections = connects ?? Array.Empty<ConnectionTest>() })
                .Where(f => f.RuleId is "WeChatNotRunning" or "NoLongLink" or "LongLinkOtherRegion" or "LongLinkSlowRoundTrip" or "LongLinkRetransmitting" or "LongLinkReconnects").ToList();

        private static LiveConnectionFacts Running(params Connection[] now) => new LiveConnectionFacts
        {
            WeChatProcesses = new[] { "WeChat (100)" }, ProcessNames = new[] { "WeChat", "Weixin" }, Connections = now, WatchSeconds = 12,
            FirstReadings = now.ToDictionary(c => c.EndpointKey, c => c),
        };

        [Fact]
        public void NoWeChatProcessIsInfoAndNothingElse()
        {
            var f = Assert.Single(Evaluate(new LiveConnectionFacts { ProcessNames = new[] { "WeChat", "Weixin" }, Connections = Array.Empty<Connection>() }));
            Assert.Equal(("WeChatNotRunning", "Info"), (f.RuleId, f.Severity));
            Assert.Contains("WeChat, Weixin", f.Evidence);
            Assert.Empty(Evaluate(Running(Link(1))));
            Assert.DoesNotContain(FindingEngine.Default.Evaluate(new AnalysisFacts()), x => x.RuleId == "WeChatNotRunning");
        }

        [Fact]
        public void WeChatWithoutAnEstablishedLongLinkIsAnErrorListingWhatItHolds()
        {
            var shortOnly = Link(2, "101.226.5.4", "MainlandChina", role: "ShortLink");
            var closing = Link(3);
            closing.State = "CloseWait";
            var f = Assert.Single(Evaluate(Running(shortOnly, closing)));
            Assert.Equal(("NoLongLink", "Error"), (f.RuleId, f.Severity));
            Assert.Contains("WeChat (100)", f.Title);
            Assert.Contains("101.226.5.4:8080", f.Evidence);
            Assert.Contains("CloseWait", f.Evidence);
        }

        [Fact]
        public void ALongLinkInTheOtherRegionIsAWarningOnlyWhenTheClientsRegionIsKnown()
        {
            var live = Running(Link(1), Link(2, "183.3.224.139", "MainlandChina"));
            var f = Assert.Single(Evaluate(live, "MainlandChina"));
            Assert.Equal("LongLinkOtherRegion", f.RuleId);
            Assert.Contains("129.226.1.10", f.Title);
            Assert.Contains("MainlandChina client", f.Title);
            Assert.Empty(Evaluate(live));
            Assert.Equal("183.3.224.139", Assert.Single(Evaluate(live, "Overseas")).Title.Split(' ').Single(w => w.StartsWith("183.")));
        }

        [Fact]
        public void ALongLinkFarSlowerThanAFreshConnectToTheSameServerIsAWarning()
        {
            var connects = new[] { new ConnectionTest("TcpConnect", "129.226.1.10", null, "129.226.1.10", "Given", 8080, true, 1, 1, 40, new[] { 40.0 }, null, null, null, null, "Overseas", "Tencent") };
            var slow = Assert.Single(Evaluate(Running(Link(1, rtt: 400)), connects: connects));
            Assert.Equal("LongLinkSlowRoundTrip", slow.RuleId);
            Assert.Contains("400 ms", slow.Title);
            Assert.Contains("40 ms", slow.Title);
            Assert.Empty(Evaluate(Running(Link(1, rtt: 110)), connects: connects));   // over 3x, but not 100 ms above
            Assert.Empty(Evaluate(Running(Link(1, rtt: 400))));                       // nothing to compare with
        }

        [Fact]
        public void RetransmissionsClimbingWhileWatchedIsAWarningTheTotalAloneIsNot()
        {
            var first = Link(1, retrans: 50, at: 0);
            var now = Link(1, retrans: 54, at: 10);
            var live = Running(now);
            live.FirstReadings = new Dictionary<string, Connection> { [first.EndpointKey] = first };
            var f = Assert.Single(Evaluate(live));
            Assert.Equal("LongLinkRetransmitting", f.RuleId);
            Assert.Contains(": 4 in 10 s", f.Title);
            Assert.Contains("50 -> 54", f.Evidence);
            live.FirstReadings = new Dictionary<string, Connection> { [first.EndpointKey] = Link(1, retrans: 52, at: 0) };
            Assert.Empty(Evaluate(live));
            Assert.Empty(Evaluate(Running(Link(1, retrans: 5000))));
        }

        [Fact]
        public void MoreThanAHandfulOfNewLongLinksWhileWatchedIsAReconnectStorm()
        {
            ConnectionEvent Opened(int port) => new ConnectionEvent { Change = "Opened", NewState = "Established", Connection = Link(port), Timestamp = T0.AddSeconds(port) };
            var live = Running(Link(9));
            live.Events = Enumerable.Range(1, 4).Select(Opened).ToList();
            var f = Assert.Single(Evaluate(live));
            Assert.Equal("LongLinkReconnects", f.RuleId);
            Assert.Contains("4 times in 12 s", f.Title);
            live.Events = Enumerable.Range(1, 3).Select(Opened).ToList();
            Assert.Empty(Evaluate(live));
        }
    }
}
