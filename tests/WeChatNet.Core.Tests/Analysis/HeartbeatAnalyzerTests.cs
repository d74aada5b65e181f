using System;
using System.Collections.Generic;
using System.Linq;
using WeChatNet.Analysis;
using Xunit;

namespace WeChatNet.Tests.Analysis
{
    public sealed class HeartbeatAnalyzerTests
    {
        private const long S = 1_000_000_000;
        private static readonly long T0 = 1_700_000_000 * S;
        private static readonly HeartbeatOptions Mars = new HeartbeatOptions();

        private static Flow LongLink(int id, double startSec, double endSec, string server = "101.32.104.4:8080", int resets = 0, string resetBy = "None", string fin = "")
            => new Flow
            {
                Id = id, Protocol = "Tcp", Kind = "LongLink", ClientAddress = "192.0.2.10", Client = "192.0.2.10:5000" + id, Server = server,
                Start = DateTimeOffset.FromUnixTimeMilliseconds(0).AddTicks((T0 + (long)(startSec * S)) / 100),
                End = DateTimeOffset.FromUnixTimeMilliseconds(0).AddTicks((T0 + (long)(endSec * S)) / 100),
                Resets = resets, ResetBy = resetBy, FinSequence = fin, Closed = resets > 0 || fin.Contains(','),
            };

        /// <summary>Plaintext heartbeats at the given request times (seconds), each answered after latencyMs unless listed in unanswered.</summary>
        private static List<LongLinkObservation> Beats(IEnumerable<double> times, double latencyMs = 30, params int[] unanswered)
        {
            var list = new List<LongLinkObservation>();
            int i = 0;
            foreach (var t in times)
            {
                long ns = T0 + (long)(t * S);
                list.Add(LongLinkObservation.Frame(ns, true, 6, 0xFFFFFFFF));
                if (!unanswered.Contains(i)) list.Add(LongLinkObservation.Frame(ns + (long)(latencyMs * 1_000_000), false, 1_000_000_006, 0xFFFFFFFF));
                i++;
            }
            return list;
        }

        [Fact]
        public void ALinkTheClientReplacedWhileSilentIsADeathSeenFromBeyondTheNat()
        {
            // At the server: link 1 answered its identify at 0.1 s and fell silent; the phone came back on link 2 at 218.4 s
            // (its heartbeat at 210 s vanished in the NAT, it gave up 8 s later).
            var one = LongLink(1, 0, 0.1);
            var two = LongLink(2, 218.4, 300, fin: "Client,Server");
            two.PayloadToServer = 64;
            var server = new List<LongLinkObservation> { LongLinkObservation.Frame(T0 + S / 20, true, 205, 0xFFFFFFFE), LongLinkObservation.Frame(T0 + S / 10, false, 1_000_000_205, 0xFFFFFFFE) };
            var r = HeartbeatAnalyzer.Analyze(new[] { one, two }, id => id == 1 ? server : new List<LongLinkObservation>(), Mars);
            Assert.Equal("Replaced", r[0].Ending);
            Assert.True(r[0].Died);
            Assert.Equal(210.3, r[0].IdleBeforeEndSec!.Value, 6);
            Assert.Equal(2, r[0].ReconnectFlowId);
            Assert.Null(r[0].ReconnectAfterMs);
            Assert.Equal("ClosedByClient", r[1].Ending);
        }

        [Fact]
        public void PhonesBehindOneNatDoNotReplaceEachOthersLinks()
        {
            // Seen from the server, one address holds two phones' links that overlap: a link that falls silent while another
            // starts later is not a death.
            var a = LongLink(1, 0, 100);
            var b = LongLink(2, 50, 400);
            var c = LongLink(3, 150, 500);
            var r = HeartbeatAnalyzer.Analyze(new[] { a, b, c }, id => Beats(new[] { 1.0 }).Select(o => { o.TimestampNs += (id - 1) * 50 * S; return o; }).ToList(), Mars);
            Assert.All(r, h => Assert.Equal("Open", h.Ending));
            Assert.DoesNotContain(r, h => h.Died);
        }

        /// <summary>Heartbeat times for a link that came up at 0 s: the first interval runs from the start.</summary>
        private static IEnumerable<double> Cumulative(params double[] intervals)
        {
            double t = 0;
            foreach (var i in intervals) yield return t += i;
        }

        [Fact]
        public void MarsProbingUpIsRecognisedWithLatencies()
        {
            var times = Cumulative(210, 270, 330, 390, 450).ToList();
            var r = HeartbeatAnalyzer.AnalyzeOne(LongLink(1, 0, times.Last() + 10), Beats(times, latencyMs: 42), Mars);
            Assert.Equal(5, r.Count);
            Assert.Equal(5, r.Replies);
            Assert.Equal(0, r.Missed);
            Assert.Equal(new[] { 210.0, 270, 330, 390, 450 }, r.IntervalsSec.Select(x => Math.Round(x, 6)));
            Assert.Equal(210, r.IntervalMinSec!.Value, 6);
            Assert.Equal(330, r.IntervalMedianSec!.Value, 6);
            Assert.Equal(450, r.IntervalMaxSec!.Value, 6);
            Assert.Equal(42, r.ReplyLatencyP50Ms!.Value, 3);
            Assert.Equal(42, r.ReplyLatencyP95Ms!.Value, 3);
            Assert.StartsWith("Mars smart heartbeat probing up from 210 s in 60 s steps", r.Pattern);
            Assert.Equal("Open", r.Ending);
            Assert.False(r.Died);
            Assert.Equal("Plaintext", r.Method);
        }

        [Fact]
        public void StuckAtTheMinimumIsCalledOut()
        {
            var times = Cumulative(210, 210, 211, 209).ToList();
            var r = HeartbeatAnalyzer.AnalyzeOne(LongLink(1, 0, 900), Beats(times), Mars);
            Assert.StartsWith("Stuck at the 210 s minimum", r.Pattern);
        }

        [Fact]
        public void BackOffAndCeilingAreRecognised()
        {
            Assert.Contains("backing off 20 s", HeartbeatAnalyzer.DescribeIntervals(new[] { 210.0, 270, 330, 310, 310 }, Mars));
            Assert.StartsWith("Stable near the 600 s ceiling", HeartbeatAnalyzer.DescribeIntervals(new[] { 580.0, 580, 580 }, Mars));
            Assert.EndsWith("reaching the 600 s ceiling", HeartbeatAnalyzer.DescribeIntervals(new[] { 210.0, 270, 330, 390, 450, 510, 570, 600 }, Mars));
            Assert.StartsWith("Fixed about 60 s (below Mars' 210 s minimum", HeartbeatAnalyzer.DescribeIntervals(new[] { 60.0, 60, 61, 59 }, Mars));
            Assert.StartsWith("Irregular", HeartbeatAnalyzer.DescribeIntervals(new[] { 30.0, 400, 90 }, Mars));
            Assert.Equal("Too few heartbeats to judge", HeartbeatAnalyzer.DescribeIntervals(Array.Empty<double>(), Mars));
        }

        [Fact]
        public void ADeadLinkIsAnUnansweredHeartbeatThenACloseAndTheReconnectIsFound()
        {
            var times = Cumulative(210, 270, 330).ToList(); // the third heartbeat (at 810 s) gets no reply
            var dead = LongLink(1, 0, times.Last() + 8.2, resets: 1, resetBy: "Client");
            var next = LongLink(2, times.Last() + 8.7, times.Last() + 100, server: "43.130.30.240:8080");
            var obs = new Dictionary<int, IReadOnlyList<LongLinkObservation>>
            {
                [1] = Beats(times, 30, 2),
                [2] = Beats(new[] { times.Last() + 9 }),
            };
            var reports = HeartbeatAnalyzer.Analyze(new[] { next, dead }, id => obs[id], Mars);
            var r = reports.Single(x => x.FlowId == 1);
            Assert.Equal(3, r.Count);
            Assert.Equal(2, r.Replies);
            Assert.Equal(1, r.Missed);
            Assert.True(r.Died);
            Assert.Equal("ResetByClient", r.Ending);
            Assert.Equal(2, r.ReconnectFlowId);
            Assert.Equal("43.130.30.240:8080", r.ReconnectServer);
            Assert.Equal(500, r.ReconnectAfterMs!.Value, 3);
            Assert.Equal(1, r.Reconnects);
            // From the last reply (to the beat at 480 s) to the beat at 810 s that went unanswered.
            Assert.Equal(330 - 0.03, r.IdleBeforeEndSec!.Value, 3);
            Assert.False(reports.Single(x => x.FlowId == 2).Died);
        }

        [Fact]
        public void AServerCloseAfterAnsweredHeartbeatsIsNotADeath()
        {
            var times = Cumulative(210).ToList();
            var r = HeartbeatAnalyzer.AnalyzeOne(LongLink(1, 0, 300, fin: "Server,Client"), Beats(times), Mars);
            Assert.Equal(new[] { 210.0 }, r.IntervalsSec);
            Assert.Equal("ClosedByServer", r.Ending);
            Assert.False(r.Died);
            Assert.Equal(0, r.Missed);
        }

        [Fact]
        public void EncryptedHeartbeatsAreToldBySizeAndTiming()
        {
            var obs = new List<LongLinkObservation>();
            foreach (var t in Cumulative(210, 270, 330))
            {
                long ns = T0 + (long)(t * S);
                obs.Add(LongLinkObservation.Record(ns, true, 0x20));
                obs.Add(LongLinkObservation.Record(ns + 50_000_000, false, 0x20));
                obs.Add(LongLinkObservation.Record(ns + 2 * S, false, 0x1F4)); // a push of other size: not a heartbeat
            }
            var r = HeartbeatAnalyzer.AnalyzeOne(LongLink(1, 0, 900), obs, Mars);
            Assert.Equal("SizeAndTiming", r.Method);
            Assert.Equal(3, r.Count);
            Assert.Equal(3, r.Replies);
            Assert.Equal(50, r.ReplyLatencyP50Ms!.Value, 3);
        }

        [Fact]
        public void AReplyAfterTheDeadlineCountsAsMissed()
        {
            var r = HeartbeatAnalyzer.AnalyzeOne(LongLink(1, 0, 600), Beats(Cumulative(210, 270), latencyMs: 9000), Mars);
            Assert.Equal(2, r.Missed);
            Assert.Equal(0, r.Replies);
        }

        [Fact]
        public void PercentilesInterpolate()
        {
            Assert.Equal(2.5, HeartbeatAnalyzer.Percentile(new[] { 1.0, 2, 3, 4 }, 50), 6);
            Assert.Equal(3.85, HeartbeatAnalyzer.Percentile(new[] { 1.0, 2, 3, 4 }, 95), 6);
        }
    }
}
