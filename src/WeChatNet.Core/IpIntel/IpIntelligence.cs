using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace WeChatNet.IpIntel
{
    /// <summary>
    /// Which data IP intelligence uses. Null prefix files mean the copies built into the module (chnroutes2 and
    /// Tencent's AS prefixes from the repository's data folder); databases are MaxMind DB files (GeoLite2/DB-IP
    /// City, Country or ASN) consulted before the tables, first file first.
    /// </summary>
    internal sealed class IpIntelOptions
    {
        /// <summary>Environment variable: MaxMind DB files, separated by the path separator (';' on Windows, ':' elsewhere).</summary>
        public const string DatabaseVariable = "WECHATNET_IP_DATABASE";
        /// <summary>Environment variable: a newer copy of the mainland-China prefix list (chnroutes2 format).</summary>
        public const string MainlandPrefixVariable = "WECHATNET_MAINLAND_PREFIXES";
        /// <summary>Environment variable: a newer copy of the Tencent AS prefix list (ASN, name, prefix; tab-separated).</summary>
        public const string TencentPrefixVariable = "WECHATNET_TENCENT_PREFIXES";

        public string? MainlandPrefixFile { get; set; }
        public string? TencentPrefixFile { get; set; }
        public IList<string> Databases { get; set; } = new List<string>();

        /// <summary>The module-wide setting: the three environment variables (unset means built-in, no database).</summary>
        public static IpIntelOptions FromEnvironment()
        {
            string? Get(string name)
            {
                string? v = Environment.GetEnvironmentVariable(name);
                return string.IsNullOrWhiteSpace(v) ? null : v!.Trim();
            }
            return new IpIntelOptions
            {
                MainlandPrefixFile = Get(MainlandPrefixVariable),
                TencentPrefixFile = Get(TencentPrefixVariable),
                Databases = (Get(DatabaseVariable) ?? string.Empty)
                    .Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()).Where(p => p.Length > 0).ToList(),
            };
        }

        /// <summary>A copy with <paramref name="databases"/> added in front (a cmdlet's -Database before the module setting).</summary>
        public IpIntelOptions WithDatabasesFirst(IEnumerable<string>? databases) => new IpIntelOptions
        {
            MainlandPrefixFile = MainlandPrefixFile,
            TencentPrefixFile = TencentPrefixFile,
            Databases = (databases ?? Enumerable.Empty<string>()).Concat(Databases).Distinct(StringComparer.Ordinal).ToList(),
        };

        internal string Fingerprint() =>
            string.Join("\u0001", new[] { MainlandPrefixFile ?? "", TencentPrefixFile ?? "" }.Concat(Databases));
    }

    /// <summary>
    /// Who holds an address and where it is: the one service the cmdlets (Get-WeChatIpInfo, Test-WeChatConnection)
    /// and the decoders (DNS answers, route hops, flows) call. Built once from prefix tables (longest-prefix match),
    /// IANA's special-purpose registry and optional MaxMind DB files; immutable and safe to share across threads.
    /// </summary>
    internal sealed class IpIntelligence
    {
        /// <summary>Autonomous systems treated as Tencent's (as nDPI does).</summary>
        public static readonly IReadOnlyList<int> TencentAsns = new[] { 45090, 132203, 132591, 133478, 137876 };
        public const string TencentOwner = "Tencent";
        public const string BuiltInMainlandSource = "chnroutes2";
        public const string BuiltInTencentSource = "tencent-asn-prefixes";
        public const string SpecialSource = "IANA special-purpose registry";

        private static readonly Lazy<PrefixTable<string>> s_builtInMainland = new Lazy<PrefixTable<string>>(() =>
            PrefixData.ReadPrefixList(OpenResource("mainland-china-ipv4.txt"), BuiltInMainlandSource));
        private static readonly Lazy<PrefixTable<AsOrigin>> s_builtInTencent = new Lazy<PrefixTable<AsOrigin>>(() =>
            PrefixData.ReadAsPrefixList(OpenResource("tencent-asn-prefixes.txt"), BuiltInTencentSource));
        private static readonly object s_lock = new object();
        private static IpIntelOptions? s_configured;
        private static (string Key, IpIntelligence Intel)? s_default;

        private readonly PrefixTable<string> _mainland;
        private readonly PrefixTable<AsOrigin> _tencent;
        private readonly IReadOnlyList<MmdbDatabase> _databases;
        private readonly string _mainlandSource;
        private readonly string _tencentSource;

        private IpIntelligence(PrefixTable<string> mainland, string mainlandSource, PrefixTable<AsOrigin> tencent, string tencentSource,
            IReadOnlyList<MmdbDatabase> databases)
        {
            _mainland = mainland;
            _mainlandSource = mainlandSource;
            _tencent = tencent;
            _tencentSource = tencentSource;
            _databases = databases;
        }

        /// <summary>Prefix table of mainland-China IPv4 (and, in a newer copy, IPv6) prefixes.</summary>
        public PrefixTable<string> MainlandTable => _mainland;
        /// <summary>Prefix table of Tencent's announced prefixes.</summary>
        public PrefixTable<AsOrigin> TencentTable => _tencent;
        public IReadOnlyList<MmdbDatabase> Databases => _databases;

        /// <summary>
        /// The module-wide instance: the settings given to <see cref="Configure"/>, else the environment variables of
        /// <see cref="IpIntelOptions"/>, else the built-in tables alone. Rebuilt when those settings change; throws
        /// (FileNotFoundException, FormatException, MmdbFormatException) when a configured file is missing or bad.
        /// </summary>
        public static IpIntelligence Default
        {
            get
            {
                var options = s_configured ?? IpIntelOptions.FromEnvironment();
                string key = options.Fingerprint();
                var cached = s_default;
                if (cached.HasValue && cached.Value.Key == key) return cached.Value.Intel;
                lock (s_lock)
                {
                    cached = s_default;
                    if (cached.HasValue && cached.Value.Key == key) return cached.Value.Intel;
                    var intel = Create(options);
                    s_default = (key, intel);
                    return intel;
                }
            }
        }

        /// <summary>Sets the module-wide options (null returns to the environment variables and built-in data).</summary>
        public static void Configure(IpIntelOptions? options)
        {
            if (options != null) Create(options); // fail now, not at the next lookup
            lock (s_lock)
            {
                s_configured = options;
                s_default = null;
            }
        }

        /// <summary>The options in effect for <see cref="Default"/>.</summary>
        public static IpIntelOptions CurrentOptions => s_configured ?? IpIntelOptions.FromEnvironment();

        /// <summary>
        /// The instance a command uses: <see cref="Default"/> when it names no files, else the module-wide options with
        /// its databases consulted first and its prefix files replacing the configured ones.
        /// </summary>
        public static IpIntelligence ForCommand(IEnumerable<string>? databases, string? mainlandPrefixFile, string? tencentPrefixFile)
        {
            var extra = databases?.Where(d => !string.IsNullOrWhiteSpace(d)).ToList();
            if ((extra is null || extra.Count == 0) && mainlandPrefixFile is null && tencentPrefixFile is null) return Default;
            var options = CurrentOptions.WithDatabasesFirst(extra);
            if (mainlandPrefixFile != null) options.MainlandPrefixFile = mainlandPrefixFile;
            if (tencentPrefixFile != null) options.TencentPrefixFile = tencentPrefixFile;
            return Create(options);
        }

        /// <summary>Builds an instance; throws FileNotFoundException, FormatException or MmdbFormatException naming the file.</summary>
        public static IpIntelligence Create(IpIntelOptions options)
        {
            if (options is null) throw new ArgumentNullException(nameof(options));
            var mainland = Load(options.MainlandPrefixFile, s_builtInMainland, BuiltInMainlandSource, "mainland-China prefix list",
                PrefixData.ReadPrefixList, out string mainlandSource);
            var tencent = Load(options.TencentPrefixFile, s_builtInTencent, BuiltInTencentSource, "Tencent AS prefix list",
                PrefixData.ReadAsPrefixList, out string tencentSource);
            var databases = options.Databases.Select(MmdbDatabase.Open).ToList();
            return new IpIntelligence(mainland, mainlandSource, tencent, tencentSource, databases);
        }

        /// <summary>The built-in table, or the newer copy at <paramref name="path"/> (its file name becomes the source).</summary>
        private static PrefixTable<T> Load<T>(string? path, Lazy<PrefixTable<T>> builtIn, string builtInSource, string what,
            Func<TextReader, string, PrefixTable<T>> read, out string source)
        {
            source = builtInSource;
            if (path is null) return builtIn.Value;
            if (!File.Exists(path)) throw new FileNotFoundException($"The {what} '{path}' does not exist.", path);
            source = Path.GetFileName(path);
            using var reader = new StreamReader(path);
            return read(reader, source);
        }

        private static TextReader OpenResource(string name)
        {
            var stream = typeof(IpIntelligence).Assembly.GetManifestResourceStream("WeChatNet.data." + name)
                ?? throw new InvalidOperationException($"The built-in data file {name} is missing from WeChatNet.Core.");
            return new StreamReader(stream);
        }

        /// <summary>
        /// Parses an address as a user writes it: dotted-quad IPv4 (no shorthand such as "10.1"), or IPv6 (with
        /// an optional zone, or in brackets). False for host names and anything else.
        /// </summary>
        public static bool TryParseAddress(string? text, out IPAddress address)
        {
            address = IPAddress.None;
            string t = (text ?? string.Empty).Trim();
            if (t.Length > 2 && t[0] == '[' && t[t.Length - 1] == ']') t = t.Substring(1, t.Length - 2);
            if (t.Length == 0 || !IPAddress.TryParse(t, out var parsed)) return false;
            if (parsed.AddressFamily == AddressFamily.InterNetwork && (t.Split('.').Length != 4 || t.Any(c => !(char.IsDigit(c) || c == '.'))))
                return false;
            address = parsed;
            return true;
        }

        /// <summary>Looks up an address given as text; FormatException for anything that is not an IP address.</summary>
        /// <summary>
        /// What the module-wide tables say of an address, or null when the text is no address or a configured database is
        /// corrupt: for decorating other results (DNS answers, flows, hops), where a lookup must never fail the result.
        /// </summary>
        public static IpInfo? TryLookup(string? address)
        {
            if (!TryParseAddress(address, out var ip)) return null;
            try { return Default.Lookup(ip); }
            catch (MmdbFormatException) { return null; }
            catch (System.IO.IOException) { return null; }
        }

        public IpInfo Lookup(string address)
        {
            if (!TryParseAddress(address, out var parsed))
                throw new FormatException($"'{address}' is not an IPv4 or IPv6 address.");
            return Lookup(parsed);
        }

        /// <summary>
        /// Everything known about an address. IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses are
        /// judged by the IPv4 address inside. Throws MmdbFormatException when a database record is damaged.
        /// </summary>
        public IpInfo Lookup(IPAddress address)
        {
            if (address is null) throw new ArgumentNullException(nameof(address));
            string display = address.ToString();
            byte[] bytes = Unwrap(address.GetAddressBytes());

            int special = SpecialRanges.Table.Lookup(bytes);
            if (special >= 0)
            {
                var range = SpecialRanges.Table.ValueAt(special);
                return new IpInfo(display, range.Region.ToString(), range.Name, null, null, null, null, null,
                    SpecialRanges.Table.PrefixAt(special).ToString(), $"{SpecialSource} ({range.Reference})");
            }

            var sources = new List<string>();
            string? country = null, city = null, asName = null, prefix = null;
            int? asn = null;
            int prefixLength = -1;
            foreach (var db in _databases)
            {
                if (!db.TryFind(new IPAddress(bytes), out var record, out int recordPrefix)) continue;
                bool used = false;
                string? c = record!.CountryCode;
                if (country is null && c != null) { country = c; used = true; }
                string? ci = record.City;
                if (city is null && ci != null) { city = ci; used = true; }
                long? n = record.AutonomousSystemNumber;
                if (asn is null && n is long an && an > 0 && an <= int.MaxValue)
                {
                    asn = (int)an;
                    asName = record.AutonomousSystemOrganization;
                    used = true;
                }
                if (used)
                {
                    sources.Add(db.Name);
                    if (recordPrefix > prefixLength) { prefixLength = recordPrefix; prefix = NetworkOf(bytes, recordPrefix); }
                }
            }

            int mainland = _mainland.Lookup(bytes);
            int tencent = _tencent.Lookup(bytes);
            IpRegion region;
            if (country != null)
            {
                region = country == "CN" ? IpRegion.MainlandChina : country == "HK" ? IpRegion.HongKong : IpRegion.Overseas;
            }
            else if (mainland >= 0)
            {
                region = IpRegion.MainlandChina;
                country = "CN";
                sources.Add(_mainlandSource);
                if (_mainland.PrefixAt(mainland).Length > prefixLength) { prefixLength = _mainland.PrefixAt(mainland).Length; prefix = _mainland.PrefixAt(mainland).ToString(); }
            }
            else if (bytes.Length == 4 ? _mainland.IPv4Count > 0 : _mainland.IPv6Count > 0)
            {
                region = IpRegion.Overseas; // the mainland table covers this family and does not hold the address
                sources.Add(_mainlandSource);
            }
            else region = IpRegion.Unknown;

            if (tencent >= 0 && asn is null)
            {
                var origin = _tencent.ValueAt(tencent);
                asn = origin.Asn;
                asName = origin.Name;
                sources.Add(_tencentSource);
                var p = _tencent.PrefixAt(tencent);
                if (p.Length > prefixLength) { prefixLength = p.Length; prefix = p.ToString(); }
            }
            string? owner = asn is int a && IsTencentAsn(a) ? TencentOwner : null;
            return new IpInfo(display, region.ToString(), "Public", country, city, asn, asName, owner, prefix,
                sources.Count == 0 ? "none" : string.Join(", ", sources));
        }

        /// <summary>
        /// Region from the prefix tables and the special registry alone, without allocating: for per-packet and
        /// per-flow labelling. <paramref name="address"/> is 4 or 16 bytes in network order. Databases are not consulted.
        /// </summary>
        public IpRegion GetRegion(ReadOnlySpan<byte> address)
        {
            Span<byte> v4 = stackalloc byte[4];
            ReadOnlySpan<byte> a = v4;
            if (!Unwrapped(address, v4)) a = address;
            int special = SpecialRanges.Table.Lookup(a);
            if (special >= 0) return SpecialRanges.Table.ValueAt(special).Region;
            if (_mainland.Lookup(a) >= 0) return IpRegion.MainlandChina;
            if (a.Length == 4 ? _mainland.IPv4Count > 0 : _mainland.IPv6Count > 0) return IpRegion.Overseas;
            return IpRegion.Unknown;
        }

        /// <summary>True when the address is in a prefix of Tencent's AS list (prefix table only, allocation-free).</summary>
        public bool IsTencent(ReadOnlySpan<byte> address)
        {
            Span<byte> v4 = stackalloc byte[4];
            ReadOnlySpan<byte> a = v4;
            if (!Unwrapped(address, v4)) a = address;
            int id = _tencent.Lookup(a);
            return id >= 0 && IsTencentAsn(_tencent.ValueAt(id).Asn);
        }

        /// <summary>Whether an AS number is one of <see cref="TencentAsns"/>.</summary>
        public static bool IsTencentAsn(int asn) => asn == 45090 || asn == 132203 || asn == 132591 || asn == 133478 || asn == 137876;

        private static byte[] Unwrap(byte[] bytes)
        {
            if (bytes.Length != 16 || !IsMappedOrNat64(bytes)) return bytes;
            return new[] { bytes[12], bytes[13], bytes[14], bytes[15] };
        }

        /// <summary>Copies the IPv4 address inside a mapped or NAT64 address into <paramref name="v4"/>; false for others.</summary>
        private static bool Unwrapped(ReadOnlySpan<byte> address, Span<byte> v4)
        {
            if (address.Length != 16 || !IsMappedOrNat64(address)) return false;
            address.Slice(12).CopyTo(v4);
            return true;
        }

        /// <summary>::ffff:0:0/96 (IPv4-mapped) or 64:ff9b::/96 (NAT64 well-known prefix).</summary>
        private static bool IsMappedOrNat64(ReadOnlySpan<byte> b)
        {
            for (int i = 4; i < 10; i++) if (b[i] != 0) return false;
            bool zeroHead = b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0;
            if (zeroHead && b[10] == 0xff && b[11] == 0xff) return true;
            return b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[10] == 0 && b[11] == 0;
        }

        private static string NetworkOf(byte[] bytes, int length)
        {
            var v = U128.FromBytes(bytes);
            return new IpPrefix(bytes.Length == 4, v.High, v.Low, Math.Min(length, bytes.Length * 8)).ToString();
        }
    }
}
