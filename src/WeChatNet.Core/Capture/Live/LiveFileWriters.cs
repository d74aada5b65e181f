using System;
using System.IO;

namespace WeChatNet.Capture.Live
{
    /// <summary>Live capture files, written with the capture-files pcapng writer.</summary>
    internal static class LiveFileWriters
    {
        /// <summary>A new pcapng file (replacing any file of that name) with one interface block for the captured device.</summary>
        public static ILiveFileWriter PcapNg(string path, int linkType, int snapLength, bool nanoseconds, string interfaceName) =>
            new PcapNgLiveWriter(path, linkType, snapLength, interfaceName);

        private sealed class PcapNgLiveWriter : ILiveFileWriter
        {
            private readonly WholeBlockFile _file;
            private readonly PcapNgWriter _writer;
            private readonly int _interfaceId;

            public PcapNgLiveWriter(string path, int linkType, int snapLength, string interfaceName)
            {
                // A large buffer: the OS sees few big writes, each of whole blocks only.
                _file = new WholeBlockFile(path, 1 << 20);
                try
                {
                    _writer = new PcapNgWriter(_file, leaveOpen: true, application: "WeChatNet Start-WeChatCapture");
                    // The file's timestamps are nanoseconds (if_tsresol 9) whatever the platform delivered; microsecond
                    // captures simply have three zero digits.
                    _interfaceId = _writer.AddInterface((ushort)linkType, (uint)snapLength, interfaceName);
                    _file.EndBlock();
                    // The section and interface blocks reach the disk at once: the file is a valid, empty capture from its start.
                    _file.Flush();
                }
                catch
                {
                    _file.Dispose();
                    throw;
                }
            }

            public long Length => _writer.BytesWritten;

            public long PacketsOnDisk => _file.PacketsOnDisk;

            /// <summary>An enhanced packet block: 32 bytes of header and trailer plus the data padded to 4.</summary>
            public long SizeOf(int capturedLength) => 32 + ((capturedLength + 3) & ~3);

            public void Write(long timestampNs, ReadOnlySpan<byte> data, int originalLength)
            {
                _writer.WritePacket(_interfaceId, timestampNs, data, originalLength);
                _file.EndBlock();
            }

            public void Flush() => _file.Flush();

            public void WriteStatistics(in LiveFileStatistics s)
            {
                var k = s.Kernel;
                _writer.WriteStatistics(_interfaceId, s.EndNs, s.StartNs, s.EndNs,
                    received: k.HasValue ? (ulong)k.Value.Received : (ulong?)null,
                    interfaceDropped: k.HasValue ? (ulong)k.Value.InterfaceDropped : (ulong?)null,
                    osDropped: k.HasValue ? (ulong)k.Value.Dropped : (ulong?)null,
                    delivered: (ulong)s.Delivered, comment: Cap(s.Comment));
                _file.EndBlock();
            }

            // The comment within the room CaptureFileSet keeps for the block (whole characters, ASCII in practice).
            private static string Cap(string comment)
            {
                while (System.Text.Encoding.UTF8.GetByteCount(comment) > CaptureFileSet.MaxCommentBytes) comment = comment.Substring(0, comment.Length - 1);
                return comment;
            }

            public void Dispose()
            {
                try { _writer.Dispose(); }
                finally { _file.Dispose(); }
            }
        }
    }
}
