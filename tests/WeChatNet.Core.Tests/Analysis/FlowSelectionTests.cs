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
            new Flow { Id = 2, Protocol = "Udp", Kind = "Dns" },
            new Flow { Id = 3, Protocol = "Tcp", Kind = "Other" },
            new Flow { Id = 4, Protocol = "Tcp", Kind = "Other", Owner = "Tencent" },
            new Flow { Id = 5, Protocol = "Tcp", Kind = "ShortLink", Role = "ShortLink" },
        };

        [Fact]
        public void ByDefaultOnlyWeChatFlowsAreShown() =>
            Assert.Equal(new[] { 1, 2, 4, 5 }, FlowSelection.Select(Flows, null, null, all: false).Select(f => f.Id));

        [Fact]
        public void AllShowsEverything() => Assert.Equal(5, FlowSelection.Select(Flows, null, null, all: true).Count());

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
