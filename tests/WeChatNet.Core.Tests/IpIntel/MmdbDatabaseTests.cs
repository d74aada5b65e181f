using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using WeChatNet.IpIntel;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.IpIntel
{
    /// <summary>
    /// MaxMind DB files through <see cref="MmdbDatabase"/> (MaxMind.Db behind it, docs/dependencies.md): every lookup equals
    /// libmaxminddb's mmdblookup (found or not, prefix length, the whole record), IpIntelligence takes its fields, and
    /// damaged files end in an <see cref="MmdbFormatException"/> naming the file, never a crash or a hang.
    /// </summary>
    public sealed class MmdbDatabaseTests
    {
        private static string Shipped => Path.Combine(ExternalTool.RepoRoot, "data", "mainland-china.mmdb");

        /// <summary>Compares one address with mmdblookup: found or not, prefix length, and the whole record.</summary>
        private static string? Compare(MmdbDatabase reader, string file, IPAddress address)
        {
            var expected = MmdbOracle.Lookup(file, address.ToString());
            var actual = reader.Find<Dictionary<string, object>>(address, out int prefixLength);
            bool v4InV6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && reader.Metadata.IPVersion == 6;
            string Where() => $"{address}: mmdblookup exit {expected.ExitCode}, prefix {expected.PrefixLength}, {expected.Record} {expected.Error}; MmdbDatabase found {actual != null}, prefix {prefixLength}";
            switch (expected.ExitCode)
            {
                case 0:
                    if (actual is null) return Where();
                    string mine = MmdblookupCompact(actual), theirs = WithoutIntegerWidths(expected.Record);
                    if (mine != theirs) return Where() + $"\n  mmdblookup:   {theirs}\n  MmdbDatabase: {mine}";
                    break;
                case 6:
                    return actual is null ? null : Where();
                case 4 when expected.Error.Contains("IPv6 address in an IPv4-only database"):
                    return actual is null ? null : Where();
                default:
                    return Where();
            }
            int prefix = prefixLength + (v4InV6 ? 96 : 0);
            return prefix == expected.PrefixLength ? null : Where() + ": prefix lengths differ";
        }

        /// <summary>
        /// MaxMind.Db's decode of a record rendered as mmdblookup prints it (whitespace collapsed). MaxMind.Db gives uint16
        /// and int32 both as int, so both sides write those two as &lt;int&gt;.
        /// </summary>
        private static string MmdblookupCompact(object value)
        {
            var sb = new System.Text.StringBuilder();
            Render(value, sb);
            return sb.ToString();
            static void Render(object v, System.Text.StringBuilder sb)
            {
                var inv = System.Globalization.CultureInfo.InvariantCulture;
                switch (v)
                {
                    case IDictionary<string, object> map:
                        sb.Append('{');
                        foreach (var e in map) { sb.Append('"').Append(e.Key).Append("\":"); Render(e.Value, sb); }
                        sb.Append('}');
                        return;
                    case string s: sb.Append('"').Append(s).Append("\" <utf8_string>"); return;
                    case byte[] b: foreach (byte x in b) sb.Append(x.ToString("X2", inv)); sb.Append(" <bytes>"); return;
                    case System.Collections.IEnumerable list:
                        sb.Append('[');
                        foreach (var item in list) Render(item!, sb);
                        sb.Append(']');
                        return;
                    case double d: sb.Append(d.ToString("F6", inv)).Append(" <double>"); return;
                    case float f: sb.Append(f.ToString("F6", inv)).Append(" <float>"); return;
                    case bool t: sb.Append(t ? "true" : "false").Append(" <boolean>"); return;
                    case System.Numerics.BigInteger big: sb.Append("0x").Append(big.ToString("x32", inv).TrimStart('0').PadLeft(32, '0')).Append(" <uint128>"); return;
                    case ulong u: sb.Append(u.ToString(inv)).Append(" <uint64>"); return;
                    case long l: sb.Append(l.ToString(inv)).Append(" <uint32>"); return;
                    case int i: sb.Append(i.ToString(inv)).Append(" <int>"); return;
                    default: sb.Append(v).Append(" <").Append(v.GetType().Name).Append('>'); return;
                }
            }
        }

        private static string WithoutIntegerWidths(string mmdblookup) => mmdblookup.Replace(" <uint16>", " <int>").Replace(" <int32>", " <int>");

        private static void CompareAll(MmdbDatabase reader, string file, IReadOnlyList<IPAddress> addresses)
        {
            var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
            Parallel.ForEach(addresses, new ParallelOptions { MaxDegreeOfParallelism = 4 }, a =>
            {
                var f = Compare(reader, file, a);
                if (f != null) failures.Add(f);
            });
            Assert.True(failures.IsEmpty, $"{failures.Count} of {addresses.Count} addresses differ from mmdblookup:\n" + string.Join("\n", failures.Take(10)));
        }

        [Fact]
        public void TheShippedFileEqualsMmdblookupOn1000RandomAddresses()
        {
            using var reader = MmdbDatabase.Open(Shipped);
            Assert.Equal(4, reader.Metadata.IPVersion);
            Assert.Equal("GeoIP", reader.Metadata.DatabaseType);
            Assert.Equal("mainland-china.mmdb", reader.Name);

            // Half inside chnroutes2 prefixes (they hit), half uniformly random (mostly misses), from a fixed seed.
            var prefixes = File.ReadAllLines(Path.Combine(ExternalTool.RepoRoot, "data", "mainland-china-ipv4.txt"))
                .Where(l => l.Length > 0 && l[0] != '#').Select(IpPrefix.Parse).ToList();
            var rng = new Random(20260822);
            var addresses = new List<IPAddress>();
            for (int i = 0; i < 1000; i++)
            {
                uint v;
                if (i % 2 == 0)
                {
                    var p = prefixes[rng.Next(prefixes.Count)];
                    uint span = p.Length == 0 ? uint.MaxValue : (uint)((1UL << (32 - p.Length)) - 1);
                    v = (uint)p.Low + (uint)(rng.NextDouble() * span);
                }
                else v = (uint)rng.Next() ^ ((uint)rng.Next(4) << 30);
                addresses.Add(new IPAddress(new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v }));
            }
            Assert.InRange(addresses.Count(a => reader.Find<Dictionary<string, object>>(a, out _) != null), 500, 1000);
            CompareAll(reader, Shipped, addresses);
        }

        [Theory]
        [InlineData(24, 6)]
        [InlineData(28, 6)]
        [InlineData(32, 6)]
        [InlineData(24, 4)]
        [InlineData(28, 4)]
        [InlineData(32, 4)]
        public void FilesFromMaxMindsWriterEqualMmdblookup(int recordSize, int ipVersion)
        {
            using var dir = new TempDirectory($"mmdb-writer-{recordSize}-{ipVersion}");
            string file = dir.File("fixture.mmdb");
            MmdbOracle.Write(file, recordSize, ipVersion);
            using var reader = MmdbDatabase.Open(file);
            Assert.Equal(ipVersion, reader.Metadata.IPVersion);
            Assert.Equal("WeChatNet-Test-City-ASN", reader.Metadata.DatabaseType);
            Assert.Equal(new[] { "en", "zh-CN" }, reader.Metadata.Languages);
            Assert.Equal("WeChatNet reader fixture", reader.Metadata.Description["en"]);

            var networks = new List<string> { "1.12.0.0/14", "1.12.0.0/20", "43.128.0.0/16", "8.8.8.0/24", "203.0.113.0/25", "203.0.113.128/32" };
            if (ipVersion == 6) networks.AddRange(new[] { "2402:4e00::/32", "2402:4e00:1::/48" });
            var addresses = new List<IPAddress>();
            foreach (var n in networks.Select(IpPrefix.Parse))
            {
                foreach (var a in new[] { n.First, n.Last, n.First.Decrement(), n.Last.Increment() })
                {
                    var bytes = a.ToBytes();
                    addresses.Add(new IPAddress(n.IsIPv4 ? bytes.AsSpan(12).ToArray() : bytes));
                }
            }
            var rng = new Random(recordSize * 10 + ipVersion);
            for (int i = 0; i < 40; i++)
            {
                addresses.Add(new IPAddress(new[] { (byte)(i % 2 == 0 ? 1 : rng.Next(256)), (byte)(i % 2 == 0 ? 12 + rng.Next(4) : rng.Next(256)), (byte)rng.Next(256), (byte)rng.Next(256) }));
                if (ipVersion == 6)
                {
                    var b = new byte[16];
                    rng.NextBytes(b);
                    if (i % 2 == 0) { b[0] = 0x24; b[1] = 0x02; b[2] = 0x4e; b[3] = 0x00; b[4] = 0; b[5] = (byte)rng.Next(3); }
                    addresses.Add(new IPAddress(b));
                }
            }
            if (ipVersion == 4) addresses.Add(IPAddress.Parse("2402:4e00::1")); // both must refuse IPv6 in an IPv4 file
            CompareAll(reader, file, addresses);

            // Every MMDB type decodes to the value written.
            var v = reader.Find<Dictionary<string, object>>(IPAddress.Parse("203.0.113.5"), out _)!;
            Assert.Equal(-5, Convert.ToInt64(v["neg"]));
            Assert.Equal(1099511627776UL, Convert.ToUInt64(v["big"]));
            Assert.Equal(System.Numerics.BigInteger.Pow(2, 100), (System.Numerics.BigInteger)v["huge"]);
            Assert.Equal(1.5f, (float)v["ratio"]);
            Assert.Equal(new byte[] { 1, 0xff, 0x10 }, (byte[])v["raw"]);
            Assert.Equal(true, v["is_anycast"]);
            Assert.Equal(70300, ((string)v["long_text"]).Length);
            Assert.Equal("cc", ((System.Collections.IList)v["tags"])[2]);

            // The fields IpIntelligence reads, typed.
            Assert.True(reader.TryFind(IPAddress.Parse("1.12.16.1"), out var loc, out int prefix));
            Assert.Equal(("CN", "Shenzhen", 45090L, 20), (loc!.CountryCode, loc.City, loc.AutonomousSystemNumber, prefix));
            Assert.True(reader.TryFind(IPAddress.Parse("8.8.8.8"), out loc, out prefix));
            Assert.Equal(("US", (string?)null, 15169L, "GOOGLE", 24), (loc!.CountryCode, loc.City, loc.AutonomousSystemNumber, loc.AutonomousSystemOrganization, prefix));
            Assert.False(reader.TryFind(IPAddress.Parse("9.9.9.9"), out loc, out _));
            Assert.Null(loc);
        }

        [Fact]
        public void IpIntelligenceTakesCountryCityAndAsnFromUserDatabases()
        {
            using var dir = new TempDirectory("mmdb-intel");
            string file = dir.File("GeoLite2-City-and-ASN.mmdb");
            MmdbOracle.Write(file, 28, 6);
            var intel = IpIntelligence.Create(new IpIntelOptions { Databases = { file } });

            var hk = intel.Lookup("43.128.1.1");
            Assert.Equal("HongKong", hk.Region);
            Assert.Equal("HK", hk.Country);
            Assert.Equal("Hong Kong", hk.City);
            Assert.Equal(132203, hk.Asn);
            Assert.Equal("Tencent", hk.Owner);
            Assert.Equal("43.128.0.0/16", hk.Prefix);
            Assert.StartsWith("GeoLite2-City-and-ASN.mmdb", hk.Source);

            var cn = intel.Lookup("1.12.16.1");
            Assert.Equal("MainlandChina", cn.Region);
            Assert.Equal("Shenzhen", cn.City);
            Assert.Equal(45090, cn.Asn);
            Assert.Equal("Shenzhen Tencent Computer Systems Company Limited", cn.AsName);

            var google = intel.Lookup("8.8.8.8");
            Assert.Equal("Overseas", google.Region);
            Assert.Equal("US", google.Country); // from registered_country when country is absent
            Assert.Equal(15169, google.Asn);
            Assert.Null(google.Owner);

            var v6 = intel.Lookup("2402:4e00:1::5");
            Assert.Equal("Overseas", v6.Region);
            Assert.Equal("SG", v6.Country);
            Assert.Equal(45090, v6.Asn); // the /48 record has no ASN: the Tencent table supplies it
            Assert.Equal("Tencent", v6.Owner);

            // Not in the database: the built-in tables answer.
            var carrier = intel.Lookup("101.226.1.1");
            Assert.Equal("MainlandChina", carrier.Region);
            Assert.Equal("chnroutes2", carrier.Source);

            // The shipped chnroutes2 MMDB can be used as a database too.
            var shipped = IpIntelligence.Create(new IpIntelOptions { Databases = { Shipped } }).Lookup("101.226.1.1");
            Assert.Equal("mainland-china.mmdb", shipped.Source);
            Assert.Equal("CN", shipped.Country);
        }

        [Fact]
        public void GarbageAndMissingFilesAreRejectedClearly()
        {
            using var dir = new TempDirectory("mmdb-garbage");
            File.WriteAllText(dir.File("notes.mmdb"), "this is not a database");
            var e = Assert.Throws<MmdbFormatException>(() => MmdbDatabase.Open(dir.File("notes.mmdb")));
            Assert.Equal("notes.mmdb: not a MaxMind DB file: it has no MaxMind DB metadata section (a GeoLite2 or DB-IP .mmdb file ends with one).", e.Message);
            Assert.Throws<FileNotFoundException>(() => MmdbDatabase.Open(dir.File("absent.mmdb")));
            Assert.Throws<MmdbFormatException>(() => IpIntelligence.Create(new IpIntelOptions { Databases = { dir.File("notes.mmdb") } }));
        }

        private static readonly IPAddress[] Probes = new[] { "1.2.3.4", "200.0.0.1", "1.12.0.1", "43.128.9.9", "8.8.8.8", "203.0.113.1", "203.0.113.128",
            "101.226.5.4", "114.114.114.114", "2402:4e00::1", "2402:4e00:1::1", "9.9.9.9" }.Select(IPAddress.Parse).ToArray();

        /// <summary>
        /// Opens the bytes and looks up every probe (typed and whole record). Returns the first failure's message, or
        /// null when everything completed. Any exception other than MmdbFormatException fails the test.
        /// </summary>
        private static string? Failure(byte[] file, string name)
        {
            MmdbDatabase db;
            try { db = MmdbDatabase.Open(file, name); }
            catch (MmdbFormatException e) { Assert.StartsWith(name + ": ", e.Message); return e.Message; }
            using (db)
            {
                foreach (var probe in Probes)
                {
                    try
                    {
                        db.TryFind(probe, out _, out _);
                        db.Find<Dictionary<string, object>>(probe, out _);
                    }
                    catch (MmdbFormatException e) { Assert.StartsWith(name + ": the data for ", e.Message); return e.Message; }
                }
            }
            return null;
        }

        [Fact]
        public void EveryTruncationIsRejectedWithoutThrowing()
        {
            var bytes = File.ReadAllBytes(Shipped);
            for (int length = 0; length < bytes.Length; length += length < bytes.Length - 400 ? 61 : 1)
                Assert.NotNull(Failure(bytes.AsSpan(0, length).ToArray(), "cut.mmdb"));
            // Bytes cut from the middle (metadata intact): the tree no longer fits or points past the data.
            foreach (int removed in new[] { 1, 16, 1000, 40000 })
            {
                var shorter = bytes.Take(30000).Concat(bytes.Skip(30000 + removed)).ToArray();
                Failure(shorter, "short.mmdb"); // completes, or fails with a message naming the file
            }
        }

        /// <summary>Flipped bytes anywhere: opening fails with a message, or every lookup and decode completes or fails with one.</summary>
        [Fact]
        public void FlippedBytesNeverCrashOrHang()
        {
            using var dir = new TempDirectory("mmdb-flip");
            string fixture = dir.File("fixture.mmdb");
            MmdbOracle.Write(fixture, 28, 6);
            var rng = new Random(77);
            int clean = 0, failed = 0;
            foreach (var source in new[] { Shipped, fixture })
            {
                var original = File.ReadAllBytes(source);
                for (int round = 0; round < 1500; round++)
                {
                    var mutant = (byte[])original.Clone();
                    int flips = 1 + rng.Next(4);
                    for (int f = 0; f < flips; f++)
                    {
                        // Aim a third of the flips at the metadata and data, where the decoder works hardest.
                        int at = round % 3 == 0 ? mutant.Length - 1 - rng.Next(Math.Min(mutant.Length, 4000)) : rng.Next(mutant.Length);
                        mutant[at] ^= (byte)(1 << rng.Next(8));
                    }
                    if (Failure(mutant, "mutant.mmdb") is null) clean++; else failed++;
                }
            }
            Assert.True(clean > 0 && failed > 0, $"clean {clean}, failed {failed}: the mutations should exercise both paths");
        }

        // ---- Hand-built files: one IPv4 node, record size 24; 0.0.0.0/1 points at data offset 0, the rest is empty.

        private static byte[] Ctrl(int type, int size)
        {
            var head = new List<byte>();
            int sizeBits = size < 29 ? size : size < 285 ? 29 : size < 65821 ? 30 : 31;
            head.Add((byte)(((type <= 7 ? type : 0) << 5) | sizeBits));
            if (type > 7) head.Add((byte)(type - 7));
            if (sizeBits == 29) head.Add((byte)(size - 29));
            if (sizeBits == 30) { head.Add((byte)((size - 285) >> 8)); head.Add((byte)(size - 285)); }
            if (sizeBits == 31) { int s = size - 65821; head.Add((byte)(s >> 16)); head.Add((byte)(s >> 8)); head.Add((byte)s); }
            return head.ToArray();
        }

        private static byte[] Str(string s) => Ctrl(2, System.Text.Encoding.UTF8.GetByteCount(s)).Concat(System.Text.Encoding.UTF8.GetBytes(s)).ToArray();
        private static byte[] U16(uint v) => Ctrl(5, 2).Concat(new[] { (byte)(v >> 8), (byte)v }).ToArray();
        private static byte[] U32(uint v) => Ctrl(6, 4).Concat(new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v }).ToArray();
        private static byte[] Map(params (string Key, byte[] Value)[] entries) =>
            Ctrl(7, entries.Length).Concat(entries.SelectMany(e => Str(e.Key).Concat(e.Value))).ToArray();
        private static byte[] Ptr(int offset) => new[] { (byte)(0x20 | (offset >> 8)), (byte)offset }; // 11-bit pointer

        private static byte[] Build(byte[] data, uint nodeCount = 1, uint recordSize = 24, uint ipVersion = 4, uint? left = null, byte separatorByte = 0)
        {
            var file = new List<byte>();
            uint l = left ?? 1 + 16; // node_count + 16 + offset 0
            file.AddRange(new[] { (byte)(l >> 16), (byte)(l >> 8), (byte)l, (byte)0, (byte)0, (byte)1 });
            file.AddRange(Enumerable.Repeat(separatorByte, 16));
            file.AddRange(data);
            file.AddRange(new byte[] { 0xAB, 0xCD, 0xEF });
            file.AddRange(System.Text.Encoding.ASCII.GetBytes("MaxMind.com"));
            file.AddRange(Map(("node_count", U32(nodeCount)), ("record_size", U16(recordSize)), ("ip_version", U16(ipVersion)),
                ("binary_format_major_version", U16(2)), ("binary_format_minor_version", U16(0)), ("database_type", Str("Handmade")),
                ("build_epoch", Ctrl(9, 8).Concat(new byte[8]).ToArray()), ("languages", Ctrl(11, 0)), ("description", Map())));
            return file.ToArray();
        }

        private static string DecodeError(byte[] data)
        {
            using var reader = MmdbDatabase.Open(Build(data), "hand.mmdb");
            var e = Assert.Throws<MmdbFormatException>(() => reader.Find<Dictionary<string, object>>(IPAddress.Parse("1.2.3.4"), out _));
            Assert.StartsWith("hand.mmdb: the data for 1.2.3.4 is corrupt: ", e.Message);
            // The typed read skips keys it does not use, so it may complete where the whole record fails; it never throws anything else.
            try { reader.TryFind(IPAddress.Parse("1.2.3.4"), out _, out _); } catch (MmdbFormatException) { }
            return e.Message;
        }

        [Fact]
        public void AHandBuiltFileReads()
        {
            using var reader = MmdbDatabase.Open(Build(Map(("country", Map(("iso_code", Str("CN")))))), "hand.mmdb");
            Assert.True(reader.TryFind(IPAddress.Parse("1.2.3.4"), out var v, out int prefix));
            Assert.Equal(("CN", 1), (v!.CountryCode, prefix));
            Assert.False(reader.TryFind(IPAddress.Parse("200.0.0.1"), out _, out _));
            Assert.False(reader.TryFind(IPAddress.Parse("2402:4e00::1"), out _, out _)); // IPv6 asked of an IPv4 file: no answer, no error
            // A shared value reached by a pointer decodes where it is referenced.
            var data = Str("HK").Concat(Map(("a", Ptr(0)), ("b", Ptr(0)))).ToArray();
            using var r2 = MmdbDatabase.Open(Build(data, left: 1 + 16 + 3), "ptr.mmdb");
            var shared = r2.Find<Dictionary<string, object>>(IPAddress.Parse("1.1.1.1"), out _)!;
            Assert.Equal("{\"a\":\"HK\" <utf8_string>\"b\":\"HK\" <utf8_string>}", MmdblookupCompact(shared));
        }

        [Fact]
        public void APointerLoopIsStopped()
        {
            // A map whose value is a pointer back to the map itself.
            var loop = Ctrl(7, 1).Concat(Str("self")).Concat(Ptr(0)).ToArray();
            Assert.Contains("maximum depth", DecodeError(loop));
        }

        [Fact]
        public void APointerToAPointerIsRejected()
        {
            Assert.Contains("pointer to another pointer", DecodeError(Ptr(2).Concat(Ptr(0)).ToArray()));
        }

        [Fact]
        public void AbsurdSizesAreRejected()
        {
            DecodeError(new byte[] { 0x5f, 0xff, 0x00, 0xff, (byte)'a', (byte)'b', (byte)'c', (byte)'d' }); // a string of 16 MB in 4 bytes
            Assert.Contains("maximum number of values", DecodeError(new byte[] { 0xff, 0xff, 0x00, 0xff, 0, 0 })); // a map of 16 M entries
            DecodeError(new byte[] { 0x1f, 0x04, 0xff, 0xff, 0xff, 0 }); // an array of 16 M items
            DecodeError(new byte[] { 0x27, 0xff }); // a pointer past the section
            DecodeError(new byte[] { 0x00, 0x09 }); // extended type 16
            DecodeError(Ctrl(7, 1).Concat(U32(1)).Concat(U32(2)).ToArray()); // a map key that is a number
        }

        [Fact]
        public void BadMetadataAndTreesAreRejected()
        {
            var data = Str("x");
            Assert.NotNull(Failure(Build(data, nodeCount: 2_000_000), "bad.mmdb"));
            Assert.NotNull(Failure(Build(data, nodeCount: uint.MaxValue), "bad.mmdb"));
            Assert.NotNull(Failure(Build(data, recordSize: 20), "bad.mmdb"));
            Assert.Equal("bad.mmdb: metadata says IP version 5 (must be 4 or 6).", Failure(Build(data, ipVersion: 5), "bad.mmdb"));
            Assert.NotNull(Failure(Build(data, left: 1_000_000 + 1), "bad.mmdb"));
            var noNodes = Build(data).ToList();
            Assert.NotNull(Failure(noNodes.Take(noNodes.Count - 3).ToArray(), "bad.mmdb"));
        }
    }
}
