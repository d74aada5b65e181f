// =====================================================================================================
// Capture API overview (WeChatNet.Capture, WeChatNet.Packets) — start here.
//
// READ a file in one pass, allocation-free per packet (the record is a view into a reused buffer):
//
//     using var reader = CaptureFileReader.Open(path);              // pcap / pcapng, optionally gzip, by magic
//     while (true)
//     {
//         var r = reader.ReadNext(out CaptureRecord rec);
//         if (r == CaptureReadResult.EndOfFile) break;
//         if (r == CaptureReadResult.Error) { Report(reader.LastError!); continue; }   // file + byte offset
//         // rec.Data (span), rec.Number, rec.TimestampNanoseconds (since 1970 UTC), rec.Interface
//         // (Index, Name, LinkType...), rec.LinkType, rec.OriginalLength, rec.FileOffset
//         DecodedPacket p = rec.Decode();                              // Packets/PacketDecoder: all layers
//         // p.Network, p.SourceAddress, p.Transport, p.SourcePort, p.TcpFlags, p.PayloadLength, p.Issue,
//         // p.Ipv4 / p.Ipv6 / p.Tcp / p.Udp / p.Icmp / p.Icmpv6 / p.Arp views (p.Icmp.Quoted = inner header)
//     }
//   reader.Interfaces, reader.Statistics (pcapng ISB), reader.NameResolutions (pcapng NRB),
//   reader.Position / reader.Length for progress.
//
// ONE PASS with a callback: CaptureImport.Scan(path, (in CaptureRecord r, in DecodedPacket p) => ..., filter, token).
// OBJECTS for cmdlets: PacketFactory.Create(in rec, file) -> WeChatNet.Packet (owns a copy of the bytes);
//   PacketFactory.Create(in decoded, number, ns, ifName, ifIndex, originalLength, file) for live capture;
//   CaptureImport.Read(path, filter, progress, token) streams Packets, CaptureFileErrors and warnings.
// ROUTE TRACING: decoded.Icmp.Quoted / decoded.Icmpv6.Quoted (QuotedDatagram): inner Source/Destination,
//   Protocol, TtlOrHopLimit, Identification, SourcePort/DestinationPort, IcmpIdentifier/IcmpSequence,
//   TransportHeader (first 8 bytes); IcmpMessage.Parse / Icmpv6Message.Parse work on raw ICMP bytes too.
// FILTER: PacketFilter.Parse("tcp port 8080 and host 43.130.30.240").Matches(in decoded).
// WRITE: using var w = CaptureFileWriter.Create(stream, CaptureFileFormat.PcapNg);
//        int id = w.AddInterface(linkType, snapLength, name);  w.WritePacket(id, ns, bytes, originalLength);
//   CaptureExport (temp file + rename) is what Export-WeChatCapture uses.
// =====================================================================================================
using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace WeChatNet.Capture
{
    /// <summary>
    /// Streams packets out of a pcap or pcapng file (either byte order, several sections and interfaces, gzip around
    /// either), in constant memory. Damage never throws: <see cref="ReadNext"/> returns
    /// <see cref="CaptureReadResult.Error"/> with <see cref="LastError"/> naming the file and byte offset, and the
    /// next call resumes after the damage where the format allows. Not thread-safe.
    /// </summary>
    internal sealed class CaptureFileReader : IDisposable
    {
        /// <summary>Largest packet record accepted (tshark's limit for the biggest link types is 256 MiB; 16 MiB is plenty).</summary>
        public const int MaxRecordLength = 16 * 1024 * 1024;
        /// <summary>Largest pcapng block accepted.</summary>
        public const int MaxBlockLength = MaxRecordLength + 1024;
        private const int MaxListEntries = 65536;
        private const int MaxNameBytes = 4 * 1024 * 1024;
        private long _nameBytes;

        private const uint PcapMagicMicro = 0xA1B2C3D4, PcapMagicNano = 0xA1B23C4D;
        private const uint ShbType = 0x0A0D0D0A, ByteOrderMagic = 0x1A2B3C4D;
        private const uint IdbType = 1, ObsoletePacketType = 2, SpbType = 3, NrbType = 4, IsbType = 5, EpbType = 6;

        private readonly ByteSource _src;
        private readonly Stream _file;
        private readonly List<CaptureInterface> _interfaces = new List<CaptureInterface>();
        private readonly List<CaptureInterface> _section = new List<CaptureInterface>();
        private readonly List<InterfaceStatistics> _statistics = new List<InterfaceStatistics>();
        private readonly List<NameResolutionEntry> _names = new List<NameResolutionEntry>();
        /// <summary>Decompressed offsets where a gzip member may have begun: the file's start and each pcapng section (at most 4096).</summary>
        private readonly List<long> _memberStarts = new List<long> { 0 };
        private bool _bigEndian;
        private bool _nanosecondPcap;
        private int _sectionIndex = -1;
        private long _number;
        private bool _started;
        private bool _finished;
        private long _lastSeconds = -1;
        private uint _pcapSnapLength;
        private long _acceptDamagedTrailerAt = -1;

        private CaptureFileReader(Stream file, Stream data, string name, bool compressed, bool leaveOpen)
        {
            _file = file;
            FileName = name;
            IsCompressed = compressed;
            _src = new ByteSource(data, leaveOpen && !compressed);
            _leaveOpen = leaveOpen;
        }

        private readonly bool _leaveOpen;

        /// <summary>Opens a file for reading (shared read, sequential). Throws only for I/O failures opening it.</summary>
        public static CaptureFileReader Open(string path)
        {
            var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.SequentialScan);
            try { return Open(fs, path, leaveOpen: false); }
            catch { fs.Dispose(); throw; }
        }

        /// <summary>Reads from a stream; gzip is recognised by its magic and decompressed on the fly.</summary>
        public static CaptureFileReader Open(Stream stream, string name, bool leaveOpen = false)
        {
            var head = new byte[2];
            int got = 0;
            Stream source = stream;
            if (stream.CanSeek)
            {
                long at = stream.Position;
                while (got < 2) { int n = stream.Read(head, got, 2 - got); if (n <= 0) break; got += n; }
                stream.Position = at;
            }
            else
            {
                while (got < 2) { int n = stream.Read(head, got, 2 - got); if (n <= 0) break; got += n; }
                var prefix = new byte[got];
                Array.Copy(head, prefix, got);
                source = new PrefixedStream(prefix, stream, leaveOpen);
            }
            bool gz = got == 2 && head[0] == 0x1F && head[1] == 0x8B;
            if (gz) return new CaptureFileReader(stream, new GZipStream(source, CompressionMode.Decompress, leaveOpen), name, true, leaveOpen);
            return new CaptureFileReader(stream, source, name, false, leaveOpen);
        }

        /// <summary>The name used in errors (the path).</summary>
        public string FileName { get; }
        public bool IsCompressed { get; }
        /// <summary>Known after the first <see cref="ReadNext"/>; Unknown for a file that is not a capture.</summary>
        public CaptureFileFormat Format { get; private set; }
        /// <summary>Every interface seen so far (pcap: one; pcapng: every IDB of every section).</summary>
        public IReadOnlyList<CaptureInterface> Interfaces => _interfaces;
        /// <summary>Interface statistics blocks seen so far (pcapng), at most 65536.</summary>
        public IReadOnlyList<InterfaceStatistics> Statistics => _statistics;
        /// <summary>Name resolution records seen so far (pcapng), at most 65536 and 4 MiB of names.</summary>
        public IReadOnlyList<NameResolutionEntry> NameResolutions => _names;
        /// <summary>The most recent damage reported by <see cref="ReadNext"/>.</summary>
        public CaptureFileError? LastError { get; private set; }
        /// <summary>Bytes consumed from the file on disk (compressed bytes for .gz), for progress.</summary>
        public long Position
        {
            get
            {
                try { return _file.CanSeek ? _file.Position : _src.Position; }
                catch (ObjectDisposedException) { return 0; }
            }
        }
        /// <summary>Size of the file on disk, or -1 when the stream has no length.</summary>
        public long Length
        {
            get
            {
                try { return _file.CanSeek ? _file.Length : -1; }
                catch (ObjectDisposedException) { return -1; }
            }
        }
        /// <summary>Packets returned so far.</summary>
        public long PacketCount => _number;

        /// <summary>
        /// Reads the next packet. <paramref name="record"/> is valid until the next call. Never throws for file
        /// content; returns <see cref="CaptureReadResult.Error"/> once per damage.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        public CaptureReadResult ReadNext(out CaptureRecord record)
        {
            record = default;
            if (_finished) return CaptureReadResult.EndOfFile;
            if (!_started)
            {
                _started = true;
                var header = ReadFileHeader();
                if (header != CaptureReadResult.Packet) return header;
            }
            return Format == CaptureFileFormat.Pcap ? ReadPcapRecord(out record) : ReadPcapNgBlock(out record);
        }

        private CaptureReadResult Fail(long offset, CaptureErrorKind kind, string message, long? resumedAt = null)
        {
            if (_src.ReadError != null && resumedAt == null)
            {
                // The short read came from a failing stream, not from the file's content: say so.
                var e = _src.ReadError;
                bool gz = e is InvalidDataException || IsCompressed;
                kind = gz ? CaptureErrorKind.CompressionError : CaptureErrorKind.ReadError;
                message = gz
                    ? $"the gzip data is damaged near decompressed offset {_src.Position + _src.Available}: {e.Message}"
                    : $"reading failed near offset {_src.Position + _src.Available}: {e.Message}";
                offset = _src.Position + _src.Available;
            }
            if (resumedAt == null) _finished = true;
            LastError = new CaptureFileError(FileName, offset, kind, message, resumedAt);
            return CaptureReadResult.Error;
        }

        private CaptureReadResult End()
        {
            _finished = true;
            if (_src.ReadError != null) return Fail(_src.Position, CaptureErrorKind.ReadError, "");
            // The size field is the last gzip member's: gzip files joined end to end (pcapng sections, each compressed on
            // its own) are whole when the last member began where a section did.
            if (IsCompressed && GzipSizeField() is uint size && !_memberStarts.Exists(o => unchecked((uint)(_src.Position - o)) == size))
                return Fail(_src.Position, CaptureErrorKind.Truncated,
                    $"the gzip data ends after {_src.Position} decompressed bytes without the gzip trailer that closes it (the size field at the end of the file says {size}): the file was cut short, and the packets up to there were read.");
            return CaptureReadResult.EndOfFile;
        }

        /// <summary>
        /// The gzip trailer's size field (the file's last 4 bytes: the decompressed length modulo 2^32), or null when the file
        /// cannot be read there (not seekable). .NET's GZipStream ends quietly where a cut file ends; when the cut falls between
        /// two records nothing else tells that the capture is incomplete.
        /// </summary>
        private uint? GzipSizeField()
        {
            try
            {
                if (!_file.CanSeek || _file.Length < 4) return null;
                long at = _file.Position;
                var tail = new byte[4];
                _file.Position = _file.Length - 4;
                int got = 0;
                while (got < 4) { int n = _file.Read(tail, got, 4 - got); if (n <= 0) break; got += n; }
                _file.Position = at;
                return got == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(tail) : (uint?)null;
            }
            catch (Exception e) when (e is IOException || e is NotSupportedException || e is ObjectDisposedException || e is UnauthorizedAccessException)
            {
                return null;
            }
        }

        private CaptureReadResult ReadFileHeader()
        {
            int have = _src.Ensure(24);
            if (have < 4)
            {
                if (have == 0 && _src.ReadError == null)
                    return Fail(0, CaptureErrorKind.NotACaptureFile, "the file is empty: not a pcap or pcapng capture.");
                return Fail(0, CaptureErrorKind.NotACaptureFile, $"the file is only {have} bytes long: not a pcap or pcapng capture.");
            }
            var h = _src.Span(have);
            uint le = BinaryPrimitives.ReadUInt32LittleEndian(h);
            uint be = BinaryPrimitives.ReadUInt32BigEndian(h);
            if (le == ShbType)
            {
                Format = CaptureFileFormat.PcapNg;
                return CaptureReadResult.Packet;
            }
            if (le == PcapMagicMicro || le == PcapMagicNano || be == PcapMagicMicro || be == PcapMagicNano)
            {
                Format = CaptureFileFormat.Pcap;
                _bigEndian = be == PcapMagicMicro || be == PcapMagicNano;
                _nanosecondPcap = (_bigEndian ? be : le) == PcapMagicNano;
                if (have < 24) return Fail(0, CaptureErrorKind.Truncated, $"the pcap file header is cut short: {have} of 24 bytes.");
                ushort major = U16(h.Slice(4));
                ushort minor = U16(h.Slice(6));
                if (major != 2)
                    return Fail(4, CaptureErrorKind.UnsupportedVersion, $"pcap version {major}.{minor} is not supported (only 2.x).");
                _pcapSnapLength = U32(h.Slice(16));
                uint network = U32(h.Slice(20));
                var iface = new CaptureInterface(0, 0, 0, (ushort)(network & 0xFFFF), _pcapSnapLength)
                {
                    TimestampResolution = (byte)(_nanosecondPcap ? 9 : 6),
                    FcsLength = (network & 0x04000000) != 0 ? (int)(network >> 28) * 2 : -1,
                };
                _interfaces.Add(iface);
                _section.Add(iface);
                _sectionIndex = 0;
                _src.Advance(24);
                return CaptureReadResult.Packet;
            }
            string magic = BitConverter.ToString(h.Slice(0, 4).ToArray()).Replace('-', ' ');
            return Fail(0, CaptureErrorKind.NotACaptureFile, $"not a pcap or pcapng capture: it starts with bytes {magic}, which is neither format's magic number (the type is detected by content, not by extension).");
        }

        private ushort U16(ReadOnlySpan<byte> s) => _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);
        private uint U32(ReadOnlySpan<byte> s) => _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);
        private ulong U64(ReadOnlySpan<byte> s) => _bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s);

        // ---------------------------------------------------------------- pcap

        private int PcapRecordCap => (int)Math.Min(MaxRecordLength, Math.Max(262144u, _pcapSnapLength));

        /// <summary>Why a pcap record header cannot be real, or null when it is plausible.</summary>
        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        private string? CheckPcapHeader(ReadOnlySpan<byte> h, bool strictTime)
        {
            uint frac = U32(h.Slice(4));
            uint incl = U32(h.Slice(8));
            uint orig = U32(h.Slice(12));
            if (incl > (uint)PcapRecordCap) return $"its captured length {incl} exceeds the largest possible record ({PcapRecordCap} bytes)";
            // What libpcap and tshark read anyway (the record is kept and flagged, see PcapHeaderQuirk) is only
            // implausible while looking for the next record after damage.
            if (strictTime && PcapHeaderQuirk(h) is string quirk) return quirk;
            if (strictTime && _lastSeconds >= 0)
            {
                long sec = U32(h);
                if (Math.Abs(sec - _lastSeconds) > 86400L * 366) return "its timestamp is more than a year away from its neighbour's";
            }
            return null;
        }

        /// <summary>
        /// What is odd but readable in a pcap record header, as libpcap and tshark read it: a captured length above the
        /// original length, or a sub-second field out of range. Null when neither.
        /// </summary>
        private string? PcapHeaderQuirk(ReadOnlySpan<byte> h)
        {
            uint frac = U32(h.Slice(4));
            uint incl = U32(h.Slice(8));
            uint orig = U32(h.Slice(12));
            if (orig < incl) return $"its captured length {incl} exceeds its original length {orig}";
            if (frac >= (_nanosecondPcap ? 1_000_000_000u : 1_000_000u)) return $"its sub-second timestamp {frac} is out of range";
            return null;
        }

        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        private CaptureReadResult ReadPcapRecord(out CaptureRecord record)
        {
            record = default;
            long offset = _src.Position;
            int have = _src.Ensure(16);
            if (have == 0) return End();
            if (have < 16)
                return Fail(offset, CaptureErrorKind.Truncated, $"the file ends inside the record header at offset {offset} ({have} of 16 bytes): the capture was cut short.");
            var h = _src.Span(16);
            string? why = CheckPcapHeader(h, strictTime: false);
            if (why != null) return ResyncPcap(offset, $"corrupt record header at offset {offset}: {why}");
            int incl = (int)U32(h.Slice(8));
            have = _src.Ensure(16 + incl);
            if (have < 16 + incl)
                return Fail(offset, CaptureErrorKind.Truncated, $"the last record (at offset {offset}) declares {incl} bytes but only {have - 16} remain: the capture was cut short.");
            h = _src.Span(16 + incl);
            long sec = U32(h);
            uint frac = U32(h.Slice(4));
            long ns = unchecked(sec * 1_000_000_000L + (_nanosecondPcap ? frac : frac * 1000L));
            _lastSeconds = sec;
            _number++;
            string? quirk = PcapHeaderQuirk(h);
            record = new CaptureRecord(h.Slice(16, incl), _number, ns, true, _interfaces[0], (int)Math.Min(int.MaxValue, U32(h.Slice(12))), offset, default, _bigEndian,
                quirk is null ? null : $"record header at offset {offset}: {quirk} (kept, as libpcap and tshark read it)");
            _src.Advance(16 + incl);
            return CaptureReadResult.Packet;
        }

        private CaptureReadResult ResyncPcap(long damagedAt, string what)
        {
            // Slide one byte at a time to a header that is plausible and is followed by another plausible header
            // (or by the exact end of the file).
            _src.Advance(1);
            while (true)
            {
                long at = _src.Position;
                int have = _src.Ensure(16);
                if (have < 16)
                {
                    _src.Advance(have);
                    return Fail(damagedAt, CaptureErrorKind.CorruptBlock, what + "; no valid record follows, reading stopped.");
                }
                var h = _src.Span(16);
                if (CheckPcapHeader(h, strictTime: true) == null)
                {
                    int incl = (int)U32(h.Slice(8));
                    int need = 16 + incl + 16;
                    have = _src.Ensure(need);
                    if (have == 16 + incl || (have >= need && CheckPcapHeader(_src.Span(16 + incl, 16), strictTime: true) == null))
                        return Fail(damagedAt, CaptureErrorKind.CorruptBlock, $"{what}; skipped {at - damagedAt} bytes and resumed at offset {at}.", at);
                }
                _src.Advance(1);
            }
        }

        // ---------------------------------------------------------------- pcapng

        private static bool IsKnownBlockType(uint type) =>
            type == ShbType || (type >= IdbType && type <= EpbType) || type == 9 || type == 0x0A || type == 0x0BAD || type == 0x40000BAD;

        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        private CaptureReadResult ReadPcapNgBlock(out CaptureRecord record)
        {
            record = default;
            while (true)
            {
                long offset = _src.Position;
                int have = _src.Ensure(12);
                if (have == 0) return End();
                if (have < 12)
                    return Fail(offset, CaptureErrorKind.Truncated, $"the file ends inside a block header at offset {offset} ({have} bytes left): the capture was cut short.");
                var head = _src.Span(12);
                uint type = BinaryPrimitives.ReadUInt32LittleEndian(head);
                if (type == ShbType)
                {
                    uint bom = BinaryPrimitives.ReadUInt32LittleEndian(head.Slice(8));
                    if (bom == ByteOrderMagic) _bigEndian = false;
                    else if (bom == 0x4D3C2B1A) _bigEndian = true;
                    else if (_sectionIndex < 0)
                        return Fail(offset, CaptureErrorKind.NotACaptureFile, $"a pcapng section header at offset {offset} has no valid byte-order magic: not a readable capture.");
                    else
                        return ResyncPcapNg(offset, $"section header block at offset {offset} has an invalid byte-order magic");
                }
                else
                {
                    type = U32(head);
                    if (_sectionIndex < 0)
                        return Fail(offset, CaptureErrorKind.NotACaptureFile, "the pcapng file does not start with a section header block.");
                }
                uint length = U32(head.Slice(4));
                if (length < 12 || length % 4 != 0 || length > MaxBlockLength)
                    return ResyncPcapNg(offset, $"block at offset {offset} (type 0x{type:X}) has an impossible length {length}");
                have = _src.Ensure((int)length);
                if (have < length)
                    return Fail(offset, CaptureErrorKind.Truncated, $"the last block (type 0x{type:X} at offset {offset}) declares {length} bytes but only {have} remain: the capture was cut short.");
                var block = _src.Span((int)length);
                uint trailer = U32(block.Slice((int)length - 4));
                if (trailer != length && _acceptDamagedTrailerAt != offset)
                {
                    // Which copy is wrong? If a valid block (or the end of the file) follows where the leading length
                    // points, only the trailer is damaged: report it, then read the block on the next call.
                    if (IsBlockBoundary((int)length))
                    {
                        _acceptDamagedTrailerAt = offset;
                        LastError = new CaptureFileError(FileName, offset, CaptureErrorKind.CorruptBlock,
                            $"block at offset {offset} (type 0x{type:X}) has leading length {length} but trailing length {trailer}; a valid block follows at offset {offset + length}, so the block is read by its leading length.", offset);
                        return CaptureReadResult.Error;
                    }
                    return ResyncPcapNg(offset, $"block at offset {offset} (type 0x{type:X}) has leading length {length} but trailing length {trailer}");
                }
                _acceptDamagedTrailerAt = -1;
                block = _src.Span((int)length);
                var body = block.Slice(8, (int)length - 12);
                CaptureReadResult result;
                switch (type)
                {
                    case ShbType: result = OnSectionHeader(body, offset); break;
                    case IdbType: result = OnInterface(body, offset); break;
                    case EpbType: result = OnEnhancedPacket(body, offset, out record); break;
                    case SpbType: result = OnSimplePacket(body, offset, out record); break;
                    case ObsoletePacketType: result = OnObsoletePacket(body, offset, out record); break;
                    case IsbType: OnStatistics(body); result = CaptureReadResult.EndOfFile; break;
                    case NrbType: OnNames(body); result = CaptureReadResult.EndOfFile; break;
                    default: result = CaptureReadResult.EndOfFile; break; // custom, decryption secrets, unknown: skipped by length
                }
                if (result == CaptureReadResult.Error && _finished) return result;
                if (result == CaptureReadResult.Packet)
                {
                    // The record's span stays valid: the block is consumed, but the buffer is not touched until the next call.
                    _src.Advance((int)length);
                    return result;
                }
                _src.Advance((int)length);
                if (result == CaptureReadResult.Error) return result;
            }
        }

        private CaptureReadResult OnSectionHeader(ReadOnlySpan<byte> body, long offset)
        {
            if (IsCompressed && offset > 0 && _memberStarts.Count < 4096) _memberStarts.Add(offset);
            // 0 byte-order magic (4)  4 major (2)  6 minor (2)  8 section length (8)  16 options
            if (body.Length < 16)
                return Fail(offset, CaptureErrorKind.CorruptBlock, $"section header block at offset {offset} is too short ({body.Length + 12} bytes); the section is skipped.", offset + body.Length + 12);
            ushort major = U16(body.Slice(4));
            if (major != 1)
            {
                _finished = true;
                LastError = new CaptureFileError(FileName, offset, CaptureErrorKind.UnsupportedVersion, $"pcapng section version {major}.{U16(body.Slice(6))} at offset {offset} is not supported (only 1.x).");
                return CaptureReadResult.Error;
            }
            _sectionIndex++;
            _section.Clear();
            return CaptureReadResult.EndOfFile;
        }

        private CaptureReadResult OnInterface(ReadOnlySpan<byte> body, long offset)
        {
            // 0 link type (2)  2 reserved (2)  4 snap length (4)  8 options
            if (body.Length < 8)
                return Fail(offset, CaptureErrorKind.CorruptBlock, $"interface description block at offset {offset} is too short; its packets will be reported as from an unknown interface.", offset + body.Length + 12);
            if (_section.Count >= MaxListEntries)
                return Fail(offset, CaptureErrorKind.CorruptBlock, $"interface description block at offset {offset} would be interface {_section.Count} of its section; more than {MaxListEntries} is not credible, so it is ignored.", offset + body.Length + 12);
            var iface = new CaptureInterface(_interfaces.Count, _sectionIndex, _section.Count, U16(body), U32(body.Slice(4)));
            var options = body.Slice(8);
            iface.Name = OptionString(options, 2);
            iface.Description = OptionString(options, 3);
            var tsresol = PcapNgOptions.Find(options, 9, _bigEndian);
            if (tsresol.Length >= 1) iface.TimestampResolution = tsresol[0];
            var tsoffset = PcapNgOptions.Find(options, 14, _bigEndian);
            if (tsoffset.Length == 8) iface.TimestampOffsetSeconds = (long)U64(tsoffset);
            var filter = PcapNgOptions.Find(options, 11, _bigEndian);
            if (filter.Length > 1) iface.Filter = Encoding.UTF8.GetString(filter.Slice(1).ToArray());
            iface.OperatingSystem = OptionString(options, 12);
            var fcs = PcapNgOptions.Find(options, 13, _bigEndian);
            if (fcs.Length >= 1) iface.FcsLength = fcs[0];
            if (_interfaces.Count < MaxListEntries) _interfaces.Add(iface);
            _section.Add(iface);
            return CaptureReadResult.EndOfFile;
        }

        private string? OptionString(ReadOnlySpan<byte> options, ushort code)
        {
            var v = PcapNgOptions.Find(options, code, _bigEndian);
            return v.IsEmpty ? null : Encoding.UTF8.GetString(v.ToArray()).TrimEnd('\0');
        }

        private CaptureReadResult PacketFromBlock(ReadOnlySpan<byte> data, int ifid, ulong ticks, bool hasTime, int originalLength, long offset, ReadOnlySpan<byte> options, out CaptureRecord record)
        {
            record = default;
            if ((uint)ifid >= (uint)_section.Count)
                return Fail(offset, CaptureErrorKind.UnknownInterface, $"packet block at offset {offset} names interface {ifid}, but its section describes only {_section.Count}; the packet is skipped.", offset);
            var iface = _section[ifid];
            _number++;
            record = new CaptureRecord(data, _number, hasTime ? iface.ToNanoseconds(ticks) : 0, hasTime, iface, originalLength, offset, options, _bigEndian);
            return CaptureReadResult.Packet;
        }

        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        private CaptureReadResult OnEnhancedPacket(ReadOnlySpan<byte> body, long offset, out CaptureRecord record)
        {
            // 0 interface id (4)  4 timestamp high (4)  8 timestamp low (4)  12 captured length (4)  16 original length (4)  20 data, padded
            record = default;
            if (body.Length < 20)
                return Fail(offset, CaptureErrorKind.CorruptBlock, $"enhanced packet block at offset {offset} is too short ({body.Length + 12} bytes); skipped.", offset + body.Length + 12);
            uint caplen = U32(body.Slice(12));
            if (caplen > body.Length - 20)
                return Fail(offset, CaptureErrorKind.CorruptBlock, $"enhanced packet block at offset {offset} declares {caplen} captured bytes but holds only {body.Length - 20}; skipped.", offset + body.Length + 12);
            ulong ticks = (ulong)U32(body.Slice(4)) << 32 | U32(body.Slice(8));
            int padded = (int)((caplen + 3) & ~3u);
            var options = padded < body.Length - 20 ? body.Slice(20 + padded) : default;
            return PacketFromBlock(body.Slice(20, (int)caplen), (int)Math.Min(int.MaxValue, U32(body)), ticks, true, (int)Math.Min(int.MaxValue, U32(body.Slice(16))), offset, options, out record);
        }

        private CaptureReadResult OnObsoletePacket(ReadOnlySpan<byte> body, long offset, out CaptureRecord record)
        {
            // 0 interface id (2)  2 drops (2)  4 timestamp high (4)  8 timestamp low (4)  12 captured (4)  16 original (4)  20 data
            record = default;
            if (body.Length < 20)
                return Fail(offset, CaptureErrorKind.CorruptBlock, $"packet block at offset {offset} is too short; skipped.", offset + body.Length + 12);
            uint caplen = U32(body.Slice(12));
            if (caplen > body.Length - 20)
                return Fail(offset, CaptureErrorKind.CorruptBlock, $"packet block at offset {offset} declares {caplen} captured bytes but holds only {body.Length - 20}; skipped.", offset + body.Length + 12);
            ulong ticks = (ulong)U32(body.Slice(4)) << 32 | U32(body.Slice(8));
            int padded = (int)((caplen + 3) & ~3u);
            var options = padded < body.Length - 20 ? body.Slice(20 + padded) : default;
            return PacketFromBlock(body.Slice(20, (int)caplen), U16(body), ticks, true, (int)Math.Min(int.MaxValue, U32(body.Slice(16))), offset, options, out record);
        }

        private CaptureReadResult OnSimplePacket(ReadOnlySpan<byte> body, long offset, out CaptureRecord record)
        {
            // 0 original length (4)  4 data: min(original, snap length of interface 0, what the block holds)
            record = default;
            if (body.Length < 4)
                return Fail(offset, CaptureErrorKind.CorruptBlock, $"simple packet block at offset {offset} is too short; skipped.", offset + body.Length + 12);
            uint orig = U32(body);
            long caplen = Math.Min(orig, body.Length - 4);
            if (_section.Count > 0 && _section[0].SnapLength != 0) caplen = Math.Min(caplen, _section[0].SnapLength);
            return PacketFromBlock(body.Slice(4, (int)caplen), 0, 0, false, (int)Math.Min(int.MaxValue, orig), offset, default, out record);
        }

        private void OnStatistics(ReadOnlySpan<byte> body)
        {
            // 0 interface id (4)  4 timestamp high  8 timestamp low  12 options
            if (body.Length < 12 || _statistics.Count >= MaxListEntries) return;
            uint ifid = U32(body);
            var iface = ifid < (uint)_section.Count ? _section[(int)ifid] : null;
            ulong ticks = (ulong)U32(body.Slice(4)) << 32 | U32(body.Slice(8));
            var options = body.Slice(12);
            var s = new InterfaceStatistics
            {
                InterfaceIndex = iface?.Index ?? -1,
                TimestampNanoseconds = iface?.ToNanoseconds(ticks) ?? TimestampMath.ToNanoseconds(ticks, 6),
            };
            s.StartNanoseconds = StatTime(options, 2, iface);
            s.EndNanoseconds = StatTime(options, 3, iface);
            s.Received = StatCounter(options, 4);
            s.InterfaceDropped = StatCounter(options, 5);
            s.FilterAccepted = StatCounter(options, 6);
            s.OsDropped = StatCounter(options, 7);
            s.Delivered = StatCounter(options, 8);
            _statistics.Add(s);
        }

        private ulong? StatCounter(ReadOnlySpan<byte> options, ushort code)
        {
            var v = PcapNgOptions.Find(options, code, _bigEndian);
            return v.Length == 8 ? U64(v) : (ulong?)null;
        }

        private long? StatTime(ReadOnlySpan<byte> options, ushort code, CaptureInterface? iface)
        {
            var v = PcapNgOptions.Find(options, code, _bigEndian);
            if (v.Length != 8) return null;
            ulong t = (ulong)U32(v) << 32 | U32(v.Slice(4));
            return iface?.ToNanoseconds(t) ?? TimestampMath.ToNanoseconds(t, 6);
        }

        private void OnNames(ReadOnlySpan<byte> body)
        {
            // records: type (2) length (2) value padded to 4; 1 = IPv4 (4 bytes + NUL-terminated names), 2 = IPv6 (16 + names), 0 = end
            int i = 0;
            while (i + 4 <= body.Length && _names.Count < MaxListEntries)
            {
                ushort type = U16(body.Slice(i));
                int len = U16(body.Slice(i + 2));
                if (type == 0 || i + 4 + len > body.Length) break;
                var value = body.Slice(i + 4, len);
                int alen = type == 1 ? 4 : type == 2 ? 16 : 0;
                if (alen > 0 && value.Length > alen && _nameBytes + value.Length <= MaxNameBytes)
                {
                    _nameBytes += value.Length;
                    var names = new List<string>();
                    foreach (var n in Encoding.UTF8.GetString(value.Slice(alen).ToArray()).Split('\0'))
                        if (n.Length > 0) names.Add(n);
                    _names.Add(new NameResolutionEntry(Packets.AddressText.Format(value.Slice(0, alen)), names));
                }
                i += 4 + ((len + 3) & ~3);
            }
        }

        /// <summary>True when the data <paramref name="at"/> bytes ahead ends the file or starts a well-formed block.</summary>
        private bool IsBlockBoundary(int at) => _src.Ensure(at + 1) == at || IsBlockAt(at, needSectionHeader: false);

        /// <summary>
        /// True when a block of a known type starts <paramref name="at"/> bytes ahead, with a plausible length and a
        /// trailing length equal to it (a section header must also carry a valid byte-order magic).
        /// </summary>
        private bool IsBlockAt(int at, bool needSectionHeader)
        {
            if (_src.Ensure(at + 12) < at + 12) return false;
            var head = _src.Span(at, 12);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(head);
            bool big = _bigEndian;
            if (type == ShbType)
            {
                uint bom = BinaryPrimitives.ReadUInt32LittleEndian(head.Slice(8));
                if (bom != ByteOrderMagic && bom != 0x4D3C2B1A) return false;
                big = bom == 0x4D3C2B1A;
            }
            else if (needSectionHeader) return false;
            else type = big ? BinaryPrimitives.ReadUInt32BigEndian(head) : type;
            uint length = big ? BinaryPrimitives.ReadUInt32BigEndian(head.Slice(4)) : BinaryPrimitives.ReadUInt32LittleEndian(head.Slice(4));
            if (!IsKnownBlockType(type) || length < 12 || length % 4 != 0 || length > MaxBlockLength) return false;
            if (_src.Ensure(at + (int)length) < at + length) return false;
            var t = _src.Span(at + (int)length - 4, 4);
            return (big ? BinaryPrimitives.ReadUInt32BigEndian(t) : BinaryPrimitives.ReadUInt32LittleEndian(t)) == length;
        }

        private CaptureReadResult ResyncPcapNg(long damagedAt, string what)
        {
            // Blocks are 4-byte aligned: slide 4 bytes at a time to a known block type whose leading and trailing
            // lengths agree.
            _src.Advance(4);
            while (true)
            {
                long at = _src.Position;
                int have = _src.Ensure(12);
                if (have < 12)
                {
                    _src.Advance(have);
                    return Fail(damagedAt, CaptureErrorKind.CorruptBlock, what + "; no valid block follows, reading stopped.");
                }
                if (IsBlockAt(0, needSectionHeader: _sectionIndex < 0))
                    return Fail(damagedAt, CaptureErrorKind.CorruptBlock, $"{what}; skipped {at - damagedAt} bytes and resumed at offset {at}.", at);
                _src.Advance(4);
            }
        }

        public void Dispose()
        {
            _src.Dispose();
            if (!_leaveOpen) _file.Dispose();
        }
    }
}
