using System.Linq;
using WeChatNet.Analysis;
using Xunit;

namespace WeChatNet.Tests.Analysis
{
    public sealed class HeartbeatLogTests
    {
        private const long S = 1_000_000_000;

        [Fact]
        public void KeepsHeartbeatsAndTheLastServerMessagesOnlyAndAnalysesTheSame()
        {
            var options = new HeartbeatOptions();
            var all = new System.Collections.Generic.List<LongLinkObservation>();
            long t = 0;
            for (int beat = 0; beat < 5; beat++)
            {
                for (int i = 0; i < 1000; i++) // pushes and syncs between heartbeats
                {
                    all.Add(LongLinkObservation.Frame(t += S / 100, i % 2 == 0, 121 + (i % 2) * 1_000_000_000L, i));
                }
                all.Add(LongLinkObservation.Frame(t += 200 * S, true, 6, 0xFFFFFFFF));
                if (beat < 4) all.Add(LongLinkObservation.Frame(t += S / 20, false, 1_000_000_006, 0xFFFFFFFF));
            }
            var log = new HeartbeatLog(options);
            foreach (var o in all) log.Add(o);
            var kept = log.ToList();
            Assert.True(kept.Count <= 5 * 3 + 1, $"{kept.Count} kept");

            var flow = new Flow { Id = 1, Protocol = "Tcp", Kind = "LongLink", Start = System.DateTimeOffset.FromUnixTimeSeconds(0),
                End = System.DateTimeOffset.FromUnixTimeSeconds(0).AddTicks((t + 8 * S) / 100), Resets = 1, ResetBy = "Client", Closed = true };
            var full = HeartbeatAnalyzer.AnalyzeOne(flow, all, options);
            var lean = HeartbeatAnalyzer.AnalyzeOne(flow, kept, options);
            Assert.Equal(full.Count, lean.Count);
            Assert.Equal(full.Replies, lean.Replies);
            Assert.Equal(full.Missed, lean.Missed);
            Assert.Equal(full.IntervalsSec, lean.IntervalsSec);
            Assert.Equal(full.Died, lean.Died);
            Assert.True(lean.Died);
            Assert.Equal(full.IdleBeforeEndSec, lean.IdleBeforeEndSec);
            Assert.Equal(full.Method, lean.Method);
        }
    }
}
