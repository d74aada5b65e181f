using WeChatNet.Packets;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.WeChat
{
    public sealed class HostNamerTests
    {
        private static IpKey A(string s) { IpKey.TryParse(s, out var k); return k; }

        [Fact]
        public void TheAnswerUsedMostRecentlyBeforeConnectingNamesTheConnection()
        {
            var n = new HostNamer();
            n.AddResolved(A("43.130.30.241"), "sgshort.wechat.com", HostSources.Dns, 100);
            n.AddResolved(A("43.130.30.241"), "hkshort.wechat.com", HostSources.Dispatch, 300);
            Assert.Equal("sgshort.wechat.com", n.Lookup(A("43.130.30.241"), 200, out var s1));
            Assert.Equal(HostSources.Dns, s1);
            Assert.Equal("hkshort.wechat.com", n.Lookup(A("43.130.30.241"), 300, out var s2));
            Assert.Equal(HostSources.Dispatch, s2);
            // Named only after the connection opened: the earliest later name, rather than none.
            Assert.Equal("sgshort.wechat.com", n.Lookup(A("43.130.30.241"), 50, out _));
        }

        [Fact]
        public void ANameResolvedAgainLaterStillNamesTheConnectionsBetween()
        {
            // Long and short links share addresses: the client resolves szlong, then szshort and connects, then resolves
            // szshort again (each request of curl or the app does). The connection between the two szshort answers used
            // szshort, not the szlong answer before it (seen in a real capture: four refused short-link connects were named
            // szlong and grouped as long links).
            var n = new HostNamer();
            n.AddResolved(A("10.78.2.2"), "szlong.weixin.qq.com", HostSources.Dns, 100);
            n.AddResolved(A("10.78.2.2"), "szshort.weixin.qq.com", HostSources.Dns, 200);
            n.AddResolved(A("10.78.2.2"), "szshort.weixin.qq.com", HostSources.Dns, 300);
            Assert.Equal("szlong.weixin.qq.com", n.Lookup(A("10.78.2.2"), 150, out _));
            Assert.Equal("szshort.weixin.qq.com", n.Lookup(A("10.78.2.2"), 250, out var source));
            Assert.Equal(HostSources.Dns, source);
            Assert.Equal("szshort.weixin.qq.com", n.Lookup(A("10.78.2.2"), 350, out _));
        }

        [Fact]
        public void RepeatedAnswersAreFoldedSoEarlierNamesAreKept()
        {
            var n = new HostNamer();
            n.AddResolved(A("10.78.2.2"), "szlong.weixin.qq.com", HostSources.Dns, 100);
            for (int i = 0; i < 1000; i++)
            {
                // One answer naming the address twice (a CNAME and its target), asked every few seconds.
                n.AddResolved(A("10.78.2.2"), "szshort.cdn.example", HostSources.Dns, 200 + i * 10);
                n.AddResolved(A("10.78.2.2"), "szshort.weixin.qq.com", HostSources.Dns, 200 + i * 10);
            }
            Assert.Equal("szlong.weixin.qq.com", n.Lookup(A("10.78.2.2"), 150, out _));
            Assert.Equal("szshort.weixin.qq.com", n.Lookup(A("10.78.2.2"), 5000, out _));
        }

        [Fact]
        public void SeveralNamesInOneAnswerTheCatalogsNameWins()
        {
            var n = new HostNamer();
            n.AddResolved(A("43.130.30.241"), "sgshort.wechat.com", HostSources.Dispatch, 100);
            n.AddResolved(A("43.130.30.241"), "sgaxshort.wechat.com", HostSources.Dispatch, 100);
            Assert.Equal("sgshort.wechat.com", n.Lookup(A("43.130.30.241"), 500, out _));
        }

        [Theory]
        [InlineData("sgshort.wechat.com:80", "sgshort.wechat.com")]
        [InlineData("SGShort.WeChat.com.", "sgshort.wechat.com")]
        [InlineData("43.130.30.241", "")]
        [InlineData("43.130.30.241:8080", "")]
        [InlineData("[2402:4e00::1]:80", "")]
        public void AHostHeaderNamesAHostNotAnAddress(string header, string expected) => Assert.Equal(expected, HostNamer.HttpHostName(header));
    }
}
