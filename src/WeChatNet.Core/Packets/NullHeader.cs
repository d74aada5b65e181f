using System;
using System.Buffers.Binary;

namespace WeChatNet.Packets
{
    /// <summary>
    /// BSD loopback (LINKTYPE_NULL: 4-byte address family in the capturing host's byte order) and OpenBSD loopback
    /// (LINKTYPE_LOOP: network byte order). The byte order of NULL is guessed the way tcpdump does: the family
    /// values are small, so a value with the low 16 bits zero was written by the other byte order.
    /// </summary>
    internal readonly ref struct NullHeader
    {
        public const int HeaderLength = 4;
        private readonly ReadOnlySpan<byte> _data;

        private NullHeader(ReadOnlySpan<byte> data, uint family, DecodeIssue issue) { _data = data; Family = family; Issue = issue; }

        public static NullHeader Parse(ReadOnlySpan<byte> data, bool networkOrder)
        {
            if (data.Length < HeaderLength) return new NullHeader(data, 0, new DecodeIssue(PacketLayer.Link, DecodeProblem.Truncated, 0));
            uint family = networkOrder ? BinaryPrimitives.ReadUInt32BigEndian(data) : BinaryPrimitives.ReadUInt32LittleEndian(data);
            if (!networkOrder && (family & 0xFFFF) == 0) family = BinaryPrimitives.ReadUInt32BigEndian(data);
            return new NullHeader(data, family, default);
        }

        public DecodeIssue Issue { get; }
        public bool IsValid => Issue.IsNone;
        /// <summary>The protocol family: 2 = IPv4; 24, 28, 30 = IPv6 (NetBSD/OpenBSD, FreeBSD, Darwin).</summary>
        public uint Family { get; }
        public bool IsIpv4 => Family == 2;
        public bool IsIpv6 => Family == 24 || Family == 28 || Family == 30 || Family == 10;
        public int PayloadOffset => HeaderLength;
        public ReadOnlySpan<byte> Payload => _data.Length >= HeaderLength ? _data.Slice(HeaderLength) : default;
    }
}
