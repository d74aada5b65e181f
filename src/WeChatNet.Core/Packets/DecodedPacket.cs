using System;

namespace WeChatNet.Packets
{
    /// <summary>What sits above the link layer.</summary>
    internal enum NetworkKind : byte { None = 0, Ipv4, Ipv6, Arp, Other }

    /// <summary>What sits above IP. <see cref="Fragment"/> is a non-first fragment (no transport header in it).</summary>
    internal enum TransportKind : byte { None = 0, Tcp, Udp, Icmp, Icmpv6, Other, Fragment }

    /// <summary>
    /// Every layer of one packet decoded in a single pass (<see cref="PacketDecoder.Decode"/>): offsets and header
    /// values over the record's bytes, nothing copied or allocated. The per-layer views
    /// (<see cref="Ipv4"/>, <see cref="Tcp"/>, <see cref="Icmp"/>...) re-open a layer for fields not summarised here.
    /// A malformed layer stops decoding there: what was decoded before it stays, and <see cref="Issue"/> says what
    /// was wrong at which byte offset of the packet.
    /// </summary>
    internal readonly ref struct DecodedPacket
    {
        private readonly ReadOnlySpan<byte> _data;
        private readonly DecodedFields _f;

        internal DecodedPacket(ReadOnlySpan<byte> data, DecodedFields fields)
        {
            _data = data;
            _f = fields;
        }

        /// <summary>The packet's bytes from the link-layer header on (as captured).</summary>
        public ReadOnlySpan<byte> Data => _data;
        /// <summary>The link type as recorded in the file (any value; unknown ones are not decoded further).</summary>
        public ushort LinkType => _f.LinkType;
        public DecodeIssue Issue => _f.Issue;
        public bool IsValid => _f.Issue.IsNone;

        /// <summary>The EtherType (or equivalent from SLL / loopback / raw) of the network layer; 0 when none.</summary>
        public ushort EtherType => _f.EtherType;
        public int VlanCount => _f.VlanCount;
        /// <summary>The outermost VLAN ID (0 without a tag).</summary>
        public ushort OuterVlanId => _f.OuterVlanId;
        /// <summary>The innermost VLAN ID (0 without a tag; same as outer with one tag).</summary>
        public ushort InnerVlanId => _f.InnerVlanId;

        public NetworkKind Network => _f.Network;
        /// <summary>Offset of the network-layer header in <see cref="Data"/>.</summary>
        public int NetworkOffset => _f.NetworkOffset;
        /// <summary>
        /// Source address: IPv4/IPv6 source, or the ARP sender protocol address. Empty when none. A header cut short by
        /// the snap length may leave the source readable but not the destination.
        /// </summary>
        public ReadOnlySpan<byte> SourceAddress => _f.AddressLength == 0 ? default : _data.Slice(_f.SourceAddressOffset, _f.AddressLength);
        public ReadOnlySpan<byte> DestinationAddress => _f.DestinationAddressLength == 0 ? default : _data.Slice(_f.DestinationAddressOffset, _f.DestinationAddressLength);
        /// <summary>IP protocol of the transport layer (after IPv6 extension headers); 0 when not IP.</summary>
        public byte IpProtocol => _f.IpProtocol;
        public byte TtlOrHopLimit => _f.Ttl;
        /// <summary>True for an IPv4 fragment or an IPv6 packet with a non-atomic fragment header.</summary>
        public bool IsFragment => _f.IsFragment;
        /// <summary>Fragment offset in bytes (0 for the first fragment or an unfragmented packet).</summary>
        public int FragmentOffset => _f.FragmentOffset;
        public bool MoreFragments => _f.MoreFragments;
        /// <summary>The transport length the IP header declares (may exceed what was captured).</summary>
        public int IpPayloadLength => _f.IpPayloadLength;

        public TransportKind Transport => _f.Transport;
        public int TransportOffset => _f.TransportOffset;
        public ushort SourcePort => _f.SourcePort;
        public ushort DestinationPort => _f.DestinationPort;
        public TcpFlags TcpFlags => _f.TcpFlags;
        public uint Sequence => _f.Sequence;
        public uint Acknowledgment => _f.Acknowledgment;
        public ushort Window => _f.Window;
        public byte IcmpType => _f.IcmpType;
        public byte IcmpCode => _f.IcmpCode;
        /// <summary>Application payload length as the headers declare it (TCP: IP payload minus TCP header; UDP: UDP length minus 8).</summary>
        public int PayloadLength => _f.PayloadLength;
        public int PayloadOffset => _f.PayloadOffset;
        /// <summary>The application payload that was captured (may be shorter than <see cref="PayloadLength"/>).</summary>
        public ReadOnlySpan<byte> Payload => _f.PayloadOffset >= _data.Length || _f.PayloadOffset == 0 ? default
            : _data.Slice(_f.PayloadOffset, Math.Min(Math.Max(0, _f.PayloadLength), _data.Length - _f.PayloadOffset));

        public EthernetFrame Ethernet => EthernetFrame.Parse(_f.LinkType == (ushort)Packets.LinkType.Ethernet ? _data : default);
        public Ipv4Packet Ipv4 => Ipv4Packet.Parse(_f.Network == NetworkKind.Ipv4 ? _data.Slice(_f.NetworkOffset) : default);
        public Ipv6Packet Ipv6 => Ipv6Packet.Parse(_f.Network == NetworkKind.Ipv6 ? _data.Slice(_f.NetworkOffset) : default);
        public ArpPacket Arp => ArpPacket.Parse(_f.Network == NetworkKind.Arp ? _data.Slice(_f.NetworkOffset) : default);
        public TcpSegment Tcp => TcpSegment.Parse(_f.Transport == TransportKind.Tcp ? TransportBytes : default);
        public UdpDatagram Udp => UdpDatagram.Parse(_f.Transport == TransportKind.Udp ? TransportBytes : default);
        public IcmpMessage Icmp => IcmpMessage.Parse(_f.Transport == TransportKind.Icmp ? TransportBytes : default);
        public Icmpv6Message Icmpv6 => Icmpv6Message.Parse(_f.Transport == TransportKind.Icmpv6 ? TransportBytes : default);

        /// <summary>The transport header and what follows, bounded by the IP length and the capture.</summary>
        public ReadOnlySpan<byte> TransportBytes => _f.TransportOffset == 0 || _f.TransportOffset > _f.TransportEnd ? default
            : _data.Slice(_f.TransportOffset, _f.TransportEnd - _f.TransportOffset);
    }

    /// <summary>The values a decode pass fills in; plain data so the pass can build them in a local.</summary>
    internal struct DecodedFields
    {
        public ushort LinkType;
        public DecodeIssue Issue;
        public ushort EtherType;
        public int VlanCount;
        public ushort OuterVlanId;
        public ushort InnerVlanId;
        public NetworkKind Network;
        public int NetworkOffset;
        public int SourceAddressOffset;
        public int DestinationAddressOffset;
        public int AddressLength;
        public int DestinationAddressLength;
        public byte IpProtocol;
        public byte Ttl;
        public bool IsFragment;
        public int FragmentOffset;
        public bool MoreFragments;
        public int IpPayloadLength;
        public TransportKind Transport;
        public int TransportOffset;
        public int TransportEnd;
        public ushort SourcePort;
        public ushort DestinationPort;
        public TcpFlags TcpFlags;
        public uint Sequence;
        public uint Acknowledgment;
        public ushort Window;
        public byte IcmpType;
        public byte IcmpCode;
        public int PayloadOffset;
        public int PayloadLength;
    }
}
