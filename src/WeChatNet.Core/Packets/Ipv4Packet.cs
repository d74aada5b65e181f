using System;
using System.Buffers.Binary;

namespace WeChatNet.Packets
{
    /// <summary>
    /// IPv4 header view (RFC 791):
    /// <code>
    /// 0 version(4) IHL(4)  1 DSCP(6) ECN(2)  2 total length (2)  4 identification (2)
    /// 6 flags: reserved, DF, MF (3) + fragment offset in 8-byte units (13)  8 TTL  9 protocol  10 checksum (2)
    /// 12 source (4)  16 destination (4)  20 options (IHL*4 - 20)
    /// </code>
    /// The payload is bounded by the total length and by the captured bytes, whichever ends first.
    /// A header that declares more than was captured (a snaplen cut, or a header quoted inside an ICMP error)
    /// is flagged <see cref="IsTruncated"/>, not treated as malformed.
    /// </summary>
    internal readonly ref struct Ipv4Packet
    {
        public const int MinHeaderLength = 20;
        private readonly ReadOnlySpan<byte> _data;

        private Ipv4Packet(ReadOnlySpan<byte> data, int headerLength, int end, DecodeIssue issue)
        {
            _data = data;
            HeaderLength = headerLength;
            _end = end;
            Issue = issue;
        }

        private readonly int _end;

        /// <summary>Decodes the header over <paramref name="data"/>. Never throws.</summary>
        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        public static Ipv4Packet Parse(ReadOnlySpan<byte> data)
        {
            if (data.Length < MinHeaderLength)
                return new Ipv4Packet(data, 0, data.Length, new DecodeIssue(PacketLayer.Ipv4, DecodeProblem.Truncated, 0));
            if (data[0] >> 4 != 4)
                return new Ipv4Packet(data, 0, data.Length, new DecodeIssue(PacketLayer.Ipv4, DecodeProblem.BadVersion, 0));
            int ihl = (data[0] & 0x0F) * 4;
            if (ihl < MinHeaderLength)
                return new Ipv4Packet(data, MinHeaderLength, MinHeaderLength, new DecodeIssue(PacketLayer.Ipv4, DecodeProblem.BadHeaderLength, 0));
            if (ihl > data.Length)
                return new Ipv4Packet(data, MinHeaderLength, MinHeaderLength, new DecodeIssue(PacketLayer.Ipv4, DecodeProblem.Truncated, MinHeaderLength));
            int total = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(2));
            if (total != 0 && total < ihl)
                return new Ipv4Packet(data, ihl, ihl, new DecodeIssue(PacketLayer.Ipv4, DecodeProblem.BadTotalLength, 2));
            // Total length 0 is what TCP segmentation offload leaves in captures taken on the sender: use the captured bytes.
            int end = total == 0 ? data.Length : Math.Min(total, data.Length);
            var issue = ValidateOptions(data.Slice(MinHeaderLength, ihl - MinHeaderLength));
            return new Ipv4Packet(data, ihl, end, issue);
        }

        private static DecodeIssue ValidateOptions(ReadOnlySpan<byte> options)
        {
            int bad = TlvOptions.FindMalformed(options);
            return bad < 0 ? default : new DecodeIssue(PacketLayer.Ipv4, DecodeProblem.BadOptionLength, MinHeaderLength + bad);
        }

        public DecodeIssue Issue { get; }
        /// <summary>True when the fixed header, addresses and lengths could all be read (option problems aside).</summary>
        public bool HasHeader => _data.Length >= MinHeaderLength && _data[0] >> 4 == 4;
        public bool IsValid => Issue.IsNone;

        public byte Version => _data.Length > 0 ? (byte)(_data[0] >> 4) : (byte)0;
        public int HeaderLength { get; }
        public byte Dscp => _data.Length > 1 ? (byte)(_data[1] >> 2) : (byte)0;
        public byte Ecn => _data.Length > 1 ? (byte)(_data[1] & 3) : (byte)0;
        public ushort TotalLength => _data.Length >= 4 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(2)) : (ushort)0;
        public ushort Identification => _data.Length >= 6 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(4)) : (ushort)0;
        private ushort FlagsAndOffset => _data.Length >= 8 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(6)) : (ushort)0;
        public bool ReservedFlag => (FlagsAndOffset & 0x8000) != 0;
        public bool DontFragment => (FlagsAndOffset & 0x4000) != 0;
        public bool MoreFragments => (FlagsAndOffset & 0x2000) != 0;
        /// <summary>Fragment offset in bytes (the header's 13-bit value times 8).</summary>
        public int FragmentOffset => (FlagsAndOffset & 0x1FFF) * 8;
        /// <summary>True for any fragment: more-fragments set or a non-zero offset.</summary>
        public bool IsFragment => MoreFragments || FragmentOffset != 0;
        public byte Ttl => _data.Length > 8 ? _data[8] : (byte)0;
        public byte Protocol => _data.Length > 9 ? _data[9] : (byte)0;
        public ushort HeaderChecksum => _data.Length >= 12 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(10)) : (ushort)0;
        public ReadOnlySpan<byte> Source => _data.Length >= 16 ? _data.Slice(12, 4) : default;
        public ReadOnlySpan<byte> Destination => _data.Length >= 20 ? _data.Slice(16, 4) : default;
        public uint SourceValue => _data.Length >= 16 ? BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(12)) : 0;
        public uint DestinationValue => _data.Length >= 20 ? BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(16)) : 0;
        public ReadOnlySpan<byte> Options => HeaderLength > MinHeaderLength && _data.Length >= HeaderLength ? _data.Slice(MinHeaderLength, HeaderLength - MinHeaderLength) : default;
        /// <summary>The bytes after the header, up to the total length or the end of the capture.</summary>
        public ReadOnlySpan<byte> Payload => _end > HeaderLength ? _data.Slice(HeaderLength, _end - HeaderLength) : default;
        /// <summary>The payload length the header declares (total length minus header length), whatever was captured.</summary>
        public int DeclaredPayloadLength => TotalLength == 0 ? Math.Max(0, _end - HeaderLength) : Math.Max(0, TotalLength - HeaderLength);
        /// <summary>True when fewer bytes were captured than the total length declares.</summary>
        public bool IsTruncated => TotalLength != 0 && _data.Length < TotalLength;

        /// <summary>True when the header checksum is correct (computed over the captured header).</summary>
        public bool IsChecksumValid()
        {
            if (!HasHeader || _data.Length < HeaderLength) return false;
            return InternetChecksum.Compute(_data.Slice(0, HeaderLength)) == 0;
        }

        /// <summary>Finds an option by its type byte (e.g. 7 = record route, 0x94 = router alert); false if absent.</summary>
        public bool TryGetOption(byte type, out ReadOnlySpan<byte> value) => TlvOptions.TryFind(Options, type, out value);
    }
}
