using System.Collections.Generic;
using System.Linq;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.Analysis
{
    /// <summary>
    /// Every scripted conversation of <see cref="Scenarios"/>, written to a pcapng and read by tshark: tshark's
    /// retransmission, out-of-order, spurious, duplicate-ACK, zero-window, keep-alive and reset flags and its frame and
    /// byte counts per direction equal our flow's counters.
    /// </summary>
    public sealed class ScenarioTsharkTests
    {
        public static IEnumerable<object[]> Names => Scenarios.Names.Select(n => new object[] { n });

        [Theory]
        [MemberData(nameof(Names))]
        public void ScenarioCountersEqualTshark(string scenario)
        {
            using var dir = new TempDirectory("scenario-" + scenario);
            string path = dir.File(scenario + ".pcapng");
            Scenarios.ByName(scenario).WritePcapNg(path);
            TsharkConversations.AssertFlowsMatch(path);
        }
    }
}
