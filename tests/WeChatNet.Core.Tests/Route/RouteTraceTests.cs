using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using WeChatNet.Route;
using WeChatNet.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace WeChatNet.Tests.Route
{
    /// <summary>Traces through real Linux routers in network namespaces (see <see cref="RouteTopology"/>).</summary>
    public sealed class RouteTraceTests
    {
        private readonly ITestOutputHelper _out;

        public RouteTraceTests(ITestOutputHelper output) => _out = output;

        private List<RouteHop> Trace(RouteTopology topo, RouteRequest request, Action<RouteProgress>? progress = null, CancellationToken ct = default)
        {
            var hops = NamespaceThread.Run(topo.Client, () => RouteTracer.Trace(request, progress, ct).ToList());
            foreach (var h in hops)
                _out.WriteLine($"{h.Hop,2} {string.Join(",", h.Addresses),-32} sent {h.Sent} recv {h.Received} loss {h.LossPercent}% best {h.BestMs} avg {h.AvgMs} {h.Reply} dest={h.IsDestination} {h.Note}");
            return hops;
        }

        private static void AssertPath(IReadOnlyList<RouteHop> hops, string[][] expected, int silentHop = 0)
        {
            Assert.Equal(expected.Length, hops.Count);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal(i + 1, hops[i].Hop);
                if (i + 1 == silentHop) continue;
                Assert.NotEmpty(hops[i].Addresses);
                Assert.All(hops[i].Addresses, a => Assert.Contains(a, expected[i]));
            }
            Assert.True(hops[^1].IsDestination);
            Assert.All(hops.Take(hops.Count - 1), h => Assert.False(h.IsDestination));
        }

        [Theory]
        [InlineData(RouteProtocol.Icmp, false)]
        [InlineData(RouteProtocol.Udp, false)]
        [InlineData(RouteProtocol.Tcp, false)]
        [InlineData(RouteProtocol.Icmp, true)]
        [InlineData(RouteProtocol.Udp, true)]
        [InlineData(RouteProtocol.Tcp, true)]
        public void HopAddressesEqualTheTopology(RouteProtocol protocol, bool ipv6)
        {
            using var topo = new RouteTopology("path");
            var hops = Trace(topo, new RouteRequest
            {
                Target = (ipv6 ? RouteTopology.Server6 : RouteTopology.Server4).ToString(),
                Protocol = protocol,
                IPv6 = ipv6,
                Count = 3,
                TimeoutMs = 1500,
            });
            AssertPath(hops, ipv6 ? RouteTopology.Hops6 : RouteTopology.Hops4);
            Assert.All(hops, h => Assert.Equal(3, h.Sent));
            Assert.All(hops, h => Assert.Equal(3, h.Received));
            // Without ECMP the path is r3a at hop 3.
            Assert.Equal(ipv6 ? "2001:db8:3::2" : "198.18.3.2", hops[2].Address);
        }
    }
}
