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
    public sealed class MmdbReaderTests
    {
        private static string Shipped => Path.Combine(ExternalTool.RepoRoot, "data", "mainland-china.mmdb");

        /// <summary>Compares one address with mmdblookup: found or not, prefix length, and the whole record.</summary>
        private static string? Compare(MmdbReader reader, string file, IPAddress address)
        {
            var expected = MmdbOracle.Lookup(file, address.ToString());
            var actual = reader.Lookup(address.GetAddressBytes());
            bool v4InV6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && reader.Metadata.IpVersion == 6;
            string Where() => $"{address}: mmdblookup exit {expected.ExitCode}, prefix {expected.PrefixLength}, {expected.Record} {expected.Error}; reader {actual.Status}, prefix {actual.PrefixLength}";
            switch (expected.ExitCode)
            {
                case 0:
                    if (!actual.Found) return Where();
                    if (!reader.TryReadRecord(actual, out var value, out var error)) return Where() + ": " + error;
                    if (value!.ToMmdblookupCompact() != expected.Record) return Where() + $"\n  mmdblookup: {expected.Record}\n  reader:     {value.ToMmdblookupCompact()}";
                    break;
                case 6:
                    if (actual.Status != MmdbLookupStatus.NotFound) return Where();
                    break;
                case 4 when expected.Error.Contains("IPv6 address in an IPv4-only database"):
                    return actual.Status == MmdbLookupStatus.WrongFamily ? null : Where();
                default:
                    return Where();
            }
            int prefix = actual.PrefixLength + (v4InV6 ? 96 : 0);
            return prefix == expected.PrefixLength ? null : Where() + ": prefix lengths differ";
        }

        private static void CompareAll(MmdbReader reader, string file, IReadOnlyList<IPAddress> addresses)
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
            var reader = MmdbReader.Open(Shipped);
            Assert.Equal(4, reader.Metadata.IpVersion);
            Assert.Equal(24, reader.Metadata.RecordSize);
            Assert.Equal(13829u, reader.Metadata.NodeCount);
            Assert.Equal("GeoIP", reader.Metadata.DatabaseType);

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
            Assert.InRange(addresses.Count(a => reader.Lookup(a.GetAddressBytes()).Found), 500, 1000);
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
            var reader = MmdbReader.Open(file);
            Assert.Equal(recordSize, reader.Metadata.RecordSize);
            Assert.Equal(ipVersion, reader.Metadata.IpVersion);
            Assert.Equal("WeChatNet-Test-City-ASN", reader.Metadata.DatabaseType);
            Assert.Equal(new[] { "en", "zh-CN" }, reader.Metadata.Languages);
            Assert.Equal("WeChatNet reader fixture", reader.Metadata.Description);

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

            // The typed record decodes to the values written.
            var typed = reader.Lookup(new byte[] { 203, 0, 113, 5 });
            Assert.True(reader.TryReadRecord(typed, out var v, out var err), err);
            Assert.Equal(-5L, v!["neg"]!.AsInteger());
            Assert.Equal(1099511627776L, v["big"]!.AsInteger());
            Assert.Equal(System.Numerics.BigInteger.Pow(2, 100), (System.Numerics.BigInteger)v["huge"]!.Scalar!);
            Assert.Equal(1.5f, (float)v["ratio"]!.Scalar!);
            Assert.Equal(new byte[] { 1, 0xff, 0x10 }, (byte[])v["raw"]!.Scalar!);
            Assert.Equal(true, v["is_anycast"]!.Scalar);
            Assert.Equal(70300, v["long_text"]!.AsString()!.Length);
            Assert.Equal("cc", v.Path("tags", "2")!.AsString());
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
            var e = Assert.Throws<MmdbFormatException>(() => MmdbReader.Open(dir.File("notes.mmdb")));
            Assert.Equal("notes.mmdb: not a MaxMind DB file (no metadata marker \\xAB\\xCD\\xEFMaxMind.com in its last 128 KB).", e.Message);
            Assert.Throws<FileNotFoundException>(() => MmdbReader.Open(dir.File("absent.mmdb")));
            Assert.Throws<MmdbFormatException>(() => IpIntelligence.Create(new IpIntelOptions { Databases = { dir.File("notes.mmdb") } }));
        }

        [Fact]
        public void EveryTruncationIsRejectedWithoutThrowing()
        {
            var bytes = File.ReadAllBytes(Shipped);
            for (int length = 0; length < bytes.Length; length += length < bytes.Length - 400 ? 61 : 1)
            {
                var cut = bytes.AsSpan(0, length).ToArray();
                Assert.False(MmdbReader.TryOpen(cut, "cut.mmdb", out _, out var error), $"a file cut to {length} bytes opened");
                Assert.StartsWith("cut.mmdb: ", error);
            }
            // Bytes cut from the middle (metadata intact): the tree no longer fits or points past the data.
            foreach (int removed in new[] { 1, 16, 1000, 40000 })
            {
                var shorter = bytes.Take(30000).Concat(bytes.Skip(30000 + removed)).ToArray();
                Assert.False(MmdbReader.TryOpen(shorter, "short.mmdb", out _, out var error));
                Assert.Contains("short.mmdb", error);
            }
        }

        /// <summary>Flipped bytes anywhere: opening either fails with a message, or every lookup and decode completes.</summary>
        [Fact]
        public void FlippedBytesNeverCrashOrHang()
        {
            using var dir = new TempDirectory("mmdb-flip");
            string fixture = dir.File("fixture.mmdb");
            MmdbOracle.Write(fixture, 28, 6);
            var probes = new[] { "1.12.0.1", "43.128.9.9", "8.8.8.8", "203.0.113.1", "203.0.113.128", "2402:4e00::1", "2402:4e00:1::1", "9.9.9.9" }
                .Select(a => IPAddress.Parse(a).GetAddressBytes()).ToArray();
            var rng = new Random(77);
            int opened = 0, rejected = 0, decodeErrors = 0;
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
                    if (!MmdbReader.TryOpen(mutant, "mutant.mmdb", out var reader, out var error))
                    {
                        Assert.StartsWith("mutant.mmdb: ", error);
                        rejected++;
                        continue;
                    }
                    opened++;
                    foreach (var probe in probes)
                    {
                        var hit = reader!.Lookup(probe);
                        if (hit.Found && !reader.TryReadRecord(hit, out _, out var decodeError))
                        {
                            Assert.Contains("data section is corrupt", decodeError);
                            decodeErrors++;
                        }
                    }
                }
            }
            Assert.True(opened > 0 && rejected > 0, $"opened {opened}, rejected {rejected}: the mutations should exercise both paths");
            Assert.True(decodeErrors > 0, "some mutants should open and then fail to decode a record");
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
            file.AddRange(Map(("node_count", U32(nodeCount)), ("record_size", U32(recordSize)), ("ip_version", U32(ipVersion)),
                ("binary_format_major_version", U32(2)), ("binary_format_minor_version", U32(0)), ("database_type", Str("Handmade"))));
            return file.ToArray();
        }

        private static string DecodeError(byte[] data)
        {
            Assert.True(MmdbReader.TryOpen(Build(data), "hand.mmdb", out var reader, out var openError), openError);
            var hit = reader!.Lookup(new byte[] { 1, 2, 3, 4 });
            Assert.True(hit.Found);
            Assert.Equal(1, hit.PrefixLength);
            Assert.False(reader.TryReadRecord(hit, out _, out var error));
            return error;
        }

        [Fact]
        public void AHandBuiltFileReads()
        {
            Assert.True(MmdbReader.TryOpen(Build(Map(("country", Map(("iso_code", Str("CN")))))), "hand.mmdb", out var reader, out var error), error);
            var hit = reader!.Lookup(new byte[] { 1, 2, 3, 4 });
            Assert.True(reader.TryReadRecord(hit, out var v, out _));
            Assert.Equal("CN", v!.Path("country", "iso_code")!.AsString());
            Assert.Equal(MmdbLookupStatus.NotFound, reader.Lookup(new byte[] { 200, 0, 0, 1 }).Status);
            // A shared value reached by a pointer decodes where it is referenced.
            var data = Str("HK").Concat(Map(("a", Ptr(0)), ("b", Ptr(0)))).ToArray();
            Assert.True(MmdbReader.TryOpen(Build(data, left: 1 + 16 + 3), "ptr.mmdb", out var r2, out error), error);
            Assert.True(r2!.TryReadRecord(r2.Lookup(new byte[] { 1, 1, 1, 1 }), out var shared, out error), error);
            Assert.Equal("{\"a\":\"HK\" <utf8_string>\"b\":\"HK\" <utf8_string>}", shared!.ToMmdblookupCompact());
        }

        [Fact]
        public void APointerLoopIsStopped()
        {
            // A map whose value is a pointer back to the map itself.
            var loop = Ctrl(7, 1).Concat(Str("self")).Concat(Ptr(0)).ToArray();
            Assert.Contains("nesting deeper than 32 (a pointer loop?)", DecodeError(loop));
        }

        [Fact]
        public void APointerToAPointerIsRejected()
        {
            var data = Ptr(2).Concat(Ptr(0)).ToArray();
            Assert.Equal("hand.mmdb: data section is corrupt: pointer to a pointer at section offset 2", DecodeError(data));
        }

        [Fact]
        public void AbsurdSizesAreRejected()
        {
            Assert.Equal("hand.mmdb: data section is corrupt: Utf8String of 16777756 bytes runs past the end of the section (4 left) at section offset 0",
                DecodeError(new byte[] { 0x5f, 0xff, 0x00, 0xff, (byte)'a', (byte)'b', (byte)'c', (byte)'d' }));
            Assert.Contains("map of 16777756 entries cannot fit", DecodeError(new byte[] { 0xff, 0xff, 0x00, 0xff, 0, 0 }));
            Assert.Contains("array of", DecodeError(new byte[] { 0x1f, 0x04, 0xff, 0xff, 0xff, 0 }));
            Assert.Contains("pointer to offset 2047, beyond", DecodeError(new byte[] { 0x27, 0xff }));
            Assert.Contains("double of size 4 (must be 8)", DecodeError(new byte[] { 0x64, 0, 0, 0, 0 }));
            Assert.Contains("uint32 of size 5", DecodeError(new byte[] { 0xc5, 0, 0, 0, 0, 0 }), StringComparison.OrdinalIgnoreCase);
            Assert.Contains("extended type 9 (type 16) is not a MaxMind DB type", DecodeError(new byte[] { 0x00, 0x09 }));
            Assert.Contains("DataCacheContainer is not allowed", DecodeError(new byte[] { 0x00, 0x05 }));
            Assert.Contains("map key is a UInt32", DecodeError(Ctrl(7, 1).Concat(U32(1)).Concat(U32(2)).ToArray()));
            Assert.Contains("not valid UTF-8", DecodeError(new byte[] { 0x42, 0xc3, 0x28 }));
        }

        [Fact]
        public void BadMetadataAndTreesAreRejected()
        {
            var data = Str("x");
            string Open(byte[] file) { Assert.False(MmdbReader.TryOpen(file, "bad.mmdb", out _, out var e)); return e; }
            Assert.Equal("bad.mmdb: metadata claims 2000000 nodes of 24 bits (12000000 bytes of search tree), but only 24 bytes precede the metadata (file truncated or node_count wrong).",
                Open(Build(data, nodeCount: 2_000_000)));
            Assert.Equal("bad.mmdb: node_count 4294967295 is out of range.", Open(Build(data, nodeCount: uint.MaxValue)));
            Assert.Equal("bad.mmdb: record_size 20 is not 24, 28 or 32.", Open(Build(data, recordSize: 20)));
            Assert.Equal("bad.mmdb: ip_version 5 is not 4 or 6.", Open(Build(data, ipVersion: 5)));
            Assert.Contains("points to data offset 999984, beyond the 2-byte data section", Open(Build(data, left: 1_000_000 + 1)));
            Assert.Contains("the 16 zero bytes separating search tree and data section are not zero at offset 6", Open(Build(data, separatorByte: 7)));
            var noNodes = Build(data).ToList();
            Assert.Contains("metadata is corrupt", Open(noNodes.Take(noNodes.Count - 3).ToArray()));
        }
    }
}
