using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using WeChatNet.IpIntel;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.IpIntel
{
    public sealed class PrefixTableTests
    {
        private static string DataFile(string name) => Path.Combine(ExternalTool.RepoRoot, "data", name);

        private static List<IpPrefix> MainlandPrefixes() => File.ReadAllLines(DataFile("mainland-china-ipv4.txt"))
            .Where(l => l.Length > 0 && l[0] != '#').Select(IpPrefix.Parse).ToList();

        private static List<IpPrefix> TencentPrefixes() => File.ReadAllLines(DataFile("tencent-asn-prefixes.txt"))
            .Where(l => l.Length > 0 && l[0] != '#').Select(l => IpPrefix.Parse(l.Split('\t')[2])).ToList();

        /// <summary>The obvious algorithm: scan every prefix, keep the longest that contains the address.</summary>
        private static int BruteForce(IReadOnlyList<IpPrefix> prefixes, U128 address, bool v4)
        {
            int best = -1;
            for (int i = 0; i < prefixes.Count; i++)
            {
                var p = prefixes[i];
                if (p.IsIPv4 != v4) continue;
                if (p.First.CompareTo(address) <= 0 && address.CompareTo(p.Last) <= 0 && (best < 0 || p.Length > prefixes[best].Length)) best = i;
            }
            return best;
        }

        private static int Lookup<T>(PrefixTable<T> t, U128 a, bool v4) => v4 ? t.LookupIPv4((uint)a.Low) : t.LookupIPv6(a.High, a.Low);

        /// <summary>Every prefix of both shipped files: its first and last address, and the addresses just outside.</summary>
        [Fact]
        public void EveryBoundaryOfTheShippedPrefixesMatchesBruteForce()
        {
            var all = MainlandPrefixes().Concat(TencentPrefixes()).Distinct().ToList();
            var table = PrefixTable<int>.Build(all.Select((p, i) => new KeyValuePair<IpPrefix, int>(p, i)));
            Assert.Equal(all.Count, table.Count);
            Assert.True(table.IPv6Count > 10, "the Tencent file carries IPv6 prefixes");
            int checkedPoints = 0;
            foreach (var p in all)
            {
                var max = p.IsIPv4 ? new U128(0, uint.MaxValue) : U128.Max;
                var points = new List<U128> { p.First, p.Last };
                if (p.First.CompareTo(default) > 0) points.Add(p.First.Decrement());
                if (p.Last.CompareTo(max) < 0) points.Add(p.Last.Increment());
                foreach (var a in points)
                {
                    int expected = BruteForce(all, a, p.IsIPv4);
                    int actual = Lookup(table, a, p.IsIPv4);
                    Assert.True(expected == actual,
                        $"{p}: address {a.High:x16}{a.Low:x16} expected {(expected < 0 ? "no match" : all[expected].ToString())}, got {(actual < 0 ? "no match" : table.PrefixAt(actual).ToString())}");
                    if (actual >= 0) Assert.Equal(all[expected], table.PrefixAt(actual));
                    checkedPoints++;
                }
            }
            Assert.True(checkedPoints > 4 * 3900);
        }

        [Fact]
        public void RandomAddressesMatchBruteForce()
        {
            var all = MainlandPrefixes().Concat(TencentPrefixes()).Distinct().ToList();
            var table = PrefixTable<int>.Build(all.Select((p, i) => new KeyValuePair<IpPrefix, int>(p, i)));
            var rng = new Random(9);
            var buf = new byte[8];
            for (int i = 0; i < 3000; i++)
            {
                uint v4 = (uint)rng.Next() ^ ((uint)rng.Next() << 16);
                Assert.Equal(BruteForce(all, new U128(0, v4), true), table.LookupIPv4(v4));
                rng.NextBytes(buf);
                // Random IPv6 mostly misses; bias half of them into Tencent's 240d:c000::/20 and 2402:4e00::/32.
                ulong high = BitConverter.ToUInt64(buf, 0);
                if (i % 2 == 0) high = (i % 4 == 0 ? 0x240dc000_00000000UL : 0x24024e00_00000000UL) | (high & 0x00000fff_ffffffffUL);
                ulong low = (ulong)rng.Next() << 32 | (uint)rng.Next();
                int expected = BruteForce(all, new U128(high, low), false);
                Assert.Equal(expected, table.LookupIPv6(high, low));
            }
        }

        [Fact]
        public void NestedPrefixesResolveToTheMostSpecific()
        {
            var table = PrefixTable<string>.Build(new[] { "0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32", "255.255.255.255/32", "::/0", "2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120" }
                .Select(p => new KeyValuePair<IpPrefix, string>(IpPrefix.Parse(p), p)));
            string Find(string a) => table.TryLookup(IPAddress.Parse(a).GetAddressBytes(), out var p, out var v) ? v : "none";
            Assert.Equal("0.0.0.0/0", Find("0.0.0.0"));
            Assert.Equal("0.0.0.0/0", Find("9.255.255.255"));
            Assert.Equal("10.0.0.0/8", Find("10.0.0.0"));
            Assert.Equal("10.0.0.0/8", Find("10.0.255.255"));
            Assert.Equal("10.1.0.0/16", Find("10.1.1.255"));
            Assert.Equal("10.1.0.0/16", Find("10.1.1.0"));
            Assert.Equal("10.1.2.0/24", Find("10.1.2.2"));
            Assert.Equal("10.1.2.3/32", Find("10.1.2.3"));
            Assert.Equal("10.1.2.0/24", Find("10.1.2.4"));
            Assert.Equal("10.1.0.0/16", Find("10.1.3.0"));
            Assert.Equal("10.0.0.0/8", Find("10.2.0.0"));
            Assert.Equal("0.0.0.0/0", Find("11.0.0.0"));
            Assert.Equal("0.0.0.0/0", Find("255.255.255.254"));
            Assert.Equal("255.255.255.255/32", Find("255.255.255.255"));
            Assert.Equal("::/0", Find("::"));
            Assert.Equal("2001:db8::/32", Find("2001:db8::"));
            Assert.Equal("2001:db8::/32", Find("2001:db8:ffff:ffff:ffff:ffff:ffff:fffe"));
            Assert.Equal("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/128", Find("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"));
            Assert.Equal("::/0", Find("2001:db9::"));
            Assert.Equal("::/0", Find("ffff:ffff:ffff:ffff:ffff:ffff:ffff:feff"));
            Assert.Equal("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120", Find("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
        }

        [Fact]
        public void AnEmptyFamilyAndGapsMiss()
        {
            var table = PrefixTable<int>.Build(new[] { new KeyValuePair<IpPrefix, int>(IpPrefix.Parse("1.12.0.0/14"), 1) });
            Assert.Equal(-1, table.LookupIPv4(0));
            Assert.Equal(-1, table.LookupIPv4(uint.MaxValue));
            Assert.Equal(-1, table.LookupIPv6(0, 0));
            Assert.Equal(-1, table.Lookup(new byte[5]));
        }

        [Fact]
        public void ADuplicatePrefixKeepsItsFirstValue()
        {
            var p = IpPrefix.Parse("1.12.0.0/14");
            var table = PrefixTable<string>.Build(new[] { new KeyValuePair<IpPrefix, string>(p, "first"), new KeyValuePair<IpPrefix, string>(p, "second") });
            Assert.Equal(1, table.Count);
            Assert.True(table.TryLookup(new byte[] { 1, 13, 0, 1 }, out _, out var v));
            Assert.Equal("first", v);
        }

        [Theory]
        [InlineData("1.12.0.0/14", "1.12.0.0/14")]
        [InlineData("1.12.3.4/14", "1.12.0.0/14")]
        [InlineData("8.8.8.8", "8.8.8.8/32")]
        [InlineData("2402:4E00::/32", "2402:4e00::/32")]
        [InlineData("2402:4e00:1::/32", "2402:4e00::/32")]
        [InlineData("0.0.0.0/0", "0.0.0.0/0")]
        public void PrefixesParseAndClearHostBits(string text, string expected) => Assert.Equal(expected, IpPrefix.Parse(text).ToString());

        [Theory]
        [InlineData("1.12.0.0/33")]
        [InlineData("1.12/16")]
        [InlineData("2402::/129")]
        [InlineData("example.com/24")]
        [InlineData("1.2.3.4/-1")]
        [InlineData("")]
        public void BadPrefixesAreRejected(string text) => Assert.False(IpPrefix.TryParse(text, out _, out _));
    }
}
