using System;
using System.Linq;
using WeChatNet.Tests.Packets;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.WeChat
{
    public sealed class TlsClientHelloTests
    {
        // A TLS 1.2 ClientHello record naming web.wechat.com, annotated by offset.
        private const string Hello =
            "16 0301 0046" +                 // 0: handshake record, TLS 1.0 record version, 70 bytes
            "01 000042" +                    // 5: ClientHello, 66 bytes
            "0303" +                         // 9: client_version TLS 1.2
            "0000000000000000000000000000000000000000000000000000000000000000" + // 11: random
            "00" +                           // 43: session id: none
            "0002 c02f" +                    // 44: one cipher suite
            "01 00" +                        // 48: compression: null
            "0017" +                         // 50: extensions, 23 bytes
            "0000 0013 0011 00 000e 7765622e7765636861742e636f6d"; // 52: server_name (19 bytes), list of 17, host_name (59: length 14) "web.wechat.com"

        [Fact]
        public void ReadsTheServerNameOfAByteLiteralClientHello()
        {
            var bytes = Hex.Bytes(Hello);
            Assert.Equal(bytes.Length, TlsClientHello.RecordLength(bytes));
            Assert.Equal("web.wechat.com", TlsClientHello.TryReadServerName(bytes, out var problem));
            Assert.Null(problem);
        }

        [Fact]
        public void TheBuilderRoundTrips() =>
            Assert.Equal("res.wx.qq.com", TlsClientHello.TryReadServerName(TlsClientHello.Build("res.wx.qq.com", new byte[32]), out _));

        [Fact]
        public void CutShortOrNotAHelloSaysWhy()
        {
            var bytes = Hex.Bytes(Hello);
            for (int n = 0; n < bytes.Length; n++)
            {
                var name = TlsClientHello.TryReadServerName(bytes.AsSpan(0, n), out var problem);
                Assert.Null(name);
            }
            var server = (byte[])bytes.Clone();
            server[5] = 0x02;
            Assert.Null(TlsClientHello.TryReadServerName(server, out var why));
            Assert.Contains("not a ClientHello", why);
            var overlong = (byte[])bytes.Clone();
            overlong[60] = 0x7F; // server name longer than its extension
            Assert.Null(TlsClientHello.TryReadServerName(overlong, out why));
            Assert.NotNull(why);
        }
    }
}
