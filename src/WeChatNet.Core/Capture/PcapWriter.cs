using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace WeChatNet.Capture
{
    /// <summary>Classic pcap writer (nanosecond magic). One link type per file: a second, different one is refused.</summary>
    internal sealed class PcapWriter : CaptureFileWriter
    {
        private int _linkType = -1;
        private bool _headerWritten;
        private uint _snapLength;

        public PcapWriter(Stream stream, bool leaveOpen = false) : base(stream, leaveOpen) { }

        public override CaptureFileFormat Format => CaptureFileFormat.Pcap;

        public override int AddInterface(ushort linkType, uint snapLength = 262144, string? name = null, string? description = null)
        {
            if (_linkType >= 0 && _linkType != linkType)
                throw new InvalidOperationException($"A classic pcap file holds one link type; these packets mix {Capture.LinkTypeNames.Name((ushort)_linkType)} and {Capture.LinkTypeNames.Name(linkType)}. Write PcapNg instead.");
            if (_linkType < 0)
            {
                _linkType = linkType;
                _snapLength = snapLength == 0 ? 262144 : snapLength;
            }
            return 0;
        }

        private void WriteHeader()
        {
            var h = Scratch;
            BinaryPrimitives.WriteUInt32LittleEndian(h, 0xA1B23C4D);
            BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(4), 2);
            BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(6), 4);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(8), 0);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(12), 0);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(16), _snapLength);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(20), (uint)_linkType);
            Write(h, 24);
            _headerWritten = true;
        }

        protected override void BeforeClose() => EnsureHeader();

        /// <summary>Writes the file header even when no packet follows (an empty capture).</summary>
        public void EnsureHeader()
        {
            if (_linkType < 0) _linkType = 1;
            if (_snapLength == 0) _snapLength = 262144;
            if (!_headerWritten) WriteHeader();
        }

        public override void WritePacket(int interfaceId, long timestampNanoseconds, ReadOnlySpan<byte> data, int originalLength, string? comment = null)
        {
            if (_linkType < 0 || interfaceId != 0)
                throw new ArgumentOutOfRangeException(nameof(interfaceId), interfaceId, "Call AddInterface first; classic pcap has interface 0 only.");
            CheckData(data);
            if (!_headerWritten) WriteHeader();
            long seconds = timestampNanoseconds / 1_000_000_000L;
            long frac = timestampNanoseconds % 1_000_000_000L;
            if (frac < 0) { frac += 1_000_000_000L; seconds--; }
            var h = Scratch;
            BinaryPrimitives.WriteUInt32LittleEndian(h, unchecked((uint)seconds));
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(4), (uint)frac);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(8), (uint)data.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(12), (uint)Math.Max(originalLength, data.Length));
            Write(h, 16);
            Write(data);
            PacketCount++;
        }
    }
}
