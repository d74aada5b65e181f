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
    internal readonly ref struct LinuxSllHeader
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
}
