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
    
        // Quoted UDP probe, client 198.18.1.2:50000 (c350) -> 198.18.7.2:33434 (829a), length 0x0020, checksum 7e57 = key.
        private const string QuotedUdp4 =
            "4500 0034 | 0001 4000 | 0111 0000 | c612 0102 | c612 0702 |" + // inner IPv4, TTL 01, proto 11 (UDP)
            "c350 829a | 0020 7e57";                                         // inner UDP: ports, length, checksum

        [Fact]
        public void Ipv4PortUnreachableFromTheTargetQuotingAUdpProbeMatchesItsChecksum()
        {
            var packet = Hex("4500 0038 0000 0000 4001 0000 c612 0702 c612 0102" +
                             "0303 0000 0000 0000" + // 20 type 03 code 03 (port unreachable)
                             QuotedUdp4);
            Assert.True(Codec4(RouteProtocol.Udp).TryMatchIcmp(packet, null, out ushort key, out var kind, out _));
            Assert.Equal(0x7e57, key);
            Assert.Equal(ReplyKind.PortUnreachable, kind);
        }

        [Theory]
        // another run's source port
        [InlineData("c351 829a 0020 7e57")]
        // another destination port
        [InlineData("c350 829b 0020 7e57")]
        public void AQuoteOfSomeoneElsesDatagramDoesNotMatch(string udp)
        {
            var packet = Hex("4500 0038 0000 0000 4001 0000 c612 0101 c612 0102 0b00 0000 0000 0000" +
                             "4500 0034 0001 4000 0111 0000 c612 0102 c612 0702" + udp);
            Assert.False(Codec4(RouteProtocol.Udp).TryMatchIcmp(packet, null, out _, out _, out _));
        }

        [Fact]
        public void AQuoteOfAProbeToAnotherTargetDoesNotMatch()
        {
            var packet = Hex("4500 0038 0000 0000 4001 0000 c612 0101 c612 0102 0b00 0000 0000 0000" +
                             "4500 0034 0001 4000 0111 0000 c612 0102 c612 0703 c350 829a 0020 7e57"); // inner dst 198.18.7.3
            Assert.False(Codec4(RouteProtocol.Udp).TryMatchIcmp(packet, null, out _, out _, out _));
            // ...nor does a quote of an ICMP probe when tracing with UDP.
            Assert.False(Codec4(RouteProtocol.Icmp).TryMatchIcmp(Hex("4500 0038 0000 0000 4001 0000 c612 0101 c612 0102 0b00 0000 0000 0000" + QuotedUdp4), null, out _, out _, out _));
        }

        [Fact]
        public void Ipv4TimeExceededWithAnRfc4884LengthStillFindsTheQuotedProbe()
        {
            // Byte 25 (ICMP byte 5) = 0x07: the quote is 7 x 4 = 28 bytes, an extension structure follows.
            var packet = Hex("4500 0050 0000 0000 4001 0000 c612 0101 c612 0102 0b00 0000 0007 0000" + QuotedUdp4 +
                             "2000 0000 0008 0101 0000 0001 0000 0002");
            Assert.True(Codec4(RouteProtocol.Udp).TryMatchIcmp(packet, null, out ushort key, out var kind, out _));
            Assert.Equal(0x7e57, key);
            Assert.Equal(ReplyKind.TimeExceeded, kind);
        }

        [Fact]
        public void Ipv4TimeExceededQuotingATcpSynMatchesTheLowBitsOfItsSequence()
        {
            var packet = Hex("4500 0038 0000 0000 4001 0000 c612 0202 c612 0102 0b00 0000 0000 0000" +
                             "4500 002c 0001 4000 0106 0000 c612 0102 c612 0702" + // inner IPv4, proto 06 (TCP)
                             "c350 1f90 | 1234 0abc");                               // ports 50000 -> 8080, seq 0x12340abc
            Assert.True(Codec4(RouteProtocol.Tcp).TryMatchIcmp(packet, null, out ushort key, out var kind, out var responder));
            Assert.Equal(0x0abc, key);
            Assert.Equal(ReplyKind.TimeExceeded, kind);
            Assert.Equal("198.18.2.2", new IPAddress(responder.ToArray()).ToString());
            // A sequence whose high half is not this run's: someone else's SYN.
            packet[52] = 0x99;
            Assert.False(Codec4(RouteProtocol.Tcp).TryMatchIcmp(packet, null, out _, out _, out _));
        }

        [Fact]
        public void ASynAckOrResetFromTheTargetAcknowledgingAProbeReachesIt()
        {
            // IPv4 from 198.18.7.2, TCP 8080 -> 50000, seq 0, ack 0x12340abd (probe seq + 1), data offset 5, flags 0x12 (SYN, ACK)
            var synAck = Hex("4500 0028 0000 4000 4006 0000 c612 0702 c612 0102" +
                             "1f90 c350 | 0000 0000 | 1234 0abd | 5012 ffff | 0000 0000");
            Assert.True(Codec4(RouteProtocol.Tcp).TryMatchTcp(synAck, null, out ushort key, out var kind));
            Assert.Equal(0x0abc, key);
            Assert.Equal(ReplyKind.TcpSynAck, kind);
            var reset = (byte[])synAck.Clone();
            reset[33] = 0x14; // RST, ACK
            Assert.True(Codec4(RouteProtocol.Tcp).TryMatchTcp(reset, null, out key, out kind));
            Assert.Equal(ReplyKind.TcpReset, kind);
            var plainSyn = (byte[])synAck.Clone();
            plainSyn[33] = 0x02; // a SYN without ACK acknowledges nothing
            Assert.False(Codec4(RouteProtocol.Tcp).TryMatchTcp(plainSyn, null, out _, out _));
            var fromElsewhere = (byte[])synAck.Clone();
            fromElsewhere[15] = 0x03; // from 198.18.7.3
            Assert.False(Codec4(RouteProtocol.Tcp).TryMatchTcp(fromElsewhere, null, out _, out _));

            // IPv6: the raw socket hands over the segment alone; the sender comes from recvfrom.
            var segment6 = Hex("1f90 c350 0000 0000 1234 0abd 5014 ffff 0000 0000");
            Assert.True(Codec6(RouteProtocol.Tcp).TryMatchTcp(segment6, Target6, out key, out kind));
            Assert.Equal(ReplyKind.TcpReset, kind);
            Assert.False(Codec6(RouteProtocol.Tcp).TryMatchTcp(segment6, Client6, out _, out _));
        }

        // Inner IPv6 header of a probe 2001:db8:1::2 -> 2001:db8:7::2.
        private static string InnerIpv6(string nextHeader, string payloadLength) =>
            "6000 0000 | " + payloadLength + " " + nextHeader + "01 |" +  // version 6, payload length, next header, hop limit 1
            "2001 0db8 0001 0000 0000 0000 0000 0002 |" +               // source
            "2001 0db8 0007 0000 0000 0000 0000 0002 |";                // destination

        [Fact]
        public void Icmpv6TimeExceededQuotingAnEchoRequestMatchesItsSequence()
        {
            // The raw ICMPv6 socket returns the message without the IPv6 header.
            var message = Hex("0300 0000 0000 0000" +                      // type 03 (time exceeded) code 00, unused
                              InnerIpv6("3a", "0028") +                    // inner next header 3a (ICMPv6)
                              "8000 abcd | b7a4 0042");                    // echo request, id b7a4, seq 0042
            Assert.True(Codec6(RouteProtocol.Icmp).TryMatchIcmp(message, IPAddress.Parse("2001:db8:2::2"), out ushort key, out var kind, out var responder));
            Assert.Equal(0x0042, key);
            Assert.Equal(ReplyKind.TimeExceeded, kind);
            Assert.True(responder.IsEmpty); // the caller takes the sender's address
        }

        [Fact]
        public void Icmpv6PortUnreachableQuotingAUdpProbeAndAnEchoReplyMatch()
        {
            var unreachable = Hex("0104 0000 0000 0000" + InnerIpv6("11", "0020") + "c350 829a 0020 7e57"); // type 01 code 04
            Assert.True(Codec6(RouteProtocol.Udp).TryMatchIcmp(unreachable, Target6, out ushort key, out var kind, out _));
            Assert.Equal(0x7e57, key);
            Assert.Equal(ReplyKind.PortUnreachable, kind);

            var admin = Hex("0101 0000 0000 0000" + InnerIpv6("11", "0020") + "c350 829a 0020 7e57"); // code 01: administratively prohibited
            Assert.True(Codec6(RouteProtocol.Udp).TryMatchIcmp(admin, Target6, out _, out kind, out _));
            Assert.Equal(ReplyKind.AdminProhibited, kind);

            var echoReply = Hex("8100 0000 b7a4 0007 0000 5765 4368 6174");
            Assert.True(Codec6(RouteProtocol.Icmp).TryMatchIcmp(echoReply, Target6, out key, out kind, out _));
            Assert.Equal(7, key);
            Assert.Equal(ReplyKind.EchoReply, kind);
            Assert.False(Codec6(RouteProtocol.Udp).TryMatchIcmp(echoReply, Target6, out _, out _, out _));
        }

        [Fact]
        public void Icmpv6QuoteWithAnExtensionHeaderBeforeTheTransportStillMatches()
        {
            // Inner next header 00 (hop-by-hop, 8 bytes: next 11, length 0, PadN), then the UDP header.
            var message = Hex("0300 0000 0000 0000" + InnerIpv6("00", "0028") + "1100 0104 0000 0000" + "c350 829a 0020 7e57");
            Assert.True(Codec6(RouteProtocol.Udp).TryMatchIcmp(message, IPAddress.Parse("2001:db8:3::2"), out ushort key, out _, out _));
            Assert.Equal(0x7e57, key);
        }

        [Fact]
        public void MutatedAndTruncatedRepliesNeverThrow()
        {
            var fixtures = new[]
            {
                Hex("4500 0038 0000 0000 4001 0000 c612 0702 c612 0102 0303 0000 0000 0000" + QuotedUdp4),
                Hex("4500 0028 0000 4000 4006 0000 c612 0702 c612 0102 1f90 c350 0000 0000 1234 0abd 5012 ffff 0000 0000"),
                Hex("0300 0000 0000 0000" + InnerIpv6("00", "0028") + "1100 0104 0000 0000" + "c350 829a 0020 7e57"),
            };
            var rng = new Random(7);
            var codecs = new[] { Codec4(RouteProtocol.Udp), Codec4(RouteProtocol.Tcp), Codec4(RouteProtocol.Icmp), Codec6(RouteProtocol.Udp), Codec6(RouteProtocol.Tcp), Codec6(RouteProtocol.Icmp) };
            foreach (var f in fixtures)
            {
                for (int len = 0; len <= f.Length; len++)
                    foreach (var c in codecs)
                    {
                        c.TryMatchIcmp(f.AsSpan(0, len), Target6, out _, out _, out _);
                        c.TryMatchTcp(f.AsSpan(0, len), Target6, out _, out _);
                    }
                for (int i = 0; i < 3000; i++)
                {
                    var m = (byte[])f.Clone();
                    for (int k = rng.Next(1, 5); k > 0; k--) m[rng.Next(m.Length)] = (byte)rng.Next(256);
                    var cut = m.AsSpan(0, rng.Next(m.Length + 1));
                    foreach (var c in codecs)
                    {
                        c.TryMatchIcmp(cut, Target4, out _, out _, out _);
                        c.TryMatchTcp(cut, Target6, out _, out _);
                    }
                }
            }
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void ParisProbesKeepTheirFlowFieldsAndCarryTheKey(bool ipv6)
        {
            var buffer = new byte[64];
            var (src, dst) = ipv6 ? (Client6, Target6) : (Client4, Target4);
            uint pseudo(byte proto, int length)
            {
                uint s = 0;
                foreach (var a in new[] { src.GetAddressBytes(), dst.GetAddressBytes() })
                    for (int i = 0; i < a.Length; i += 2) s += (uint)(a[i] << 8 | a[i + 1]);
                return s + proto + (uint)length;
            }
            var icmp = ipv6 ? Codec6(RouteProtocol.Icmp) : Codec4(RouteProtocol.Icmp);
            var udp = ipv6 ? Codec6(RouteProtocol.Udp) : Codec4(RouteProtocol.Udp);
            var tcp = ipv6 ? Codec6(RouteProtocol.Tcp) : Codec4(RouteProtocol.Tcp);
            byte[]? firstIcmpHead = null;
            foreach (ushort key in new ushort[] { 1, 2, 0x1234, 0x8000, 0xFFFE, 0x7E57 })
            {
                int n = icmp.Build(buffer, key);
                var p = buffer.AsSpan(0, n);
                // type, code and checksum (the first 4 bytes, what load balancers hash) are the same for every probe.
                firstIcmpHead ??= p.Slice(0, 4).ToArray();
                Assert.Equal(firstIcmpHead, p.Slice(0, 4).ToArray());
                Assert.Equal(key, (ushort)(p[6] << 8 | p[7]));
                Assert.Equal(0, InternetChecksum.Compute(p, ipv6 ? pseudo(58, n) : 0));

                n = udp.Build(buffer, key);
                p = buffer.AsSpan(0, n);
                Assert.Equal(new byte[] { 0xc3, 0x50, 0x82, 0x9a }, p.Slice(0, 4).ToArray());
                Assert.Equal(key, (ushort)(p[6] << 8 | p[7]));            // the checksum is the key...
                Assert.Equal(0, InternetChecksum.Compute(p, pseudo(17, n))); // ...and it is correct

                n = tcp.Build(buffer, key);
                p = buffer.AsSpan(0, n);
                Assert.Equal(new byte[] { 0xc3, 0x50, 0x1f, 0x90 }, p.Slice(0, 4).ToArray());
                Assert.Equal(0x12340000u | key, (uint)(p[4] << 24 | p[5] << 16 | p[6] << 8 | p[7]));
                Assert.Equal(0x02, p[13]); // SYN
                Assert.Equal(0, InternetChecksum.Compute(p, pseudo(6, n)));
            }
        }
    
        [Fact]
        public void AnErrorQueuedOnAPingSocketIsReadFromItsControlMessage()
        {
            Assert.Equal(8, IntPtr.Size); // the literal below is the x86_64/arm64 layout
            var control = Hex(
                "3000 0000 0000 0000 | 0000 0000 | 0b00 0000 |" + // cmsg_len 48 (size_t), level 0 (SOL_IP), type 11 (IP_RECVERR)
                "7100 0000 | 02 | 0b | 00 | 00 |" +               // ee_errno 113 (EHOSTUNREACH), origin 2 (ICMP), type 11, code 0, pad
                "0000 0000 | 0000 0000 |" +                        // ee_info, ee_data
                "0200 0000 | c612 0202 | 0000 0000 0000 0000");    // offender sockaddr_in: AF_INET, port 0, 198.18.2.2, zero
            Assert.True(PingSocketInterop.ParseExtendedError(control, out byte type, out byte code, out var offender));
            Assert.Equal(11, type);
            Assert.Equal(0, code);
            Assert.Equal("198.18.2.2", offender!.ToString());

            // The echo request the error refers to, as the kernel hands it back: identifier b7a4, sequence 0042.
            var original = Hex("0800 5463 b7a4 0042 0000 5765 4368 6174");
            Assert.True(Codec4(RouteProtocol.Icmp).TryMatchQueuedError(original, type, code, out ushort key, out var kind));
            Assert.Equal(0x0042, key);
            Assert.Equal(ReplyKind.TimeExceeded, kind);
            Assert.False(Codec4(RouteProtocol.Icmp).TryMatchQueuedError(original, 0, 0, out _, out _)); // not an error type

            // IPv6: level 41 (SOL_IPV6), type 25 (IPV6_RECVERR), origin 3 (ICMPv6), type 3 (time exceeded), sockaddr_in6.
            var control6 = Hex("3c00 0000 0000 0000 2900 0000 1900 0000 7100 0000 0303 0000 0000 0000 0000 0000" +
                               "0a00 0000 0000 0000 2001 0db8 0002 0000 0000 0000 0000 0002 0000 0000"); // family, port, flow, address, scope
            Assert.True(PingSocketInterop.ParseExtendedError(control6, out type, out _, out offender));
            Assert.Equal(3, type);
            Assert.Equal("2001:db8:2::2", offender!.ToString());

            // A local error (origin 1) or a truncated message is not a router's answer.
            var local = (byte[])control.Clone();
            local[20] = 1;
            Assert.False(PingSocketInterop.ParseExtendedError(local, out _, out _, out _));
            for (int len = 0; len < control.Length; len++) PingSocketInterop.ParseExtendedError(control.AsSpan(0, len), out _, out _, out _);
        }
    }
}
