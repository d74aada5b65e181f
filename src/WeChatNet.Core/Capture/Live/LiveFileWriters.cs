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
            /// <summary>The blocks held before a write: 64 KiB, few writes for the OS and still in the CPU cache when the kernel copies them.</summary>
            private const int BufferBytes = 1 << 16;
            private readonly WholeBlockFile _file;
            private readonly PcapNgWriter _writer;
            private readonly PcapNgBlockBuffer _blocks;
            private readonly int _interfaceId;

            public PcapNgLiveWriter(string path, int linkType, int snapLength, string interfaceName)
            {
                // No FileStream buffer: packets collect in the block buffer, whose full arrays go to the file as they are,
                // through WholeBlockFile, which lets only whole blocks reach the disk (and cuts one a failed write split).
                _file = new WholeBlockFile(path);
                try
                {
                    _writer = new PcapNgWriter(_file, leaveOpen: true, application: "WeChatNet Start-WeChatCapture");
                    // The file's timestamps are nanoseconds (if_tsresol 9) whatever the platform delivered; microsecond
                    // captures simply have three zero digits.
                    _interfaceId = _writer.AddInterface((ushort)linkType, (uint)snapLength, interfaceName);
                    _blocks = new PcapNgBlockBuffer(BufferBytes, _interfaceId);
                }
                catch
                {
                    _file.Dispose();
                    throw;
                }
            }

            public long Length => _writer.BytesWritten + _blocks.Pending;

            public long PacketsOnDisk => _file.PacketsOnDisk;

            public long SizeOf(int capturedLength) => PcapNgBlockBuffer.SizeOf(capturedLength);

            [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
            public void Write(long timestampNs, ReadOnlySpan<byte> data, int originalLength) =>
                _blocks.Add(_writer, timestampNs, data, originalLength);

            /// <summary>
            /// Hands the held blocks to the file. The FileStream has no buffer of its own, so they are in the file (and
            /// readable) once written; FileStream.Flush would have nothing to do but cost a recompilation of the runtime's
            /// flush path in a capture that idles often.
            /// </summary>
            [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
            public void Flush() => _blocks.DrainTo(_writer);

            public void WriteStatistics(in LiveFileStatistics s)
            {
                _blocks.DrainTo(_writer);
                var k = s.Kernel;
                _writer.WriteStatistics(_interfaceId, s.EndNs, s.StartNs, s.EndNs,
                    received: k.HasValue ? (ulong)k.Value.Received : (ulong?)null,
                    interfaceDropped: k.HasValue ? (ulong)k.Value.InterfaceDropped : (ulong?)null,
                    osDropped: k.HasValue ? (ulong)k.Value.Dropped : (ulong?)null,
                    delivered: (ulong)s.Delivered, comment: Cap(s.Comment));
            }

            // The comment within the room CaptureFileSet keeps for the block (whole characters, ASCII in practice).
            private static string Cap(string comment)
            {
                while (System.Text.Encoding.UTF8.GetByteCount(comment) > CaptureFileSet.MaxCommentBytes) comment = comment.Substring(0, comment.Length - 1);
                return comment;
            }

            public void Dispose()
            {
                try
                {
                    try { _blocks.DrainTo(_writer); }
                    finally { _writer.Dispose(); }
                }
                finally { _file.Dispose(); }
            }
        }
    }
}
