using System;
using System.Linq;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.WeChat
{
    public sealed class EndpointCatalogTests
    {
        private static readonly EndpointCatalog Catalog = EndpointCatalog.Default;

        private static Endpoint One(string name) => Assert.Single(Catalog.Endpoints, e => e.Name == name);

        // One case per row of wechat-wire-facts.md section 1 (a name the row lists, and what it must say).
        [Theory]
        [InlineData("dns.weixin.qq.com", "Dispatch", "Weixin", "Global", "Http")]
        [InlineData("long.weixin.qq.com", "LongLink", "Weixin", "Global", "Tcp")]
        [InlineData("short.weixin.qq.com", "ShortLink", "Weixin", "Global", "Http")]
        [InlineData("extshort.weixin.qq.com", "ShortLink", "Weixin", "Global", "Http")]
        [InlineData("minorshort.weixin.qq.com", "ShortLink", "Weixin", "Global", "Http")]
        [InlineData("szlong.weixin.qq.com", "LongLink", "Weixin", "Shenzhen", "Tcp")]
        [InlineData("szshort.weixin.qq.com", "ShortLink", "Weixin", "Shenzhen", "Http")]
        [InlineData("hkshort.weixin.qq.com", "ShortLink", "Weixin", "HongKong", "Http")]
        [InlineData("sh2tjlong.weixin.qq.com", "LongLink", "Weixin", "Tianjin", "Tcp")]
        [InlineData("szextshort.weixin.qq.com", "ShortLink", "Weixin", "Shenzhen", "Http")]
        [InlineData("hkminorshort.weixin.qq.com", "ShortLink", "Weixin", "HongKong", "Http")]
        [InlineData("sglong.wechat.com", "LongLink", "WeChat", "Singapore", "Tcp")]
        [InlineData("sgshort.wechat.com", "ShortLink", "WeChat", "Singapore", "Http")]
        [InlineData("hkshort6.weixin.qq.com", "ShortLink", "Weixin", "HongKong", "Http")]
        [InlineData("short.pay.weixin.qq.com", "Payment", "Weixin", "Global", "Http")]
        [InlineData("wx.qlogo.cn", "Media", "Weixin", "Global", "Http")]
        [InlineData("shp.qlogo.cn", "Media", "Weixin", "Shanghai", "Http")]
        [InlineData("thirdwx.qlogo.cn", "Media", "Weixin", "Global", "Http")]
        [InlineData("mmsns.qpic.cn", "Moments", "Weixin", "Global", "Http")]
        [InlineData("szmmsns.qpic.cn", "Moments", "Weixin", "Shenzhen", "Http")]
        [InlineData("shmmsns.qpic.cn", "Moments", "Weixin", "Shanghai", "Http")]
        [InlineData("cmmsns.qpic.cn", "Moments", "Weixin", "Global", "Http")]
        [InlineData("mmsns.qpic.wechatos.net", "Moments", "WeChat", "Global", "Http")]
        [InlineData("mmbiz.qpic.cn", "Media", "Weixin", "Global", "Https")]
        [InlineData("emoji.qpic.cn", "Media", "Weixin", "Global", "Https")]
        [InlineData("res.wx.qq.com", "Static", "Weixin", "Global", "Https")]
        [InlineData("web.wechat.com", "Web", "WeChat", "Global", "Https")]
        [InlineData("wx.qq.com", "Web", "Weixin", "Global", "Https")]
        [InlineData("wx2.qq.com", "Web", "Weixin", "Global", "Https")]
        [InlineData("webpush.web.wechat.com", "WebPush", "WeChat", "Global", "Https")]
        [InlineData("login.wx.qq.com", "WebLogin", "Weixin", "Global", "Https")]
        [InlineData("*wxsns.video.qq.com", "Video", "Weixin", "Global", "Http")]
        [InlineData("vweixinthumb.tc.qq.com", "Video", "Weixin", "Global", "Http")]
        [InlineData("support.weixin.qq.com", "Support", "Weixin", "Global", "Https")]
        [InlineData("dldir1.qq.com", "Download", "Weixin", "Global", "Https")]
        [InlineData("*.teg.tencent-cloud.net", "Other", "Weixin", "Global", "Https")]
        [InlineData("localhost.weixin.qq.com", "Other", "Weixin", "Global", "Tcp")]
        public void EveryFactsRowIsInTheCatalog(string name, string role, string family, string region, string transport)
        {
            var e = One(name);
            Assert.Equal(role, e.Role);
            Assert.Equal(family, e.Family);
            Assert.Equal(region, e.Region);
            Assert.Equal(transport, e.Transport);
            Assert.Equal(EndpointCatalog.TencentOperator, e.Operator);
            Assert.False(string.IsNullOrWhiteSpace(e.Description));
            Assert.Equal(family == "Weixin" ? "粤B2-20090059" : "", e.IcpLicence);
        }

        [Fact]
        public void LongLinkPortsFollowTheFacts()
        {
            Assert.Equal(new[] { 8080, 443, 80 }, One("long.weixin.qq.com").Ports);
            Assert.Equal(new[] { 80, 8080, 443 }, One("dns.weixin.qq.com").Ports);
            Assert.Equal(new[] { 80, 443 }, One("szshort.weixin.qq.com").Ports);
            Assert.Empty(One("localhost.weixin.qq.com").Ports);
        }

        [Fact]
        public void RegionVariantsAreGeneratedForEveryPrefix()
        {
            var longLinks = Catalog.Query(null, new[] { EndpointRole.LongLink }, new[] { EndpointFamily.Weixin }, null, out _).Select(e => e.Name).ToList();
            foreach (var prefix in new[] { "", "sz", "sh", "tj", "hk", "ca", "sg", "sh2tj", "sz2tj" })
                Assert.Contains(prefix + "long.weixin.qq.com", longLinks);
            Assert.Equal(9, longLinks.Count);
            var overseas = Catalog.Query(null, new[] { EndpointRole.LongLink }, new[] { EndpointFamily.WeChat }, null, out _).Select(e => e.Name).ToList();
            Assert.Equal(new[] { "long.wechat.com", "hklong.wechat.com", "calong.wechat.com", "sglong.wechat.com" }, overseas);
        }

        [Fact]
        public void EndpointsReturnedAreCopiesUsersCannotCorrupt()
        {
            var a = One("long.weixin.qq.com");
            a.Ports[0] = 1;
            Assert.Equal(8080, EndpointCatalog.Parse("dns.weixin.qq.com | Dispatch | Weixin | Global | 8080 | Http | d").Endpoints[0].Ports[0]);
            Assert.NotSame(One("long.weixin.qq.com").Ports, One("szlong.weixin.qq.com").Ports);
        }

        [Fact]
        public void QueryByWildcardRoleFamilyAndRegion()
        {
            var qpic = Catalog.Query(new[] { "*qpic*" }, null, null, null, out var missing);
            Assert.Empty(missing);
            Assert.Equal(new[] { "mmsns.qpic.cn", "szmmsns.qpic.cn", "shmmsns.qpic.cn", "cmmsns.qpic.cn", "mmsns.qpic.wechatos.net", "mmbiz.qpic.cn", "emoji.qpic.cn" },
                qpic.Select(e => e.Name));
            var sg = Catalog.Query(null, null, new[] { EndpointFamily.WeChat }, new[] { EndpointRegion.Singapore }, out _);
            Assert.Equal(new[] { "sglong.wechat.com", "sgshort.wechat.com" }, sg.Select(e => e.Name));
            var two = Catalog.Query(null, new[] { EndpointRole.Dispatch, EndpointRole.Support }, null, null, out _);
            Assert.Equal(new[] { "dns.weixin.qq.com", "support.weixin.qq.com" }, two.Select(e => e.Name));
        }

        [Fact]
        public void QueryByLiteralNames()
        {
            var r = Catalog.Query(new[] { "SZLONG.weixin.qq.com", "socwxsns.video.qq.com", "example.com", "szlong.weixin.qq.com" }, null, null, null, out var missing);
            Assert.Equal(new[] { "szlong.weixin.qq.com", "socwxsns.video.qq.com" }, r.Select(e => e.Name));
            Assert.Equal("Video", r[1].Role);
            Assert.Equal(new[] { "example.com" }, missing);
        }

        [Fact]
        public void QueryWithAWildcardThatMatchesNothingIsNotAnError()
        {
            var r = Catalog.Query(new[] { "*nothing-like-this*" }, null, null, null, out var missing);
            Assert.Empty(r);
            Assert.Empty(missing);
        }

        // The classifier on 40+ names: known, regional, wildcard rows, case and trailing dots, unknown and malformed.
        [Theory]
        [InlineData("szshort.weixin.qq.com", EndpointRole.ShortLink, EndpointFamily.Weixin, EndpointRegion.Shenzhen)]
        [InlineData("cmmsns.qpic.cn", EndpointRole.Moments, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("dns.weixin.qq.com", EndpointRole.Dispatch, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("DNS.WEIXIN.QQ.COM.", EndpointRole.Dispatch, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("long.weixin.qq.com", EndpointRole.LongLink, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("szlong.weixin.qq.com", EndpointRole.LongLink, EndpointFamily.Weixin, EndpointRegion.Shenzhen)]
        [InlineData("shlong.weixin.qq.com", EndpointRole.LongLink, EndpointFamily.Weixin, EndpointRegion.Shanghai)]
        [InlineData("tjlong.weixin.qq.com", EndpointRole.LongLink, EndpointFamily.Weixin, EndpointRegion.Tianjin)]
        [InlineData("hklong.weixin.qq.com", EndpointRole.LongLink, EndpointFamily.Weixin, EndpointRegion.HongKong)]
        [InlineData("calong.weixin.qq.com", EndpointRole.LongLink, EndpointFamily.Weixin, EndpointRegion.Canada)]
        [InlineData("sglong.weixin.qq.com", EndpointRole.LongLink, EndpointFamily.Weixin, EndpointRegion.Singapore)]
        [InlineData("sh2tjlong.weixin.qq.com", EndpointRole.LongLink, EndpointFamily.Weixin, EndpointRegion.Tianjin)]
        [InlineData("sz2tjlong.weixin.qq.com", EndpointRole.LongLink, EndpointFamily.Weixin, EndpointRegion.Tianjin)]
        [InlineData("short.weixin.qq.com", EndpointRole.ShortLink, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("hkshort.weixin.qq.com", EndpointRole.ShortLink, EndpointFamily.Weixin, EndpointRegion.HongKong)]
        [InlineData("szextshort.weixin.qq.com", EndpointRole.ShortLink, EndpointFamily.Weixin, EndpointRegion.Shenzhen)]
        [InlineData("hkminorshort.weixin.qq.com", EndpointRole.ShortLink, EndpointFamily.Weixin, EndpointRegion.HongKong)]
        [InlineData("hkshort6.weixin.qq.com", EndpointRole.ShortLink, EndpointFamily.Weixin, EndpointRegion.HongKong)]
        [InlineData("short.pay.weixin.qq.com", EndpointRole.Payment, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("szshort.pay.weixin.qq.com", EndpointRole.Payment, EndpointFamily.Weixin, EndpointRegion.Shenzhen)]
        [InlineData("long.wechat.com", EndpointRole.LongLink, EndpointFamily.WeChat, EndpointRegion.Global)]
        [InlineData("sglong.wechat.com", EndpointRole.LongLink, EndpointFamily.WeChat, EndpointRegion.Singapore)]
        [InlineData("sgshort.wechat.com", EndpointRole.ShortLink, EndpointFamily.WeChat, EndpointRegion.Singapore)]
        [InlineData("hkshort.wechat.com", EndpointRole.ShortLink, EndpointFamily.WeChat, EndpointRegion.HongKong)]
        [InlineData("wx.qlogo.cn", EndpointRole.Media, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("shp.qlogo.cn", EndpointRole.Media, EndpointFamily.Weixin, EndpointRegion.Shanghai)]
        [InlineData("thirdwx.qlogo.cn", EndpointRole.Media, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("mmsns.qpic.cn", EndpointRole.Moments, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("szmmsns.qpic.cn", EndpointRole.Moments, EndpointFamily.Weixin, EndpointRegion.Shenzhen)]
        [InlineData("mmsns.qpic.wechatos.net", EndpointRole.Moments, EndpointFamily.WeChat, EndpointRegion.Global)]
        [InlineData("mmbiz.qpic.cn", EndpointRole.Media, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("emoji.qpic.cn", EndpointRole.Media, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("res.wx.qq.com", EndpointRole.Static, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("Web.WeChat.com.", EndpointRole.Web, EndpointFamily.WeChat, EndpointRegion.Global)]
        [InlineData("webpush.wx2.qq.com", EndpointRole.WebPush, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("login.web.wechat.com", EndpointRole.WebLogin, EndpointFamily.WeChat, EndpointRegion.Global)]
        [InlineData("wxsns.video.qq.com", EndpointRole.Video, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("szwxsns.video.qq.com", EndpointRole.Video, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("socwxsns.video.qq.com", EndpointRole.Video, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("vweixinthumb.tc.qq.com", EndpointRole.Video, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("support.weixin.qq.com", EndpointRole.Support, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("dldir1.qq.com", EndpointRole.Download, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("apd-pcdnwxlogin.teg.tencent-cloud.net", EndpointRole.Other, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("localhost.weixin.qq.com", EndpointRole.Other, EndpointFamily.Weixin, EndpointRegion.Global)]
        [InlineData("  szLong.Weixin.QQ.com  ", EndpointRole.LongLink, EndpointFamily.Weixin, EndpointRegion.Shenzhen)]
        public void ClassifiesKnownNames(string name, EndpointRole role, EndpointFamily family, EndpointRegion region)
        {
            var c = Catalog.Classify(name);
            Assert.NotNull(c);
            Assert.Equal(role, c!.Role);
            Assert.Equal(family, c.Family);
            Assert.Equal(region, c.Region);
            Assert.Equal(name.Trim().TrimEnd('.').ToLowerInvariant(), c.Name);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData(".")]
        [InlineData("example.com")]
        [InlineData("weixin.qq.com")]
        [InlineData("qq.com")]
        [InlineData("xxlong.weixin.qq.com")]
        [InlineData("long.weixin.qq.com.evil.example")]
        [InlineData("evillong.weixin.qq.com")]
        [InlineData("teg.tencent-cloud.net")]
        [InlineData("wxsns.video.qq.com.example")]
        [InlineData("long..weixin.qq.com")]
        [InlineData("long.weixin.qq.com..")]
        [InlineData("lo ng.weixin.qq.com")]
        [InlineData("long.weixin.qq.com/cgi-bin")]
        [InlineData("szlong.weixin.qq.com:8080")]
        [InlineData("101.32.104.4")]
        [InlineData("[::1]")]
        [InlineData("ünïcode.weixin.qq.com")]
        public void UnknownAndMalformedNamesAreNull(string? name)
        {
            Assert.Null(Catalog.Classify(name));
        }

        [Fact]
        public void OverlongNamesAreNullNotExceptions()
        {
            string label64 = new string('a', 64);
            Assert.Null(Catalog.Classify(label64 + ".weixin.qq.com"));
            string long254 = string.Join(".", Enumerable.Repeat("abcdefghi", 26)) + ".weixin.qq.com";
            Assert.True(long254.Length > 253);
            Assert.Null(Catalog.Classify(long254));
        }

        [Theory]
        [InlineData("dns.weixin.qq.com | Dispatch | Weixin | Global | 80 | Http", "expected 7 columns")]
        [InlineData("dns.weixin.qq.com | Dispach | Weixin | Global | 80 | Http | d", "'Dispach' is not a EndpointRole")]
        [InlineData("dns.weixin.qq.com | Dispatch | Weixin | Global | 80x | Http | d", "'80x' is not a port number")]
        [InlineData("{r}long.weixin.qq.com | LongLink | Weixin | xx | 80 | Tcp | d", "region prefix 'xx' is not declared")]
        [InlineData("a.b | Other | Weixin | Global | 80 | Tcp | d\na.b | Other | Weixin | Global | 80 | Tcp | d", "line 2: 'a.b' is listed twice")]
        public void BadCatalogDataNamesTheLine(string text, string expected)
        {
            var e = Assert.Throws<FormatException>(() => EndpointCatalog.Parse(text));
            Assert.Contains(expected, e.Message);
        }
    }
}
