using System;
using System.Linq;
using System.Text;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.WeChat
{
    public sealed class DispatchDocumentTests
    {
        internal const string SampleXml =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" +
            "<dns>\n" +
            "  <retcode>0</retcode>\n" +
            "  <clientip>203.0.113.77</clientip>\n" +
            "  <clientispid>4</clientispid>\n" +
            "  <timestamp>1763776800</timestamp>\n" +
            "  <nextipv6>0</nextipv6>\n" +
            "  <domainlist>\n" +
            "    <domain name=\"long.weixin.qq.com\" timeout=\"600\"><ip>101.226.5.4</ip><ip>180.163.10.11</ip></domain>\n" +
            "    <domain name=\"short.weixin.qq.com\" timeout=\"600\"><ip>14.215.1.2</ip></domain>\n" +
            "    <domain name=\"mmsns.qpic.cn\" timeout=\"300\"><ip property=\"major\">183.3.1.1</ip><ip property=\"minor\">59.37.2.2</ip></domain>\n" +
            "  </domainlist>\n" +
            "  <builtiniplist><ip>101.226.76.164</ip><ip>14.17.42.18</ip></builtiniplist>\n" +
            "  <signature2>MEUCIQDexample==</signature2>\n" +
            "</dns>\n" +
            "<functionlist><change name=\"x\" value=\"1\"/></functionlist>\n";

        private static Dispatch Parse(byte[] body, bool show = false)
        {
            var err = DispatchDocument.TryParse(body, new DispatchParseOptions { ShowIdentifiers = show, Source = "test" }, out var d, out string msg);
            Assert.True(err == DispatchParseError.None, msg);
            return d!;
        }

        [Fact]
        public void ParsesEveryElementAndTheTrailingFunctionList()
        {
            var d = Parse(Encoding.UTF8.GetBytes(SampleXml), show: true);
            Assert.Equal(0, d.RetCode);
            Assert.Equal("203.0.113.77", d.ClientIp);
            Assert.Equal("4", d.IspId);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1763776800), d.Timestamp);
            Assert.Equal(new[] { "long.weixin.qq.com", "short.weixin.qq.com", "mmsns.qpic.cn" }, d.Domains.Select(x => x.Name));
            Assert.Equal(600, d.Domains[0].Ttl);
            Assert.Equal(new[] { "101.226.5.4", "180.163.10.11" }, d.Domains[0].Addresses.Select(a => a.Address));
            Assert.Equal(new[] { "major", "minor" }, d.Domains[2].Addresses.Select(a => a.Property));
            Assert.Equal("", d.Domains[0].Addresses[0].Property);
            Assert.Equal(new[] { "101.226.76.164", "14.17.42.18" }, d.Builtin);
            Assert.True(d.Signed);
            Assert.True(d.HasFunctionList);
            Assert.Equal("None", d.Compression);
            Assert.Empty(d.Warnings);
        }

        [Fact]
        public void ClientIpIsMaskedStablyByDefault()
        {
            var a = Parse(Encoding.UTF8.GetBytes(SampleXml));
            var b = Parse(Encoding.UTF8.GetBytes(SampleXml));
            var other = Parse(Encoding.UTF8.GetBytes(SampleXml.Replace("203.0.113.77", "203.0.113.78")));
            Assert.StartsWith("masked-", a.ClientIp);
            Assert.DoesNotContain("203.0.113", a.ClientIp);
            Assert.Equal(a.ClientIp, b.ClientIp);
            Assert.NotEqual(a.ClientIp, other.ClientIp);
        }

        [Fact]
        public void InflatesZlibAndRawDeflate()
        {
            byte[] xml = Encoding.UTF8.GetBytes(SampleXml);
            byte[] zlib = DispatchDocument.ZlibCompress(xml);
            Assert.Equal(new byte[] { 0x78, 0x9C }, zlib.Take(2).ToArray()); // 0: CMF deflate/32K, FLG check
            var z = Parse(zlib);
            Assert.Equal("Zlib", z.Compression);
            Assert.Equal(3, z.Domains.Length);
            var raw = Parse(DispatchDocument.RawDeflate(xml));
            Assert.Equal("RawDeflate", raw.Compression);
            Assert.Equal(xml.Length, raw.DocumentBytes);
        }

        [Fact]
        public void DtdWithEntityIsRefused()
        {
            string evil = "<?xml version=\"1.0\"?><!DOCTYPE dns [<!ENTITY x \"lol\"><!ENTITY y \"&x;&x;&x;&x;\">]><dns><retcode>&y;</retcode></dns>";
            var err = DispatchDocument.TryParse(Encoding.UTF8.GetBytes(evil), new DispatchParseOptions(), out var d, out string msg);
            Assert.Equal(DispatchParseError.DtdProhibited, err);
            Assert.Null(d);
            Assert.Contains("DTD", msg);
            string external = "<!DOCTYPE dns SYSTEM \"file:///etc/passwd\"><dns/>";
            Assert.Equal(DispatchParseError.DtdProhibited, DispatchDocument.TryParse(Encoding.UTF8.GetBytes(external), new DispatchParseOptions(), out _, out _));
        }

        [Fact]
        public void TruncatedOversizedAndForeignDocumentsAreRefused()
        {
            byte[] xml = Encoding.UTF8.GetBytes(SampleXml);
            Assert.Equal(DispatchParseError.MalformedXml, DispatchDocument.TryParse(xml.AsSpan(0, 200), new DispatchParseOptions(), out _, out _));
            byte[] zlib = DispatchDocument.ZlibCompress(xml);
            var truncated = DispatchDocument.TryParse(zlib.AsSpan(0, zlib.Length / 2), new DispatchParseOptions(), out _, out string m1);
            Assert.True(truncated == DispatchParseError.BadCompression || truncated == DispatchParseError.MalformedXml, m1);
            Assert.Equal(DispatchParseError.TooLarge, DispatchDocument.TryParse(xml, new DispatchParseOptions { MaxBytes = 100 }, out _, out _));
            // A deflate bomb: small compressed, huge inflated.
            byte[] bomb = DispatchDocument.ZlibCompress(Encoding.ASCII.GetBytes("<dns>" + new string(' ', 3 << 20) + "</dns>"));
            Assert.True(bomb.Length < 10000);
            Assert.Equal(DispatchParseError.TooLarge, DispatchDocument.TryParse(bomb, new DispatchParseOptions(), out _, out _));
            Assert.Equal(DispatchParseError.NotDispatch, DispatchDocument.TryParse(Encoding.UTF8.GetBytes("<html><body>502</body></html>"), new DispatchParseOptions(), out _, out _));
            Assert.Equal(DispatchParseError.Empty, DispatchDocument.TryParse(Array.Empty<byte>(), new DispatchParseOptions(), out _, out _));
            Assert.Equal(DispatchParseError.BadCompression, DispatchDocument.TryParse(new byte[] { 0xFF, 0xFE, 0x00, 0x01 }, new DispatchParseOptions(), out _, out _));
        }

        [Fact]
        public void LenientAboutUnknownElementsAndBadValues()
        {
            string xml = "<dns><retcode>-301</retcode><newthing>1</newthing><domainlist><domain name=\"a.weixin.qq.com\" timeout=\"soon\"><ip>not-an-ip</ip></domain><other/></domainlist></dns>";
            var d = Parse(Encoding.UTF8.GetBytes(xml));
            Assert.Equal(-301, d.RetCode);
            Assert.Equal(-1, d.Domains[0].Ttl);
            Assert.Equal("not-an-ip", d.Domains[0].Addresses[0].Address);
            Assert.Contains(d.Warnings, w => w.Contains("newthing"));
            Assert.Contains(d.Warnings, w => w.Contains("not an IP address"));
            Assert.Contains(d.Warnings, w => w.Contains("soon"));
            Assert.Equal("", d.ClientIp);
            Assert.False(d.HasFunctionList);
        }

        [Fact]
        public void MutatedDocumentsNeverThrow()
        {
            byte[] xml = Encoding.UTF8.GetBytes(SampleXml);
            byte[] zlib = DispatchDocument.ZlibCompress(xml);
            var rng = new Random(4);
            foreach (var seed in new[] { xml, zlib })
            {
                for (int i = 0; i < 3000; i++)
                {
                    var b = (byte[])seed.Clone();
                    for (int f = rng.Next(1, 4); f > 0; f--) b[rng.Next(b.Length)] = (byte)rng.Next(256);
                    int len = rng.Next(2) == 0 ? b.Length : rng.Next(b.Length);
                    DispatchDocument.TryParse(b.AsSpan(0, len), new DispatchParseOptions(), out _, out _);
                }
            }
        }

        [Fact]
        public void NewGetDnsRequestBuildsAndParsesTheQuery()
        {
            var r = NewGetDnsRequest.CreateAnonymous();
            string target = r.ToPathAndQuery();
            Assert.Equal("/cgi-bin/micromsg-bin/newgetdns?uin=0&clientversion=637927472&scene=0&net=1&md5=&devicetype=android-34&lan=en&sigver=2&lasteffecttime=0&xagreementid=0&networkid=&networkidctx=&mccmnc=", target);
            Assert.True(NewGetDnsRequest.TryParse("http://dns.weixin.qq.com" + target, out var back, out _));
            Assert.Equal(NewGetDnsRequest.KnownParameters, back!.Parameters.Select(p => p.Key));
            Assert.Equal(0x26060030u, back.ClientVersion);
            Assert.True(NewGetDnsRequest.TryParse("/cgi-bin/micromsg-bin/newgetdns?uin=123456789&md5=abc%20def&networkid=77&extra", out var captured, out _));
            Assert.Equal("abc def", captured!["md5"]);
            Assert.Equal("", captured["extra"]);
            var masked = captured.Masked();
            Assert.StartsWith("masked-", masked["uin"]);
            Assert.Equal(masked["uin"], captured.Masked()["uin"]);
            Assert.StartsWith("masked-", masked["networkid"]);
            Assert.False(NewGetDnsRequest.TryParse("/cgi-bin/micromsg-bin/newsync?x=1", out _, out string? err));
            Assert.Contains("newgetdns", err);
            Assert.True(NewGetDnsRequest.TryParseClientVersion("0x28003A30", out uint v) && v == 0x28003A30);
        }
    }
}
