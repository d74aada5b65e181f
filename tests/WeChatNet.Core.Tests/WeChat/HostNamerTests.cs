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
