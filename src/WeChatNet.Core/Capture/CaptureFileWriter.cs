using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace WeChatNet.Capture
{
    /// <summary>
    /// Writes packets to a pcapng file (one section, interfaces as added, enhanced packet blocks with nanosecond
    /// timestamps, optional comments) or a classic pcap file (nanosecond magic, one link type). Little-endian.
    /// Output is readable by tshark/tcpdump and by <see cref="CaptureFileReader"/>. Not thread-safe.
    /// </summary>
    internal abstract class CaptureFileWriter : IDisposable
    {
        private readonly Stream _stream;
        private readonly bool _leaveOpen;
        protected byte[] Scratch = new byte[64];

        protected CaptureFileWriter(Stream stream, bool leaveOpen)
        {
            _stream = stream;
            _leaveOpen = leaveOpen;
        }

        /// <summary>Creates a writer of <paramref name="format"/> over <paramref name="stream"/>.</summary>
        public static CaptureFileWriter Create(Stream stream, CaptureFileFormat format, bool leaveOpen = false, string? application = null) => format switch
        {
            CaptureFileFormat.PcapNg => new PcapNgWriter(stream, leaveOpen, application),
            CaptureFileFormat.Pcap => new PcapWriter(stream, leaveOpen),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Choose PcapNg or Pcap."),
        };

        public abstract CaptureFileFormat Format { get; }
        public long PacketCount { get; protected set; }
        public long BytesWritten { get; protected set; }

        /// <summary>Declares an interface and returns the id to pass to <see cref="WritePacket"/>.</summary>
        public abstract int AddInterface(ushort linkType, uint snapLength = 262144, string? name = null, string? description = null);

        /// <summary>Writes one packet; <paramref name="originalLength"/> below the data length is raised to it.</summary>
        public abstract void WritePacket(int interfaceId, long timestampNanoseconds, ReadOnlySpan<byte> data, int originalLength, string? comment = null);

        protected void Write(ReadOnlySpan<byte> bytes)
        {
            if (bytes.IsEmpty) return;
            var array = System.Buffers.ArrayPool<byte>.Shared.Rent(bytes.Length);
            try
            {
                bytes.CopyTo(array);
                _stream.Write(array, 0, bytes.Length);
            }
            finally { System.Buffers.ArrayPool<byte>.Shared.Return(array); }
            BytesWritten += bytes.Length;
        }

        protected void Write(byte[] bytes, int count)
        {
            _stream.Write(bytes, 0, count);
            BytesWritten += count;
        }

        public void Flush() => _stream.Flush();

        /// <summary>Runs before the stream is flushed and closed (pcap writes its header here if no packet did).</summary>
        protected virtual void BeforeClose() { }

        public void Dispose()
        {
            BeforeClose();
            _stream.Flush();
            if (!_leaveOpen) _stream.Dispose();
        }

        protected static void CheckData(ReadOnlySpan<byte> data)
        {
            if (data.Length > CaptureFileReader.MaxRecordLength)
                throw new ArgumentException($"A packet of {data.Length} bytes is larger than a capture record may be ({CaptureFileReader.MaxRecordLength}).", nameof(data));
        }
    }
}
