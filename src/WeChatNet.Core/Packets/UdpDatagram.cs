using System;
using System.Buffers.Binary;

namespace WeChatNet.Packets
{
    /// <summary>
    /// UDP header view (RFC 768): <c>0 source port (2)  2 destination port (2)  4 length (2)  6 checksum (2)  8 payload</c>.
    /// The payload is bounded by the length field and by the captured bytes.
    /// </summary>
    internal readonly ref struct UdpDatagram
    {
        public const int HeaderLength = 8;
        private readonly ReadOnlySpan<byte> _data;

        private UdpDatagram(ReadOnlySpan<byte> data, DecodeIssue issue) { _data = data; Issue = issue; }

        public static UdpDatagram Parse(ReadOnlySpan<byte> data)
        {
            if (data.Length < HeaderLength) return new UdpDatagram(data, new DecodeIssue(PacketLayer.Udp, DecodeProblem.Truncated, 0));
            ushort length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(4));
            // Length 0 is legal for IPv6 jumbograms; anything else below 8 is impossible.
            if (length != 0 && length < HeaderLength) return new UdpDatagram(data, new DecodeIssue(PacketLayer.Udp, DecodeProblem.BadTotalLength, 4));
            return new UdpDatagram(data, default);
        }

        public DecodeIssue Issue { get; }
        public bool IsValid => Issue.IsNone;
        public bool HasHeader => _data.Length >= HeaderLength;
        public ushort SourcePort => _data.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(_data) : (ushort)0;
        public ushort DestinationPort => _data.Length >= 4 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(2)) : (ushort)0;
        public ushort Length => _data.Length >= 6 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(4)) : (ushort)0;
        public ushort Checksum => _data.Length >= 8 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(6)) : (ushort)0;
        public ReadOnlySpan<byte> Payload
        {
            get
            {
                if (_data.Length <= HeaderLength) return default;
                int end = Length >= HeaderLength ? Math.Min((int)Length, _data.Length) : _data.Length;
                return _data.Slice(HeaderLength, end - HeaderLength);
            }
        }
    }
}
