namespace WeChatNet.Capture.Live
{
    /// <summary>One captured packet handed from the capture thread to the consumer: its own copy of the bytes.</summary>
    internal sealed class CapturedFrame
    {
        public CapturedFrame(long number, long timestampNs, int originalLength, byte[] data, int linkType, string? file)
        {
            File = file;
            Number = number;
            TimestampNs = timestampNs;
            OriginalLength = originalLength;
            Data = data;
            LinkType = linkType;
        }

        /// <summary>1-based position in the capture (counting every captured packet, also those skipped for the consumer).</summary>
        public long Number { get; }
        /// <summary>Unix time in nanoseconds (microsecond resolution where the platform gives no more).</summary>
        public long TimestampNs { get; }
        public int OriginalLength { get; }
        public byte[] Data { get; }
        /// <summary>The DLT_ link type of the interface (1 Ethernet, 113 Linux SLL, ...).</summary>
        public int LinkType { get; }
        /// <summary>The capture file the packet was written to, or null without -OutFile.</summary>
        public string? File { get; }
    }

    /// <summary>Where a running capture stands (for progress while it runs).</summary>
    internal readonly struct CaptureProgress
    {
        public CaptureProgress(long packets, long bytes, int files, long objectsSkipped, double elapsedMs, double? durationMs)
        {
            Packets = packets;
            Bytes = bytes;
            Files = files;
            ObjectsSkipped = objectsSkipped;
            ElapsedMs = elapsedMs;
            DurationMs = durationMs;
        }

        public long Packets { get; }
        public long Bytes { get; }
        public int Files { get; }
        public long ObjectsSkipped { get; }
        public double ElapsedMs { get; }
        /// <summary>The -Duration limit, if any (so progress can show a percentage).</summary>
        public double? DurationMs { get; }
    }
}
