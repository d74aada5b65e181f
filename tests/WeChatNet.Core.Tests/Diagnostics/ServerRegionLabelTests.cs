using System.Linq;
using WeChatNet.Dns;
using Xunit;
using WeChatNet.Diagnostics;
using WeChatNet.Resolution;

namespace WeChatNet.Tests.Diagnostics
{
    /// <summary>-Server "Mainland=..." / "Overseas=..." labels a hand-given resolver's region (Resolve-WeChatDomain and Invoke-WeChatDiagnostic).</summary>
    public sealed class ServerRegionLabelTests
    {
        [Fact]
        public void RegionPrefixesLabelServersAndAnythingElseStaysCustomOrIsRejected()
        {
            var plan = ResolvePlan.Create(new ResolveSettings
            {
                Names = new[] { "long.weixin.qq.com" },
                Servers = new[] { "Mainland=127.0.0.1:5353", "overseas=[::1]:53", "Overseas=https://127.0.0.1:8443/dns-query?x=1", "127.0.0.2", "Moon=127.0.0.3", "System=127.0.0.4" },
            });
            Assert.Equal(new[] { "127.0.0.1:5353 Mainland", "::1 Overseas", "https://127.0.0.1:8443/dns-query?x=1 Overseas", "127.0.0.2 Custom" },
                plan.Request.Servers.Select(s => $"{s} {s.Region}"));
            // Unknown labels, and System (which means this machine's own resolvers), are not labels: the text is no server.
            Assert.Equal(new[] { "Moon=127.0.0.3", "System=127.0.0.4" }, plan.Problems.Where(p => p.ErrorId == "DnsServerInvalid").Select(p => p.Target));
            // A DoH URL whose query holds '=' is not mistaken for a label.
            var doh = ResolvePlan.Create(new ResolveSettings { Names = new[] { "a.example" }, Servers = new[] { "https://127.0.0.1/dns-query?a=b" } });
            Assert.Equal("Custom", Assert.Single(doh.Request.Servers).Region);
        }
    }
}
