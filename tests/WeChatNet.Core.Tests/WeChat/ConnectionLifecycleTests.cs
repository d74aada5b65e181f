using System;
using System.Linq;
using WeChatNet.Streams;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.WeChat
{
    public sealed class ConnectionLifecycleTests
    {
        private static byte[] Heartbeat => WeChatWireBuilder.Frame(LongLinkCommands.Heartbeat, LongLinkCommands.HeartbeatSequence);

        [Fact]
        public void IdleConnectionsAreReleasedWithTheirBufferedData()
        {
            var options = new WeChatDecodeOptions { Reassembly = new TcpReassemblyOptions { IdleTimeout = TimeSpan.FromMinutes(1) } };
            var h = new TrafficHarness(options);
            var idle = h.Connect("10.0.0.2", 50000, "10.9.9.9", 8080);
            idle.Client(Heartbeat);
            var hole = idle.ClientSeq + 10; // a segment after a hole stays buffered
            idle.Raw(true, hole, WeChatNet.Packets.TcpFlags.Ack, Heartbeat);
            Assert.Equal(16, h.Decoder.Budget.Used);
            h.Ticks += TimeSpan.FromMinutes(2).Ticks;
            var busy = h.Connect("10.0.0.3", 50001, "10.9.9.9", 8080);
            busy.Client(Heartbeat); // time moves on: the sweep releases the idle connection
            Assert.Equal(1, h.Decoder.OpenConnections);
            Assert.Equal(0, h.Decoder.Budget.Used);
            var events = h.Of<StreamEvent>().ToList();
            Assert.Contains(events, e => e.Event == "Gap" && e.Bytes == 10);
            Assert.Contains(events, e => e.Event == "Closed" && e.Reason.StartsWith("idle for 60 s"));
            Assert.Equal(3, h.Of<LongLinkFrame>().Count());
        }

        [Fact]
        public void TooManyConnectionsEvictTheLongestIdle()
        {
            var options = new WeChatDecodeOptions { Reassembly = new TcpReassemblyOptions { MaxConnections = 2 } };
            var h = new TrafficHarness(options);
            var a = h.Connect("10.0.0.2", 50000, "10.9.9.9", 8080);
            a.Client(Heartbeat);
            var b = h.Connect("10.0.0.3", 50000, "10.9.9.9", 8080);
            b.Client(Heartbeat);
            var c = h.Connect("10.0.0.4", 50000, "10.9.9.9", 8080);
            c.Client(Heartbeat);
            Assert.Equal(2, h.Decoder.OpenConnections);
            var closed = Assert.Single(h.Of<StreamEvent>());
            Assert.Contains("too many connections", closed.Reason);
            Assert.StartsWith("10.0.0.2:50000", closed.Connection);
        }

        [Fact]
        public void ConnectionSeenMidStreamTakesTheServiceSideAsServer()
        {
            var h = new TrafficHarness();
            var c = h.Connect("101.32.104.4", 8080, "192.168.1.20", 40000, handshake: false); // first packet seen is the server's
            c.Client(WeChatWireBuilder.Frame(LongLinkCommands.PushNotify, 0, new byte[4]));
            var f = Assert.Single(h.Of<LongLinkFrame>());
            Assert.Equal("ServerToClient", f.Direction);
            Assert.Equal("192.168.1.20:40000 -> 101.32.104.4:8080", f.Connection);
        }

        [Fact]
        public void CaptureStartingInsideAFrameResynchronisesAtTheNextSegment()
        {
            var h = new TrafficHarness();
            var c = h.Connect("10.0.0.2", 50000, "10.9.9.9", 8080, handshake: false);
            var sync = WeChatWireBuilder.Frame(LongLinkCommands.Sync, 1, new byte[100]);
            c.Client(sync.Skip(40).ToArray()); // tail of a frame whose start was not captured
            c.Client(Heartbeat);
            var f = Assert.Single(h.Of<LongLinkFrame>());
            Assert.Equal("Heartbeat", f.CommandName);
        }

        [Fact]
        public void NonWeChatTcpIsIgnoredQuietly()
        {
            var h = new TrafficHarness();
            var c = h.Connect("10.0.0.2", 50000, "10.9.9.9", 443);
            c.Client(TrafficHarness.Hex("16 03 01 00 30") .Concat(new byte[48]).ToArray()); // TLS, not MMTLS
            c.Server(TrafficHarness.Hex("16 03 03 00 30").Concat(new byte[48]).ToArray());
            c.Fin();
            Assert.Empty(h.Output);
        }

        [Fact]
        public void Ipv6ConnectionsAreTrackedAndNamed()
        {
            var h = new TrafficHarness();
            var c = h.Connect("2001:db8::20", 40000, "2402:4e00:1::4", 80);
            c.Client(System.Text.Encoding.ASCII.GetBytes("POST /mmtls/0000abcd HTTP/1.1\r\nHost: hkshort6.weixin.qq.com:80\r\nContent-Length: 0\r\n\r\n"));
            c.Server(System.Text.Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
            var x = Assert.Single(h.Of<ShortLinkExchange>());
            Assert.Equal("[2001:db8::20]:40000 -> [2402:4e00:1::4]:80", x.Connection);
            Assert.Equal(("hkshort6.weixin.qq.com", "ShortLink"), (x.Host, x.Role));
        }
    }
}
