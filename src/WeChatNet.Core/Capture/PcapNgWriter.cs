using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace WeChatNet.Capture
{
    /// <summary>pcapng writer: SHB on creation, an IDB per <see cref="AddInterface"/>, an EPB per packet.</summary>
    internal sealed class PcapNgWriter : CaptureFileWriter
    {
        private readonly List<ushort> _linkTypes = new List<ushort>();
        private static readonly byte[] Padding = new byte[4];

        public PcapNgWriter(Stream stream, bool leaveOpen = false, string? application = null) : base(stream, leaveOpen)
        {
            // SHB: type, length, byte-order magic, version 1.0, section length -1 (unknown), shb_userappl, end, length.
            var opts = new List<byte>();
            AddOption(opts, 4, Encoding.UTF8.GetBytes(application ?? "WeChatNet"));
            AddEnd(opts);
            int length = 28 + opts.Count;
            var b = new byte[length];
            BinaryPrimitives.WriteUInt32LittleEndian(b, 0x0A0D0D0A);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)length);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), 0x1A2B3C4D);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(12), 1);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(14), 0);
            BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(16), -1);
            opts.CopyTo(b, 24);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(length - 4), (uint)length);
            Write(b, length);
        }

        public override CaptureFileFormat Format => CaptureFileFormat.PcapNg;

        private static void AddOption(List<byte> opts, ushort code, byte[] value)
        {
            if (value.Length > 0xFFFF) Array.Resize(ref value, 0xFFFF);
            var h = new byte[4];
            BinaryPrimitives.WriteUInt16LittleEndian(h, code);
            BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(2), (ushort)value.Length);
            opts.AddRange(h);
            opts.AddRange(value);
            for (int i = value.Length; i % 4 != 0; i++) opts.Add(0);
        }

        private static void AddEnd(List<byte> opts) => opts.AddRange(new byte[4]);

        public override int AddInterface(ushort linkType, uint snapLength = 262144, string? name = null, string? description = null)
        {
            var opts = new List<byte>();
            if (!string.IsNullOrEmpty(name)) AddOption(opts, 2, Encoding.UTF8.GetBytes(name));
            if (!string.IsNullOrEmpty(description)) AddOption(opts, 3, Encoding.UTF8.GetBytes(description));
            AddOption(opts, 9, new byte[] { 9 }); // if_tsresol: nanoseconds
            AddEnd(opts);
            int length = 20 + opts.Count;
            var b = new byte[length];
            BinaryPrimitives.WriteUInt32LittleEndian(b, 1);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)length);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), linkType);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), snapLength);
            opts.CopyTo(b, 16);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(length - 4), (uint)length);
            Write(b, length);
            _linkTypes.Add(linkType);
            return _linkTypes.Count - 1;
        }

        public override void WritePacket(int interfaceId, long timestampNanoseconds, ReadOnlySpan<byte> data, int originalLength, string? comment = null)
        {
            if ((uint)interfaceId >= (uint)_linkTypes.Count)
                throw new ArgumentOutOfRangeException(nameof(interfaceId), interfaceId, "Call AddInterface first; the id is the value it returned.");
            CheckData(data);
            byte[]? commentBytes = string.IsNullOrEmpty(comment) ? null : Encoding.UTF8.GetBytes(comment);
            if (commentBytes != null && commentBytes.Length > 0xFFFF) Array.Resize(ref commentBytes, 0xFFFF);
            int padded = (data.Length + 3) & ~3;
            int optionLength = commentBytes == null ? 0 : 4 + ((commentBytes.Length + 3) & ~3) + 4;
            int length = 32 + padded + optionLength;
            var h = Scratch;
            WriteEnhancedPacketHeader(h, length, interfaceId, timestampNanoseconds, data.Length, originalLength);
            Write(h, 28);
            Write(data);
            if (padded > data.Length) Write(Padding, padded - data.Length);
            if (commentBytes != null)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(h, 1);
                BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(2), (ushort)commentBytes.Length);
                Write(h, 4);
                Write(commentBytes, commentBytes.Length);
                int pad = ((commentBytes.Length + 3) & ~3) - commentBytes.Length;
                if (pad > 0) Write(Padding, pad);
                Write(Padding, 4); // opt_endofopt
            }
            BinaryPrimitives.WriteUInt32LittleEndian(h, (uint)length);
            Write(h, 4);
            PacketCount++;
        }

        /// <summary>
        /// The first 28 bytes of an enhanced packet block of <paramref name="length"/> bytes: type, length, interface,
        /// nanosecond timestamp (high then low 32 bits), captured and original length (raised to the captured length).
        /// Shared by <see cref="WritePacket"/> and the live capture's <see cref="Live.PcapNgBlockBuffer"/>.
        /// </summary>
        internal static void WriteEnhancedPacketHeader(Span<byte> b, int length, int interfaceId, long timestampNanoseconds, int capturedLength, int originalLength)
        {
            ulong ticks = unchecked((ulong)timestampNanoseconds);
            BinaryPrimitives.WriteUInt32LittleEndian(b, 6);
            BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(4), (uint)length);
            BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(8), (uint)interfaceId);
            BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(12), (uint)(ticks >> 32));
            BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(16), (uint)ticks);
            BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(20), (uint)capturedLength);
            BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(24), (uint)Math.Max(originalLength, capturedLength));
        }

        /// <summary>
        /// Writes enhanced packet blocks encoded by the caller (whole blocks, for interfaces this writer declared), in one
        /// write: the live capture's path (<see cref="Live.PcapNgBlockBuffer"/>).
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        public void WriteEncodedPackets(byte[] blocks, int count, int packets)
        {
            Write(blocks, count);
            PacketCount += packets;
        }

        /// <summary>
        /// Writes an Interface Statistics Block for <paramref name="interfaceId"/> (as dumpcap does when it closes a file):
        /// isb_starttime / isb_endtime (nanoseconds, the interface's if_tsresol 9), isb_ifrecv, isb_ifdrop, isb_osdrop,
        /// isb_usrdeliv where given, and an optional comment. Wireshark shows them in the capture file's properties.
        /// </summary>
        public void WriteStatistics(int interfaceId, long timestampNanoseconds, long? startNanoseconds = null, long? endNanoseconds = null,
            ulong? received = null, ulong? interfaceDropped = null, ulong? osDropped = null, ulong? delivered = null, string? comment = null)
        {
            if ((uint)interfaceId >= (uint)_linkTypes.Count)
                throw new ArgumentOutOfRangeException(nameof(interfaceId), interfaceId, "Call AddInterface first; the id is the value it returned.");
            var opts = new List<byte>();
            if (!string.IsNullOrEmpty(comment)) AddOption(opts, 1, Encoding.UTF8.GetBytes(comment));
            if (startNanoseconds is long start) AddOption(opts, 2, Timestamp(start));
            if (endNanoseconds is long end) AddOption(opts, 3, Timestamp(end));
            if (received is ulong rcv) AddOption(opts, 4, Counter(rcv));
            if (interfaceDropped is ulong ifDrop) AddOption(opts, 5, Counter(ifDrop));
            if (osDropped is ulong osDrop) AddOption(opts, 7, Counter(osDrop));
            if (delivered is ulong usr) AddOption(opts, 8, Counter(usr));
            AddEnd(opts);
            int length = 24 + opts.Count;
            var b = new byte[length];
            BinaryPrimitives.WriteUInt32LittleEndian(b, 5);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)length);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), (uint)interfaceId);
            Timestamp(timestampNanoseconds).CopyTo(b, 12);
            opts.CopyTo(b, 20);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(length - 4), (uint)length);
            Write(b, length);
        }

        // A pcapng timestamp: high 32 bits, then low 32 bits, of the tick count (nanoseconds here), each little-endian.
        private static byte[] Timestamp(long nanoseconds)
        {
            ulong ticks = unchecked((ulong)nanoseconds);
            var b = new byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)(ticks >> 32));
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)ticks);
            return b;
        }

        private static byte[] Counter(ulong value)
        {
            var b = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(b, value);
            return b;
        }
    }
}
