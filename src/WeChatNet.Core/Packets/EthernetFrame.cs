using System;
using System.Buffers.Binary;

namespace WeChatNet.Packets
{
    /// <summary>
    /// Ethernet II header with up to <see cref="MaxVlanTags"/> stacked 802.1Q (0x8100) / 802.1ad (0x88A8, 0x9100) tags.
    /// A view over the frame's bytes: nothing is copied.
    /// <code>
    /// 0  destination MAC (6)   6  source MAC (6)   12 EtherType or TPID (2)
    /// [12 TPID (2) 14 TCI: PCP(3) DEI(1) VID(12) (2)]*  then the inner EtherType (2)
    /// </code>
    /// </summary>
    internal readonly ref struct EthernetFrame
    {
        public const int HeaderLength = 14;
        public const int MaxVlanTags = 4;

        private readonly ReadOnlySpan<byte> _frame;

        private EthernetFrame(ReadOnlySpan<byte> frame, int vlanCount, ushort etherType, int payloadOffset, DecodeIssue issue)
        {
            _frame = frame;
            VlanCount = vlanCount;
            EtherType = etherType;
            PayloadOffset = payloadOffset;
            Issue = issue;
        }

        /// <summary>Decodes the header. Never throws; a short frame gives <see cref="DecodeProblem.Truncated"/>.</summary>
        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        public static EthernetFrame Parse(ReadOnlySpan<byte> frame)
        {
            if (frame.Length < HeaderLength)
                return new EthernetFrame(frame, 0, 0, frame.Length, new DecodeIssue(PacketLayer.Link, DecodeProblem.Truncated, 0));
            int offset = 12;
            int vlans = 0;
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(offset));
            while (type == EtherTypes.Vlan || type == EtherTypes.QinQ || type == EtherTypes.QinQLegacy)
            {
                if (vlans == MaxVlanTags)
                    return new EthernetFrame(frame, vlans, type, offset + 2, new DecodeIssue(PacketLayer.Vlan, DecodeProblem.TooManyHeaders, offset));
                if (frame.Length < offset + 6)
                    return new EthernetFrame(frame, vlans, type, frame.Length, new DecodeIssue(PacketLayer.Vlan, DecodeProblem.Truncated, offset));
                vlans++;
                offset += 4;
                type = BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(offset));
            }
            return new EthernetFrame(frame, vlans, type, offset + 2, default);
        }

        public ReadOnlySpan<byte> Destination => _frame.Length >= 6 ? _frame.Slice(0, 6) : default;
        public ReadOnlySpan<byte> Source => _frame.Length >= 12 ? _frame.Slice(6, 6) : default;
        /// <summary>The EtherType after all VLAN tags (values below 0x0600 are 802.3 lengths).</summary>
        public ushort EtherType { get; }
        public int VlanCount { get; }
        public int PayloadOffset { get; }
        public ReadOnlySpan<byte> Payload => _frame.Slice(Math.Min(PayloadOffset, _frame.Length));
        public DecodeIssue Issue { get; }
        public bool IsValid => Issue.IsNone;

        /// <summary>The TPID of VLAN tag <paramref name="index"/> (0 = outermost).</summary>
        public ushort VlanTpid(int index) => (uint)index < (uint)VlanCount ? BinaryPrimitives.ReadUInt16BigEndian(_frame.Slice(12 + 4 * index)) : (ushort)0;
        /// <summary>The 12-bit VLAN ID of tag <paramref name="index"/> (0 = outermost).</summary>
        public ushort VlanId(int index) => (uint)index < (uint)VlanCount ? (ushort)(BinaryPrimitives.ReadUInt16BigEndian(_frame.Slice(14 + 4 * index)) & 0x0FFF) : (ushort)0;
        /// <summary>The 3-bit priority code point of tag <paramref name="index"/>.</summary>
        public byte VlanPriority(int index) => (uint)index < (uint)VlanCount ? (byte)(_frame[14 + 4 * index] >> 5) : (byte)0;
    }
}
