using System;
using System.Linq;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.WeChat
{
    public sealed class LongLinkDecodingTests
    {
        // The three examples of wechat-wire-facts.md section 2, byte for byte.
        //   offset 0: total length | 4: header length 0x0010 | 6: version 0x0001 | 8: command | 12: sequence
        private const string Heartbeat = "00000010 0010 0001 00000006 FFFFFFFF";
        private const string HeartbeatReply = "00000010 0010 0001 3B9ACA06 00000000"; // Mars' own test fixture
        private const string PushNotify = "00000014 0010 0001 00000018 00000000 00000002"; // + 4-byte body

        [Fact]
        public void FactsExamplesDecodeByteForByte()
        {
            var h = new TrafficHarness();
            var c = h.Connect("192.168.1.20", 40000, "101.32.104.4", 8080);
            c.Client(Heartbeat);
            c.Server(HeartbeatReply);
            c.Server(PushNotify);
            var frames = h.Of<LongLinkFrame>().ToList();
            Assert.Equal(3, frames.Count);

            var hb = frames[0];
            Assert.Equal(("Heartbeat", 6L, 0xFFFFFFFFL, "Heartbeat", 16L, 0L, false), (hb.CommandName, hb.Command, hb.Sequence, hb.SequenceKind, hb.Length, hb.BodyLength, hb.IsReply));
            Assert.Equal("ClientToServer", hb.Direction);
            Assert.Equal("WeChat16", hb.HeaderFormat);
            Assert.Equal(1, hb.Version);
            Assert.Equal("192.168.1.20:40000 -> 101.32.104.4:8080", hb.Connection);
            Assert.Equal("LongLink", hb.Role);

            var reply = frames[1];
            Assert.Equal(("HeartbeatReply", 1000000006L, 0L, true, 6L), (reply.CommandName, reply.Command, reply.Sequence, reply.IsReply, reply.RequestCommand!.Value));
            Assert.Equal("ServerToClient", reply.Direction);
            Assert.Equal(1.0, reply.RoundTripMs); // harness advances 1 ms per segment

            var push = frames[2];
            Assert.Equal(("PushNotify", 24L, 0L, "Push", 20L, 4L), (push.CommandName, push.Command, push.Sequence, push.SequenceKind, push.Length, push.BodyLength));
        }

        [Fact]
        public void SequenceConventionsAndCommandNames()
        {
            Assert.Equal("Identify", LongLinkCommands.SequenceKind(0xFFFFFFFE));
            Assert.Equal("Request", LongLinkCommands.SequenceKind(7));
            Assert.Equal("SyncDone", LongLinkCommands.Name(1000000190));
            Assert.False(LongLinkCommands.IsReply(1000000190));
            Assert.True(LongLinkCommands.IsReply(1000000121));
            Assert.Equal("SyncReply", LongLinkCommands.Name(1000000121));
            Assert.Equal("Reply(999)", LongLinkCommands.Name(1000000999));
            Assert.Equal("Cmd(77)", LongLinkCommands.Name(77));
            Assert.Equal("SignallingKeepAlive", LongLinkCommands.Name(243));
            Assert.Equal("Login", LongLinkCommands.Name(253));
            Assert.Equal("PushData", LongLinkCommands.Name(122));
        }

        private static byte[] Stream() => TrafficHarness.Hex(
            Heartbeat + PushNotify /* its 4-byte body is 00000002 */ + HeartbeatReply
            + "00000019 0010 0001 00000079 00000003 0102030405060708 09" /* sync request seq 3 with 9-byte body */
            + "00000010 0010 0001 3B9ACA79 00000003" /* sync reply */
            + "00000010 0010 0001 3B9ACAE6 00000000" /* sync-done 1000000190 */);

        private static string Describe(TrafficHarness h) => string.Join("|", h.Of<LongLinkFrame>().Select(f => $"{f.Command}/{f.Sequence}/{f.Length}"));

        [Fact]
        public void EveryTwoAndThreeWaySplitGivesIdenticalFrames()
        {
            var data = Stream();
            var reference = new TrafficHarness();
            var rc = reference.Connect("10.0.0.2", 50000, "10.9.9.9", 8080);
            rc.Client(data);
            string expected = Describe(reference);
            Assert.Equal(6, reference.Of<LongLinkFrame>().Count());
            for (int a = 1; a < data.Length; a++)
            {
                var h = new TrafficHarness();
                h.Connect("10.0.0.2", 50000, "10.9.9.9", 8080).Client(data, a);
                Assert.Equal(expected, Describe(h));
                for (int b = 1; a + b < data.Length; b += 7)
                {
                    var h3 = new TrafficHarness();
                    h3.Connect("10.0.0.2", 50000, "10.9.9.9", 8080).Client(data, a, b);
                    Assert.Equal(expected, Describe(h3));
                }
            }
        }

        [Fact]
        public void ShuffledSegmentsWithDuplicatesGiveIdenticalFrames()
        {
            var data = Stream();
            var reference = new TrafficHarness();
            reference.Connect("10.0.0.2", 50000, "10.9.9.9", 8080).Client(data);
            string expected = Describe(reference);
            for (int seed = 0; seed < 200; seed++)
            {
                var rnd = new Random(seed);
                var h = new TrafficHarness();
                var c = h.Connect("10.0.0.2", 50000, "10.9.9.9", 8080);
                var pieces = new System.Collections.Generic.List<(int Off, int Len)>();
                for (int off = 0; off < data.Length;)
                {
                    int len = Math.Min(rnd.Next(1, 20), data.Length - off);
                    pieces.Add((off, len));
                    off += len;
                }
                var sends = pieces.Concat(pieces.Where(_ => rnd.Next(3) == 0)).OrderBy(_ => rnd.Next()).ToList();
                foreach (var (off, len) in sends)
                    c.Raw(true, c.ClientSeq + (uint)off, WeChatNet.Packets.TcpFlags.Ack, data, off, len);
                Assert.Equal(expected, Describe(h));
                Assert.Empty(h.Of<StreamEvent>());
            }
        }

        [Theory]
        [InlineData("0000000F 0010 0001 00000006 FFFFFFFF", "frame length 15 is below the 16-byte header")]
        [InlineData("00000010 0014 0001 00000006 FFFFFFFF", "header length is 20, not 16")]
        [InlineData("7FFFFFFF 0010 0001 00000006 FFFFFFFF", "beyond the 16777216-byte bound")]
        public void ImplausibleHeaderEndsLongLinkDecodingWithAReason(string bad, string reason)
        {
            var h = new TrafficHarness();
            var c = h.Connect("10.0.0.2", 50000, "10.9.9.9", 8080);
            c.Client(Heartbeat);
            c.Client(bad);
            c.Client(Heartbeat); // not decoded any more
            Assert.Single(h.Of<LongLinkFrame>());
            var stop = Assert.Single(h.Of<StreamEvent>());
            Assert.Equal("DecodingStopped", stop.Event);
            Assert.Contains(reason, stop.Reason);
            Assert.Contains("after 1 frames", stop.Reason);
        }

        [Fact]
        public void MarsDemoHeaderIsRecognisedAndLabelled()
        {
            // Mars demo packer: header length 20 | client version | cmd id | seq | body length
            var h = new TrafficHarness();
            var c = h.Connect("10.0.0.2", 50000, "10.9.9.9", 8081);
            c.Client("00000014 26060030 00000006 00000001 00000003 AABBCC 00000014 26060030 00000018 00000002 00000000");
            var frames = h.Of<LongLinkFrame>().ToList();
            Assert.Equal(2, frames.Count);
            Assert.All(frames, f => Assert.Equal("MarsDemo20", f.HeaderFormat));
            Assert.Equal((6L, 1L, 23L, 3L, 0x26060030L), (frames[0].Command, frames[0].Sequence, frames[0].Length, frames[0].BodyLength, frames[0].Version));
            Assert.Contains("Mars demo header", frames[0].Summary);
        }

        [Fact]
        public void PushNotifyIsNotMistakenForMarsDemo()
        {
            Assert.False(LongLinkHeader.LooksLikeMarsDemo(TrafficHarness.Hex(PushNotify)));
        }

        [Fact]
        public void LonePayloadDecodesWithoutConnection()
        {
            var h = new TrafficHarness();
            Assert.True(h.Decoder.AddPayload(TrafficHarness.Hex(Heartbeat + HeartbeatReply), h.Ticks));
            var frames = h.Of<LongLinkFrame>().ToList();
            Assert.Equal(2, frames.Count);
            Assert.Equal("", frames[0].Connection);
            Assert.Equal("Unknown", frames[0].Direction);
            Assert.False(h.Decoder.AddPayload(TrafficHarness.Hex("0102030405060708090A0B0C0D0E0F10"), h.Ticks));
        }

        [Fact]
        public void TruncatedLonePayloadSaysSo()
        {
            var h = new TrafficHarness();
            Assert.True(h.Decoder.AddPayload(TrafficHarness.Hex(PushNotify).Take(18).ToArray(), h.Ticks));
            var stop = Assert.Single(h.Of<StreamEvent>());
            Assert.Contains("2 bytes short", stop.Reason);
        }

        [Fact]
        public void GapResynchronisesAtTheNextFrameStart()
        {
            var h = new TrafficHarness();
            var c = h.Connect("10.0.0.2", 50000, "10.9.9.9", 8080);
            var hb = TrafficHarness.Hex(Heartbeat);
            c.Client(hb);
            c.ClientSeq += 40; // 40 bytes never captured
            var opts = c.ClientSeq;
            // buffer limit forces the skip: send many frames after the hole
            for (int i = 0; i < 3; i++) c.Client(hb);
            h.Decoder.Complete();
            Assert.Equal(4, h.Of<LongLinkFrame>().Count());
            var gap = Assert.Single(h.Of<StreamEvent>(), e => e.Event == "Gap");
            Assert.Equal(40, gap.Bytes);
            _ = opts;
        }

        [Fact]
        public void DeadLinkHeartbeatWithoutReplyThenResetIsReported()
        {
            var h = new TrafficHarness();
            var c = h.Connect("10.0.0.2", 50000, "10.9.9.9", 8080);
            c.Client(Heartbeat);
            c.Reset(true);
            Assert.Single(h.Of<LongLinkFrame>());
            var reset = Assert.Single(h.Of<StreamEvent>());
            Assert.Equal("Reset", reset.Event);
            Assert.Equal("client sent RST", reset.Reason);
            Assert.Equal(0, h.Decoder.OpenConnections);
        }
    }
}
