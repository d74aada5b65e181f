using System;
using System.Linq;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.WeChat
{
    public sealed class MmtlsDecodingTests
    {
        // A ClientHello record on a long link, as wechat-wire-facts.md section 4 lays it out:
        //  0: 16 F1 04 00 49          record: handshake, version 0xF104, 73-byte body
        //  5: 00 00 00 45             handshake length 69
        //  9: 01 04 F1                ClientHello, version 0xF104 little-endian ("a ClientHello body begins 01 04 F1")
        // 12: 02 C0 2B 00 A8          2 suites: ECDHE-ECDSA-AES128-GCM-SHA256, PSK-AES128-GCM-SHA256
        // 17: 32-byte random 00..1F
        // 49: 69 21 2A 20             unix time 1763781152
        // 53: 00 00 00 15             extensions block, 21 bytes
        // 57: 02                      2 extensions
        // 58: 00 00 00 06 00 10 AA BB CC DD        client key shares (4 bytes of data)
        // 68: 00 00 00 06 00 0F 01 02 03 04        PSK ticket
        internal const string ClientHelloRecord =
            "16 F1 04 00 49" +
            "00 00 00 45" + "01 04 F1" + "02 C0 2B 00 A8" +
            "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F" +
            "69 21 2A 20" +
            "00 00 00 15" + "02" + "00 00 00 06 00 10 AA BB CC DD" + "00 00 00 06 00 0F 01 02 03 04";

        [Fact]
        public void ClientHelloRecordDecodesEveryField()
        {
            var bytes = TrafficHarness.Hex(ClientHelloRecord);
            Assert.Equal(5 + 0x49, bytes.Length);
            var h = new TrafficHarness();
            var c = h.Connect("10.0.0.2", 50000, "10.9.9.9", 443);
            c.Client(bytes);
            var r = Assert.Single(h.Of<MmtlsRecord>());
            Assert.Equal(("Handshake", 0x16, "0xF104", 0x49, 1L), (r.ContentType, r.ContentTypeCode, r.Version, r.Length, r.RecordIndex));
            Assert.Equal("ClientHello", r.HandshakeType);
            Assert.Equal("0xF104", r.HandshakeVersion);
            Assert.Equal(new[] { "ECDHE-ECDSA-AES128-GCM-SHA256", "PSK-AES128-GCM-SHA256" }, r.CipherSuites);
            Assert.Equal("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", r.Random);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(0x69212A20), r.HelloTime);
            Assert.Equal(new[] { "ClientKeyShares", "PskTicket" }, r.ExtensionTypes);
            Assert.Equal("", r.Problem);
            Assert.Equal("LongLink", r.Carrier);
            Assert.Equal("LongLink", r.Role);
        }

        [Fact]
        public void BuilderWritesTheSameBytesAsTheAnnotatedFixture()
        {
            var hello = WeChatWireBuilder.ClientHello(new ushort[] { 0xC02B, 0x00A8 }, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), 0x69212A20,
                new[] { ((ushort)0x0010, new byte[] { 0xAA, 0xBB, 0xCC, 0xDD }), ((ushort)0x000F, new byte[] { 1, 2, 3, 4 }) });
            Assert.Equal(TrafficHarness.Hex(ClientHelloRecord), WeChatWireBuilder.Record(0x16, hello));
        }

        [Fact]
        public void HelloWithoutTheLengthPrefixIsAcceptedToo()
        {
            var info = MmtlsHandshake.Read(TrafficHarness.Hex(ClientHelloRecord).Skip(9).ToArray());
            Assert.Equal("ClientHello", info.MessageType);
            Assert.Equal(2, info.CipherSuites.Length);
            Assert.Null(info.Problem);
        }

        [Fact]
        public void ServerHelloFinishedAndEncryptedHandshake()
        {
            var sh = WeChatWireBuilder.ServerHello(0xC02B, new byte[32], new[] { ((ushort)0x0011, new byte[65]) });
            var info = MmtlsHandshake.Read(sh);
            Assert.Equal("ServerHello", info.MessageType);
            Assert.Equal(new ushort[] { 0xC02B }, info.CipherSuites);
            Assert.Equal(new ushort[] { 0x0011 }, info.ExtensionTypes);
            Assert.Null(info.Timestamp);
            Assert.Equal("Finished", MmtlsHandshake.Read(WeChatWireBuilder.Finished(new byte[32])).MessageType);
            Assert.Equal("Encrypted", MmtlsHandshake.Read(new byte[] { 0x9A, 0x33, 0x10, 0x00, 0x00, 0x01 }).MessageType);
        }

        [Fact]
        public void TruncatedHelloSaysWhereItStopped()
        {
            var body = TrafficHarness.Hex(ClientHelloRecord).Skip(5).Take(30).ToArray();
            var info = MmtlsHandshake.Read(body);
            Assert.Equal("ClientHello", info.MessageType);
            Assert.Contains("random at offset 12", info.Problem);
        }

        [Fact]
        public void ApplicationRecordsAreCountedSizedAndHeartbeatSizedOnesFlagged()
        {
            var h = new TrafficHarness();
            var c = h.Connect("10.0.0.2", 50000, "10.9.9.9", 8080);
            c.Client(TrafficHarness.Hex(ClientHelloRecord), 7);
            c.Client(WeChatWireBuilder.Record(0x17, new byte[0x20]).Concat(WeChatWireBuilder.Record(0x17, new byte[300])).ToArray(), 3, 40);
            c.Server(WeChatWireBuilder.Record(0x17, new byte[0x20]));
            var recs = h.Of<MmtlsRecord>().ToList();
            Assert.Equal(new long[] { 1, 2, 3, 1 }, recs.Select(r => r.RecordIndex));
            Assert.Equal(new[] { 0x49, 0x20, 300, 0x20 }, recs.Select(r => r.Length));
            Assert.Equal(new[] { "", "ProbableHeartbeat", "", "ProbableHeartbeat" }, recs.Select(r => r.Interpretation));
        }

        [Fact]
        public void NonMmtlsRecordHeaderEndsDecodingWithReason()
        {
            var h = new TrafficHarness();
            var c = h.Connect("10.0.0.2", 50000, "10.9.9.9", 8080);
            c.Client(TrafficHarness.Hex(ClientHelloRecord));
            c.Client("16 03 01 00 05 0000000000");
            var stop = Assert.Single(h.Of<StreamEvent>());
            Assert.Contains("record version 0x0301 is not an MMTLS version", stop.Reason);
        }

        [Fact]
        public void EverySplitOfAHandshakeFlightGivesIdenticalRecords()
        {
            var flight = TrafficHarness.Hex(ClientHelloRecord).Concat(WeChatWireBuilder.Record(0x17, new byte[0x20])).Concat(WeChatWireBuilder.Record(0x15, new byte[2])).ToArray();
            string Describe(TrafficHarness t) => string.Join("|", t.Of<MmtlsRecord>().Select(r => r.Summary));
            var reference = new TrafficHarness();
            reference.Connect("10.0.0.2", 50000, "10.9.9.9", 8080).Client(flight);
            Assert.Equal(3, reference.Of<MmtlsRecord>().Count());
            for (int a = 1; a < flight.Length; a++)
                for (int b = 1; a + b < flight.Length; b += 5)
                {
                    var t = new TrafficHarness();
                    t.Connect("10.0.0.2", 50000, "10.9.9.9", 8080).Client(flight, a, b);
                    Assert.Equal(Describe(reference), Describe(t));
                }
        }
    }
}
