using System;
using System.IO;
using System.Net;
using WeChatNet.IpIntel;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.IpIntel
{
    public sealed class IpIntelligenceTests
    {
        private static readonly IpIntelligence BuiltIn = IpIntelligence.Create(new IpIntelOptions());

        [Theory]
        [InlineData("10.0.0.1", "Private", "Private")]
        [InlineData("172.16.0.0", "Private", "Private")]
        [InlineData("172.31.255.255", "Private", "Private")]
        [InlineData("172.32.0.0", "Overseas", "Public")]
        [InlineData("192.168.1.1", "Private", "Private")]
        [InlineData("100.64.0.0", "Private", "Cgnat")]
        [InlineData("100.127.255.255", "Private", "Cgnat")]
        [InlineData("100.128.0.0", "Overseas", "Public")]
        [InlineData("127.0.0.1", "Special", "Loopback")]
        [InlineData("169.254.10.10", "Special", "LinkLocal")]
        [InlineData("192.0.2.7", "Special", "Documentation")]
        [InlineData("198.51.100.1", "Special", "Documentation")]
        [InlineData("203.0.113.255", "Special", "Documentation")]
        [InlineData("198.18.0.1", "Special", "Benchmarking")]
        [InlineData("198.19.255.255", "Special", "Benchmarking")]
        [InlineData("198.20.0.0", "Overseas", "Public")]
        [InlineData("224.0.0.251", "Special", "Multicast")]
        [InlineData("240.0.0.1", "Special", "Reserved")]
        [InlineData("255.255.255.255", "Special", "Broadcast")]
        [InlineData("0.1.2.3", "Special", "ThisNetwork")]
        [InlineData("::1", "Special", "Loopback")]
        [InlineData("::", "Special", "Unspecified")]
        [InlineData("fe80::1", "Special", "LinkLocal")]
        [InlineData("fd12:3456::1", "Private", "UniqueLocal")]
        [InlineData("fc00::", "Private", "UniqueLocal")]
        [InlineData("2001:db8::1", "Special", "Documentation")]
        [InlineData("3fff::1", "Special", "Documentation")]
        [InlineData("ff02::1", "Special", "Multicast")]
        [InlineData("100::1", "Special", "DiscardOnly")]
        [InlineData("2002:c000:0204::1", "Special", "SixToFour")]
        [InlineData("4000::1", "Special", "Reserved")]
        [InlineData("::ffff:10.1.2.3", "Private", "Private")]
        [InlineData("::ffff:127.0.0.1", "Special", "Loopback")]
        public void SpecialRangesAreClassified(string address, string region, string range)
        {
            var info = BuiltIn.Lookup(address);
            Assert.Equal(region, info.Region);
            Assert.Equal(range, info.Range);
            if (range != "Public") Assert.StartsWith(IpIntelligence.SpecialSource, info.Source);
        }

        [Fact]
        public void ATencentMainlandAddressIsMainlandAndTencent()
        {
            // 1.12.0.0/14 is AS45090's; 1.12.0.0/20 inside it is announced by AS132203: the most specific wins.
            var info = BuiltIn.Lookup("1.12.16.1");
            Assert.Equal("MainlandChina", info.Region);
            Assert.Equal("CN", info.Country);
            Assert.Equal(45090, info.Asn);
            Assert.Equal("TENCENT-NET-AP", info.AsName);
            Assert.Equal("Tencent", info.Owner);
            Assert.Equal("1.12.0.0/14", info.Prefix);
            var inner = BuiltIn.Lookup("1.12.15.255");
            Assert.Equal(132203, inner.Asn);
            Assert.Equal("1.12.0.0/20", inner.Prefix);
            Assert.Equal("chnroutes2, tencent-asn-prefixes", info.Source);
        }

        [Fact]
        public void MainlandCarrierSpaceIsMainlandButNotTencent()
        {
            // 101.226.x.x: China Telecom Shanghai, where WeChat servers often sit (facts section 7).
            var info = BuiltIn.Lookup(IPAddress.Parse("101.226.1.1"));
            Assert.Equal("MainlandChina", info.Region);
            Assert.Null(info.Owner);
            Assert.Null(info.Asn);
            Assert.Equal("chnroutes2", info.Source);
        }

        [Fact]
        public void PublicAddressesOutsideTheMainlandListAreOverseas()
        {
            var info = BuiltIn.Lookup("8.8.8.8");
            Assert.Equal("Overseas", info.Region);
            Assert.Equal("Public", info.Range);
            Assert.Null(info.Country);
            Assert.Null(info.Owner);
        }

        [Fact]
        public void TencentIPv6IsTencentButItsRegionIsUnknownWithoutADatabase()
        {
            var info = BuiltIn.Lookup("2402:4e00::1");
            Assert.Equal("Unknown", info.Region);
            Assert.Equal("Tencent", info.Owner);
            Assert.Equal(45090, info.Asn);
            Assert.Equal("2402:4e00::/32", info.Prefix);
            // AS132203, international Tencent Cloud
            Assert.Equal(132203, BuiltIn.Lookup("240d:c000:1000::5").Asn);
        }

        [Fact]
        public void MappedAndNat64AddressesAreJudgedByTheirIPv4Address()
        {
            foreach (var a in new[] { "::ffff:1.12.0.1", "64:ff9b::1.12.0.1" })
            {
                var info = BuiltIn.Lookup(a);
                Assert.Equal("MainlandChina", info.Region);
                Assert.Equal("Tencent", info.Owner);
                Assert.Equal(IPAddress.Parse(a).ToString(), info.Address);
            }
        }

        [Theory]
        [InlineData("1.12.0.1", IpRegion.MainlandChina, true)]
        [InlineData("8.8.8.8", IpRegion.Overseas, false)]
        [InlineData("192.168.0.1", IpRegion.Private, false)]
        [InlineData("::ffff:1.12.0.1", IpRegion.MainlandChina, true)]
        [InlineData("2402:4e00::1", IpRegion.Unknown, true)]
        [InlineData("::1", IpRegion.Special, false)]
        public void TheAllocationFreePathAgreesWithLookup(string address, object regionValue, bool tencent)
        {
            var region = (IpRegion)regionValue; // object: IpRegion is internal to the core, test methods are public
            var bytes = IPAddress.Parse(address).GetAddressBytes();
            Assert.Equal(region, BuiltIn.GetRegion(bytes));
            Assert.Equal(tencent, BuiltIn.IsTencent(bytes));
            Assert.Equal(region.ToString(), BuiltIn.Lookup(address).Region);
        }

        [Fact]
        public void LookupsDoNotAllocate()
        {
            var v4 = IPAddress.Parse("1.12.0.1").GetAddressBytes();
            var v6 = IPAddress.Parse("2402:4e00::1").GetAddressBytes();
            BuiltIn.GetRegion(v4);
            BuiltIn.IsTencent(v6);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10_000; i++)
            {
                BuiltIn.GetRegion(v4);
                BuiltIn.GetRegion(v6);
                BuiltIn.IsTencent(v4);
                BuiltIn.MainlandTable.LookupIPv4((uint)i * 2654435761u);
            }
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        [Theory]
        [InlineData("example.com")]
        [InlineData("10.1")]
        [InlineData("1.2.3.4.5")]
        [InlineData("300.1.1.1")]
        [InlineData("")]
        [InlineData("0x7f.1.1.1")]
        public void NonAddressesAreRejected(string text)
        {
            Assert.False(IpIntelligence.TryParseAddress(text, out _));
            var e = Assert.Throws<FormatException>(() => BuiltIn.Lookup(text));
            Assert.Contains("is not an IPv4 or IPv6 address", e.Message);
        }

        [Fact]
        public void BracketedAndZonedIPv6AddressesParse()
        {
            Assert.True(IpIntelligence.TryParseAddress("[2402:4e00::1]", out var a));
            Assert.Equal("2402:4e00::1", a.ToString());
            Assert.True(IpIntelligence.TryParseAddress(" fe80::1%2 ", out var z));
            Assert.Equal("LinkLocal", BuiltIn.Lookup(z).Range);
        }

        [Fact]
        public void NewerCopiesOfThePrefixFilesReplaceTheBuiltInOnes()
        {
            using var dir = new TempDirectory("ipintel-newer");
            File.WriteAllText(dir.File("cn.txt"), "# newer chnroutes\n8.8.8.0/24\n2400:da00::/32\n");
            File.WriteAllText(dir.File("tencent.txt"), "AS132203\tTENCENT-NET-AP-CN\t8.8.8.0/25\n");
            var intel = IpIntelligence.Create(new IpIntelOptions { MainlandPrefixFile = dir.File("cn.txt"), TencentPrefixFile = dir.File("tencent.txt") });
            var info = intel.Lookup("8.8.8.8");
            Assert.Equal("MainlandChina", info.Region);
            Assert.Equal(132203, info.Asn);
            Assert.Equal("Tencent", info.Owner);
            Assert.Equal("cn.txt, tencent.txt", info.Source);
            Assert.Equal("8.8.8.0/25", info.Prefix);
            Assert.Equal("Overseas", intel.Lookup("1.12.0.1").Region);
            Assert.Null(intel.Lookup("1.12.0.1").Owner);
            // The newer list has IPv6, so IPv6 outside it is Overseas rather than Unknown.
            Assert.Equal("MainlandChina", intel.Lookup("2400:da00::1").Region);
            Assert.Equal("Overseas", intel.Lookup("2a00::1").Region);
        }

        [Fact]
        public void ABadPrefixFileIsRejectedNamingTheLine()
        {
            using var dir = new TempDirectory("ipintel-badfile");
            File.WriteAllText(dir.File("cn.txt"), "1.12.0.0/14\n\n1.999.0.0/16\n");
            var e = Assert.Throws<FormatException>(() => IpIntelligence.Create(new IpIntelOptions { MainlandPrefixFile = dir.File("cn.txt") }));
            Assert.Equal("cn.txt line 3: '1.999.0.0' is not an IP address. Expected one prefix a line such as 1.12.0.0/14.", e.Message);
            File.WriteAllText(dir.File("t.txt"), "45090 TENCENT 1.12.0.0/14\n");
            var t = Assert.Throws<FormatException>(() => IpIntelligence.Create(new IpIntelOptions { TencentPrefixFile = dir.File("t.txt") }));
            Assert.Contains("t.txt line 1: expected 3 tab-separated columns", t.Message);
            File.WriteAllText(dir.File("empty.txt"), "# nothing\n");
            Assert.Contains("no prefixes", Assert.Throws<FormatException>(() => IpIntelligence.Create(new IpIntelOptions { MainlandPrefixFile = dir.File("empty.txt") })).Message);
            var missing = Assert.Throws<FileNotFoundException>(() => IpIntelligence.Create(new IpIntelOptions { MainlandPrefixFile = dir.File("nope.txt") }));
            Assert.Contains("nope.txt", missing.Message);
        }

        [Fact]
        public void TheTencentAsnTestMatchesTheList()
        {
            foreach (int asn in IpIntelligence.TencentAsns) Assert.True(IpIntelligence.IsTencentAsn(asn));
            foreach (int asn in new[] { 0, 4134, 4837, 15169, 45091, 132204 }) Assert.False(IpIntelligence.IsTencentAsn(asn));
        }

        [Fact]
        public void TheBuiltInTablesHoldTheShippedFiles()
        {
            Assert.Equal(3912, BuiltIn.MainlandTable.Count);
            Assert.Equal(File.ReadAllLines(Path.Combine(ExternalTool.RepoRoot, "data", "tencent-asn-prefixes.txt")).Length - 7, BuiltIn.TencentTable.Count);
        }
    }
}
