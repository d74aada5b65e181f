using System.Collections.Generic;
using System.Linq;
using System.Net;
using WeChatNet.Route;
using Xunit;

namespace WeChatNet.Tests.Route
{
    public sealed class HopStatisticsTests
    {
        private static readonly RouteHop Template = new RouteHop { Target = "t", TargetAddress = "198.18.7.2", Protocol = "Icmp" };

        private static Probe Answered(int ttl, int round, string from, double rtt, ReplyKind kind = ReplyKind.TimeExceeded, bool fromTarget = false) =>
            new Probe(round, ttl, round, 1) { State = ProbeState.Answered, Responder = IPAddress.Parse(from), RttMs = rtt, Kind = kind, FromTarget = fromTarget };

        private static Probe Lost(int ttl, int round) => new Probe(round, ttl, round, 1) { State = ProbeState.TimedOut };

        [Fact]
        public void StatisticsFollowMtr()
        {
            var hop = HopStatistics.Build(3, new[]
            {
                Answered(3, 0, "198.18.3.2", 10), Lost(3, 1), Answered(3, 2, "198.18.4.2", 14), Answered(3, 3, "198.18.4.2", 12),
                new Probe(9, 3, 4, 1) { State = ProbeState.InFlight }, // not settled: left out
            }, Template);
            Assert.Equal(3, hop.Hop);
            Assert.Equal(4, hop.Sent);
            Assert.Equal(3, hop.Received);
            Assert.Equal(25, hop.LossPercent);
            Assert.Equal(12, hop.LastMs);
            Assert.Equal(12, hop.AvgMs);
            Assert.Equal(10, hop.BestMs);
            Assert.Equal(14, hop.WorstMs);
            Assert.Equal(2, hop.StDevMs);
            Assert.Equal(new[] { "198.18.3.2", "198.18.4.2" }, hop.Addresses); // the path branches: both are reported
            Assert.Equal("198.18.4.2", hop.Address);                           // the one that answered most
            Assert.False(hop.IsDestination);
            Assert.Equal("Icmp", hop.Protocol);
        }

        [Theory]
        [InlineData("198.18.4.2", "Special", null)]          // benchmarking range (the test topologies)
        [InlineData("101.32.104.4", "Overseas", "Tencent")]  // Tencent Cloud overseas
        [InlineData("183.3.224.139", "MainlandChina", null)] // Guangdong carrier space
        public void HopsCarryTheRegionAndOwnerOfTheirAddress(string address, string region, string? owner)
        {
            var hop = HopStatistics.Build(1, new[] { Answered(1, 0, address, 5) }, Template);
            Assert.Equal(region, hop.Region);
            Assert.Equal(owner, hop.Owner);
        }

        [Fact]
        public void AHopThatNeverAnsweredHasNoTimes()
        {
            var hop = HopStatistics.Build(2, new[] { Lost(2, 0), Lost(2, 1) }, Template);
            Assert.Equal(2, hop.Sent);
            Assert.Equal(0, hop.Received);
            Assert.Equal(100, hop.LossPercent);
            Assert.Null(hop.Address);
            Assert.Null(hop.Region);
            Assert.Null(hop.AvgMs);
            Assert.Null(hop.StDevMs);
        }

        private static RouteHop H(int n, int sent, int received, double? best, bool dest = false, string reply = "TimeExceeded") => new RouteHop
        {
            Hop = n, Sent = sent, Received = received, LossPercent = sent == 0 ? 0 : 100.0 * (sent - received) / sent,
            BestMs = received > 0 ? best : null, AvgMs = received > 0 ? best : null, Address = received > 0 ? "198.18.0." + n : null,
            IsDestination = dest, Reply = received > 0 ? reply : null,
        };

        [Fact]
        public void LossThatDoesNotCarryOnIsRateLimitingAndLossThatDoesIsReal()
        {
            var hops = new List<RouteHop> { H(1, 10, 10, 0.1), H(2, 10, 4, 0.2), H(3, 10, 10, 0.3), H(4, 10, 7, 0.4), H(5, 10, 7, 0.5), H(6, 10, 7, 0.6, dest: true, reply: "EchoReply") };
            HopStatistics.Annotate(hops);
            Assert.Null(hops[0].Note);
            Assert.Contains("not real loss", hops[1].Note);
            Assert.Contains("0% at hop 3", hops[1].Note);
            Assert.Null(hops[2].Note);
            Assert.Contains("Loss begins here and carries on", hops[3].Note);
            Assert.DoesNotContain("not real loss", hops[4].Note ?? "");
            Assert.Null(hops[5].Note);
        }

        [Fact]
        public void SilentHopsAndATraceThatStopsAreTold()
        {
            var hops = new List<RouteHop> { H(1, 3, 3, 1), H(2, 3, 0, null), H(3, 3, 3, 2), H(4, 3, 0, null) };
            HopStatistics.Annotate(hops);
            Assert.Contains("Not loss: later hops answer", hops[1].Note);
            Assert.Contains("No reply from here on", hops[3].Note);
        }

        [Fact]
        public void TheBiggestLatencyStepIsFlaggedWhereItBegins()
        {
            // 1 -> 2 ms, 2 -> 3 ms, then +150 ms at hop 4 (an ocean), a silent hop 5 is skipped, hop 6 +2 ms.
            var hops = new List<RouteHop> { H(1, 3, 3, 1), H(2, 3, 3, 2), H(3, 3, 3, 3), H(4, 3, 3, 153), H(5, 3, 0, null), H(6, 3, 3, 155, dest: true) };
            HopStatistics.Annotate(hops);
            Assert.Equal(new[] { false, false, false, true, false, false }, hops.Select(h => h.IsBiggestStep));
            Assert.Equal(150, hops[3].StepMs);
            Assert.Equal(2, hops[5].StepMs);
            Assert.Null(hops[4].StepMs);
            Assert.Contains("Biggest latency step", hops[3].Note);
        }

        [Fact]
        public void ABiggestStepAtTheFirstHopIsOverThisMachineNotAHopBefore()
        {
            // The first router answering 40 ms away (a slow first link: Wi-Fi, DSL) is the biggest step; there is no hop before it.
            var hops = new List<RouteHop> { H(1, 3, 3, 40), H(2, 3, 3, 41), H(3, 3, 3, 42, dest: true) };
            HopStatistics.Annotate(hops);
            Assert.True(hops[0].IsBiggestStep);
            Assert.Equal("Biggest latency step on the path: +40 ms (best RTT) from this machine to this hop.", hops[0].Note);
        }

        [Fact]
        public void StepsBelowAMillisecondAreJitterNotFlagged()
        {
            var hops = new List<RouteHop> { H(1, 3, 3, 0.1), H(2, 3, 3, 0.5), H(3, 3, 3, 0.3, dest: true) };
            HopStatistics.Annotate(hops);
            Assert.DoesNotContain(hops, h => h.IsBiggestStep);
        }

        [Fact]
        public void ARouterThatSaysUnreachableIsExplained()
        {
            var hops = new List<RouteHop> { H(1, 3, 3, 1), H(2, 3, 3, 2, reply: "NetworkUnreachable") };
            HopStatistics.Annotate(hops);
            Assert.Contains("answered NetworkUnreachable", hops[1].Note);
        }

        [Fact]
        public void MissingUnreachableRepliesAtTheLastRouterAreItsRateLimitNotLoss()
        {
            // Seen through a namespace router without a route to the target: every probe of TTL 5 and up reaches it at once,
            // Linux answers unreachables a burst of 5 then 1 a second, so later rounds of hop 5 go unanswered. That is the
            // router limiting its errors, not loss that "begins here and carries on" (there is nothing after it).
            var hops = new List<RouteHop> { H(1, 3, 3, 1), H(2, 3, 3, 2), H(3, 3, 1, 3, reply: "NetworkUnreachable") };
            HopStatistics.Annotate(hops);
            Assert.DoesNotContain("Loss begins here", hops[2].Note);
            Assert.Contains("answered NetworkUnreachable", hops[2].Note);
            Assert.Contains("rate-limit", hops[2].Note);
        }
    }
}
