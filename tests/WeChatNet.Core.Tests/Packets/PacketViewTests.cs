using System;
using WeChatNet.Packets;
using Xunit;

namespace WeChatNet.Tests.Packets
{
    public class PacketViewTests
    {
        // Ethernet + 802.1ad outer (VID 100) + 802.1Q inner (VID 200) + IPv4 + TCP SYN with MSS, SACK-permitted,
        // timestamps, NOP, window scale.
        private static readonly byte[] QinQTcpSyn = Hex.Bytes(@"
            00 11 22 33 44 55            # 0  destination MAC
            66 77 88 99 aa bb            # 6  source MAC
            88 a8 | a0 64                # 12 TPID 802.1ad, TCI: PCP 5, VID 100
            81 00 | 00 c8                # 16 TPID 802.1Q,  TCI: VID 200
            08 00                        # 20 EtherType IPv4
            45 00 00 3c                  # 22 IPv4: version 4 IHL 5, total length 60
            1c 46 40 00                  # 26 id 0x1c46, DF
            40 06 00 00                  # 30 TTL 64, protocol TCP, checksum (not checked here)
            c0 a8 01 02                  # 34 source 192.168.1.2
            2b 82 1e f0                  # 38 destination 43.130.30.240
            d4 31 01 bb                  # 42 TCP: source port 54321, destination 443
            00 00 03 e8                  # 46 sequence 1000
            00 00 00 00                  # 50 ack 0
            a0 02 fa f0                  # 54 data offset 10 (40 bytes), SYN; window 64240
            00 00 00 00                  # 58 checksum, urgent
            02 04 05 b4                  # 62 MSS 1460
            04 02                        # 66 SACK permitted
            08 0a 00 01 e2 40 00 00 00 07 # 68 timestamps TSval 123456 TSecr 7
            01                           # 78 NOP
            03 03 07                     # 79 window scale 7
        ");

        [Fact]
        public void EthernetWithTwoVlanTags()
        {
            var eth = EthernetFrame.Parse(QinQTcpSyn);
            Assert.True(eth.IsValid);
            Assert.Equal(2, eth.VlanCount);
            Assert.Equal(EtherTypes.QinQ, eth.VlanTpid(0));
            Assert.Equal(100, eth.VlanId(0));
            Assert.Equal(5, eth.VlanPriority(0));
            Assert.Equal(200, eth.VlanId(1));
            Assert.Equal(EtherTypes.Ipv4, eth.EtherType);
            Assert.Equal(22, eth.PayloadOffset);
            Assert.Equal("00:11:22:33:44:55", AddressText.FormatMac(eth.Destination));
            Assert.Equal("66:77:88:99:aa:bb", AddressText.FormatMac(eth.Source));
        }

        [Fact]
        public void DecodesTcpSynWithEveryOption()
        {
            var p = PacketDecoder.Decode(LinkType.Ethernet, QinQTcpSyn);
            Assert.True(p.IsValid, p.Issue.ToString());
            Assert.Equal(100, p.OuterVlanId);
            Assert.Equal(200, p.InnerVlanId);
            Assert.Equal(NetworkKind.Ipv4, p.Network);
            Assert.Equal("192.168.1.2", AddressText.Format(p.SourceAddress));
            Assert.Equal("43.130.30.240", AddressText.Format(p.DestinationAddress));
            Assert.Equal(TransportKind.Tcp, p.Transport);
            Assert.Equal(54321, p.SourcePort);
            Assert.Equal(443, p.DestinationPort);
            Assert.Equal(TcpFlags.Syn, p.TcpFlags);
            Assert.Equal(1000u, p.Sequence);
            Assert.Equal(0, p.PayloadLength);
            var ip = p.Ipv4;
            Assert.True(ip.DontFragment);
            Assert.False(ip.IsFragment);
            Assert.Equal(64, ip.Ttl);
            var tcp = p.Tcp;
            Assert.Equal(40, tcp.HeaderLength);
            Assert.Equal(64240, tcp.Window);
            Assert.True(tcp.TryGetMaximumSegmentSize(out var mss));
            Assert.Equal(1460, mss);
            Assert.True(tcp.SackPermitted);
            Assert.True(tcp.TryGetTimestamps(out var tsval, out var tsecr));
            Assert.Equal(123456u, tsval);
            Assert.Equal(7u, tsecr);
            Assert.True(tcp.TryGetWindowScale(out var ws));
            Assert.Equal(7, ws);
            Assert.Equal("SYN", TcpSegment.FormatFlags(tcp.Flags));
        }

        [Fact]
        public void TcpSackBlocksAndPayload()
        {
            var seg = Hex.Bytes(@"
                01 bb d4 31 | 00 00 00 01 | 00 00 00 02   # 0 ports 443->54321, seq 1, ack 2
                80 18 01 00 | 00 00 00 00                 # 12 data offset 8 (32 bytes), PSH ACK, window 256
                01 01 05 0a                               # 20 NOP NOP SACK len 10
                00 00 00 10 00 00 00 20                   # 24 block [16, 32)
                68 69                                     # 32 payload 'hi'
            ");
            var tcp = TcpSegment.Parse(seg);
            Assert.True(tcp.IsValid);
            Assert.Equal(TcpFlags.Psh | TcpFlags.Ack, tcp.Flags);
            Assert.Equal(1, tcp.SackBlockCount);
            Assert.True(tcp.TryGetSackBlock(0, out var l, out var r));
            Assert.Equal(16u, l);
            Assert.Equal(32u, r);
            Assert.Equal("hi", System.Text.Encoding.ASCII.GetString(tcp.Payload.ToArray()));
            Assert.Equal("PSH, ACK", TcpSegment.FormatFlags(tcp.Flags));
        }

        [Fact]
        public void MalformedTcpOptionKeepsThePrefix()
        {
            var seg = Hex.Bytes(@"
                00 50 c3 50 | 00 00 00 05 | 00 00 00 00   # 0 ports 80->50000, seq 5
                60 10 00 10 | 00 00 00 00                 # 12 data offset 6 (24 bytes), ACK
                02 09 05 b4                               # 20 MSS with length 9: runs past the options area
            ");
            var tcp = TcpSegment.Parse(seg);
            Assert.False(tcp.IsValid);
            Assert.Equal(DecodeProblem.BadOptionLength, tcp.Issue.Problem);
            Assert.Equal(20, tcp.Issue.Offset);
            Assert.Equal(80, tcp.SourcePort);
            Assert.Equal(5u, tcp.Sequence);
            Assert.False(tcp.TryGetMaximumSegmentSize(out _));
        }

        [Fact]
        public void TcpDataOffsetBelowFiveIsReported()
        {
            var seg = Hex.Bytes("00 50 c3 50 00 00 00 05 00 00 00 00 40 10 00 10 00 00 00 00");
            var tcp = TcpSegment.Parse(seg);
            Assert.Equal(DecodeProblem.BadHeaderLength, tcp.Issue.Problem);
            Assert.Equal(12, tcp.Issue.Offset);
            Assert.Equal(TcpFlags.Ack, tcp.Flags);
        }

        [Fact]
        public void Ipv4OptionsAndFragments()
        {
            var ip = Hex.Bytes(@"
                46 00 00 1c                  # 0 IHL 6 (24 bytes), total length 28
                ab cd 20 b9                  # 4 id 0xabcd, MF set, fragment offset 0xb9 * 8 = 1480
                40 11 00 00                  # 8 TTL 64, UDP
                0a 00 00 01 0a 00 00 02      # 12 10.0.0.1 -> 10.0.0.2
                94 04 00 00                  # 20 router alert option (type 0x94, length 4)
                de ad be ef                  # 24 fragment data
                ff ff                        # 28 Ethernet padding beyond total length
            ");
            var v = Ipv4Packet.Parse(ip);
            Assert.True(v.IsValid);
            Assert.Equal(24, v.HeaderLength);
            Assert.True(v.MoreFragments);
            Assert.Equal(1480, v.FragmentOffset);
            Assert.True(v.IsFragment);
            Assert.True(v.TryGetOption(0x94, out var ra));
            Assert.Equal(2, ra.Length);
            Assert.Equal(4, v.Payload.Length); // padding excluded
            var p = PacketDecoder.Decode(LinkType.Raw, ip);
            Assert.Equal(TransportKind.Fragment, p.Transport);
            Assert.True(p.IsFragment);
            Assert.Equal(0, p.SourcePort);
            Assert.Equal(4, p.PayloadLength);
        }

        [Fact]
        public void Ipv4MalformedLengths()
        {
            var badIhl = Hex.Bytes("43 00 00 14 00 00 00 00 40 06 00 00 0a 00 00 01 0a 00 00 02");
            Assert.Equal(DecodeProblem.BadHeaderLength, Ipv4Packet.Parse(badIhl).Issue.Problem);
            var badTotal = Hex.Bytes("45 00 00 10 00 00 00 00 40 06 00 00 0a 00 00 01 0a 00 00 02");
            var v = Ipv4Packet.Parse(badTotal);
            Assert.Equal(DecodeProblem.BadTotalLength, v.Issue.Problem);
            Assert.Equal(2, v.Issue.Offset);
            Assert.Equal("10.0.0.1", AddressText.Format(v.Source));
            var optionOverrun = Hex.Bytes("46 00 00 18 00 00 00 00 40 06 00 00 0a 00 00 01 0a 00 00 02 07 08 04 00");
            var o = Ipv4Packet.Parse(optionOverrun);
            Assert.Equal(DecodeProblem.BadOptionLength, o.Issue.Problem);
            Assert.Equal(20, o.Issue.Offset);
            Assert.Equal(DecodeProblem.Truncated, Ipv4Packet.Parse(badTotal.AsSpan(0, 19)).Issue.Problem);
            Assert.Equal(DecodeProblem.BadVersion, Ipv4Packet.Parse(Hex.Bytes("65 00 00 14 00 00 00 00 40 06 00 00 0a 00 00 01 0a 00 00 02")).Issue.Problem);
        }

        [Fact]
        public void Ipv4ChecksumIsVerified()
        {
            var ip = Hex.Bytes("45 00 00 14 00 00 40 00 40 06 00 00 0a 00 00 01 0a 00 00 02");
            ushort sum = InternetChecksum.Compute(ip);
            ip[10] = (byte)(sum >> 8);
            ip[11] = (byte)sum;
            Assert.True(Ipv4Packet.Parse(ip).IsChecksumValid());
            ip[15] ^= 1;
            Assert.False(Ipv4Packet.Parse(ip).IsChecksumValid());
        }

        private static readonly byte[] Ipv6WithExtensions = Hex.Bytes(@"
            60 00 00 00                  # 0 version 6
            00 28 00 40                  # 4 payload length 40, next header hop-by-hop, hop limit 64
            20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01   # 8  source 2001:db8::1
            20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02   # 24 destination 2001:db8::2
            2b 00 01 04 00 00 00 00      # 40 hop-by-hop: next routing, len 0 (8 bytes), PadN
            3c 00 04 00 00 00 00 00      # 48 routing: next dest-options, len 0, type 4 segments left 0
            2c 00 01 04 00 00 00 00      # 56 destination options: next fragment, len 0, PadN
            11 00 00 01 12 34 56 78      # 64 fragment: next UDP, offset 0, M=1, id 0x12345678
            04 d2 00 35 00 10 00 00      # 72 UDP 1234 -> 53, length 16
        ");

        [Fact]
        public void Ipv6ExtensionHeaderChain()
        {
            var v = Ipv6Packet.Parse(Ipv6WithExtensions);
            Assert.True(v.IsValid, v.Issue.ToString());
            Assert.Equal(4, v.ExtensionHeaderCount);
            Assert.True(v.HasHopByHop);
            Assert.True(v.HasRouting);
            Assert.True(v.HasDestinationOptions);
            Assert.True(v.HasFragmentHeader);
            Assert.True(v.MoreFragments);
            Assert.Equal(0, v.FragmentOffset);
            Assert.Equal(0x12345678u, v.FragmentIdentification);
            Assert.True(v.IsFragment);
            Assert.Equal(IpProtocols.Udp, v.UpperLayerProtocol);
            Assert.Equal(72, v.UpperLayerOffset);
            Assert.Equal(8, v.DeclaredPayloadLength);
            var p = PacketDecoder.Decode(LinkType.Ipv6, Ipv6WithExtensions);
            Assert.Equal("2001:db8::1", AddressText.Format(p.SourceAddress));
            Assert.Equal(TransportKind.Udp, p.Transport);
            Assert.Equal(1234, p.SourcePort);
            Assert.Equal(53, p.DestinationPort);
            Assert.Equal(8, p.PayloadLength); // UDP length 16 - 8 (the first fragment of a bigger datagram)
            Assert.True(p.IsFragment);
        }

        [Fact]
        public void Ipv6ExtensionHeaderRunningPastThePacket()
        {
            var cut = (byte[])Ipv6WithExtensions.Clone();
            cut[41] = 9; // hop-by-hop claims 80 bytes
            var v = Ipv6Packet.Parse(cut);
            Assert.Equal(DecodeProblem.BadExtensionHeader, v.Issue.Problem);
            Assert.Equal(40, v.Issue.Offset);
            Assert.True(v.HasHeader);
            var p = PacketDecoder.Decode(LinkType.Raw, cut);
            Assert.Equal(PacketLayer.Ipv6Extension, p.Issue.Layer);
            Assert.Equal("2001:db8::2", AddressText.Format(p.DestinationAddress));
            Assert.Equal(TransportKind.None, p.Transport);
        }

        [Fact]
        public void Ipv6ExtensionChainIsCapped()
        {
            var bytes = new byte[40 + 8 * 20 + 8];
            bytes[0] = 0x60;
            bytes[4] = 0; bytes[5] = (byte)(8 * 21);
            bytes[6] = 60;
            for (int i = 0; i < 20; i++) bytes[40 + 8 * i] = 60; // destination options pointing at another
            var v = Ipv6Packet.Parse(bytes);
            Assert.Equal(DecodeProblem.TooManyHeaders, v.Issue.Problem);
            Assert.Equal(Ipv6Packet.MaxExtensionHeaders, v.ExtensionHeaderCount);
        }

        [Fact]
        public void IcmpTimeExceededQuotesTheProbe()
        {
            var icmp = Hex.Bytes(@"
                45 00 00 38 00 00 00 00 40 01 00 00   # 0  outer IPv4, total 56, ICMP
                c6 12 00 01 0a 00 00 01               # 12 198.18.0.1 -> 10.0.0.1
                0b 00 00 00 00 00 00 00               # 20 ICMP time exceeded, code 0
                45 00 00 3c 12 34 00 00 01 11 00 00   # 28 quoted IPv4: total 60, id 0x1234, TTL 1, UDP
                0a 00 00 01 c6 12 00 09               # 40 quoted 10.0.0.1 -> 198.18.0.9
                82 9b 82 9c 00 28 00 00               # 48 quoted UDP 33435 -> 33436, length 40
            ");
            var p = PacketDecoder.Decode(LinkType.Raw, icmp);
            Assert.True(p.IsValid, p.Issue.ToString());
            Assert.Equal(TransportKind.Icmp, p.Transport);
            Assert.Equal(11, p.IcmpType);
            var m = p.Icmp;
            Assert.True(m.IsError);
            var q = m.Quoted;
            Assert.True(q.HasIpHeader);
            Assert.Equal(4, q.Version);
            Assert.Equal(IpProtocols.Udp, q.Protocol);
            Assert.Equal("198.18.0.9", AddressText.Format(q.Destination));
            Assert.Equal(1, q.TtlOrHopLimit);
            Assert.Equal(0x1234, q.Identification);
            Assert.Equal(33435, q.SourcePort);
            Assert.Equal(33436, q.DestinationPort);
            Assert.Equal(8, q.TransportHeader.Length);
            Assert.True(q.Ipv4.IsTruncated);
        }

        [Fact]
        public void QuotedHeaderWithOptionsFindsTheTransportAfterThem()
        {
            var body = Hex.Bytes(@"
                0b 00 00 00 00 00 00 00               # 0  time exceeded
                46 00 00 40 00 07 00 00 01 06 00 00   # 8  quoted IPv4, IHL 6 (24 bytes), TTL 1, TCP
                0a 00 00 01 c6 12 00 09               # 20 10.0.0.1 -> 198.18.0.9
                94 04 00 00                           # 28 router alert option
                c3 50 01 bb 00 00 30 39               # 32 quoted TCP 50000 -> 443, sequence 12345
            ");
            var q = IcmpMessage.Parse(body).Quoted;
            Assert.Equal(IpProtocols.Tcp, q.Protocol);
            Assert.Equal(50000, q.SourcePort);
            Assert.Equal(443, q.DestinationPort);
            Assert.Equal(12345u, q.TcpSequence);
            Assert.Equal(7, q.Identification);
            // A quote cut inside the inner header still says what it can, and never throws.
            for (int n = 0; n <= body.Length; n++)
            {
                var cut = IcmpMessage.Parse(body.AsSpan(0, n)).Quoted;
                _ = cut.SourcePort + cut.TcpSequence + cut.Source.Length + cut.TransportHeader.Length;
                if (n < 8 + 20) Assert.False(cut.HasIpHeader);
                if (n < 8 + 24 + 4) Assert.Equal(0, cut.SourcePort); // options are never mistaken for ports
            }
        }

        [Fact]
        public void IcmpEchoAndRfc4884Length()
        {
            var echo = IcmpMessage.Parse(Hex.Bytes("08 00 f7 fe 00 01 00 02 61 62"));
            Assert.True(echo.IsEcho);
            Assert.False(echo.IsError);
            Assert.Equal(1, echo.Identifier);
            Assert.Equal(2, echo.SequenceNumber);
            Assert.True(echo.QuotedBytes.IsEmpty);
            // Unreachable with an RFC 4884 length of 7 words: 28 bytes of quote, then an extension.
            var body = new byte[8 + 28 + 8];
            body[0] = 3; body[1] = 3; body[5] = 7;
            body[8] = 0x45;
            body[8 + 9] = 1; // quoted ICMP
            body[8 + 20] = 8; // quoted echo request
            body[8 + 24] = 0x00; body[8 + 25] = 0x07; // id 7
            body[8 + 26] = 0x00; body[8 + 27] = 0x03; // seq 3
            var m = IcmpMessage.Parse(body);
            Assert.Equal(28, m.QuotedBytes.Length);
            Assert.Equal(8, m.Quoted.IcmpType);
            Assert.Equal(7, m.Quoted.IcmpIdentifier);
            Assert.Equal(3, m.Quoted.IcmpSequence);
        }

        [Fact]
        public void Icmpv6TimeExceededQuotesTheProbe()
        {
            var pkt = Hex.Bytes(@"
                60 00 00 00 00 38 3a 40                          # 0  IPv6, payload 56, ICMPv6
                20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 fe  # 8  router 2001:db8::fe
                20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01  # 24 prober 2001:db8::1
                03 00 00 00 00 00 00 00                          # 40 time exceeded
                60 00 00 00 00 10 11 01                          # 48 quoted IPv6, UDP, hop limit 1
                20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01  # 56
                20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 09  # 72 target 2001:db8::9
                82 9b 82 9c 00 10 00 00                          # 88 UDP 33435 -> 33436
            ");
            var p = PacketDecoder.Decode(LinkType.Raw, pkt);
            Assert.True(p.IsValid, p.Issue.ToString());
            Assert.Equal(TransportKind.Icmpv6, p.Transport);
            var m = p.Icmpv6;
            Assert.Equal(Icmpv6Message.TimeExceeded, m.Type);
            Assert.True(m.IsError);
            var q = m.Quoted;
            Assert.Equal(6, q.Version);
            Assert.Equal("2001:db8::9", AddressText.Format(q.Destination));
            Assert.Equal(33436, q.DestinationPort);
            Assert.Equal(1, q.TtlOrHopLimit);
            var ptb = Icmpv6Message.Parse(Hex.Bytes("02 00 00 00 00 00 05 00"));
            Assert.Equal(1280u, ptb.Mtu);
            var ns = Icmpv6Message.Parse(Hex.Bytes("87 00 00 00 00 00 00 00 fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01"));
            Assert.Equal("fe80::1", AddressText.Format(ns.TargetAddress));
        }

        [Fact]
        public void ArpRequest()
        {
            var frame = Hex.Bytes(@"
                ff ff ff ff ff ff 00 11 22 33 44 55 08 06   # 0  broadcast, ARP
                00 01 08 00 06 04 00 01                     # 14 Ethernet/IPv4, request
                00 11 22 33 44 55 c0 a8 01 02               # 22 sender
                00 00 00 00 00 00 c0 a8 01 01               # 32 target
            ");
            var p = PacketDecoder.Decode(LinkType.Ethernet, frame);
            Assert.True(p.IsValid);
            Assert.Equal(NetworkKind.Arp, p.Network);
            Assert.Equal("192.168.1.2", AddressText.Format(p.SourceAddress));
            Assert.Equal("192.168.1.1", AddressText.Format(p.DestinationAddress));
            Assert.Equal(ArpPacket.Request, p.Arp.Operation);
            Assert.Equal("00:11:22:33:44:55", AddressText.FormatMac(p.Arp.SenderHardwareAddress));
            var bad = (byte[])frame.Clone();
            bad[18] = 40;
            Assert.Equal(DecodeProblem.BadAddressLength, PacketDecoder.Decode(LinkType.Ethernet, bad).Issue.Problem);
        }

        [Fact]
        public void LinuxCookedV1AndV2()
        {
            var sll = Hex.Bytes(@"
                00 04 00 01 00 06            # 0 sent by us, ARPHRD_ETHER, address length 6
                00 11 22 33 44 55 00 00      # 6 address
                08 00                        # 14 IPv4
                45 00 00 1c 00 00 00 00 40 11 00 00 7f 00 00 01 7f 00 00 01   # 16 IPv4 UDP
                30 39 00 35 00 08 00 00      # 36 UDP 12345 -> 53, empty
            ");
            var h = LinuxSllHeader.Parse(sll);
            Assert.Equal(4, h.PacketType);
            Assert.Equal(6, h.Address.Length);
            var p = PacketDecoder.Decode(LinkType.LinuxSll, sll);
            Assert.True(p.IsValid);
            Assert.Equal(53, p.DestinationPort);
            Assert.Equal(0, p.PayloadLength);

            var sll2 = Hex.Bytes(@"
                86 dd 00 00                  # 0 IPv6, reserved
                00 00 00 03                  # 4 interface index 3
                00 01 00 06                  # 8 ARPHRD_ETHER, to us, address length 6
                00 11 22 33 44 55 00 00      # 12 address
                60 00 00 00 00 08 3a 40      # 20 IPv6, 8 bytes, ICMPv6
                00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01
                00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01
                80 00 00 00 00 01 00 01      # 60 echo request id 1 seq 1
            ");
            var h2 = LinuxSll2Header.Parse(sll2);
            Assert.Equal(3u, h2.InterfaceIndex);
            Assert.Equal(EtherTypes.Ipv6, h2.Protocol);
            var p2 = PacketDecoder.Decode(LinkType.LinuxSll2, sll2);
            Assert.True(p2.IsValid, p2.Issue.ToString());
            Assert.Equal("::1", AddressText.Format(p2.SourceAddress));
            Assert.Equal(128, p2.IcmpType);
            Assert.Equal(1, p2.Icmpv6.SequenceNumber);
        }

        [Theory]
        [InlineData("02 00 00 00", LinkType.Null)]      // little-endian host, AF_INET
        [InlineData("00 00 00 02", LinkType.Null)]      // big-endian host
        [InlineData("00 00 00 02", LinkType.Loop)]      // OpenBSD loop: always network order
        public void BsdLoopbackBothByteOrders(string header, object linkValue)
        {
            var link = (LinkType)linkValue; // object: LinkType is internal to the core, test methods are public
            var bytes = Hex.Bytes(header + " 45 00 00 14 00 00 00 00 40 3b 00 00 7f 00 00 01 7f 00 00 02");
            var p = PacketDecoder.Decode(link, bytes);
            Assert.True(p.IsValid);
            Assert.Equal(NetworkKind.Ipv4, p.Network);
            Assert.Equal("127.0.0.2", AddressText.Format(p.DestinationAddress));
            Assert.Equal(TransportKind.Other, p.Transport);
        }

        [Fact]
        public void BsdLoopbackIpv6Families()
        {
            foreach (byte family in new byte[] { 24, 28, 30 })
            {
                var bytes = new byte[4 + 40];
                bytes[0] = family;
                bytes[4] = 0x60;
                bytes[4 + 6] = 59;
                var p = PacketDecoder.Decode(LinkType.Null, bytes);
                Assert.Equal(NetworkKind.Ipv6, p.Network);
            }
        }

        [Fact]
        public void UnknownLinkTypePassesThrough()
        {
            var p = PacketDecoder.Decode((ushort)147, new byte[] { 1, 2, 3 });
            Assert.Equal(DecodeProblem.UnknownProtocol, p.Issue.Problem);
            Assert.Equal(3, p.Data.Length);
            Assert.Equal(NetworkKind.None, p.Network);
        }

        [Fact]
        public void UdpBadLength()
        {
            var u = UdpDatagram.Parse(Hex.Bytes("00 35 30 39 00 04 00 00"));
            Assert.Equal(DecodeProblem.BadTotalLength, u.Issue.Problem);
            Assert.Equal(4, u.Issue.Offset);
            Assert.Equal(53, u.SourcePort);
        }

        [Fact]
        public void TruncatedEthernetAndVlan()
        {
            Assert.Equal(DecodeProblem.Truncated, EthernetFrame.Parse(new byte[13]).Issue.Problem);
            var vlanCut = Hex.Bytes("00 11 22 33 44 55 66 77 88 99 aa bb 81 00 00 01");
            var eth = EthernetFrame.Parse(vlanCut);
            Assert.Equal(PacketLayer.Vlan, eth.Issue.Layer);
            Assert.Equal(12, eth.Issue.Offset);
        }

        [Fact]
        public void EveryPrefixOfEveryFixtureDecodesWithoutThrowing()
        {
            foreach (var (link, bytes) in new[] { (LinkType.Ethernet, QinQTcpSyn), (LinkType.Raw, Ipv6WithExtensions) })
            {
                for (int n = 0; n <= bytes.Length; n++)
                {
                    var p = PacketDecoder.Decode(link, bytes.AsSpan(0, n));
                    Assert.True(p.Payload.Length <= n);
                    if (n < bytes.Length && n < 30) Assert.False(p.IsValid && p.Transport != TransportKind.None && p.SourcePort != 0 && n < 22 + 20);
                }
            }
        }
    }
}
