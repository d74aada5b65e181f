using System;
using System.Buffers.Binary;

namespace WeChatNet.Packets
{
    /// <summary>
    /// ARP (RFC 826):
    /// <code>
    /// 0 hardware type (2)  2 protocol type (2)  4 hardware address length  5 protocol address length  6 operation (2)
    /// 8 sender hardware address (hlen)  sender protocol address (plen)  target hardware address (hlen)  target protocol address (plen)
    /// </code>
    /// </summary>
    internal readonly ref struct ArpPacket
    {
        public const int FixedLength = 8;
        public const ushort Request = 1, Reply = 2;
        private readonly ReadOnlySpan<byte> _data;

        private ArpPacket(ReadOnlySpan<byte> data, DecodeIssue issue) { _data = data; Issue = issue; }

        public static ArpPacket Parse(ReadOnlySpan<byte> data)
        {
            if (data.Length < FixedLength) return new ArpPacket(data, new DecodeIssue(PacketLayer.Arp, DecodeProblem.Truncated, 0));
            int need = FixedLength + 2 * (data[4] + data[5]);
            if (need > data.Length) return new ArpPacket(data, new DecodeIssue(PacketLayer.Arp, DecodeProblem.BadAddressLength, 4));
            return new ArpPacket(data, default);
        }

        public DecodeIssue Issue { get; }
        public bool IsValid => Issue.IsNone;
        public ushort HardwareType => _data.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(_data) : (ushort)0;
        public ushort ProtocolType => _data.Length >= 4 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(2)) : (ushort)0;
        public byte HardwareAddressLength => _data.Length > 4 ? _data[4] : (byte)0;
        public byte ProtocolAddressLength => _data.Length > 5 ? _data[5] : (byte)0;
        public ushort Operation => _data.Length >= 8 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(6)) : (ushort)0;
        public ReadOnlySpan<byte> SenderHardwareAddress => IsValid ? _data.Slice(8, HardwareAddressLength) : default;
        public ReadOnlySpan<byte> SenderProtocolAddress => IsValid ? _data.Slice(8 + HardwareAddressLength, ProtocolAddressLength) : default;
        public ReadOnlySpan<byte> TargetHardwareAddress => IsValid ? _data.Slice(8 + HardwareAddressLength + ProtocolAddressLength, HardwareAddressLength) : default;
        public ReadOnlySpan<byte> TargetProtocolAddress => IsValid ? _data.Slice(8 + 2 * HardwareAddressLength + ProtocolAddressLength, ProtocolAddressLength) : default;
    }
}
