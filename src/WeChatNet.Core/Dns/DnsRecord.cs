using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Net;

namespace WeChatNet.Dns
{

    /// <summary>SOA RDATA.</summary>
    internal sealed class DnsSoa
    {
        public DnsSoa(string primaryServer, string responsibleMailbox, uint serial, uint refresh, uint retry, uint expire, uint minimum)
        {
            PrimaryServer = primaryServer;
            ResponsibleMailbox = responsibleMailbox;
            Serial = serial;
            Refresh = refresh;
            Retry = retry;
            Expire = expire;
            Minimum = minimum;
        }

        public string PrimaryServer { get; }
        public string ResponsibleMailbox { get; }
        public uint Serial { get; }
        public uint Refresh { get; }
        public uint Retry { get; }
        public uint Expire { get; }
        public uint Minimum { get; }
    }

    /// <summary>
    /// One resource record. <see cref="Data"/> is the RDATA, self-contained: names inside CNAME, NS, PTR, SOA and MX
    /// RDATA are stored expanded (no compression pointers), everything else exactly as received (HTTPS/SVCB, DS, ...).
    /// Typed views (<see cref="Address"/>, <see cref="Target"/>, <see cref="Soa"/>, <see cref="Text"/>) are filled
    /// for the types that have them.
    /// </summary>
    internal sealed class DnsRecord
    {
        private DnsRecord(string name, DnsRecordType type, ushort @class, uint ttl, byte[] data)
        {
            Name = name;
            Type = type;
            RawClass = @class;
            Ttl = ttl;
            Data = data;
        }

        public string Name { get; }
        public DnsRecordType Type { get; }
        /// <summary>The class field as sent (for OPT it is the UDP payload size).</summary>
        public ushort RawClass { get; }
        public DnsClass Class => (DnsClass)RawClass;
        /// <summary>TTL in seconds (for OPT: extended rcode, version and flags).</summary>
        public uint Ttl { get; }
        public byte[] Data { get; }

        /// <summary>A or AAAA: the address as text.</summary>
        public string? Address { get; private set; }
        /// <summary>CNAME, NS, PTR: the target name; MX: the exchange.</summary>
        public string? Target { get; private set; }
        /// <summary>MX preference.</summary>
        public ushort Preference { get; private set; }
        public DnsSoa? Soa { get; private set; }
        /// <summary>TXT: the character strings (bytes as Latin-1 so nothing is lost).</summary>
        public string[]? Text { get; private set; }

        public static string TypeName(DnsRecordType type) =>
            Enum.IsDefined(typeof(DnsRecordType), type) ? type.ToString() : "TYPE" + ((ushort)type).ToString(CultureInfo.InvariantCulture);

        public override string ToString()
        {
            string data = Address ?? Target ?? (Text != null ? "\"" + string.Join("\" \"", Text) + "\"" : null)
                ?? (Soa != null ? $"{Soa.PrimaryServer} {Soa.ResponsibleMailbox} {Soa.Serial}" : "\\# " + Data.Length);
            return $"{Name} {Ttl} {TypeName(Type)} {data}";
        }

        // ---- construction for encoding (tests, servers in tests, the client's own OPT) ----

        public static DnsRecord CreateA(string name, uint ttl, IPAddress address) => CreateAddress(name, ttl, address, DnsRecordType.A);
        public static DnsRecord CreateAaaa(string name, uint ttl, IPAddress address) => CreateAddress(name, ttl, address, DnsRecordType.AAAA);

        private static DnsRecord CreateAddress(string name, uint ttl, IPAddress address, DnsRecordType type)
        {
            byte[] bytes = address.GetAddressBytes();
            if ((type == DnsRecordType.A) != (bytes.Length == 4)) throw new ArgumentException($"{address} does not fit a {type} record.", nameof(address));
            return new DnsRecord(name, type, (ushort)DnsClass.IN, ttl, bytes) { Address = address.ToString() };
        }

        /// <summary>CNAME, NS or PTR pointing at <paramref name="target"/>.</summary>
        public static DnsRecord CreateName(string name, DnsRecordType type, uint ttl, string target)
        {
            if (type != DnsRecordType.CNAME && type != DnsRecordType.NS && type != DnsRecordType.PTR)
                throw new ArgumentException("Only CNAME, NS and PTR hold a single name.", nameof(type));
            return new DnsRecord(name, type, (ushort)DnsClass.IN, ttl, EncodeName(target)) { Target = target };
        }

        public static DnsRecord CreateTxt(string name, uint ttl, params string[] strings)
        {
            var data = new List<byte>();
            foreach (var s in strings)
            {
                byte[] b = Latin1Bytes(s);
                if (b.Length > 255) throw new ArgumentException("A TXT character string holds at most 255 bytes.", nameof(strings));
                data.Add((byte)b.Length);
                data.AddRange(b);
            }
            return new DnsRecord(name, DnsRecordType.TXT, (ushort)DnsClass.IN, ttl, data.ToArray()) { Text = (string[])strings.Clone() };
        }

        public static DnsRecord CreateSoa(string name, uint ttl, DnsSoa soa)
        {
            byte[] m = EncodeName(soa.PrimaryServer), r = EncodeName(soa.ResponsibleMailbox);
            var data = new byte[m.Length + r.Length + 20];
            m.CopyTo(data, 0);
            r.CopyTo(data, m.Length);
            var span = data.AsSpan(m.Length + r.Length);
            BinaryPrimitives.WriteUInt32BigEndian(span, soa.Serial);
            BinaryPrimitives.WriteUInt32BigEndian(span.Slice(4), soa.Refresh);
            BinaryPrimitives.WriteUInt32BigEndian(span.Slice(8), soa.Retry);
            BinaryPrimitives.WriteUInt32BigEndian(span.Slice(12), soa.Expire);
            BinaryPrimitives.WriteUInt32BigEndian(span.Slice(16), soa.Minimum);
            return new DnsRecord(name, DnsRecordType.SOA, (ushort)DnsClass.IN, ttl, data) { Soa = soa };
        }

        /// <summary>Any record with RDATA exactly as given (HTTPS, SVCB, unknown types, OPT).</summary>
        public static DnsRecord CreateRaw(string name, DnsRecordType type, ushort @class, uint ttl, byte[] data)
            => new DnsRecord(name, type, @class, ttl, data);

        /// <summary>Uncompressed wire form of a name; throws <see cref="ArgumentException"/> on an invalid name.</summary>
        public static byte[] EncodeName(string name)
        {
            var labels = DnsName.TryParseLabels(name, out string? error) ?? throw new ArgumentException($"'{name}' is not a valid DNS name: {error}.", nameof(name));
            var bytes = new List<byte>();
            foreach (var l in labels)
            {
                bytes.Add((byte)l.Length);
                bytes.AddRange(l);
            }
            bytes.Add(0);
            return bytes.ToArray();
        }

        // ---- decoding ----

        /// <summary>
        /// Decodes the RDATA at <paramref name="start"/> (length <paramref name="length"/>) of <paramref name="message"/>
        /// into a record. Names in RDATA may use compression pointers into the whole message; they must end inside RDLENGTH.
        /// </summary>
        internal static bool TryDecode(ReadOnlySpan<byte> message, string name, DnsRecordType type, ushort @class, uint ttl,
            int start, int length, out DnsRecord? record, out DnsDecodeError error, out int errorOffset)
        {
            record = null;
            error = DnsDecodeError.None;
            errorOffset = start;
            int end = start + length;
            ReadOnlySpan<byte> rdata = message.Slice(start, length);
            switch (type)
            {
                case DnsRecordType.A:
                case DnsRecordType.AAAA:
                {
                    int want = type == DnsRecordType.A ? 4 : 16;
                    if (length != want) { error = DnsDecodeError.RdataMalformed; return false; }
                    byte[] bytes = rdata.ToArray();
                    record = new DnsRecord(name, type, @class, ttl, bytes) { Address = new IPAddress(bytes).ToString() };
                    return true;
                }
                case DnsRecordType.CNAME:
                case DnsRecordType.NS:
                case DnsRecordType.PTR:
                {
                    if (!DnsName.TryRead(message, start, out string target, out int next, out error, out errorOffset)) return false;
                    if (next != end) { error = DnsDecodeError.RdataMalformed; errorOffset = start; return false; }
                    record = new DnsRecord(name, type, @class, ttl, EncodeNameLenient(target)) { Target = target };
                    return true;
                }
                case DnsRecordType.MX:
                {
                    if (length < 3) { error = DnsDecodeError.RdataMalformed; return false; }
                    ushort pref = BinaryPrimitives.ReadUInt16BigEndian(rdata);
                    if (!DnsName.TryRead(message, start + 2, out string target, out int next, out error, out errorOffset)) return false;
                    if (next != end) { error = DnsDecodeError.RdataMalformed; errorOffset = start; return false; }
                    byte[] n = EncodeNameLenient(target);
                    var data = new byte[2 + n.Length];
                    BinaryPrimitives.WriteUInt16BigEndian(data, pref);
                    n.CopyTo(data, 2);
                    record = new DnsRecord(name, type, @class, ttl, data) { Target = target, Preference = pref };
                    return true;
                }
                case DnsRecordType.SOA:
                {
                    if (!DnsName.TryRead(message, start, out string mname, out int next, out error, out errorOffset)) return false;
                    if (next > end) { error = DnsDecodeError.RdataMalformed; errorOffset = start; return false; }
                    if (!DnsName.TryRead(message, next, out string rname, out next, out error, out errorOffset)) return false;
                    if (next + 20 != end) { error = DnsDecodeError.RdataMalformed; errorOffset = start; return false; }
                    var f = message.Slice(next, 20);
                    var soa = new DnsSoa(mname, rname, BinaryPrimitives.ReadUInt32BigEndian(f), BinaryPrimitives.ReadUInt32BigEndian(f.Slice(4)),
                        BinaryPrimitives.ReadUInt32BigEndian(f.Slice(8)), BinaryPrimitives.ReadUInt32BigEndian(f.Slice(12)), BinaryPrimitives.ReadUInt32BigEndian(f.Slice(16)));
                    byte[] m = EncodeNameLenient(mname), r = EncodeNameLenient(rname);
                    var data = new byte[m.Length + r.Length + 20];
                    m.CopyTo(data, 0);
                    r.CopyTo(data, m.Length);
                    f.CopyTo(data.AsSpan(m.Length + r.Length));
                    record = new DnsRecord(name, type, @class, ttl, data) { Soa = soa };
                    return true;
                }
                case DnsRecordType.TXT:
                {
                    var strings = new List<string>();
                    int p = 0;
                    while (p < length)
                    {
                        int l = rdata[p];
                        if (p + 1 + l > length) { error = DnsDecodeError.RdataMalformed; errorOffset = start + p; return false; }
                        strings.Add(Latin1(rdata.Slice(p + 1, l)));
                        p += 1 + l;
                    }
                    record = new DnsRecord(name, type, @class, ttl, rdata.ToArray()) { Text = strings.ToArray() };
                    return true;
                }
                default:
                    record = new DnsRecord(name, type, @class, ttl, rdata.ToArray());
                    return true;
            }
        }

        private static byte[] Latin1Bytes(string s)
        {
            var b = new byte[s.Length];
            for (int i = 0; i < s.Length; i++)
            {
                if (s[i] > 0xFF) throw new ArgumentException($"TXT strings hold bytes; character U+{(int)s[i]:X4} is not one.", nameof(s));
                b[i] = (byte)s[i];
            }
            return b;
        }

        private static string Latin1(ReadOnlySpan<byte> bytes)
        {
            var chars = new char[bytes.Length];
            for (int i = 0; i < bytes.Length; i++) chars[i] = (char)bytes[i];
            return new string(chars);
        }

        // A name read from the wire is always encodable again (TryRead enforces the same limits).
        private static byte[] EncodeNameLenient(string name) => EncodeName(name);
    }
}
