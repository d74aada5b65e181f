using System;
using System.Buffers.Binary;

namespace WeChatNet.Packets
{
    /// <summary>
    /// ICMP for IPv4 (RFC 792, RFC 4884 extensions):
    /// <code>
    /// 0 type  1 code  2 checksum (2)  4 rest of header (4): echo id(2) seq(2) | unused(1) length(1) next-hop MTU(2) | pointer(1)
    /// 8 body: for errors (3 unreachable, 4 source quench, 5 redirect, 11 time exceeded, 12 parameter problem) the
    ///   original datagram's IP header + at least 8 bytes of its payload
    /// </code>
    /// </summary>
    internal readonly ref struct IcmpMessage
    {
        public const int HeaderLength = 8;
        public const byte EchoReply = 0, DestinationUnreachable = 3, SourceQuench = 4, Redirect = 5, EchoRequest = 8,
            TimeExceeded = 11, ParameterProblem = 12, TimestampRequest = 13, TimestampReply = 14;

        private readonly ReadOnlySpan<byte> _data;

        private IcmpMessage(ReadOnlySpan<byte> data, DecodeIssue issue) { _data = data; Issue = issue; }

        public static IcmpMessage Parse(ReadOnlySpan<byte> data) =>
            new IcmpMessage(data, data.Length < HeaderLength ? new DecodeIssue(PacketLayer.Icmp, DecodeProblem.Truncated, 0) : default);

        public DecodeIssue Issue { get; }
        public bool IsValid => Issue.IsNone;
        public bool HasHeader => _data.Length >= HeaderLength;
        public byte Type => _data.Length > 0 ? _data[0] : (byte)0;
        public byte Code => _data.Length > 1 ? _data[1] : (byte)0;
        public ushort Checksum => _data.Length >= 4 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(2)) : (ushort)0;
        public ReadOnlySpan<byte> RestOfHeader => _data.Length >= 8 ? _data.Slice(4, 4) : default;
        public bool IsEcho => Type == EchoRequest || Type == EchoReply;
        public ushort Identifier => _data.Length >= 6 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(4)) : (ushort)0;
        public ushort SequenceNumber => _data.Length >= 8 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(6)) : (ushort)0;
        /// <summary>Next-hop MTU of a "fragmentation needed" (type 3 code 4) message.</summary>
        public ushort NextHopMtu => Type == DestinationUnreachable && _data.Length >= 8 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(6)) : (ushort)0;
        public bool IsError => Type == DestinationUnreachable || Type == SourceQuench || Type == Redirect || Type == TimeExceeded || Type == ParameterProblem;
        public ReadOnlySpan<byte> Body => _data.Length > HeaderLength ? _data.Slice(HeaderLength) : default;

        /// <summary>
        /// The quoted original datagram of an error (empty otherwise). With an RFC 4884 length (byte 5, in 32-bit
        /// words) only that many bytes are the quote; the rest is the extension structure.
        /// </summary>
        public ReadOnlySpan<byte> QuotedBytes
        {
            get
            {
                if (!IsError) return default;
                var body = Body;
                int declared = (Type == DestinationUnreachable || Type == TimeExceeded || Type == ParameterProblem) && _data.Length >= 6 ? _data[5] * 4 : 0;
                return declared > 0 && declared < body.Length ? body.Slice(0, declared) : body;
            }
        }

        /// <summary>The quoted inner IPv4 header and transport prefix of an error message.</summary>
        public QuotedDatagram Quoted => QuotedDatagram.Parse(QuotedBytes, 4);

        public static string TypeName(byte type, byte code) => type switch
        {
            EchoReply => "Echo (ping) reply",
            DestinationUnreachable => code switch
            {
                0 => "Destination unreachable (Network unreachable)",
                1 => "Destination unreachable (Host unreachable)",
                2 => "Destination unreachable (Protocol unreachable)",
                3 => "Destination unreachable (Port unreachable)",
                4 => "Destination unreachable (Fragmentation needed)",
                13 => "Destination unreachable (Communication administratively filtered)",
                _ => "Destination unreachable",
            },
            SourceQuench => "Source quench",
            Redirect => "Redirect",
            EchoRequest => "Echo (ping) request",
            TimeExceeded => code == 1 ? "Time-to-live exceeded (Fragment reassembly time exceeded)" : "Time-to-live exceeded (Time to live exceeded in transit)",
            ParameterProblem => "Parameter problem",
            TimestampRequest => "Timestamp request",
            TimestampReply => "Timestamp reply",
            _ => "ICMP type " + type,
        };
    }
}
