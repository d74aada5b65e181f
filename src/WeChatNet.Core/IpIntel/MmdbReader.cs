using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Numerics;
using System.Text;

namespace WeChatNet.IpIntel
{
    /// <summary>A MaxMind DB file that cannot be used; the message names the file, the problem and the offset.</summary>
    public sealed class MmdbFormatException : Exception
    {
        public MmdbFormatException(string message) : base(message) { }
    }

    /// <summary>The metadata map every MMDB file ends with.</summary>
    public sealed class MmdbMetadata
    {
        internal MmdbMetadata(uint nodeCount, int recordSize, int ipVersion, string databaseType, int majorVersion, int minorVersion,
            ulong buildEpoch, IReadOnlyList<string> languages, string description)
        {
            NodeCount = nodeCount;
            RecordSize = recordSize;
            IpVersion = ipVersion;
            DatabaseType = databaseType;
            BinaryFormatMajorVersion = majorVersion;
            BinaryFormatMinorVersion = minorVersion;
            BuildEpoch = buildEpoch;
            Languages = languages;
            Description = description;
        }

        public uint NodeCount { get; }
        public int RecordSize { get; }
        public int IpVersion { get; }
        public string DatabaseType { get; }
        public int BinaryFormatMajorVersion { get; }
        public int BinaryFormatMinorVersion { get; }
        public ulong BuildEpoch { get; }
        public IReadOnlyList<string> Languages { get; }
        public string Description { get; }
        public DateTimeOffset BuildTime => DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(BuildEpoch, 253402300799UL));
    }

    public enum MmdbLookupStatus
    {
        Found,
        NotFound,
        /// <summary>An IPv6 address asked of an IPv4-only database.</summary>
        WrongFamily,
        /// <summary>The search tree is damaged; <see cref="MmdbLookupResult.Error"/> says where.</summary>
        Corrupt,
    }

    /// <summary>Where a lookup ended: the data offset of the record and the prefix length it covers.</summary>
    public readonly struct MmdbLookupResult
    {
        internal MmdbLookupResult(MmdbLookupStatus status, int prefixLength, int dataOffset, string? error)
        {
            Status = status;
            PrefixLength = prefixLength;
            DataOffset = dataOffset;
            Error = error;
        }

        public MmdbLookupStatus Status { get; }
        /// <summary>Bits of the address the answer covers (for IPv4 addresses, counted in IPv4 bits).</summary>
        public int PrefixLength { get; }
        /// <summary>Offset of the record in the data section.</summary>
        public int DataOffset { get; }
        public string? Error { get; }
        public bool Found => Status == MmdbLookupStatus.Found;
    }

    /// <summary>
    /// A MaxMind DB (MMDB, format 2.x) reader written from the specification: GeoLite2/GeoIP2 and DB-IP City,
    /// Country and ASN files. The whole file is held in memory; opening validates the metadata and every record of
    /// the search tree, lookups walk at most 128 tree levels, and decoding caps nesting, element counts and sizes,
    /// so a corrupt or hostile file yields a clear error and never a hang, a crash or a giant allocation.
    /// Thread-safe for concurrent lookups.
    /// </summary>
    public sealed class MmdbReader
    {
        /// <summary>Largest file accepted (GeoLite2-City is about 60 MB).</summary>
        public const long MaxFileBytes = 1L << 30;
        public const int MaxDepth = 32;
        public const int MaxValuesPerRecord = 100_000;
        private const int MetadataSearchWindow = 128 * 1024;
        private static readonly byte[] MetadataMarker = { 0xAB, 0xCD, 0xEF, (byte)'M', (byte)'a', (byte)'x', (byte)'M', (byte)'i', (byte)'n', (byte)'d', (byte)'.', (byte)'c', (byte)'o', (byte)'m' };

        private readonly byte[] _data;
        private readonly int _nodeBytes;
        private readonly int _treeSize;
        private readonly int _dataStart;
        private readonly int _dataSize;
        private readonly uint _ipv4Start;
        private readonly int _ipv4StartDepth;

        private MmdbReader(byte[] data, string name, MmdbMetadata metadata, int treeSize, int dataStart, int dataSize)
        {
            _data = data;
            Name = name;
            Metadata = metadata;
            _nodeBytes = metadata.RecordSize / 4;
            _treeSize = treeSize;
            _dataStart = dataStart;
            _dataSize = dataSize;
            uint node = 0;
            int depth = 0;
            if (metadata.IpVersion == 6)
            {
                for (; depth < 96 && node < metadata.NodeCount; depth++) node = ReadRecord(node, 0);
            }
            _ipv4Start = node;
            _ipv4StartDepth = depth;
        }

        /// <summary>The file name (for messages and the Source column).</summary>
        public string Name { get; }
        public MmdbMetadata Metadata { get; }

        /// <summary>Opens and validates a file; throws <see cref="MmdbFormatException"/> or an I/O exception.</summary>
        public static MmdbReader Open(string path)
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new FileNotFoundException($"MaxMind DB file '{path}' does not exist.", path);
            if (info.Length > MaxFileBytes) throw new MmdbFormatException($"{info.Name}: {info.Length} bytes is larger than the {MaxFileBytes} bytes accepted for a MaxMind DB file.");
            var bytes = File.ReadAllBytes(path);
            if (!TryOpen(bytes, info.Name, out var reader, out var error)) throw new MmdbFormatException(error);
            return reader!;
        }

        /// <summary>Validates <paramref name="data"/> as an MMDB file. Never throws for malformed input.</summary>
        public static bool TryOpen(byte[] data, string name, out MmdbReader? reader, out string error)
        {
            reader = null;
            int marker = FindMetadataMarker(data);
            if (marker < 0)
            {
                error = $"{name}: not a MaxMind DB file (no metadata marker \\xAB\\xCD\\xEFMaxMind.com in its last {MetadataSearchWindow / 1024} KB).";
                return false;
            }
            int metaStart = marker + MetadataMarker.Length;
            var metaDecoder = new Decoder(data, metaStart, data.Length - metaStart);
            if (!metaDecoder.TryDecode(0, out var meta, out error))
            {
                error = $"{name}: metadata is corrupt: {error}.";
                return false;
            }
            if (!TryReadMetadata(meta!, name, out var metadata, out error)) return false;

            long treeSize = (long)metadata!.NodeCount * metadata.RecordSize / 4;
            if (treeSize + 16 > marker)
            {
                error = $"{name}: metadata claims {metadata.NodeCount} nodes of {metadata.RecordSize} bits ({treeSize} bytes of search tree), but only {marker} bytes precede the metadata (file truncated or node_count wrong).";
                return false;
            }
            for (int i = 0; i < 16; i++)
            {
                if (data[treeSize + i] != 0)
                {
                    error = $"{name}: the 16 zero bytes separating search tree and data section are not zero at offset {treeSize + i} (node_count or record_size wrong, or the file is damaged).";
                    return false;
                }
            }
            int dataStart = (int)treeSize + 16;
            var candidate = new MmdbReader(data, name, metadata, (int)treeSize, dataStart, marker - dataStart);
            if (!candidate.VerifyTree(out error)) return false;
            reader = candidate;
            error = string.Empty;
            return true;
        }

        private static int FindMetadataMarker(byte[] data)
        {
            int floor = Math.Max(0, data.Length - MetadataSearchWindow);
            var span = data.AsSpan(floor);
            int idx = span.LastIndexOf(MetadataMarker);
            return idx < 0 ? -1 : floor + idx;
        }

        private static bool TryReadMetadata(MmdbValue meta, string name, out MmdbMetadata? metadata, out string error)
        {
            metadata = null;
            if (meta.Type != MmdbType.Map) { error = $"{name}: metadata is a {meta.Type}, not a map."; return false; }
            bool Unsigned(string key, bool required, out ulong value, out string why)
            {
                value = 0;
                why = string.Empty;
                var v = meta[key];
                if (v is null)
                {
                    if (required) why = $"{name}: metadata lacks '{key}'.";
                    return !required;
                }
                if (v.Scalar is ulong u) { value = u; return true; }
                why = $"{name}: metadata '{key}' is a {v.Type}, not an unsigned integer.";
                return false;
            }
            if (!Unsigned("node_count", true, out ulong nodeCount, out error)) return false;
            if (!Unsigned("record_size", true, out ulong recordSize, out error)) return false;
            if (!Unsigned("ip_version", true, out ulong ipVersion, out error)) return false;
            if (!Unsigned("binary_format_major_version", true, out ulong major, out error)) return false;
            if (!Unsigned("binary_format_minor_version", false, out ulong minor, out error)) return false;
            if (!Unsigned("build_epoch", false, out ulong epoch, out error)) return false;
            if (major != 2) { error = $"{name}: binary format major version {major} is not supported (only 2)."; return false; }
            if (recordSize != 24 && recordSize != 28 && recordSize != 32) { error = $"{name}: record_size {recordSize} is not 24, 28 or 32."; return false; }
            if (ipVersion != 4 && ipVersion != 6) { error = $"{name}: ip_version {ipVersion} is not 4 or 6."; return false; }
            if (nodeCount == 0 || nodeCount > int.MaxValue / 8) { error = $"{name}: node_count {nodeCount} is out of range."; return false; }
            var languages = new List<string>();
            if (meta["languages"]?.Items is { } langs)
                foreach (var l in langs) if (l.AsString() is { } s) languages.Add(s);
            string description = meta["description"]?.Path("en")?.AsString() ?? string.Empty;
            metadata = new MmdbMetadata((uint)nodeCount, (int)recordSize, (int)ipVersion, meta["database_type"]?.AsString() ?? string.Empty,
                (int)major, (int)minor, epoch, languages, description);
            error = string.Empty;
            return true;
        }

        private bool VerifyTree(out string error)
        {
            uint nodes = Metadata.NodeCount;
            for (uint n = 0; n < nodes; n++)
            {
                for (int side = 0; side < 2; side++)
                {
                    uint r = ReadRecord(n, side);
                    if (r > nodes && (ulong)r - nodes - 16 >= (ulong)_dataSize)
                    {
                        error = $"{Name}: search tree node {n} ({(side == 0 ? "left" : "right")} record, offset {(long)n * _nodeBytes}) points to data offset {(long)r - nodes - 16}, beyond the {_dataSize}-byte data section.";
                        return false;
                    }
                }
            }
            error = string.Empty;
            return true;
        }

        private uint ReadRecord(uint node, int side)
        {
            int o = (int)(node * (uint)_nodeBytes);
            var d = _data;
            switch (_nodeBytes)
            {
                case 6:
                    o += side * 3;
                    return (uint)(d[o] << 16 | d[o + 1] << 8 | d[o + 2]);
                case 7:
                    if (side == 0) return (uint)((d[o + 3] & 0xF0) << 20 | d[o] << 16 | d[o + 1] << 8 | d[o + 2]);
                    return (uint)((d[o + 3] & 0x0F) << 24 | d[o + 4] << 16 | d[o + 5] << 8 | d[o + 6]);
                default:
                    return BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(o + side * 4, 4));
            }
        }

        /// <summary>Walks the search tree for a 4-byte or 16-byte address (network order). Allocation-free.</summary>
        public MmdbLookupResult Lookup(ReadOnlySpan<byte> address)
        {
            bool v4 = address.Length == 4;
            if (!v4 && address.Length != 16) return new MmdbLookupResult(MmdbLookupStatus.NotFound, 0, 0, "an address has 4 or 16 bytes");
            if (!v4 && Metadata.IpVersion == 4) return new MmdbLookupResult(MmdbLookupStatus.WrongFamily, 0, 0, $"{Name} holds IPv4 addresses only");
            uint nodes = Metadata.NodeCount;
            uint node = v4 ? _ipv4Start : 0;
            int depth = v4 ? _ipv4StartDepth : 0;
            int bits = address.Length * 8;
            int bit = 0;
            for (; bit < bits && node < nodes; bit++)
                node = ReadRecord(node, (address[bit >> 3] >> (7 - (bit & 7))) & 1);
            int prefix = depth + bit;
            if (v4 && Metadata.IpVersion == 6) prefix = Math.Max(0, prefix - 96);
            if (node == nodes) return new MmdbLookupResult(MmdbLookupStatus.NotFound, prefix, 0, null);
            if (node < nodes)
                return new MmdbLookupResult(MmdbLookupStatus.Corrupt, prefix, 0, $"{Name}: the search tree is deeper than {bits} bits (no data record after the last address bit)");
            return new MmdbLookupResult(MmdbLookupStatus.Found, prefix, (int)(node - nodes - 16), null);
        }

        /// <summary>Decodes the record a lookup found. False with an error (offset included) for damaged data.</summary>
        public bool TryReadRecord(MmdbLookupResult result, out MmdbValue? value, out string error)
        {
            value = null;
            if (!result.Found) { error = $"no record ({result.Status})"; return false; }
            var decoder = new Decoder(_data, _dataStart, _dataSize);
            if (!decoder.TryDecode(result.DataOffset, out value, out error))
            {
                error = $"{Name}: data section is corrupt: {error}";
                return false;
            }
            return true;
        }

        /// <summary>
        /// Decoder over one section (data or metadata): pointers are relative to the section start. Forward-only
        /// except for pointers; depth and total value count are capped, and a pointer may not point to a pointer.
        /// </summary>
        private struct Decoder
        {
            private readonly byte[] _buf;
            private readonly int _start;
            private readonly int _length;
            private int _values;

            public Decoder(byte[] buf, int start, int length)
            {
                _buf = buf;
                _start = start;
                _length = length;
                _values = 0;
            }

            public bool TryDecode(int offset, out MmdbValue? value, out string error)
            {
                int o = offset;
                return TryValue(ref o, 0, false, out value, out error);
            }

            private bool Fail(string what, int offset, out MmdbValue? value, out string error)
            {
                value = null;
                error = $"{what} at section offset {offset}";
                return false;
            }

            private bool TryByte(ref int o, out int b)
            {
                if ((uint)o >= (uint)_length) { b = 0; return false; }
                b = _buf[_start + o];
                o++;
                return true;
            }

            private bool TryValue(ref int o, int depth, bool viaPointer, out MmdbValue? value, out string error)
            {
                int at = o;
                if (depth > MaxDepth) return Fail($"nesting deeper than {MaxDepth} (a pointer loop?)", at, out value, out error);
                if (++_values > MaxValuesPerRecord) return Fail($"more than {MaxValuesPerRecord} values in one record (a pointer loop?)", at, out value, out error);
                if (!TryByte(ref o, out int ctrl)) return Fail("value runs past the end of the section", at, out value, out error);
                int type = ctrl >> 5;
                if (type == (int)MmdbType.Pointer)
                {
                    if (viaPointer) return Fail("pointer to a pointer", at, out value, out error);
                    int ss = (ctrl >> 3) & 3, vvv = ctrl & 7;
                    long target;
                    if (!TryBigEndian(ref o, ss + 1, out ulong raw)) return Fail("pointer runs past the end of the section", at, out value, out error);
                    target = ss switch
                    {
                        0 => (long)(((ulong)vvv << 8) | raw),
                        1 => (long)(((ulong)vvv << 16) | raw) + 2048,
                        2 => (long)(((ulong)vvv << 24) | raw) + 526336,
                        _ => (long)raw,
                    };
                    if (target >= _length) return Fail($"pointer to offset {target}, beyond the {_length}-byte section", at, out value, out error);
                    int p = (int)target;
                    return TryValue(ref p, depth + 1, true, out value, out error);
                }
                if (type == 0)
                {
                    if (!TryByte(ref o, out int ext)) return Fail("extended type byte missing", at, out value, out error);
                    type = 7 + ext;
                    if (type < 8 || type > 15) return Fail($"extended type {ext} (type {type}) is not a MaxMind DB type", at, out value, out error);
                }
                int size = ctrl & 0x1f;
                if (size >= 29)
                {
                    int extra = size - 28;
                    if (!TryBigEndian(ref o, extra, out ulong s)) return Fail("size bytes run past the end of the section", at, out value, out error);
                    size = extra switch { 1 => 29 + (int)s, 2 => 285 + (int)s, _ => 65821 + (int)s };
                }
                int remaining = _length - o;
                switch ((MmdbType)type)
                {
                    case MmdbType.Map:
                    {
                        if (size > remaining / 2) return Fail($"map of {size} entries cannot fit in the {remaining} bytes left", at, out value, out error);
                        var entries = new List<KeyValuePair<string, MmdbValue>>(size);
                        for (int i = 0; i < size; i++)
                        {
                            int keyAt = o;
                            if (!TryValue(ref o, depth + 1, false, out var key, out error)) { value = null; return false; }
                            if (key!.Type != MmdbType.Utf8String) return Fail($"map key is a {key.Type}, not a string", keyAt, out value, out error);
                            if (!TryValue(ref o, depth + 1, false, out var v, out error)) { value = null; return false; }
                            entries.Add(new KeyValuePair<string, MmdbValue>((string)key.Scalar!, v!));
                        }
                        value = MmdbValue.OfMap(entries);
                        error = string.Empty;
                        return true;
                    }
                    case MmdbType.Array:
                    {
                        if (size > remaining) return Fail($"array of {size} items cannot fit in the {remaining} bytes left", at, out value, out error);
                        var items = new List<MmdbValue>(size);
                        for (int i = 0; i < size; i++)
                        {
                            if (!TryValue(ref o, depth + 1, false, out var v, out error)) { value = null; return false; }
                            items.Add(v!);
                        }
                        value = MmdbValue.OfArray(items);
                        error = string.Empty;
                        return true;
                    }
                    case MmdbType.Boolean:
                        if (size > 1) return Fail($"boolean of size {size}", at, out value, out error);
                        value = MmdbValue.Of(MmdbType.Boolean, size == 1);
                        error = string.Empty;
                        return true;
                    case MmdbType.DataCacheContainer:
                    case MmdbType.EndMarker:
                        return Fail($"{(MmdbType)type} is not allowed in data", at, out value, out error);
                }
                if (size > remaining) return Fail($"{(MmdbType)type} of {size} bytes runs past the end of the section ({remaining} left)", at, out value, out error);
                var payload = new ReadOnlySpan<byte>(_buf, _start + o, size);
                o += size;
                switch ((MmdbType)type)
                {
                    case MmdbType.Utf8String:
                        try { value = MmdbValue.Of(MmdbType.Utf8String, StrictUtf8.GetString(_buf, _start + o - size, size)); }
                        catch (ArgumentException) { return Fail("string is not valid UTF-8", at, out value, out error); }
                        break;
                    case MmdbType.Double:
                        if (size != 8) return Fail($"double of size {size} (must be 8)", at, out value, out error);
                        value = MmdbValue.Of(MmdbType.Double, BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(payload)));
                        break;
                    case MmdbType.Float:
                        if (size != 4) return Fail($"float of size {size} (must be 4)", at, out value, out error);
                        value = MmdbValue.Of(MmdbType.Float, Int32BitsToSingle(BinaryPrimitives.ReadInt32BigEndian(payload)));
                        break;
                    case MmdbType.Bytes:
                        value = MmdbValue.Of(MmdbType.Bytes, payload.ToArray());
                        break;
                    case MmdbType.UInt16:
                    case MmdbType.UInt32:
                    case MmdbType.UInt64:
                    {
                        int max = type == (int)MmdbType.UInt16 ? 2 : type == (int)MmdbType.UInt32 ? 4 : 8;
                        if (size > max) return Fail($"{(MmdbType)type} of size {size} (at most {max})", at, out value, out error);
                        ulong u = 0;
                        foreach (byte b in payload) u = (u << 8) | b;
                        value = MmdbValue.Of((MmdbType)type, u);
                        break;
                    }
                    case MmdbType.Int32:
                    {
                        if (size > 4) return Fail($"int32 of size {size} (at most 4)", at, out value, out error);
                        uint u = 0;
                        foreach (byte b in payload) u = (u << 8) | b;
                        value = MmdbValue.Of(MmdbType.Int32, size == 4 ? (long)(int)u : (long)u);
                        break;
                    }
                    case MmdbType.UInt128:
                    {
                        if (size > 16) return Fail($"uint128 of size {size} (at most 16)", at, out value, out error);
                        var big = BigInteger.Zero;
                        foreach (byte b in payload) big = (big << 8) | b;
                        value = MmdbValue.Of(MmdbType.UInt128, big);
                        break;
                    }
                    default:
                        return Fail($"unknown type {type}", at, out value, out error);
                }
                error = string.Empty;
                return true;
            }

            private bool TryBigEndian(ref int o, int count, out ulong value)
            {
                value = 0;
                if (count > _length - o || o < 0) return false;
                for (int i = 0; i < count; i++) value = (value << 8) | _buf[_start + o + i];
                o += count;
                return true;
            }
        }

        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

        private static float Int32BitsToSingle(int bits)
        {
            var b = BitConverter.GetBytes(bits);
            return BitConverter.ToSingle(b, 0);
        }
    }
}
