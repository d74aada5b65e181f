using System.Linq;
using WeChatNet.Analysis;
using Xunit;

namespace WeChatNet.Tests.Analysis
{
    public sealed class FlowSelectionTests
    {
        private static readonly Flow[] Flows =
        {
            new Flow { Id = 1, Protocol = "Tcp", Kind = "LongLink", Role = "LongLink" },
            new Flow { Id = 2, Protocol = "Udp", Kind = "Dns", Host = "sglong.wechat.com", HostSource = "DnsQuery" },
            new Flow { Id = 3, Protocol = "Tcp", Kind = "Other" },
            new Flow { Id = 4, Protocol = "Tcp", Kind = "Other", Owner = "Tencent" },
            new Flow { Id = 5, Protocol = "Tcp", Kind = "ShortLink", Role = "ShortLink" },
            new Flow { Id = 6, Protocol = "Udp", Kind = "Dns", Host = "time.google.com", HostSource = "DnsQuery" },
            new Flow { Id = 7, Protocol = "Udp", Kind = "Dns" },
            // A WeChat name makes the flow WeChat's although no address table knows the server.
            new Flow { Id = 8, Protocol = "Tcp", Kind = "Web", Host = "web.wechat.com", HostSource = "Sni", Role = "Web", Owner = null },
        };

        [Fact]
        public void ByDefaultOnlyWeChatFlowsAreShown() =>
            Assert.Equal(new[] { 1, 2, 4, 5, 8 }, FlowSelection.Select(Flows, null, null, all: false).Select(f => f.Id)); // DNS only for WeChat's names

        [Fact]
        public void AllShowsEverything() => Assert.Equal(8, FlowSelection.Select(Flows, null, null, all: true).Count());

        [Fact]
        public void RoleAndProtocolFilter()
        {
            Assert.Equal(new[] { 5 }, FlowSelection.Select(Flows, new[] { "ShortLink" }, null, false).Select(f => f.Id));
            Assert.Equal(new[] { 2 }, FlowSelection.Select(Flows, null, "udp", false).Select(f => f.Id));
        }

        [Fact]
        public void MinimumSeverityKeepsTheMoreSevere()
        {
            var findings = new[] { new Finding { Severity = "Info" }, new Finding { Severity = "Error" }, new Finding { Severity = "Warning" } };
            Assert.Equal(new[] { "Error", "Warning" }, FindingEngine.AtLeast(findings, "Warning").Select(f => f.Severity));
            Assert.Equal(3, FindingEngine.AtLeast(findings, "Info").Count());
            Assert.Single(FindingEngine.AtLeast(findings, "Error"));
        }
    }
}
