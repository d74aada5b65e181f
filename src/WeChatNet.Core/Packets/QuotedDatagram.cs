using System;
using System.Buffers.Binary;

namespace WeChatNet.Packets
{
    /// <summary>
    /// The start of the datagram that caused an ICMP or ICMPv6 error, as quoted in the error's body: the inner IP
    /// header (IPv4 or IPv6, with extension headers) and the first bytes of its transport header (RFC 792 promises
    /// 8; RFC 1812 / RFC 4443 routers usually quote more). Route tracing matches its probes with these fields.
    /// The quoted header's length fields describe the original datagram, so the view is always "truncated":
    /// that is expected and not an issue.
    /// </summary>
    internal readonly ref struct QuotedDatagram
    {
        private readonly ReadOnlySpan<byte> _data;

        private QuotedDatagram(ReadOnlySpan<byte> data, byte version, byte protocol, int transportOffset, DecodeIssue issue)
        {
            _data = data;
            Version = version;
            Protocol = protocol;
            _transportOffset = transportOffset;
            Issue = issue;
        }

        private readonly int _transportOffset;

        /// <summary>Parses quoted bytes; <paramref name="expectedVersion"/> is 4 under ICMP and 6 under ICMPv6.</summary>
        public static QuotedDatagram Parse(ReadOnlySpan<byte> quoted, byte expectedVersion)
        {
            if (quoted.Length == 0) return new QuotedDatagram(quoted, 0, 0, 0, new DecodeIssue(PacketLayer.QuotedIp, DecodeProblem.Truncated, 0));
            if (expectedVersion == 4)
            {
                var ip = Ipv4Packet.Parse(quoted);
                if (!ip.HasHeader) return new QuotedDatagram(quoted, 0, 0, 0, new DecodeIssue(PacketLayer.QuotedIp, ip.Issue.Problem, ip.Issue.Offset));
                // The transport starts after IHL*4 bytes even when the quote ends before that (then there is none).
                return new QuotedDatagram(quoted, 4, ip.Protocol, Math.Max(Ipv4Packet.MinHeaderLength, (quoted[0] & 0x0F) * 4), default);
            }
            var ip6 = Ipv6Packet.Parse(quoted);
            if (!ip6.HasHeader) return new QuotedDatagram(quoted, 0, 0, 0, new DecodeIssue(PacketLayer.QuotedIp, ip6.Issue.Problem, ip6.Issue.Offset));
            // A chain cut by the quote leaves UpperLayerOffset at the unfinished header: still report what we have.
            var issue = ip6.Issue.IsNone ? default : new DecodeIssue(PacketLayer.QuotedIp, ip6.Issue.Problem, ip6.Issue.Offset);
            return new QuotedDatagram(quoted, 6, ip6.UpperLayerProtocol, ip6.UpperLayerOffset, issue);
        }

        public DecodeIssue Issue { get; }
        /// <summary>True when the inner IP header could be read (addresses, protocol).</summary>
        public bool HasIpHeader => Version != 0;
        /// <summary>4 or 6; 0 when the quote holds no readable IP header.</summary>
        public byte Version { get; }
        /// <summary>The inner datagram's transport protocol (after IPv6 extension headers).</summary>
        public byte Protocol { get; }
        /// <summary>All quoted bytes, from the inner IP header on.</summary>
        public ReadOnlySpan<byte> Bytes => _data;
        /// <summary>The inner IPv4 header (only when <see cref="Version"/> is 4).</summary>
        public Ipv4Packet Ipv4 => Ipv4Packet.Parse(Version == 4 ? _data : default);
        /// <summary>The inner IPv6 header (only when <see cref="Version"/> is 6).</summary>
        public Ipv6Packet Ipv6 => Ipv6Packet.Parse(Version == 6 ? _data : default);
        public ReadOnlySpan<byte> Source => Version == 4 ? _data.Slice(12, 4) : Version == 6 ? _data.Slice(8, 16) : default;
        public ReadOnlySpan<byte> Destination => Version == 4 ? _data.Slice(16, 4) : Version == 6 ? _data.Slice(24, 16) : default;
        /// <summary>The inner TTL / hop limit as it was when the error was generated (usually 1 or 0 for time exceeded).</summary>
        public byte TtlOrHopLimit => Version == 4 ? _data[8] : Version == 6 ? _data[7] : (byte)0;
        /// <summary>The inner IPv4 identification (0 for IPv6).</summary>
        public ushort Identification => Version == 4 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(4)) : (ushort)0;

        /// <summary>The first up-to-8 bytes of the inner transport header (what RFC 792 guarantees).</summary>
        public ReadOnlySpan<byte> TransportHeader
        {
            get
            {
                if (!HasIpHeader || _transportOffset >= _data.Length) return default;
                return _data.Slice(_transportOffset, Math.Min(8, _data.Length - _transportOffset));
            }
        }

        /// <summary>Every quoted byte after the inner IP header (may be more than 8).</summary>
        public ReadOnlySpan<byte> TransportBytes => HasIpHeader && _transportOffset < _data.Length ? _data.Slice(_transportOffset) : default;

        private bool HasPorts => (Protocol == IpProtocols.Tcp || Protocol == IpProtocols.Udp) && TransportHeader.Length >= 4;
        public ushort SourcePort => HasPorts ? BinaryPrimitives.ReadUInt16BigEndian(TransportHeader) : (ushort)0;
        public ushort DestinationPort => HasPorts ? BinaryPrimitives.ReadUInt16BigEndian(TransportHeader.Slice(2)) : (ushort)0;
        /// <summary>The inner TCP sequence number (0 unless TCP with 8 quoted bytes).</summary>
        public uint TcpSequence => Protocol == IpProtocols.Tcp && TransportHeader.Length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(TransportHeader.Slice(4)) : 0;
        private bool IsInnerIcmp => (Protocol == IpProtocols.Icmp && Version == 4 || Protocol == IpProtocols.Icmpv6 && Version == 6) && TransportHeader.Length >= 8;
        /// <summary>The inner ICMP/ICMPv6 type (e.g. an echo request that expired).</summary>
        public byte IcmpType => IsInnerIcmp ? TransportHeader[0] : (byte)0;
        public ushort IcmpIdentifier => IsInnerIcmp ? BinaryPrimitives.ReadUInt16BigEndian(TransportHeader.Slice(4)) : (ushort)0;
        public ushort IcmpSequence => IsInnerIcmp ? BinaryPrimitives.ReadUInt16BigEndian(TransportHeader.Slice(6)) : (ushort)0;
    }
}
