using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using WeChatNet.Packets;
using WeChatNet.Streams;
using Xunit;

namespace WeChatNet.Tests.Streams
{
    public sealed class TcpStreamReassemblerTests
    {
        internal sealed class Recorder : ITcpStreamSink
        {
            public readonly MemoryStream Data = new MemoryStream();
            public readonly List<long> Gaps = new List<long>();
            public TcpStreamEnd? End;
            public int EndCalls;
            public void OnData(ReadOnlySpan<byte> data, long ts) { Assert.Null(End); Data.Write(data.ToArray(), 0, data.Length); }
            public void OnGap(long missingBytes, long ts) { Assert.Null(End); Gaps.Add(missingBytes); }
            public void OnEnd(TcpStreamEnd reason, long ts) { End = reason; EndCalls++; }
        }

        private static (TcpStreamReassembler R, Recorder Sink, TcpMemoryBudget Budget) Create(TcpReassemblyOptions? options = null, TcpMemoryBudget? budget = null)
        {
            options ??= new TcpReassemblyOptions();
            budget ??= new TcpMemoryBudget(options.MaxBufferedBytesTotal);
            var sink = new Recorder();
            return (new TcpStreamReassembler(sink, options, budget), sink, budget);
        }

        private static byte[] Bytes(int n, int seed = 1) { var b = new byte[n]; new Random(seed).NextBytes(b); return b; }

        private static void Add(TcpStreamReassembler r, uint seq, byte[] data, int offset, int length, TcpFlags flags = TcpFlags.Ack)
            => r.Add(new StreamSegment(seq, flags, new ReadOnlySpan<byte>(data, offset, length), 0));

        [Fact]
        public void InOrderSegmentsAfterSynAreDeliveredAsOneStream()
        {
            var (r, sink, _) = Create();
            var data = Bytes(100);
            r.Add(new StreamSegment(1000, TcpFlags.Syn, default, 0));
            Add(r, 1001, data, 0, 40);
            Add(r, 1041, data, 40, 60);
            Assert.Equal(data, sink.Data.ToArray());
            Assert.Empty(sink.Gaps);
            Assert.Equal(100, r.DeliveredBytes);
        }

        [Fact]
        public void EverySplitIntoTwoAndThreeSegmentsGivesTheSameBytes()
        {
            var data = Bytes(24);
            for (int a = 1; a < data.Length; a++)
                for (int b = a; b < data.Length; b++)
                {
                    var (r, sink, _) = Create();
                    uint isn = 0xFFFFFFF0; // wraps around 2^32 inside the stream
                    r.Add(new StreamSegment(isn, TcpFlags.Syn, default, 0));
                    // deliver third part first, then first, then second: out of order
                    Add(r, isn + 1 + (uint)b, data, b, data.Length - b);
                    Add(r, isn + 1, data, 0, a);
                    Add(r, isn + 1 + (uint)a, data, a, b - a);
                    Assert.Equal(data, sink.Data.ToArray());
                    Assert.Empty(sink.Gaps);
                    Assert.Equal(0, r.BufferedBytes);
                }
        }

        [Fact]
        public void ShuffledDuplicatedAndOverlappingSegmentsDeliverEachByteOnce()
        {
            var data = Bytes(2000, 7);
            for (int seed = 0; seed < 50; seed++)
            {
                var rnd = new Random(seed);
                var segs = new List<(int Off, int Len)>();
                int off = 0;
                while (off < data.Length)
                {
                    int len = Math.Min(rnd.Next(1, 200), data.Length - off);
                    segs.Add((off, len));
                    // overlapping retransmission covering part of this and the next segment
                    if (rnd.Next(3) == 0) segs.Add((Math.Max(0, off - rnd.Next(0, 50)), Math.Min(rnd.Next(1, 300), data.Length - Math.Max(0, off - 50))));
                    off += len;
                }
                segs.AddRange(segs.Where(_ => rnd.Next(4) == 0).ToList()); // exact duplicates
                var order = segs.OrderBy(_ => rnd.Next()).ToList();
                var (r, sink, budget) = Create();
                r.Add(new StreamSegment(5000, TcpFlags.Syn, default, 0));
                foreach (var (o, l) in order) Add(r, 5001 + (uint)o, data, o, Math.Min(l, data.Length - o));
                Assert.Equal(data, sink.Data.ToArray());
                Assert.Empty(sink.Gaps);
                Assert.Equal(0, budget.Used);
            }
        }

        [Fact]
        public void FirstCopyOfOverlappingBytesWins()
        {
            var (r, sink, _) = Create();
            r.Add(new StreamSegment(0, TcpFlags.Syn, default, 0));
            Add(r, 1, new byte[] { 1, 2, 3, 4 }, 0, 4);
            Add(r, 3, new byte[] { 9, 9, 5, 6 }, 0, 4); // bytes 3..4 overlap with different content
            Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, sink.Data.ToArray());
            Assert.Equal(2, r.DuplicateBytes);
        }

        [Fact]
        public void HoleThatExceedsTheBufferLimitIsReportedAsGapAndSkipped()
        {
            var options = new TcpReassemblyOptions { MaxBufferedBytesPerStream = 100 };
            var (r, sink, budget) = Create(options);
            r.Add(new StreamSegment(0, TcpFlags.Syn, default, 0));
            var data = Bytes(400);
            Add(r, 1, data, 0, 50);
            // bytes 50..99 are never captured
            Add(r, 101, data, 100, 60);
            Add(r, 161, data, 160, 60); // 120 bytes pending > 100: skip the hole
            Assert.Equal(new long[] { 50 }, sink.Gaps);
            Add(r, 221, data, 220, 180);
            Assert.Equal(data.Take(50).Concat(data.Skip(100)).ToArray(), sink.Data.ToArray());
            Assert.Equal(0, budget.Used);
            Assert.Equal(50, r.GapBytes);
        }

        [Fact]
        public void OverallBudgetIsSharedAndNeverExceeded()
        {
            var options = new TcpReassemblyOptions { MaxBufferedBytesTotal = 150 };
            var budget = new TcpMemoryBudget(options.MaxBufferedBytesTotal);
            var streams = Enumerable.Range(0, 4).Select(_ => Create(options, budget)).ToList();
            var data = Bytes(1000);
            foreach (var (r, _, _) in streams) { r.Add(new StreamSegment(0, TcpFlags.Syn, default, 0)); Add(r, 1, data, 0, 10); }
            for (int i = 0; i < 10; i++)
                foreach (var (r, _, b) in streams)
                {
                    Add(r, (uint)(100 + i * 50), data, 99 + i * 50, 50); // all out of order
                    Assert.True(b.Used <= 150);
                }
            Assert.True(budget.Peak <= 150);
            Assert.All(streams, s => Assert.NotEmpty(s.Sink.Gaps));
        }

        [Fact]
        public void FinEndsTheStreamOnceAllBytesBeforeItArrived()
        {
            var (r, sink, _) = Create();
            r.Add(new StreamSegment(0, TcpFlags.Syn, default, 0));
            var data = Bytes(20);
            Add(r, 11, data, 10, 10, TcpFlags.Fin | TcpFlags.Ack);
            Assert.Null(sink.End);
            Add(r, 1, data, 0, 10);
            Assert.Equal(TcpStreamEnd.Fin, sink.End);
            Assert.Equal(data, sink.Data.ToArray());
            Add(r, 1, data, 0, 10); // late retransmission
            Assert.Equal(1, r.LateSegments);
            Assert.Equal(1, sink.EndCalls);
        }

        [Fact]
        public void ResetReleasesBufferedDataWithItsGaps()
        {
            var (r, sink, budget) = Create();
            r.Add(new StreamSegment(0, TcpFlags.Syn, default, 0));
            var data = Bytes(30);
            Add(r, 1, data, 0, 10);
            Add(r, 21, data, 20, 10);
            r.Add(new StreamSegment(31, TcpFlags.Rst, default, 0));
            Assert.Equal(TcpStreamEnd.Reset, sink.End);
            Assert.Equal(new long[] { 10 }, sink.Gaps);
            Assert.Equal(data.Take(10).Concat(data.Skip(20)).ToArray(), sink.Data.ToArray());
            Assert.Equal(0, budget.Used);
        }

        [Fact]
        public void ReleaseReportsAMissingTailBeforeFin()
        {
            var (r, sink, _) = Create();
            r.Add(new StreamSegment(0, TcpFlags.Syn, default, 0));
            var data = Bytes(30);
            Add(r, 1, data, 0, 10);
            Add(r, 21, data, 20, 10, TcpFlags.Fin);
            r.Release(TcpStreamEnd.Idle, 0);
            Assert.Equal(TcpStreamEnd.Idle, sink.End);
            Assert.Equal(new long[] { 10 }, sink.Gaps);
        }

        [Fact]
        public void CaptureStartingMidStreamStartsAtTheFirstSegmentSeen()
        {
            var (r, sink, _) = Create();
            var data = Bytes(30);
            Add(r, 777, data, 0, 15);
            Add(r, 792, data, 15, 15);
            Assert.Equal(data, sink.Data.ToArray());
        }

        [Fact]
        public void SegmentCountLimitAlsoBoundsTheBuffer()
        {
            var (r, sink, _) = Create(new TcpReassemblyOptions { MaxBufferedSegmentsPerStream = 3 });
            r.Add(new StreamSegment(0, TcpFlags.Syn, default, 0));
            var data = Bytes(100);
            for (int i = 1; i <= 5; i++) Add(r, (uint)(1 + i * 10), data, i * 10, 5);
            Assert.True(r.BufferedSegments <= 3);
            Assert.NotEmpty(sink.Gaps);
        }

        [Fact]
        public void OptionsRejectNonsense()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new TcpReassemblyOptions { MaxConnections = 0 }.Validate());
            Assert.Throws<ArgumentOutOfRangeException>(() => new TcpReassemblyOptions { IdleTimeout = TimeSpan.Zero }.Validate());
            new TcpReassemblyOptions().Validate();
        }
    }
}
