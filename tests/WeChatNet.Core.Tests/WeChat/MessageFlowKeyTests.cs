using System;
using System.Collections.Generic;
using System.Linq;
using WeChatNet.Packets;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.WeChat
{
    /// <summary>
    /// Messages carry their connection as a typed key (docs/architecture.md): every decoded message of every sample
    /// with a connection has one, one key stands for exactly one Connection text and back, and the key is the same
    /// from either end.
    /// </summary>
    public sealed class MessageFlowKeyTests
    {
        private static (FlowKey? Flow, string Connection)? KeyOf(object o) => o switch
        {
            WeChatMessage m => (m.Flow, m.Connection),
            Dispatch d => (d.Flow, d.Connection),
            _ => null,
        };

        [Theory]
        [MemberData(nameof(SampleCaptureTests.Samples), MemberType = typeof(SampleCaptureTests))]
        public void EveryMessageWithAConnectionCarriesItsKey(string name)
        {
            var output = SampleCaptureTests.Decode(SampleCaptureGenerator.Generate(name).File);
            var keyed = output.Select(KeyOf).Where(k => k.HasValue).Select(k => k!.Value).ToList();
            Assert.NotEmpty(keyed);
            foreach (var (flow, connection) in keyed)
                Assert.True(flow.HasValue == (connection.Length > 0), $"{name}: Connection '{connection}' with key {(flow.HasValue ? "set" : "missing")}");
            var withKey = keyed.Where(k => k.Flow.HasValue).ToList();
            foreach (var g in withKey.GroupBy(k => k.Flow!.Value))
                Assert.Single(g.Select(k => k.Connection).Distinct());
            foreach (var g in withKey.GroupBy(k => k.Connection))
                Assert.Single(g.Select(k => k.Flow!.Value).Distinct());
        }

        [Fact]
        public void TheKeyIsTheSameFromEitherEnd()
        {
            Assert.True(IpKey.TryParse("192.168.1.20", out var client));
            Assert.True(IpKey.TryParse("101.32.104.4", out var server));
            Assert.Equal(new FlowKey(client, 40000, server, 8080), new FlowKey(server, 8080, client, 40000));
            Assert.NotEqual(new FlowKey(client, 40000, server, 8080), new FlowKey(client, 40001, server, 8080));
            Assert.Equal("192.168.1.20:40000 -> 101.32.104.4:8080", WeChatMessage.ConnectionText(client, 40000, server, 8080));
        }
    }
}
