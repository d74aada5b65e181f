using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using WeChatNet.Route;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.Route
{
    /// <summary>Targets and settings; names resolve through the injected resolver (tests never ask a real DNS server).</summary>
    public sealed class RouteRequestTests
    {
        private static Func<string, CancellationToken, Task<IPAddress[]>> Fixed(params string[] addresses) =>
            (name, ct) => Task.FromResult(Array.ConvertAll(addresses, IPAddress.Parse));

        [Fact]
        public void TheDefaultTargetIsTheLongLinkHostAndDefaultsFollowTheCmdlet()
        {
            var r = new RouteRequest();
            Assert.Equal("long.weixin.qq.com", r.Target);
            Assert.Equal(EndpointRole.LongLink, EndpointCatalog.Default.Classify(r.Target)!.Role);
            Assert.Equal(RouteProtocol.Icmp, r.Protocol);
            Assert.Equal((30, 3, 2000), (r.MaxHops, r.Count, r.TimeoutMs));
            Assert.Equal(0, r.EffectivePort);
            Assert.Equal(8080, new RouteRequest { Protocol = RouteProtocol.Tcp }.EffectivePort);
            Assert.Equal(33434, new RouteRequest { Protocol = RouteProtocol.Udp }.EffectivePort);
            Assert.Equal(443, new RouteRequest { Protocol = RouteProtocol.Tcp, Port = 443 }.EffectivePort);
            Assert.Equal(50, r.EffectiveIntervalMs);
            Assert.Equal(1000, new RouteRequest { Count = 10 }.EffectiveIntervalMs);
            Assert.Equal(0, new RouteRequest { Count = 10, IntervalMs = 0 }.EffectiveIntervalMs);
        }

        [Fact]
        public void ANameResolvesToTheAddressOfTheRequestedFamily()
        {
            var resolver = Fixed("2001:db8::5", "198.18.9.9");
            Assert.Equal("198.18.9.9", RouteTracer.ResolveTarget(new RouteRequest { Target = "long.test", TargetResolver = resolver }, default).ToString());
            Assert.Equal("2001:db8::5", RouteTracer.ResolveTarget(new RouteRequest { Target = "long.test", IPv6 = true, TargetResolver = resolver }, default).ToString());
            // Literals are not looked up.
            Assert.Equal("198.18.1.1", RouteTracer.ResolveTarget(new RouteRequest { Target = "198.18.1.1", TargetResolver = (n, c) => throw new InvalidOperationException("no lookup for a literal") }, default).ToString());
            Assert.Equal("2001:db8::1", RouteTracer.ResolveTarget(new RouteRequest { Target = "[2001:db8::1]" }, default).ToString());
        }

        [Fact]
        public void AMissingFamilyOrAFailedLookupIsAClearError()
        {
            var v4only = new RouteRequest { Target = "long.test", IPv6 = true, TargetResolver = Fixed("198.18.9.9") };
            var e = Assert.Throws<RouteException>(() => RouteTracer.ResolveTarget(v4only, default));
            Assert.Equal(RouteException.NoAddressOfFamily, e.ErrorId);
            Assert.Contains("leave out -IPv6", e.Message);

            e = Assert.Throws<RouteException>(() => RouteTracer.ResolveTarget(new RouteRequest { Target = "198.18.1.1", IPv6 = true }, default));
            Assert.Equal(RouteException.NoAddressOfFamily, e.ErrorId);

            var failing = new RouteRequest { Target = "nowhere.test", TargetResolver = (n, c) => Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)) };
            e = Assert.Throws<RouteException>(() => RouteTracer.ResolveTarget(failing, default));
            Assert.Equal(RouteException.TargetNotResolved, e.ErrorId);
            Assert.Contains("nowhere.test", e.Message);
        }

        [Fact]
        public void AMalformedNameIsRefusedWithoutAskingTheResolver()
        {
            int asked = 0;
            var bad = new RouteRequest { Target = "not valid name!", TargetResolver = (n, c) => { asked++; return Task.FromResult(new[] { IPAddress.Parse("198.18.9.9") }); } };
            var e = Assert.Throws<RouteException>(() => RouteTracer.ResolveTarget(bad, default));
            Assert.Equal(RouteException.TargetNotResolved, e.ErrorId);
            Assert.Equal("'not valid name!' is neither an IP address nor a host name: character ' ' at position 3 is not allowed in a host name.", e.Message);
            Assert.Equal(0, asked);
        }

        [Theory]
        [InlineData(0, 3, 2000)]
        [InlineData(256, 3, 2000)]
        [InlineData(30, 0, 2000)]
        [InlineData(30, 3, 0)]
        [InlineData(255, 1000, 2000)]
        public void SettingsOutOfRangeAreRefusedBeforeAnyProbe(int maxHops, int count, int timeout)
        {
            var r = new RouteRequest { Target = "198.18.1.1", MaxHops = maxHops, Count = count, TimeoutMs = timeout };
            Assert.ThrowsAny<ArgumentException>(() => RouteTracer.Trace(r));
        }

        [Theory]
        [InlineData(RouteProtocol.Tcp, "-Protocol")]
        [InlineData(RouteProtocol.Udp, "-Protocol")]
        [InlineData(RouteProtocol.Tcp, "-TraceProtocol")]
        public void MessagesNameTheProtocolParameterOfTheCmdletThatAsked(RouteProtocol protocol, string parameter)
        {
            // Get-WeChatRoute calls it -Protocol, Invoke-WeChatDiagnostic -TraceProtocol: advice must name what the user can type.
            string windows = IcmpHelperTransport.UnsupportedProtocolMessage(protocol, parameter);
            Assert.StartsWith($"{parameter} {protocol} is not available on Windows: ", windows);
            Assert.Contains($"Trace with {parameter} Icmp (the default)", windows);
            string privilege = ProbeSockets.PrivilegeMessage(RouteProtocol.Icmp, parameter);
            Assert.StartsWith($"Tracing with {parameter} Icmp sends raw IP packets", privilege);
            if (parameter != "-Protocol")
            {
                Assert.DoesNotContain("-Protocol ", windows);
                Assert.DoesNotContain("-Protocol ", privilege);
            }
        }
    }
}
