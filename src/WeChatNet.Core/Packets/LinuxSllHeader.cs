using System;
using System.Buffers.Binary;

namespace WeChatNet.Packets
{
    /// <summary>
    /// Linux cooked capture header, version 1 (LINKTYPE_LINUX_SLL, 16 bytes):
    /// <code>
    /// 0 packet type (2)  2 ARPHRD type (2)  4 address length (2)  6 address (8, zero-padded)  14 protocol (2)
    /// </code>
    /// </summary>
    public readonly ref struct LinuxSllHeader
    {
        public const int HeaderLength = 16;
        private readonly ReadOnlySpan<byte> _data;

        private LinuxSllHeader(ReadOnlySpan<byte> data, DecodeIssue issue) { _data = data; Issue = issue; }

        public static LinuxSllHeader Parse(ReadOnlySpan<byte> data) =>
            new LinuxSllHeader(data, data.Length < HeaderLength ? new DecodeIssue(PacketLayer.Link, DecodeProblem.Truncated, 0) : default);

        public DecodeIssue Issue { get; }
        public bool IsValid => Issue.IsNone;
        /// <summary>0 to us, 1 broadcast, 2 multicast, 3 to someone else, 4 sent by us.</summary>
        public ushort PacketType => _data.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(_data) : (ushort)0;
        public ushort ArphrdType => _data.Length >= 4 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(2)) : (ushort)0;
        public ushort AddressLength => _data.Length >= 6 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(4)) : (ushort)0;
        public ReadOnlySpan<byte> Address => _data.Length >= 14 ? _data.Slice(6, Math.Min((int)AddressLength, 8)) : default;
        /// <summary>EtherType of the payload (or a Linux protocol number for non-Ethernet ARPHRD types).</summary>
        public ushort Protocol => _data.Length >= 16 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(14)) : (ushort)0;
        public int PayloadOffset => HeaderLength;
        public ReadOnlySpan<byte> Payload => _data.Length >= HeaderLength ? _data.Slice(HeaderLength) : default;
    }

    /// <summary>
    /// Linux cooked capture header, version 2 (LINKTYPE_LINUX_SLL2, 20 bytes):
    /// <code>
    /// 0 protocol (2)  2 reserved (2)  4 interface index (4)  8 ARPHRD type (2)  10 packet type (1)
    /// 11 address length (1)  12 address (8, zero-padded)
    /// </code>
    /// </summary>
    public readonly ref struct LinuxSll2Header
    {
        public const int HeaderLength = 20;
        private readonly ReadOnlySpan<byte> _data;

        private LinuxSll2Header(ReadOnlySpan<byte> data, DecodeIssue issue) { _data = data; Issue = issue; }

        public static LinuxSll2Header Parse(ReadOnlySpan<byte> data) =>
            new LinuxSll2Header(data, data.Length < HeaderLength ? new DecodeIssue(PacketLayer.Link, DecodeProblem.Truncated, 0) : default);

        public DecodeIssue Issue { get; }
        public bool IsValid => Issue.IsNone;
        public ushort Protocol => _data.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(_data) : (ushort)0;
        public uint InterfaceIndex => _data.Length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(4)) : 0;
        public ushort ArphrdType => _data.Length >= 10 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(8)) : (ushort)0;
        public byte PacketType => _data.Length >= 11 ? _data[10] : (byte)0;
        public byte AddressLength => _data.Length >= 12 ? _data[11] : (byte)0;
        public ReadOnlySpan<byte> Address => _data.Length >= 20 ? _data.Slice(12, Math.Min((int)AddressLength, 8)) : default;
        public int PayloadOffset => HeaderLength;
        public ReadOnlySpan<byte> Payload => _data.Length >= HeaderLength ? _data.Slice(HeaderLength) : default;
    }

    /// <summary>
    /// BSD loopback (LINKTYPE_NULL: 4-byte address family in the capturing host's byte order) and OpenBSD loopback
    /// (LINKTYPE_LOOP: network byte order). The byte order of NULL is guessed the way tcpdump does: the family
    /// values are small, so a value with the low 16 bits zero was written by the other byte order.
    /// </summary>
    public readonly ref struct NullHeader
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
