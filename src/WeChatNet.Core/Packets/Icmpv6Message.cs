using System;
using System.Buffers.Binary;

namespace WeChatNet.Packets
{
    /// <summary>
    /// ICMPv6 (RFC 4443, RFC 4861):
    /// <code>
    /// 0 type  1 code  2 checksum (2)  4 rest (4): echo id(2) seq(2) | MTU(4) for packet too big | pointer(4)
    /// 8 body: for errors (1 unreachable, 2 packet too big, 3 time exceeded, 4 parameter problem) as much of the
    ///   invoking packet as fits in the minimum MTU; for NS/NA (135/136) the 16-byte target address
    /// </code>
    /// </summary>
    internal readonly ref struct Icmpv6Message
    {
        public const int HeaderLength = 8;
        public const byte DestinationUnreachable = 1, PacketTooBig = 2, TimeExceeded = 3, ParameterProblem = 4,
            EchoRequest = 128, EchoReply = 129, RouterSolicitation = 133, RouterAdvertisement = 134,
            NeighborSolicitation = 135, NeighborAdvertisement = 136;

        private readonly ReadOnlySpan<byte> _data;

        private Icmpv6Message(ReadOnlySpan<byte> data, DecodeIssue issue) { _data = data; Issue = issue; }

        public static Icmpv6Message Parse(ReadOnlySpan<byte> data) =>
            new Icmpv6Message(data, data.Length < HeaderLength ? new DecodeIssue(PacketLayer.Icmpv6, DecodeProblem.Truncated, 0) : default);

        public DecodeIssue Issue { get; }
        public bool IsValid => Issue.IsNone;
        public bool HasHeader => _data.Length >= HeaderLength;
        public byte Type => _data.Length > 0 ? _data[0] : (byte)0;
        public byte Code => _data.Length > 1 ? _data[1] : (byte)0;
        public ushort Checksum => _data.Length >= 4 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(2)) : (ushort)0;
        public bool IsEcho => Type == EchoRequest || Type == EchoReply;
        public ushort Identifier => _data.Length >= 6 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(4)) : (ushort)0;
        public ushort SequenceNumber => _data.Length >= 8 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(6)) : (ushort)0;
        /// <summary>The MTU of a Packet Too Big message.</summary>
        public uint Mtu => Type == PacketTooBig && _data.Length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(4)) : 0;
        /// <summary>The pointer of a Parameter Problem message.</summary>
        public uint Pointer => Type == ParameterProblem && _data.Length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(4)) : 0;
        /// <summary>Errors are types 0-127; 1-4 quote the invoking packet.</summary>
        public bool IsError => Type >= DestinationUnreachable && Type <= ParameterProblem;
        public ReadOnlySpan<byte> Body => _data.Length > HeaderLength ? _data.Slice(HeaderLength) : default;

        /// <summary>The quoted invoking packet (errors only), honouring an RFC 4884 length (byte 4, 64-bit words).</summary>
        public ReadOnlySpan<byte> QuotedBytes
        {
            get
            {
                if (!IsError) return default;
                var body = Body;
                int declared = (Type == DestinationUnreachable || Type == TimeExceeded) && _data.Length >= 5 ? _data[4] * 8 : 0;
                return declared > 0 && declared < body.Length ? body.Slice(0, declared) : body;
            }
        }

        /// <summary>The quoted inner IPv6 header and transport prefix of an error message.</summary>
        public QuotedDatagram Quoted => QuotedDatagram.Parse(QuotedBytes, 6);

        /// <summary>The target address of a neighbor solicitation/advertisement (empty otherwise).</summary>
        public ReadOnlySpan<byte> TargetAddress => (Type == NeighborSolicitation || Type == NeighborAdvertisement) && _data.Length >= 24 ? _data.Slice(8, 16) : default;

        public static string TypeName(byte type, byte code) => type switch
        {
            DestinationUnreachable => code switch
            {
                0 => "Destination Unreachable (no route to destination)",
                1 => "Destination Unreachable (communication administratively prohibited)",
                3 => "Destination Unreachable (address unreachable)",
                4 => "Destination Unreachable (port unreachable)",
                _ => "Destination Unreachable",
            },
            PacketTooBig => "Packet Too Big",
            TimeExceeded => code == 1 ? "Time Exceeded (fragment reassembly time exceeded)" : "Time Exceeded (hop limit exceeded in transit)",
            ParameterProblem => "Parameter Problem",
            EchoRequest => "Echo (ping) request",
            EchoReply => "Echo (ping) reply",
            RouterSolicitation => "Router Solicitation",
            RouterAdvertisement => "Router Advertisement",
            NeighborSolicitation => "Neighbor Solicitation",
            NeighborAdvertisement => "Neighbor Advertisement",
            _ => "ICMPv6 type " + type,
        };
    }
}
