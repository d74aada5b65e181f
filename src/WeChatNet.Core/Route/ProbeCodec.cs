using System;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using WeChatNet.Packets;

namespace WeChatNet.Route
{
    /// <summary>
    /// Builds Paris-style probes and matches replies to them.
    /// <para>
    /// Every probe of a run has the same flow fields, so per-flow load balancers send all of them down one branch:
    /// ICMP echo keeps type, code, identifier and checksum constant (the sequence carries the probe key and two
    /// payload bytes compensate it); UDP keeps both ports and carries the key in its checksum (two payload bytes
    /// steer it); TCP SYN keeps both ports and carries the key in the low 16 bits of its sequence number.
    /// </para>
    /// <para>
    /// Replies: ICMP time-exceeded / unreachable are matched through the quoted header of the probe they answer
    /// (inner destination = target, inner protocol and ports, then the key); echo replies by identifier and
    /// sequence; TCP SYN/ACK and RST from the target by ports and acknowledgment number.
    /// </para>
    /// </summary>
    internal sealed class ProbeCodec
    {
        public const int IcmpPayloadLength = 32;
        public const int UdpPayloadLength = 24;
        public const int TcpHeaderLength = 24;
        private static readonly byte[] Marker = { (byte)'W', (byte)'e', (byte)'C', (byte)'h', (byte)'a', (byte)'t', (byte)'N', (byte)'e', (byte)'t' };

        private readonly byte[] _source;
        private readonly byte[] _target;
        private readonly uint _pseudoSum;
        private readonly bool _v6;

        public ProbeCodec(RouteProtocol protocol, IPAddress source, IPAddress target, ushort sourcePort, ushort destinationPort,
            ushort icmpIdentifier, ushort tcpSequenceHigh)
        {
            if (source.AddressFamily != target.AddressFamily) throw new ArgumentException("Source and target must be of one address family.");
            Protocol = protocol;
            Source = source;
            Target = target;
            _source = source.GetAddressBytes();
            _target = target.GetAddressBytes();
            _v6 = target.AddressFamily == AddressFamily.InterNetworkV6;
            SourcePort = sourcePort;
            DestinationPort = destinationPort;
            IcmpIdentifier = icmpIdentifier;
            TcpSequenceHigh = tcpSequenceHigh;
            _pseudoSum = Sum(_source) + Sum(_target) + TransportProtocol;
        }

        public RouteProtocol Protocol { get; }
        public IPAddress Source { get; }
        public IPAddress Target { get; }
        public ushort SourcePort { get; }
        public ushort DestinationPort { get; }
        public ushort IcmpIdentifier { get; }
        public ushort TcpSequenceHigh { get; }
        public bool IsIPv6 => _v6;

        /// <summary>The constant ICMP checksum every echo probe of the run carries (Paris).</summary>
        public ushort IcmpChecksum => (ushort)(IcmpIdentifier ^ 0x5A5A | 1);

        public byte TransportProtocol => Protocol switch
        {
            RouteProtocol.Icmp => _v6 ? IpProtocols.Icmpv6 : IpProtocols.Icmp,
            RouteProtocol.Udp => IpProtocols.Udp,
            _ => IpProtocols.Tcp,
        };

        public int ProbeLength => Protocol switch
        {
            RouteProtocol.Icmp => 8 + IcmpPayloadLength,
            RouteProtocol.Udp => 8 + UdpPayloadLength,
            _ => TcpHeaderLength,
        };

        /// <summary>Probe keys avoid 0 and 0xFFFF (a UDP checksum of 0 means "none").</summary>
        public static bool IsUsableKey(ushort key) => key != 0 && key != 0xFFFF;

        /// <summary>Writes the transport header and payload of the probe with <paramref name="key"/> (the kernel adds the IP header).</summary>
        public int Build(Span<byte> buffer, ushort key)
        {
            int length = ProbeLength;
            var p = buffer.Slice(0, length);
            p.Clear();
            switch (Protocol)
            {
                case RouteProtocol.Icmp:
                    p[0] = _v6 ? Icmpv6Message.EchoRequest : IcmpMessage.EchoRequest;
                    BinaryPrimitives.WriteUInt16BigEndian(p.Slice(4), IcmpIdentifier);
                    BinaryPrimitives.WriteUInt16BigEndian(p.Slice(6), key);
                    Marker.CopyTo(p.Slice(10));
                    // ICMPv4 has no pseudo header; ICMPv6 does (the kernel recomputes it and finds the same value).
                    ForceChecksum(p, 2, 8, _v6 ? PseudoSum(length) : 0, IcmpChecksum);
                    break;
                case RouteProtocol.Udp:
                    BinaryPrimitives.WriteUInt16BigEndian(p, SourcePort);
                    BinaryPrimitives.WriteUInt16BigEndian(p.Slice(2), DestinationPort);
                    BinaryPrimitives.WriteUInt16BigEndian(p.Slice(4), (ushort)length);
                    Marker.CopyTo(p.Slice(10));
                    ForceChecksum(p, 6, 8, PseudoSum(length), key);
                    break;
                default:
                    BinaryPrimitives.WriteUInt16BigEndian(p, SourcePort);
                    BinaryPrimitives.WriteUInt16BigEndian(p.Slice(2), DestinationPort);
                    BinaryPrimitives.WriteUInt32BigEndian(p.Slice(4), TcpSequence(key));
                    p[12] = (TcpHeaderLength / 4) << 4;
                    p[13] = (byte)TcpFlags.Syn;
                    BinaryPrimitives.WriteUInt16BigEndian(p.Slice(14), 64240);
                    // Option: MSS, so middleboxes that drop option-less SYNs let the probe through.
                    p[20] = 2;
                    p[21] = 4;
                    BinaryPrimitives.WriteUInt16BigEndian(p.Slice(22), (ushort)(_v6 ? 1440 : 1460));
                    BinaryPrimitives.WriteUInt16BigEndian(p.Slice(16), InternetChecksum.Compute(p, PseudoSum(length)));
                    break;
            }
            return length;
        }

        public uint TcpSequence(ushort key) => (uint)TcpSequenceHigh << 16 | key;

        private uint PseudoSum(int length) => _pseudoSum + (uint)length;

        private static uint Sum(ReadOnlySpan<byte> address)
        {
            uint s = 0;
            for (int i = 0; i + 1 < address.Length; i += 2) s += (uint)(address[i] << 8 | address[i + 1]);
            return s;
        }

        /// <summary>
        /// Sets the checksum field to <paramref name="desired"/> and the 16-bit word at <paramref name="adjustOffset"/>
        /// so that the segment's one's-complement sum (with the pseudo header) verifies.
        /// </summary>
        internal static void ForceChecksum(Span<byte> segment, int checksumOffset, int adjustOffset, uint pseudoSum, ushort desired)
        {
            BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(checksumOffset), 0);
            BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(adjustOffset), 0);
            // Compute returns ~S (S = folded sum without the two words). We need S + A + D == 0xFFFF (one's complement).
            uint s = (ushort)~InternetChecksum.Compute(segment, pseudoSum);
            uint sd = s + desired;
            sd = (sd & 0xFFFF) + (sd >> 16);
            ushort adjust = (ushort)~sd;
            BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(adjustOffset), adjust);
            BinaryPrimitives.WriteUInt16BigEndian(segment.Slice(checksumOffset), desired);
        }

        /// <summary>
        /// Matches a packet read from the raw ICMP socket (IPv4: with its IP header) or raw ICMPv6 socket (the message
        /// alone, sender given). False for anything that is not a reply to this run's probes. Never throws.
        /// </summary>
        public bool TryMatchIcmp(ReadOnlySpan<byte> packet, IPAddress? sender, out ushort key, out ReplyKind kind, out ReadOnlySpan<byte> responder)
        {
            responder = default;
            if (_v6) return TryMatchIcmpMessage(packet, out key, out kind);
            key = 0;
            kind = ReplyKind.None;
            var ip = Ipv4Packet.Parse(packet);
            if (!ip.HasHeader || ip.Protocol != IpProtocols.Icmp) return false;
            responder = ip.Source;
            return TryMatchIcmpMessage(ip.Payload, out key, out kind);
        }

        /// <summary>Matches an ICMP (or ICMPv6) message without its IP header: an echo reply, or an error quoting a probe.</summary>
        public bool TryMatchIcmpMessage(ReadOnlySpan<byte> message, out ushort key, out ReplyKind kind)
        {
            key = 0;
            kind = ReplyKind.None;
            if (_v6)
            {
                var m = Icmpv6Message.Parse(message);
                if (!m.HasHeader) return false;
                if (m.Type == Icmpv6Message.EchoReply) return MatchEchoReply(m.Identifier, m.SequenceNumber, out key, out kind);
                if (!m.IsError) return false;
                kind = KindOf(m.Type, m.Code);
                return kind != ReplyKind.None && TryMatchQuoted(m.Quoted, out key);
            }
            var icmp = IcmpMessage.Parse(message);
            if (!icmp.HasHeader) return false;
            if (icmp.Type == IcmpMessage.EchoReply) return MatchEchoReply(icmp.Identifier, icmp.SequenceNumber, out key, out kind);
            kind = KindOf(icmp.Type, icmp.Code);
            return kind != ReplyKind.None && TryMatchQuoted(icmp.Quoted, out key);
        }

        private bool MatchEchoReply(ushort identifier, ushort sequence, out ushort key, out ReplyKind kind)
        {
            key = sequence;
            kind = ReplyKind.EchoReply;
            return Protocol == RouteProtocol.Icmp && identifier == IcmpIdentifier;
        }

        /// <summary>
        /// Matches an ICMP error that a Linux ICMP datagram ("ping") socket queued for us (IP_RECVERR): the kernel hands
        /// over the echo request it refers to and the error's type and code; the router's address comes separately.
        /// </summary>
        public bool TryMatchQueuedError(ReadOnlySpan<byte> original, byte icmpType, byte icmpCode, out ushort key, out ReplyKind kind)
        {
            key = 0;
            kind = KindOf(icmpType, icmpCode);
            if (kind == ReplyKind.None || Protocol != RouteProtocol.Icmp || original.Length < 8) return false;
            if (original[0] != (_v6 ? Icmpv6Message.EchoRequest : IcmpMessage.EchoRequest)) return false;
            if (BinaryPrimitives.ReadUInt16BigEndian(original.Slice(4)) != IcmpIdentifier) return false;
            key = BinaryPrimitives.ReadUInt16BigEndian(original.Slice(6));
            return true;
        }

        /// <summary>What an ICMP (or, for IPv6 codecs, ICMPv6) error type and code mean for a trace.</summary>
        public ReplyKind KindOf(byte type, byte code)
        {
            if (_v6)
            {
                return type switch
                {
                    Icmpv6Message.TimeExceeded => code == 0 ? ReplyKind.TimeExceeded : ReplyKind.None,
                    Icmpv6Message.PacketTooBig => ReplyKind.FragmentationNeeded,
                    Icmpv6Message.DestinationUnreachable => code switch
                    {
                        0 => ReplyKind.NetworkUnreachable,
                        1 or 5 or 6 => ReplyKind.AdminProhibited,
                        3 => ReplyKind.HostUnreachable,
                        4 => ReplyKind.PortUnreachable,
                        _ => ReplyKind.OtherUnreachable,
                    },
                    _ => ReplyKind.None,
                };
            }
            return type switch
            {
                IcmpMessage.TimeExceeded => code == 0 ? ReplyKind.TimeExceeded : ReplyKind.None,
                IcmpMessage.DestinationUnreachable => code switch
                {
                    0 or 6 => ReplyKind.NetworkUnreachable,
                    1 or 7 => ReplyKind.HostUnreachable,
                    2 => ReplyKind.ProtocolUnreachable,
                    3 => ReplyKind.PortUnreachable,
                    4 => ReplyKind.FragmentationNeeded,
                    9 or 10 or 13 => ReplyKind.AdminProhibited,
                    _ => ReplyKind.OtherUnreachable,
                },
                _ => ReplyKind.None,
            };
        }

        /// <summary>The probe a quoted header belongs to: inner destination, protocol, ports/identifier, then the key.</summary>
        private bool TryMatchQuoted(QuotedDatagram q, out ushort key)
        {
            key = 0;
            if (!q.HasIpHeader || q.Version != (_v6 ? 6 : 4) || !q.Destination.SequenceEqual(_target)) return false;
            if (q.Protocol != TransportProtocol) return false;
            var th = q.TransportHeader;
            switch (Protocol)
            {
                case RouteProtocol.Icmp:
                    if (th.Length < 8 || q.IcmpType != (_v6 ? Icmpv6Message.EchoRequest : IcmpMessage.EchoRequest) || q.IcmpIdentifier != IcmpIdentifier) return false;
                    key = q.IcmpSequence;
                    return true;
                case RouteProtocol.Udp:
                    // The UDP checksum (quoted bytes 6-7) is this run's key: QuotedDatagram exposes the 8 bytes, not the field.
                    if (th.Length < 8 || q.SourcePort != SourcePort || q.DestinationPort != DestinationPort) return false;
                    key = BinaryPrimitives.ReadUInt16BigEndian(th.Slice(6));
                    return true;
                default:
                    if (th.Length < 8 || q.SourcePort != SourcePort || q.DestinationPort != DestinationPort) return false;
                    uint seq = q.TcpSequence;
                    if (seq >> 16 != TcpSequenceHigh) return false;
                    key = (ushort)seq;
                    return true;
            }
        }

        /// <summary>
        /// Matches a segment read from the raw TCP socket (IPv4: with its IP header; IPv6: the segment alone, sender given):
        /// a SYN/ACK (open port) or RST (closed port) from the target that acknowledges one of the probes.
        /// </summary>
        public bool TryMatchTcp(ReadOnlySpan<byte> packet, IPAddress? sender, out ushort key, out ReplyKind kind)
        {
            key = 0;
            kind = ReplyKind.None;
            ReadOnlySpan<byte> segment;
            if (_v6)
            {
                if (sender is null || !sender.Equals(Target)) return false;
                segment = packet;
            }
            else
            {
                var ip = Ipv4Packet.Parse(packet);
                if (!ip.HasHeader || ip.Protocol != IpProtocols.Tcp || !ip.Source.SequenceEqual(_target)) return false;
                segment = ip.Payload;
            }
            var tcp = TcpSegment.Parse(segment);
            if (!tcp.HasHeader || tcp.SourcePort != DestinationPort || tcp.DestinationPort != SourcePort) return false;
            var flags = tcp.Flags;
            if ((flags & TcpFlags.Ack) == 0) return false;
            if ((flags & TcpFlags.Rst) != 0) kind = ReplyKind.TcpReset;
            else if ((flags & TcpFlags.Syn) != 0) kind = ReplyKind.TcpSynAck;
            else return false;
            uint acked = unchecked(tcp.Acknowledgment - 1);
            if (acked >> 16 != TcpSequenceHigh) return false;
            key = (ushort)acked;
            return true;
        }
    }
}
