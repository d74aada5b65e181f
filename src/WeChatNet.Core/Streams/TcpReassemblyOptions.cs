using System;
using System.Threading;

namespace WeChatNet.Streams
{
    /// <summary>Limits of TCP reassembly. The defaults suit a capture of one or a few phones.</summary>
    internal sealed class TcpReassemblyOptions
    {
        /// <summary>Out-of-order bytes buffered per direction before the stream skips ahead (reporting a gap). Default 256 KiB.</summary>
        public int MaxBufferedBytesPerStream { get; set; } = 256 * 1024;

        /// <summary>Out-of-order segments buffered per direction. Default 1024.</summary>
        public int MaxBufferedSegmentsPerStream { get; set; } = 1024;

        /// <summary>Out-of-order bytes buffered over all streams together. Default 64 MiB.</summary>
        public long MaxBufferedBytesTotal { get; set; } = 64L * 1024 * 1024;

        /// <summary>Connections tracked at once; the longest-idle one is released beyond this. Default 65536.</summary>
        public int MaxConnections { get; set; } = 65536;

        /// <summary>A stream without segments for this long is released. Default 15 minutes (beyond Mars' 600 s heartbeat).</summary>
        public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

        /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first limit that makes no sense.</summary>
        public void Validate()
        {
            if (MaxBufferedBytesPerStream < 0) throw new ArgumentOutOfRangeException(nameof(MaxBufferedBytesPerStream), "must be 0 or more");
            if (MaxBufferedSegmentsPerStream < 0) throw new ArgumentOutOfRangeException(nameof(MaxBufferedSegmentsPerStream), "must be 0 or more");
            if (MaxBufferedBytesTotal < 0) throw new ArgumentOutOfRangeException(nameof(MaxBufferedBytesTotal), "must be 0 or more");
            if (MaxConnections < 1) throw new ArgumentOutOfRangeException(nameof(MaxConnections), "must be 1 or more");
            if (IdleTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(IdleTimeout), "must be positive");
        }
    }
}
