using System;
using System.Net;
using WeChatNet.Packets;
using WeChatNet.Route;
using Xunit;

namespace WeChatNet.Tests.Route
{
    /// <summary>Reply matching from byte-literal ICMP / ICMPv6 errors, echo replies and TCP answers.</summary>
    public sealed class ReplyMatchingTests
    {
        private static readonly IPAddress Client4 = IPAddress.Parse("198.18.1.2");
        private static readonly IPAddress Target4 = IPAddress.Parse("198.18.7.2");
        private static readonly IPAddress Client6 = IPAddress.Parse("2001:db8:1::2");
        private static readonly IPAddress Target6 = IPAddress.Parse("2001:db8:7::2");

        private static ProbeCodec Codec4(RouteProtocol p) => new ProbeCodec(p, Client4, Target4, 0xC350, p == RouteProtocol.Tcp ? (ushort)8080 : (ushort)33434, 0xB7A4, 0x1234);
        private static ProbeCodec Codec6(RouteProtocol p) => new ProbeCodec(p, Client6, Target6, 0xC350, p == RouteProtocol.Tcp ? (ushort)8080 : (ushort)33434, 0xB7A4, 0x1234);

        private static byte[] Hex(string s)
        {
            s = System.Text.RegularExpressions.Regex.Replace(s, @"\s|\|", "");
            var b = new byte[s.Length / 2];
            for (int i = 0; i < b.Length; i++) b[i] = Convert.ToByte(s.Substring(2 * i, 2), 16);
            return b;
        }

        [Fact]
        public void Ipv4TimeExceededQuotingAnEchoRequestMatchesItsSequence()
        {
            var packet = Hex(
                // 0 outer IPv4: ver/ihl 45, tos 00, total 0x0038 (56) | id 0000, flags 0000 | ttl 40, proto 01 (ICMP), cksum 0000
                "4500 0038 | 0000 0000 | 4001 0000 |" +
                // 12 source 198.18.1.1 (the router) | 16 destination 198.18.1.2 (us)
                "c612 0101 | c612 0102 |" +
                // 20 ICMP type 0b (time exceeded) code 00, checksum, unused
                "0b00 f4ff | 0000 0000 |" +
                // 28 quoted IPv4: 45 00 total 0x003c | id 1234 DF | ttl 01 proto 01 cksum | src 198.18.1.2 | dst 198.18.7.2
                "4500 003c | 1234 4000 | 0101 0000 | c612 0102 | c612 0702 |" +
                // 48 quoted ICMP echo request: type 08 code 00 checksum | identifier b7a4 | sequence 60ba
                "0800 abcd | b7a4 60ba");
            Assert.True(Codec4(RouteProtocol.Icmp).TryMatchIcmp(packet, null, out ushort key, out var kind, out var responder));
            Assert.Equal(0x60ba, key);
            Assert.Equal(ReplyKind.TimeExceeded, kind);
            Assert.Equal("198.18.1.1", new IPAddress(responder.ToArray()).ToString());
        }

        [Fact]
        public void Ipv4EchoReplyFromTheTargetMatchesByIdentifierAndSequence()
        {
            var packet = Hex("4500 003c 0000 0000 4001 0000 c612 0702 c612 0102" +
                             // 20 echo reply type 00 | id b7a4 | seq 0102, then payload
                             "0000 1111 b7a4 0102 0000 5765 4368 6174 4e65 74");
            Assert.True(Codec4(RouteProtocol.Icmp).TryMatchIcmp(packet, null, out ushort key, out var kind, out var responder));
            Assert.Equal(0x0102, key);
            Assert.Equal(ReplyKind.EchoReply, kind);
            Assert.Equal("198.18.7.2", new IPAddress(responder.ToArray()).ToString());
        }
    }
}
