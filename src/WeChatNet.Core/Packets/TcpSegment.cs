using System;
using System.Buffers.Binary;

namespace WeChatNet.Packets
{
    /// <summary>TCP control bits (the low 12 bits of header bytes 12-13, as tshark's tcp.flags).</summary>
    [Flags]
    internal enum TcpFlags : ushort
    {
        None = 0,
        Fin = 0x001,
        Syn = 0x002,
        Rst = 0x004,
        Psh = 0x008,
        Ack = 0x010,
        Urg = 0x020,
        Ece = 0x040,
        Cwr = 0x080,
        /// <summary>Accurate ECN (formerly the NS nonce bit).</summary>
        Ae = 0x100,
    }

    /// <summary>
    /// TCP header view (RFC 9293):
    /// <code>
    /// 0 source port (2)  2 destination port (2)  4 sequence (4)  8 acknowledgment (4)
    /// 12 data offset(4) reserved(3) flags(9)  14 window (2)  16 checksum (2)  18 urgent pointer (2)  20 options
    /// options: 0 end, 1 no-op, 2 MSS (len 4), 3 window scale (len 3), 4 SACK permitted (len 2),
    ///          5 SACK (len 2 + 8n), 8 timestamps (len 10: TSval, TSecr)
    /// </code>
    /// </summary>
    internal readonly ref struct TcpSegment
    {
        public const int MinHeaderLength = 20;
        public const int MaxSackBlocks = 4;
        private readonly ReadOnlySpan<byte> _data;

        private TcpSegment(ReadOnlySpan<byte> data, int headerLength, DecodeIssue issue)
        {
            _data = data;
            HeaderLength = headerLength;
            Issue = issue;
        }

        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        public static TcpSegment Parse(ReadOnlySpan<byte> data)
        {
            if (data.Length < MinHeaderLength)
                return new TcpSegment(data, 0, new DecodeIssue(PacketLayer.Tcp, DecodeProblem.Truncated, 0));
            int hl = (data[12] >> 4) * 4;
            if (hl < MinHeaderLength)
                return new TcpSegment(data, MinHeaderLength, new DecodeIssue(PacketLayer.Tcp, DecodeProblem.BadHeaderLength, 12));
            if (hl > data.Length)
                return new TcpSegment(data, MinHeaderLength, new DecodeIssue(PacketLayer.Tcp, DecodeProblem.Truncated, MinHeaderLength));
            int bad = TlvOptions.FindMalformed(data.Slice(MinHeaderLength, hl - MinHeaderLength));
            if (bad >= 0)
                return new TcpSegment(data, hl, new DecodeIssue(PacketLayer.Tcp, DecodeProblem.BadOptionLength, MinHeaderLength + bad));
            return new TcpSegment(data, hl, default);
        }

        public DecodeIssue Issue { get; }
        public bool IsValid => Issue.IsNone;
        /// <summary>True when the fixed 20-byte header was captured (ports, numbers and flags are readable).</summary>
        public bool HasHeader => _data.Length >= MinHeaderLength;
        public ushort SourcePort => _data.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(_data) : (ushort)0;
        public ushort DestinationPort => _data.Length >= 4 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(2)) : (ushort)0;
        public uint Sequence => _data.Length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(4)) : 0;
        public uint Acknowledgment => _data.Length >= 12 ? BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(8)) : 0;
        /// <summary>Header length in bytes (data offset times 4); 20 when the data offset is impossible.</summary>
        public int HeaderLength { get; }
        public TcpFlags Flags => _data.Length >= 14 ? (TcpFlags)(BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(12)) & 0x01FF) : TcpFlags.None;
        /// <summary>The raw 12 bits after the data offset (reserved bits included), as tshark's tcp.flags.</summary>
        public ushort RawFlags => _data.Length >= 14 ? (ushort)(BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(12)) & 0x0FFF) : (ushort)0;
        public ushort Window => _data.Length >= 16 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(14)) : (ushort)0;
        public ushort Checksum => _data.Length >= 18 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(16)) : (ushort)0;
        public ushort UrgentPointer => _data.Length >= 20 ? BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(18)) : (ushort)0;
        public ReadOnlySpan<byte> Options => HeaderLength > MinHeaderLength && _data.Length >= HeaderLength ? _data.Slice(MinHeaderLength, HeaderLength - MinHeaderLength) : default;
        public ReadOnlySpan<byte> Payload => _data.Length > HeaderLength ? _data.Slice(HeaderLength) : default;

        /// <summary>Finds an option by kind; <paramref name="value"/> is the bytes after kind and length.</summary>
        public bool TryGetOption(byte kind, out ReadOnlySpan<byte> value) => TlvOptions.TryFind(Options, kind, out value);

        public bool TryGetMaximumSegmentSize(out ushort mss)
        {
            if (TryGetOption(2, out var v) && v.Length == 2) { mss = BinaryPrimitives.ReadUInt16BigEndian(v); return true; }
            mss = 0;
            return false;
        }

        public bool TryGetWindowScale(out byte shift)
        {
            if (TryGetOption(3, out var v) && v.Length == 1) { shift = v[0]; return true; }
            shift = 0;
            return false;
        }

        public bool SackPermitted => TryGetOption(4, out var v) && v.Length == 0;

        public bool TryGetTimestamps(out uint value, out uint echoReply)
        {
            if (TryGetOption(8, out var v) && v.Length == 8)
            {
                value = BinaryPrimitives.ReadUInt32BigEndian(v);
                echoReply = BinaryPrimitives.ReadUInt32BigEndian(v.Slice(4));
                return true;
            }
            value = echoReply = 0;
            return false;
        }

        /// <summary>Number of SACK blocks (0 without a well-formed SACK option; at most <see cref="MaxSackBlocks"/>).</summary>
        public int SackBlockCount => TryGetOption(5, out var v) && v.Length % 8 == 0 ? Math.Min(v.Length / 8, MaxSackBlocks) : 0;

        public bool TryGetSackBlock(int index, out uint left, out uint right)
        {
            if ((uint)index < (uint)SackBlockCount && TryGetOption(5, out var v))
            {
                left = BinaryPrimitives.ReadUInt32BigEndian(v.Slice(index * 8));
                right = BinaryPrimitives.ReadUInt32BigEndian(v.Slice(index * 8 + 4));
                return true;
            }
            left = right = 0;
            return false;
        }

        /// <summary>Flags as tshark's short form, e.g. "SYN, ACK" (empty for none).</summary>
        public static string FormatFlags(TcpFlags flags)
        {
            if (flags == TcpFlags.None) return "";
            var parts = new System.Collections.Generic.List<string>(4);
            if ((flags & TcpFlags.Fin) != 0) parts.Add("FIN");
            if ((flags & TcpFlags.Syn) != 0) parts.Add("SYN");
            if ((flags & TcpFlags.Rst) != 0) parts.Add("RST");
            if ((flags & TcpFlags.Psh) != 0) parts.Add("PSH");
            if ((flags & TcpFlags.Ack) != 0) parts.Add("ACK");
            if ((flags & TcpFlags.Urg) != 0) parts.Add("URG");
            if ((flags & TcpFlags.Ece) != 0) parts.Add("ECE");
            if ((flags & TcpFlags.Cwr) != 0) parts.Add("CWR");
            if ((flags & TcpFlags.Ae) != 0) parts.Add("AE");
            return string.Join(", ", parts);
        }
    }
}
