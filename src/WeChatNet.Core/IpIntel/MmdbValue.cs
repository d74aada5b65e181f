using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace WeChatNet.IpIntel
{
    /// <summary>The MaxMind DB data types (spec section "Output Data Section").</summary>
    public enum MmdbType
    {
        Pointer = 1,
        Utf8String = 2,
        Double = 3,
        Bytes = 4,
        UInt16 = 5,
        UInt32 = 6,
        Map = 7,
        Int32 = 8,
        UInt64 = 9,
        UInt128 = 10,
        Array = 11,
        DataCacheContainer = 12,
        EndMarker = 13,
        Boolean = 14,
        Float = 15,
    }

    /// <summary>
    /// One decoded MMDB value. Maps keep the file's key order (as mmdblookup prints them). Scalars are held as
    /// string, double, float, byte[], ulong/long (integers), BigInteger (uint128) or bool.
    /// </summary>
    public sealed class MmdbValue
    {
        private MmdbValue(MmdbType type, object? scalar, List<KeyValuePair<string, MmdbValue>>? map, List<MmdbValue>? array)
        {
            Type = type;
            Scalar = scalar;
            Entries = map;
            Items = array;
        }

        public MmdbType Type { get; }
        public object? Scalar { get; }
        public IReadOnlyList<KeyValuePair<string, MmdbValue>>? Entries { get; }
        public IReadOnlyList<MmdbValue>? Items { get; }

        internal static MmdbValue Of(MmdbType type, object scalar) => new MmdbValue(type, scalar, null, null);
        internal static MmdbValue OfMap(List<KeyValuePair<string, MmdbValue>> entries) => new MmdbValue(MmdbType.Map, null, entries, null);
        internal static MmdbValue OfArray(List<MmdbValue> items) => new MmdbValue(MmdbType.Array, null, null, items);

        /// <summary>The value at a key of a map (first match), or null.</summary>
        public MmdbValue? this[string key]
        {
            get
            {
                if (Entries is null) return null;
                foreach (var e in Entries)
                    if (string.Equals(e.Key, key, StringComparison.Ordinal)) return e.Value;
                return null;
            }
        }

        /// <summary>Follows map keys and array indexes ("country", "iso_code"); null when the path does not exist.</summary>
        public MmdbValue? Path(params string[] path)
        {
            MmdbValue? v = this;
            foreach (var step in path)
            {
                if (v is null) return null;
                if (v.Type == MmdbType.Array && int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out int i))
                    v = i < v.Items!.Count ? v.Items[i] : null;
                else v = v[step];
            }
            return v;
        }

        public string? AsString() => Type == MmdbType.Utf8String ? (string)Scalar! : null;

        /// <summary>An unsigned or signed integer value that fits a long, else null.</summary>
        public long? AsInteger() => Scalar switch
        {
            ulong u when u <= long.MaxValue => (long)u,
            long l => l,
            _ => null,
        };

        /// <summary>
        /// Renders the value as mmdblookup does, with whitespace collapsed: <c>{"k":"v" &lt;utf8_string&gt;}</c>.
        /// Used to compare with the reference tool.
        /// </summary>
        public string ToMmdblookupCompact()
        {
            var sb = new StringBuilder();
            Render(sb);
            return sb.ToString();
        }

        private void Render(StringBuilder sb)
        {
            switch (Type)
            {
                case MmdbType.Map:
                    sb.Append('{');
                    foreach (var e in Entries!)
                    {
                        sb.Append('"').Append(e.Key).Append("\":");
                        e.Value.Render(sb);
                    }
                    sb.Append('}');
                    return;
                case MmdbType.Array:
                    sb.Append('[');
                    foreach (var item in Items!) item.Render(sb);
                    sb.Append(']');
                    return;
                case MmdbType.Utf8String: sb.Append('"').Append((string)Scalar!).Append("\" <utf8_string>"); return;
                case MmdbType.Double: sb.Append(((double)Scalar!).ToString("F6", CultureInfo.InvariantCulture)).Append(" <double>"); return;
                case MmdbType.Float: sb.Append(((float)Scalar!).ToString("F6", CultureInfo.InvariantCulture)).Append(" <float>"); return;
                case MmdbType.Bytes:
                    foreach (byte b in (byte[])Scalar!) sb.Append(b.ToString("X2", CultureInfo.InvariantCulture));
                    sb.Append(" <bytes>");
                    return;
                case MmdbType.Boolean: sb.Append((bool)Scalar! ? "true" : "false").Append(" <boolean>"); return;
                case MmdbType.UInt128:
                    var big = (BigInteger)Scalar!;
                    sb.Append("0x").Append(big.ToString("x32", CultureInfo.InvariantCulture).TrimStart('0').PadLeft(32, '0')).Append(" <uint128>");
                    return;
                default:
                    sb.Append(Convert.ToString(Scalar, CultureInfo.InvariantCulture)).Append(" <").Append(TypeName(Type)).Append('>');
                    return;
            }
        }

        private static string TypeName(MmdbType t) => t switch
        {
            MmdbType.UInt16 => "uint16",
            MmdbType.UInt32 => "uint32",
            MmdbType.UInt64 => "uint64",
            MmdbType.Int32 => "int32",
            _ => t.ToString().ToLowerInvariant(),
        };

        public override string ToString() => ToMmdblookupCompact();
    }
}
