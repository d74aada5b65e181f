using System;
using Xunit;

namespace WeChatNet.Tests.Dns
{
    public sealed class DnsAnswerRegionTests
    {
        [Fact]
        public void EveryAddressCarriesItsRegionAndOwner()
        {
            var a = new DnsAnswer("sglong.wechat.com", "A", "127.0.0.1:53", "Custom", "Dns", "Udp", "Ok", Array.Empty<string>(),
                new[] { "101.32.104.4", "183.3.224.139", "192.168.1.1", "not-an-address" }, Array.Empty<string>(), 60, 1, "", -1, "NoError", 1, 0, "");
            Assert.Equal(new[] { "Overseas", "MainlandChina", "Private", "Unknown" }, a.AddressRegions);
            Assert.Equal(new[] { "Tencent", "", "", "" }, a.AddressOwners);
        }
    }
}
