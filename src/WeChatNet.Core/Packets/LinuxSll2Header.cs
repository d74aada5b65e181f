using System;
using System.Buffers.Binary;

namespace WeChatNet.Packets
{
    /// <summary>
    /// Linux cooked capture header, version 2 (LINKTYPE_LINUX_SLL2, 20 bytes):
    /// <code>
    /// 0 protocol (2)  2 reserved (2)  4 interface index (4)  8 ARPHRD type (2)  10 packet type (1)
    /// 11 address length (1)  12 address (8, zero-padded)
    /// </code>
    /// </summary>
    internal readonly ref struct LinuxSll2Header
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
}
