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
        /// <summary>Bytes one more packet of <paramref name="capturedLength"/> bytes adds.</summary>
        long SizeOf(int capturedLength);
    }
}
