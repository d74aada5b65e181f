using System;

namespace WeChatNet.Packets
{
    /// <summary>
    /// Decodes a packet from its link-layer header to its transport header in one forward pass.
    /// Allocation-free and exception-free: malformed layers stop the pass with an issue, unknown link types and
    /// protocols leave the bytes raw.
    /// </summary>
    internal static class PacketDecoder
    {
        /// <summary>Decodes <paramref name="data"/> captured with link type <paramref name="linkType"/>.</summary>
        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        public static DecodedPacket Decode(ushort linkType, ReadOnlySpan<byte> data)
        {
            var f = new DecodedFields { LinkType = linkType };
            Fill(linkType, data, ref f);
            return new DecodedPacket(data, f);
        }

        /// <summary>Decodes <paramref name="data"/> captured with link type <paramref name="linkType"/>.</summary>
        public static DecodedPacket Decode(LinkType linkType, ReadOnlySpan<byte> data) => Decode((ushort)linkType, data);

        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        private static void Fill(ushort linkType, ReadOnlySpan<byte> data, ref DecodedFields f)
        {
            ushort etherType;
            int offset;
            switch ((LinkType)linkType)
            {
                case LinkType.Ethernet:
                {
                    var eth = EthernetFrame.Parse(data);
                    f.VlanCount = eth.VlanCount;
                    if (eth.VlanCount > 0)
                    {
                        f.OuterVlanId = eth.VlanId(0);
                        f.InnerVlanId = eth.VlanId(eth.VlanCount - 1);
                    }
                    if (!eth.IsValid) { f.Issue = eth.Issue; return; }
                    etherType = eth.EtherType;
                    offset = eth.PayloadOffset;
                    break;
                }
                case LinkType.LinuxSll:
                {
                    var sll = LinuxSllHeader.Parse(data);
                    if (!sll.IsValid) { f.Issue = sll.Issue; return; }
                    etherType = sll.Protocol;
                    offset = LinuxSllHeader.HeaderLength;
                    break;
                }
                case LinkType.LinuxSll2:
                {
                    var sll2 = LinuxSll2Header.Parse(data);
                    if (!sll2.IsValid) { f.Issue = sll2.Issue; return; }
                    etherType = sll2.Protocol;
                    offset = LinuxSll2Header.HeaderLength;
                    break;
                }
                case LinkType.Null:
                case LinkType.Loop:
                {
                    var nul = NullHeader.Parse(data, networkOrder: linkType == (ushort)LinkType.Loop);
                    if (!nul.IsValid) { f.Issue = nul.Issue; return; }
                    etherType = nul.IsIpv4 ? EtherTypes.Ipv4 : nul.IsIpv6 ? EtherTypes.Ipv6 : (ushort)0;
                    offset = NullHeader.HeaderLength;
                    if (etherType == 0) { f.Network = NetworkKind.Other; f.NetworkOffset = offset; return; }
                    break;
                }
                case LinkType.Raw:
                case LinkType.RawBsd12:
                case LinkType.RawBsd14:
                    if (data.Length == 0) { f.Issue = new DecodeIssue(PacketLayer.Link, DecodeProblem.Truncated, 0); return; }
                    etherType = (data[0] >> 4) switch { 4 => EtherTypes.Ipv4, 6 => EtherTypes.Ipv6, _ => (ushort)0 };
                    if (etherType == 0) { f.Issue = new DecodeIssue(PacketLayer.Link, DecodeProblem.BadVersion, 0); return; }
                    offset = 0;
                    break;
                case LinkType.Ipv4:
                    etherType = EtherTypes.Ipv4;
                    offset = 0;
                    break;
                case LinkType.Ipv6:
                    etherType = EtherTypes.Ipv6;
                    offset = 0;
                    break;
                default:
                    f.Issue = new DecodeIssue(PacketLayer.Link, DecodeProblem.UnknownProtocol, 0);
                    return;
            }

            f.EtherType = etherType;
            f.NetworkOffset = offset;
            var rest = data.Slice(Math.Min(offset, data.Length));
            switch (etherType)
            {
                case EtherTypes.Ipv4: FillIpv4(rest, offset, ref f); break;
                case EtherTypes.Ipv6: FillIpv6(rest, offset, ref f); break;
                case EtherTypes.Arp:
                {
                    f.Network = NetworkKind.Arp;
                    var arp = ArpPacket.Parse(rest);
                    if (!arp.IsValid) { f.Issue = arp.Issue.At(offset); return; }
                    if (arp.ProtocolAddressLength == 4 || arp.ProtocolAddressLength == 16)
                    {
                        f.AddressLength = f.DestinationAddressLength = arp.ProtocolAddressLength;
                        f.SourceAddressOffset = offset + ArpPacket.FixedLength + arp.HardwareAddressLength;
                        f.DestinationAddressOffset = offset + ArpPacket.FixedLength + 2 * arp.HardwareAddressLength + arp.ProtocolAddressLength;
                    }
                    break;
                }
                default:
                    f.Network = NetworkKind.Other;
                    break;
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        private static void FillIpv4(ReadOnlySpan<byte> bytes, int offset, ref DecodedFields f)
        {
            var ip = Ipv4Packet.Parse(bytes);
            f.Network = NetworkKind.Ipv4;
            if (!ip.HasHeader)
            {
                f.Issue = ip.Issue.At(offset);
                if (bytes.Length >= 16 && bytes[0] >> 4 == 4) { f.AddressLength = 4; f.SourceAddressOffset = offset + 12; }
                return;
            }
            f.AddressLength = f.DestinationAddressLength = 4;
            f.SourceAddressOffset = offset + 12;
            f.DestinationAddressOffset = offset + 16;
            f.IpProtocol = ip.Protocol;
            f.Ttl = ip.Ttl;
            f.IsFragment = ip.IsFragment;
            f.FragmentOffset = ip.FragmentOffset;
            f.MoreFragments = ip.MoreFragments;
            f.IpPayloadLength = ip.DeclaredPayloadLength;
            if (!ip.IsValid)
            {
                f.Issue = ip.Issue.At(offset);
                // Option trouble leaves the payload bounds known; length trouble does not.
                if (ip.Issue.Problem != DecodeProblem.BadOptionLength) return;
            }
            FillAboveIp(ip.Protocol, ip.Payload, offset + ip.HeaderLength, 4, ref f);
        }

        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        private static void FillIpv6(ReadOnlySpan<byte> bytes, int offset, ref DecodedFields f)
        {
            var ip = Ipv6Packet.Parse(bytes);
            f.Network = NetworkKind.Ipv6;
            if (!ip.HasHeader)
            {
                // A header cut by the snap length: keep the source when it was captured (as tshark does).
                f.Issue = ip.Issue.At(offset);
                if (bytes.Length >= 24 && bytes[0] >> 4 == 6) { f.AddressLength = 16; f.SourceAddressOffset = offset + 8; }
                return;
            }
            f.AddressLength = f.DestinationAddressLength = 16;
            f.SourceAddressOffset = offset + 8;
            f.DestinationAddressOffset = offset + 24;
            f.IpProtocol = ip.UpperLayerProtocol;
            f.Ttl = ip.HopLimit;
            f.IsFragment = ip.IsFragment;
            f.FragmentOffset = ip.FragmentOffset;
            f.MoreFragments = ip.MoreFragments;
            f.IpPayloadLength = ip.DeclaredPayloadLength;
            if (!ip.IsValid) { f.Issue = ip.Issue.At(offset); return; }
            FillAboveIp(ip.UpperLayerProtocol, ip.Payload, offset + ip.UpperLayerOffset, 6, ref f);
        }

        /// <summary>A non-first fragment carries no transport header: mark it; otherwise decode the transport.</summary>
        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        private static void FillAboveIp(byte protocol, ReadOnlySpan<byte> payload, int transportOffset, int ipVersion, ref DecodedFields f)
        {
            if (f.FragmentOffset != 0)
            {
                f.Transport = TransportKind.Fragment;
                f.TransportOffset = transportOffset;
                f.TransportEnd = transportOffset + payload.Length;
                f.PayloadOffset = transportOffset;
                f.PayloadLength = f.IpPayloadLength;
                return;
            }
            FillTransport(protocol, payload, transportOffset, f.IpPayloadLength, ipVersion, ref f);
        }

        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        private static void FillTransport(byte protocol, ReadOnlySpan<byte> bytes, int offset, int declared, int ipVersion, ref DecodedFields f)
        {
            f.TransportOffset = offset;
            f.TransportEnd = offset + bytes.Length;
            switch (protocol)
            {
                case IpProtocols.Tcp:
                {
                    f.Transport = TransportKind.Tcp;
                    var tcp = TcpSegment.Parse(bytes);
                    // The views return 0 for fields beyond the captured bytes; TransportBytes.Length says which were read.
                    f.SourcePort = tcp.SourcePort;
                    f.DestinationPort = tcp.DestinationPort;
                    f.TcpFlags = tcp.Flags;
                    f.Sequence = tcp.Sequence;
                    f.Acknowledgment = tcp.Acknowledgment;
                    f.Window = tcp.Window;
                    // Even when the header was cut by the snap length, the data offset (byte 12) gives the declared payload length.
                    if (bytes.Length >= 13 && bytes[12] >> 4 >= 5) f.PayloadLength = Math.Max(0, declared - (bytes[12] >> 4) * 4);
                    if (!tcp.IsValid)
                    {
                        f.Issue = tcp.Issue.At(offset);
                        if (tcp.Issue.Problem != DecodeProblem.BadOptionLength) return;
                    }
                    f.PayloadOffset = offset + tcp.HeaderLength;
                    f.PayloadLength = Math.Max(0, declared - tcp.HeaderLength);
                    return;
                }
                case IpProtocols.Udp:
                {
                    f.Transport = TransportKind.Udp;
                    var udp = UdpDatagram.Parse(bytes);
                    f.SourcePort = udp.SourcePort;
                    f.DestinationPort = udp.DestinationPort;
                    if (!udp.HasHeader)
                    {
                        f.Issue = udp.Issue.At(offset);
                        if (bytes.Length >= 6 && udp.Length >= UdpDatagram.HeaderLength) f.PayloadLength = udp.Length - UdpDatagram.HeaderLength;
                        return;
                    }
                    if (!udp.IsValid) { f.Issue = udp.Issue.At(offset); return; }
                    f.PayloadOffset = offset + UdpDatagram.HeaderLength;
                    int length = udp.Length >= UdpDatagram.HeaderLength ? udp.Length : declared;
                    f.PayloadLength = Math.Max(0, length - UdpDatagram.HeaderLength);
                    return;
                }
                case IpProtocols.Icmp when ipVersion == 4:
                {
                    f.Transport = TransportKind.Icmp;
                    var icmp = IcmpMessage.Parse(bytes);
                    if (bytes.Length >= 2) { f.IcmpType = icmp.Type; f.IcmpCode = icmp.Code; }
                    if (!icmp.IsValid) { f.Issue = icmp.Issue.At(offset); return; }
                    f.PayloadOffset = offset + IcmpMessage.HeaderLength;
                    f.PayloadLength = Math.Max(0, declared - IcmpMessage.HeaderLength);
                    return;
                }
                case IpProtocols.Icmpv6 when ipVersion == 6:
                {
                    f.Transport = TransportKind.Icmpv6;
                    var icmp = Icmpv6Message.Parse(bytes);
                    if (bytes.Length >= 2) { f.IcmpType = icmp.Type; f.IcmpCode = icmp.Code; }
                    if (!icmp.IsValid) { f.Issue = icmp.Issue.At(offset); return; }
                    f.PayloadOffset = offset + Icmpv6Message.HeaderLength;
                    f.PayloadLength = Math.Max(0, declared - Icmpv6Message.HeaderLength);
                    return;
                }
                default:
                    f.Transport = TransportKind.Other;
                    f.PayloadOffset = offset;
                    f.PayloadLength = declared;
                    return;
            }
        }
    }
}
