using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace WeChatNet.Capture
{
    /// <summary>Progress of reading one capture file (reported on the enumerating thread).</summary>
    internal readonly struct CaptureProgress
    {
        public CaptureProgress(string file, long bytesRead, long totalBytes, long packetsRead, long packetsMatched)
        {
            File = file;
            BytesRead = bytesRead;
            TotalBytes = totalBytes;
            PacketsRead = packetsRead;
            PacketsMatched = packetsMatched;
        }

        public string File { get; }
        /// <summary>Bytes consumed from the file on disk (compressed bytes for .gz).</summary>
        public long BytesRead { get; }
        /// <summary>File size, or -1 when unknown.</summary>
        public long TotalBytes { get; }
        public long PacketsRead { get; }
        public long PacketsMatched { get; }
        public int Percent => TotalBytes > 0 ? (int)Math.Min(100, BytesRead * 100 / TotalBytes) : -1;
    }

    /// <summary>One item of an import: a packet, a damage report or a warning (exactly one is set).</summary>
    internal sealed class CaptureImportItem
    {
        internal CaptureImportItem(Packet? packet, CaptureFileError? error, string? warning = null)
        {
            Packet = packet;
            Error = error;
            Warning = warning;
        }

        public Packet? Packet { get; }
        public CaptureFileError? Error { get; }
        /// <summary>Something the user should know that is not damage (e.g. a link type that is not decoded).</summary>
        public string? Warning { get; }
    }

    /// <summary>What Import-WeChatCapture calls: read files, decode, filter in the core, build Packet objects.</summary>
    internal static class CaptureImport
    {
        /// <summary>
        /// Streams the packets of <paramref name="path"/> that match <paramref name="filter"/> (all when null), with
        /// damage reports in file order. Filtering runs on the decoded view before any object is built. Progress is
        /// reported about every 256 KiB read. Cancellation is checked before every packet; a cancelled read ends
        /// with <see cref="OperationCanceledException"/>. Opening failures (missing file, access denied) throw.
        /// </summary>
        public static IEnumerable<CaptureImportItem> Read(string path, PacketFilter? filter = null, Action<CaptureProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            var reader = CaptureFileReader.Open(path);
            return ReadCore(reader, path, filter, progress, cancellationToken);
        }

        private static IEnumerable<CaptureImportItem> ReadCore(CaptureFileReader reader, string path, PacketFilter? filter, Action<CaptureProgress>? progress, CancellationToken cancellationToken)
        {
            using (reader)
            {
                long matched = 0;
                long nextReport = 0;
                var warned = new HashSet<int>();
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Packet? packet = null;
                    CaptureFileError? error = null;
                    string? warning = null;
                    bool done = false;
                    // The record is a ref struct: it cannot cross a yield, so build the object here.
                    var result = reader.ReadNext(out var record);
                    if (result == CaptureReadResult.EndOfFile) done = true;
                    else if (result == CaptureReadResult.Error) error = reader.LastError;
                    else if (!IsDecodedLinkType(record.LinkType) && warned.Add(record.Interface.Index))
                    {
                        // Said once per interface; the packet itself comes on the next call, so keep the record for it.
                        warning = $"{path}: interface {record.Interface.Index} ({record.Interface.DisplayName}) has link type {record.LinkType} " +
                                  $"({record.Interface.LinkTypeName}), which WeChatNet does not decode; its packets (the first at offset {record.FileOffset}) pass through with their raw bytes.";
                        if (filter == null || filter.Matches(record.Decode(), record.OriginalLength))
                        {
                            packet = PacketFactory.Create(record, path);
                            matched++;
                        }
                    }
                    else if (filter == null || filter.Matches(record.Decode(), record.OriginalLength))
                    {
                        packet = PacketFactory.Create(record, path);
                        matched++;
                    }
                    if (progress != null)
                    {
                        long position = reader.Position;
                        if (done || position >= nextReport)
                        {
                            nextReport = position + 256 * 1024;
                            progress(new CaptureProgress(path, done ? Math.Max(position, reader.Length) : position, reader.Length, reader.PacketCount, matched));
                        }
                    }
                    if (done)
                    {
                        foreach (var w in DropWarnings(reader, path)) yield return new CaptureImportItem(null, null, w);
                        yield break;
                    }
                    if (warning != null) yield return new CaptureImportItem(null, null, warning);
                    if (packet != null) yield return new CaptureImportItem(packet, null);
                    else if (error != null) yield return new CaptureImportItem(null, error);
                }
            }
        }

        /// <summary>One warning per interface whose last statistics block counts dropped packets (the capture is incomplete).</summary>
        internal static IEnumerable<string> DropWarnings(CaptureFileReader reader, string path)
        {
            var last = new Dictionary<int, InterfaceStatistics>();
            foreach (var s in reader.Statistics) last[s.InterfaceIndex] = s;
            foreach (var pair in last)
            {
                ulong ifDrop = pair.Value.InterfaceDropped ?? 0, osDrop = pair.Value.OsDropped ?? 0;
                if (ifDrop + osDrop == 0) continue;
                string name = pair.Key >= 0 && pair.Key < reader.Interfaces.Count ? reader.Interfaces[pair.Key].DisplayName : "if" + pair.Key;
                yield return $"{path}: interface {pair.Key} ({name}) reports {ifDrop} packets dropped by the interface and {osDrop} by the operating system during the capture: the capture is incomplete, so gaps in it may not be network loss.";
            }
        }

        private static bool IsDecodedLinkType(ushort linkType) => LinkTypeNames.IsKnown(linkType);

        /// <summary>
        /// Runs <paramref name="onPacket"/> for every matching record of a file in one pass without building objects
        /// (the allocation-free path analyses use). Returns the damage found; cancellation throws.
        /// </summary>
        public static IReadOnlyList<CaptureFileError> Scan(string path, RecordHandler onPacket, PacketFilter? filter = null, CancellationToken cancellationToken = default)
        {
            var errors = new List<CaptureFileError>();
            using var reader = CaptureFileReader.Open(path);
            while (true)
            {
                if ((reader.PacketCount & 0x3FF) == 0) cancellationToken.ThrowIfCancellationRequested();
                var result = reader.ReadNext(out var record);
                if (result == CaptureReadResult.EndOfFile) return errors;
                if (result == CaptureReadResult.Error) { errors.Add(reader.LastError!); continue; }
                var decoded = record.Decode();
                if (filter == null || filter.Matches(decoded, record.OriginalLength)) onPacket(record, decoded);
            }
        }

        /// <summary>Callback for <see cref="Scan"/>: both arguments are views valid only during the call.</summary>
        public delegate void RecordHandler(in CaptureRecord record, in Packets.DecodedPacket packet);
    }
}
