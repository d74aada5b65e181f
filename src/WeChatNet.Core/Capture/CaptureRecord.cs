using System;
using System.Buffers.Binary;
using WeChatNet.Packets;

namespace WeChatNet.Capture
{

    /// <summary>
    /// One packet record as read from a capture file: a view into the reader's reused buffer, valid until the
    /// next <see cref="CaptureFileReader.ReadNext"/>. Nothing is copied or allocated; call <see cref="Decode"/> for
    /// the layers or <see cref="PacketFactory.Create"/> to make a <see cref="WeChatNet.Packet"/> that outlives it.
    /// </summary>
    internal readonly ref struct CaptureRecord
    {
        private readonly ReadOnlySpan<byte> _options;
        private readonly bool _bigEndian;

        internal CaptureRecord(ReadOnlySpan<byte> data, long number, long timestampNanoseconds, bool hasTimestamp,
            CaptureInterface captureInterface, int originalLength, long fileOffset, ReadOnlySpan<byte> options, bool bigEndian, string? headerProblem = null)
        {
            HeaderProblem = headerProblem;
            Data = data;
            Number = number;
            TimestampNanoseconds = timestampNanoseconds;
            HasTimestamp = hasTimestamp;
            Interface = captureInterface;
            OriginalLength = originalLength;
            FileOffset = fileOffset;
            _options = options;
            _bigEndian = bigEndian;
        }

        /// <summary>The captured bytes, from the link-layer header on.</summary>
        public ReadOnlySpan<byte> Data { get; }
        /// <summary>1-based packet number in the file (as tshark's frame.number).</summary>
        public long Number { get; }
        /// <summary>Nanoseconds since 1970-01-01 UTC (interface resolution and offset applied).</summary>
        public long TimestampNanoseconds { get; }
        /// <summary>False for pcapng simple packet blocks, which carry no timestamp.</summary>
        public bool HasTimestamp { get; }
        public CaptureInterface Interface { get; }
        public ushort LinkType => Interface.LinkType;
        public int CapturedLength => Data.Length;
        public int OriginalLength { get; }
        /// <summary>What was odd in the record's header but read anyway, as libpcap does (captured length above the original
        /// length, sub-second field out of range); null when nothing was.</summary>
        public string? HeaderProblem { get; }
        /// <summary>Offset of the record's header in the (decompressed) file.</summary>
        public long FileOffset { get; }

        public DecodedPacket Decode() => PacketDecoder.Decode(Interface.LinkType, Data);

        /// <summary>The first opt_comment of a pcapng packet block as UTF-8 bytes (empty when none).</summary>
        public ReadOnlySpan<byte> CommentUtf8 => PcapNgOptions.Find(_options, 1, _bigEndian);

        /// <summary>The epb_flags word (direction in bits 0-1, reception type in bits 2-4); 0 when absent.</summary>
        public uint PacketFlags
        {
            get
            {
                var v = PcapNgOptions.Find(_options, 2, _bigEndian);
                return v.Length == 4 ? (_bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(v) : BinaryPrimitives.ReadUInt32LittleEndian(v)) : 0;
            }
        }
    }
}
