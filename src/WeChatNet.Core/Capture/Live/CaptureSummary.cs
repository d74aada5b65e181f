using System;

namespace WeChatNet
{
    /// <summary>What a live capture did (the last object Start-WeChatCapture writes when it writes a file). Plain data only.</summary>
    public sealed class CaptureSummary
    {
        public CaptureSummary(string @interface, string filter, string linkType, string timestampPrecision, DateTimeOffset startTime,
            DateTimeOffset endTime, long packetsCaptured, long bytes, long packetsReceivedByFilter, long packetsDroppedByKernel,
            long packetsDroppedByInterface, long objectsEmitted, long objectsSkipped, string[] files, int filesWritten,
            string stopReason, string libraryVersion, long packetsWritten, long packetsLost, string? fileError)
        {
            Interface = @interface;
            Filter = filter;
            LinkType = linkType;
            TimestampPrecision = timestampPrecision;
            StartTime = startTime;
            EndTime = endTime;
            DurationMs = (endTime - startTime).TotalMilliseconds;
            PacketsCaptured = packetsCaptured;
            Bytes = bytes;
            PacketsReceivedByFilter = packetsReceivedByFilter;
            PacketsDroppedByKernel = packetsDroppedByKernel;
            PacketsDroppedByInterface = packetsDroppedByInterface;
            ObjectsEmitted = objectsEmitted;
            ObjectsSkipped = objectsSkipped;
            Files = files;
            FilesWritten = filesWritten;
            StopReason = stopReason;
            LibraryVersion = libraryVersion;
            PacketsWritten = packetsWritten;
            PacketsLost = packetsLost;
            FileError = fileError;
        }

        public string Interface { get; }
        /// <summary>The BPF filter in force (empty with -All).</summary>
        public string Filter { get; }
        /// <summary>Ethernet, LinuxSll, Null, Raw, ... (or DltN for other link types).</summary>
        public string LinkType { get; }
        /// <summary>Nanosecond or Microsecond.</summary>
        public string TimestampPrecision { get; }
        public DateTimeOffset StartTime { get; }
        public DateTimeOffset EndTime { get; }
        public double DurationMs { get; }
        /// <summary>Packets read from libpcap; with -OutFile every one of them is in the file(s) unless a write failed (PacketsLost).</summary>
        public long PacketsCaptured { get; }
        /// <summary>Captured bytes (after -SnapLength truncation).</summary>
        public long Bytes { get; }
        /// <summary>libpcap's ps_recv: packets that matched the filter, including any not yet read when the capture stopped.</summary>
        public long PacketsReceivedByFilter { get; }
        /// <summary>libpcap's ps_drop: packets lost because the capture buffer was full (the reader was too slow).</summary>
        public long PacketsDroppedByKernel { get; }
        /// <summary>libpcap's ps_ifdrop: packets the interface or driver dropped.</summary>
        public long PacketsDroppedByInterface { get; }
        /// <summary>Packet objects written to the pipeline.</summary>
        public long ObjectsEmitted { get; }
        /// <summary>Packet objects not written because the pipeline fell behind (the packets are still in the file).</summary>
        public long ObjectsSkipped { get; }
        /// <summary>The capture files on disk at the end, oldest first (fewer than FilesWritten when a -MaxFiles ring removed some).</summary>
        public string[] Files { get; }
        public int FilesWritten { get; }
        /// <summary>Count, Duration, Stopped (Ctrl+C or the caller), or Error.</summary>
        public string StopReason { get; }
        public string LibraryVersion { get; }
        /// <summary>Packets in the capture file(s) as whole blocks (with -MaxFiles, including files the ring has removed since); 0 without -OutFile.</summary>
        public long PacketsWritten { get; }
        /// <summary>Packets captured but in no file, because writing the file failed (FileError says why); 0 when every packet was written.</summary>
        public long PacketsLost { get; }
        /// <summary>Why writing the capture file failed (disk full, the file or its folder removed, a read-only file system); null when it did not.</summary>
        public string? FileError { get; }
    }
}
