using System;
using System.Collections.Generic;
using WeChatNet.Packets;

namespace WeChatNet.Capture
{
    /// <summary>The two capture file formats, told apart by their magic numbers (never by extension).</summary>
    internal enum CaptureFileFormat { Unknown = 0, Pcap, PcapNg }

    /// <summary>What went wrong in a capture file. Each maps to a cmdlet ErrorId (see <see cref="CaptureFileError.ErrorId"/>).</summary>
    public enum CaptureErrorKind
    {
        /// <summary>The file starts with neither pcap nor pcapng magic (nor gzip around one of them).</summary>
        NotACaptureFile,
        /// <summary>A pcap major version other than 2, or a pcapng section version other than 1.</summary>
        UnsupportedVersion,
        /// <summary>The file ends inside a record or block (the usual result of a capture killed mid-write).</summary>
        Truncated,
        /// <summary>A record or block whose length fields are impossible or disagree; the reader resynchronises after it.</summary>
        CorruptBlock,
        /// <summary>A packet block that names an interface the section never described.</summary>
        UnknownInterface,
        /// <summary>The gzip stream around the capture is damaged.</summary>
        CompressionError,
        /// <summary>The operating system failed to read the file.</summary>
        ReadError,
    }

    /// <summary>One damage found in a capture file: which file, which byte offset, what, and what the reader did.</summary>
    public sealed class CaptureFileError
    {
        public CaptureFileError(string file, long offset, CaptureErrorKind kind, string message, long? resumedAt = null)
        {
            File = file;
            Offset = offset;
            Kind = kind;
            Message = message;
            ResumedAt = resumedAt;
        }

        public string File { get; }
        /// <summary>Byte offset of the damaged record or block (in the decompressed data for a .gz file).</summary>
        public long Offset { get; }
        public CaptureErrorKind Kind { get; }
        public string Message { get; }
        /// <summary>Where reading went on after the damage; null when reading stopped there.</summary>
        public long? ResumedAt { get; }

        /// <summary>The ErrorId cmdlets use for this kind.</summary>
        public string ErrorId => Kind switch
        {
            CaptureErrorKind.NotACaptureFile => "NotACaptureFile",
            CaptureErrorKind.UnsupportedVersion => "CaptureFormatUnsupported",
            CaptureErrorKind.Truncated => "CaptureFileTruncated",
            CaptureErrorKind.UnknownInterface => "CaptureInterfaceUnknown",
            CaptureErrorKind.CompressionError => "CaptureFileCorrupt",
            CaptureErrorKind.ReadError => "CaptureFileUnreadable",
            _ => "CaptureFileCorrupt",
        };

        public override string ToString() => $"{File}: {Message}";
    }

    /// <summary>One capture interface (one per pcap file; one per Interface Description Block in pcapng).</summary>
    internal sealed class CaptureInterface
    {
        internal CaptureInterface(int index, int section, int idInSection, ushort linkType, uint snapLength)
        {
            Index = index;
            Section = section;
            IdInSection = idInSection;
            LinkType = linkType;
            SnapLength = snapLength;
        }

        /// <summary>Position among all interfaces of the file (sections counted in order), from 0.</summary>
        public int Index { get; }
        /// <summary>The pcapng section this interface belongs to (0 for pcap).</summary>
        public int Section { get; }
        /// <summary>The interface ID packet blocks use inside its section.</summary>
        public int IdInSection { get; }
        public ushort LinkType { get; }
        public uint SnapLength { get; }
        public string? Name { get; internal set; }
        public string? Description { get; internal set; }
        public string? Filter { get; internal set; }
        public string? OperatingSystem { get; internal set; }
        /// <summary>Timestamp resolution as recorded (if_tsresol): bit 7 clear = 10^-n s, set = 2^-n s. Pcap: 6 or 9.</summary>
        public byte TimestampResolution { get; internal set; } = 6;
        /// <summary>Seconds added to every timestamp (if_tsoffset).</summary>
        public long TimestampOffsetSeconds { get; internal set; }
        /// <summary>FCS bytes at the end of each frame (if_fcslen), or -1 when unknown.</summary>
        public int FcsLength { get; internal set; } = -1;

        /// <summary>Name for display: if_name, else "ifN".</summary>
        public string DisplayName => Name ?? "if" + Index;

        /// <summary>Link type name: the <see cref="Packets.LinkType"/> member, or "Unknown(N)".</summary>
        public string LinkTypeName => LinkTypeNames.Name(LinkType);

        internal long ToNanoseconds(ulong ticks)
        {
            long ns = TimestampMath.ToNanoseconds(ticks, TimestampResolution);
            return TimestampOffsetSeconds == 0 ? ns : unchecked(ns + TimestampOffsetSeconds * 1_000_000_000L);
        }
    }

    /// <summary>Counters from a pcapng Interface Statistics Block.</summary>
    internal sealed class InterfaceStatistics
    {
        public int InterfaceIndex { get; internal set; }
        public long TimestampNanoseconds { get; internal set; }
        public long? StartNanoseconds { get; internal set; }
        public long? EndNanoseconds { get; internal set; }
        public ulong? Received { get; internal set; }
        public ulong? InterfaceDropped { get; internal set; }
        public ulong? FilterAccepted { get; internal set; }
        public ulong? OsDropped { get; internal set; }
        public ulong? Delivered { get; internal set; }
    }

    /// <summary>An address-to-names record from a pcapng Name Resolution Block.</summary>
    internal sealed class NameResolutionEntry
    {
        public NameResolutionEntry(string address, IReadOnlyList<string> names) { Address = address; Names = names; }
        public string Address { get; }
        public IReadOnlyList<string> Names { get; }
    }

    internal static class LinkTypeNames
    {
        private static readonly string?[] Known = BuildKnown();

        private static string?[] BuildKnown()
        {
            var names = new string?[300];
            foreach (LinkType t in Enum.GetValues(typeof(LinkType))) names[(int)t] = t.ToString();
            return names;
        }

        /// <summary>True for the link types the decoders understand.</summary>
        public static bool IsKnown(ushort linkType) => linkType < Known.Length && Known[linkType] != null;

        /// <summary>The LinkType member name, or "Unknown(N)"; cached, so no allocation for known types.</summary>
        public static string Name(ushort linkType) =>
            linkType < Known.Length && Known[linkType] != null ? Known[linkType]! : "Unknown(" + linkType + ")";
    }

    internal static class TimestampMath
    {
        private static readonly long[] Pow10 =
        {
            1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
            10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000,
            1_000_000_000_000_000, 10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
        };

        /// <summary>Converts timestamp ticks at pcapng resolution <paramref name="resolution"/> to nanoseconds since 1970.</summary>
        public static long ToNanoseconds(ulong ticks, byte resolution)
        {
            unchecked
            {
                if ((resolution & 0x80) == 0)
                {
                    int n = resolution;
                    if (n == 9) return (long)ticks;
                    if (n < 9) return (long)ticks * Pow10[9 - n];
                    return n - 9 < Pow10.Length ? (long)(ticks / (ulong)Pow10[n - 9]) : 0;
                }
                int shift = resolution & 0x7F;
                if (shift == 0) return (long)ticks * 1_000_000_000L;
                if (shift >= 64) return 0;
                ulong whole = ticks >> shift;
                ulong frac = ticks & ((1UL << shift) - 1);
                ulong fracNs = shift <= 34 ? (frac * 1_000_000_000UL) >> shift : (ulong)((decimal)frac * 1_000_000_000m / (decimal)Math.Pow(2, shift));
                return (long)(whole * 1_000_000_000UL + fracNs);
            }
        }
    }
}
