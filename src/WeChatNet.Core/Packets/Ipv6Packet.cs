using System;
using System.Buffers.Binary;

namespace WeChatNet.Packets
{
    /// <summary>
    /// IPv6 header view (RFC 8200) with its extension-header chain walked once at parse time:
    /// <code>
    /// 0 version(4) traffic class(8) flow label(20)  4 payload length (2)  6 next header  7 hop limit
    /// 8 source (16)  24 destination (16)  40 extension headers, then the upper-layer header
    /// hop-by-hop (0), routing (43), destination options (60), mobility (135): next(1) hdr-ext-len(1, 8-octet units beyond the first 8)
    /// fragment (44): next(1) reserved(1) offset(13) res(2) M(1) identification(4)
    /// AH (51): next(1) payload-len(1, 4-octet units minus 2)
    /// </code>
    /// At most <see cref="MaxExtensionHeaders"/> extension headers are followed.
    /// </summary>
    internal readonly ref struct Ipv6Packet
    {
        public const int HeaderLength = 40;
        public const int MaxExtensionHeaders = 16;

        private readonly ReadOnlySpan<byte> _data;
        private readonly int _end;

        private Ipv6Packet(ReadOnlySpan<byte> data, int end, byte upper, int upperOffset, int extCount, ExtensionFlags ext, int fragmentHeaderOffset, DecodeIssue issue)
        {
            _data = data;
            _end = end;
            UpperLayerProtocol = upper;
            UpperLayerOffset = upperOffset;
            ExtensionHeaderCount = extCount;
            _ext = ext;
            _fragmentHeaderOffset = fragmentHeaderOffset;
            Issue = issue;
        }

        [Flags]
        private enum ExtensionFlags : byte { None = 0, HopByHop = 1, Routing = 2, Fragment = 4, DestinationOptions = 8, Auth = 16 }

        private readonly ExtensionFlags _ext;
        private readonly int _fragmentHeaderOffset;

        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        public static Ipv6Packet Parse(ReadOnlySpan<byte> data)
        {
            if (data.Length < HeaderLength)
                return new Ipv6Packet(data, data.Length, 0, data.Length, 0, 0, -1, new DecodeIssue(PacketLayer.Ipv6, DecodeProblem.Truncated, 0));
            if (data[0] >> 4 != 6)
                return new Ipv6Packet(data, data.Length, 0, data.Length, 0, 0, -1, new DecodeIssue(PacketLayer.Ipv6, DecodeProblem.BadVersion, 0));
            int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(4));
            // Payload length 0 with a hop-by-hop jumbo option, or TSO captures: fall back to the captured bytes.
            int end = payloadLength == 0 ? data.Length : Math.Min(HeaderLength + payloadLength, data.Length);
            byte next = data[6];
            int offset = HeaderLength;
            int count = 0;
            var flags = ExtensionFlags.None;
            int fragmentOffset = -1;
            while (true)
            {
                ExtensionFlags f;
                switch (next)
                {
                    case IpProtocols.HopByHop: f = ExtensionFlags.HopByHop; break;
                    case IpProtocols.Ipv6Routing: f = ExtensionFlags.Routing; break;
                    case IpProtocols.Ipv6Fragment: f = ExtensionFlags.Fragment; break;
                    case IpProtocols.Ipv6DestinationOptions: f = ExtensionFlags.DestinationOptions; break;
                    case IpProtocols.Ah: f = ExtensionFlags.Auth; break;
                    case IpProtocols.Mobility: f = ExtensionFlags.None; break;
                    default:
                        return new Ipv6Packet(data, end, next, offset, count, flags, fragmentOffset, default);
                }
                if (count == MaxExtensionHeaders)
                    return new Ipv6Packet(data, end, next, offset, count, flags, fragmentOffset, new DecodeIssue(PacketLayer.Ipv6Extension, DecodeProblem.TooManyHeaders, offset));
                if (offset + 8 > end)
                    return new Ipv6Packet(data, end, next, offset, count, flags, fragmentOffset, new DecodeIssue(PacketLayer.Ipv6Extension, DecodeProblem.BadExtensionHeader, offset));
                int length = next == IpProtocols.Ipv6Fragment ? 8
                    : next == IpProtocols.Ah ? (data[offset + 1] + 2) * 4
                    : (data[offset + 1] + 1) * 8;
                if (offset + length > end)
                    return new Ipv6Packet(data, end, next, offset, count, flags, fragmentOffset, new DecodeIssue(PacketLayer.Ipv6Extension, DecodeProblem.BadExtensionHeader, offset));
                if (next == IpProtocols.Ipv6Fragment && fragmentOffset < 0) fragmentOffset = offset;
                flags |= f;
                count++;
                next = data[offset];
                offset += length;
            }
        }

        public DecodeIssue Issue { get; }
        public bool HasHeader => _data.Length >= HeaderLength && _data[0] >> 4 == 6;
        public bool IsValid => Issue.IsNone;

        public byte Version => _data.Length > 0 ? (byte)(_data[0] >> 4) : (byte)0;
        public byte TrafficClass => _data.Length >= 2 ? (byte)((_data[0] << 4) | (_data[1] >> 4)) : (byte)0;
        public uint FlowLabel => _data.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(_data) & 0xFFFFF : 0;
        public ushort PayloadLength => _data.Length >= 6 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(4)) : (ushort)0;
        /// <summary>The next-header value of the fixed header (the first extension header, or the upper layer).</summary>
        public byte NextHeader => _data.Length > 6 ? _data[6] : (byte)0;
        public byte HopLimit => _data.Length > 7 ? _data[7] : (byte)0;
        public ReadOnlySpan<byte> Source => _data.Length >= 24 ? _data.Slice(8, 16) : default;
        public ReadOnlySpan<byte> Destination => _data.Length >= 40 ? _data.Slice(24, 16) : default;

        /// <summary>The protocol after the extension headers (6 TCP, 17 UDP, 58 ICMPv6, 59 no next header...).</summary>
        public byte UpperLayerProtocol { get; }
        /// <summary>Offset of the upper-layer header from the start of the IPv6 header.</summary>
        public int UpperLayerOffset { get; }
        public int ExtensionHeaderCount { get; }
        public bool HasHopByHop => (_ext & ExtensionFlags.HopByHop) != 0;
        public bool HasRouting => (_ext & ExtensionFlags.Routing) != 0;
        public bool HasDestinationOptions => (_ext & ExtensionFlags.DestinationOptions) != 0;
        public bool HasAuthentication => (_ext & ExtensionFlags.Auth) != 0;
        public bool HasFragmentHeader => _fragmentHeaderOffset >= 0;
        /// <summary>Fragment offset in bytes, from the fragment header (0 without one).</summary>
        public int FragmentOffset => HasFragmentHeader ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(_fragmentHeaderOffset + 2)) & 0xFFF8 : 0;
        public bool MoreFragments => HasFragmentHeader && (_data[_fragmentHeaderOffset + 3] & 1) != 0;
        public uint FragmentIdentification => HasFragmentHeader ? BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(_fragmentHeaderOffset + 4)) : 0;
        /// <summary>True when a fragment header says this is part of a fragmented datagram (an atomic fragment is not).</summary>
        public bool IsFragment => HasFragmentHeader && (MoreFragments || FragmentOffset != 0);

        /// <summary>The bytes from the upper-layer header to the payload length or the end of the capture.</summary>
        public ReadOnlySpan<byte> Payload => _end > UpperLayerOffset ? _data.Slice(UpperLayerOffset, _end - UpperLayerOffset) : default;
        /// <summary>The upper-layer length the header declares (payload length minus extension headers).</summary>
        public int DeclaredPayloadLength => PayloadLength == 0 ? Math.Max(0, _end - UpperLayerOffset) : Math.Max(0, HeaderLength + PayloadLength - UpperLayerOffset);
        public bool IsTruncated => PayloadLength != 0 && _data.Length < HeaderLength + PayloadLength;
    }
}
