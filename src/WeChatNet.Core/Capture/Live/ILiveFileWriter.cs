using System;
using System.Collections.Generic;
using System.IO;

namespace WeChatNet.Capture.Live
{
    /// <summary>A capture file being written, as the live capture needs it (implemented over the capture-files pcapng writer).</summary>
    internal interface ILiveFileWriter : IDisposable
    {
        /// <summary>Bytes in the file so far, headers included.</summary>
        long Length { get; }
        void Write(long timestampNs, ReadOnlySpan<byte> data, int originalLength);
        /// <summary>Packets in the file on disk, whole (the rest is still buffered, or was lost when a write failed).</summary>
        long PacketsOnDisk { get; }
        /// <summary>Bytes one more packet of <paramref name="capturedLength"/> bytes adds.</summary>
        long SizeOf(int capturedLength);
        /// <summary>Writes what is buffered to disk (whole blocks only), so a file being written is readable up to here.</summary>
        void Flush();
        /// <summary>Ends the file with its statistics block (the count it holds, the kernel's counters, why it ended).</summary>
        void WriteStatistics(in LiveFileStatistics statistics);
    }
}
