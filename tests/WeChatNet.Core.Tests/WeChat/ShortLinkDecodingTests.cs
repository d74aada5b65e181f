using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net;
using System.Text;
using WeChatNet.Dns;
using WeChatNet.Packets;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.WeChat
{
    public sealed class ShortLinkDecodingTests
    {
        private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);
        private static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

        // wechat-wire-facts.md section 3: the newgetdns request, exactly as the facts spell it (values filled in).
        private const string NewGetDnsTarget =
            "/cgi-bin/micromsg-bin/newgetdns?uin=1234567890&clientversion=0x26060030&scene=0&net=1&md5=0123456789abcdef0123456789abcdef"
            + "&devicetype=android-34&lan=en&sigver=2&lasteffecttime=1763776000&xagreementid=0&networkid=4242&networkidctx=99ctx&mccmnc=";

        private static byte[] NewGetDnsRequest() => Ascii(
            "GET " + NewGetDnsTarget + " HTTP/1.0\r\nHost: dns.weixin.qq.com\r\nUser-Agent: MicroMessenger Client\r\nConnection: close\r\n\r\n");

        private static byte[] DeflatedResponse(byte[] body, string encoding = "deflate") => Cat(Ascii(
            $"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\nContent-Encoding: {encoding}\r\nContent-Length: {body.Length}\r\n\r\n"), body);

        private static byte[] Zlib(byte[] data) => DispatchDocument.ZlibCompress(data);
        private static byte[] Raw(byte[] data) => DispatchDocument.RawDeflate(data);
        private static byte[] Gzip(byte[] data)
        {
            var ms = new MemoryStream();
            using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data, 0, data.Length);
            return ms.ToArray();
        }

        [Theory]
        [InlineData("zlib")]
        [InlineData("raw")]
        public void DispatchOverHttpIsDecodedAndNamesLaterConnections(string flavour)
        {
            var xml = Encoding.UTF8.GetBytes(DispatchDocumentTests.SampleXml);
            var body = flavour == "zlib" ? Zlib(xml) : Raw(xml);
            var h = new TrafficHarness();
            var c = h.Connect("192.168.1.20", 40001, "203.205.1.1", 80);
            c.Client(NewGetDnsRequest());
            c.Server(DeflatedResponse(body), 10, 30);
            c.Fin();
            // later long link to an address the dispatch document gave for long.weixin.qq.com
            var l = h.Connect("192.168.1.20", 40002, "180.163.10.11", 8080);
            l.Client(WeChatWireBuilder.Frame(6, 0xFFFFFFFF));

            var d = Assert.Single(h.Of<Dispatch>());
            Assert.Equal(3, d.Domains.Length);
            Assert.Equal(flavour == "zlib" ? "Zlib" : "RawDeflate", d.Compression);
            Assert.StartsWith("masked-", d.ClientIp);
            Assert.Equal("dns.weixin.qq.com", d.Host);
            Assert.Equal("Dispatch", d.Role);
            Assert.Equal("Dispatch", d.Kind);
            Assert.Equal("ServerToClient", d.Direction);
            Assert.Equal("192.168.1.20:40001 -> 203.205.1.1:80", d.Connection);
            Assert.Contains("devicetype=android-34", d.RequestParameters);
            Assert.DoesNotContain(d.RequestParameters, p => p.Contains("1234567890") || p.Contains("4242") || p.Contains("0123456789abcdef"));

            var x = Assert.Single(h.Of<ShortLinkExchange>());
            Assert.Equal(("GET", "newgetdns", 200, "deflate", "Dispatch"), (x.Method, x.CgiName, x.StatusCode!.Value, x.ContentEncoding, x.Role));
            Assert.Equal(xml.Length, x.ResponseDecodedLength);
            Assert.Equal(body.Length, x.ResponseBodyLength);
            Assert.DoesNotContain("1234567890", x.Path);
            Assert.Contains("uin=masked-", x.Path);
            Assert.Equal("", x.Problem);
            Assert.Equal(3.0, x.DurationMs); // request segment at t, response pieces at t+1..t+3 (the harness steps 1 ms)

            var frame = Assert.Single(h.Of<LongLinkFrame>());
            Assert.Equal("long.weixin.qq.com", frame.Host);
            Assert.Equal("LongLink", frame.Role);
        }

        [Fact]
        public void AResponseWhoseMiddleWasSkippedDoesNotSayItsFirstBytesWereNotCaptured()
        {
            // Seen on a real capture of a 2 MB download over a lossy 40 ms path: the response head arrived, a segment of the
            // body was lost before the capture point and sent again only after more than the 256 KiB the reassembly holds
            // out of order, so the stream skipped the hole. The exchange said "its first 50680 bytes were not captured"
            // although its first bytes (the status line and headers) were in the capture.
            const int bodyLength = 400_000, mss = 1400;
            var h = new TrafficHarness();
            var c = h.Connect("192.168.1.20", 40001, "101.226.5.9", 80);
            c.Client(Ascii("GET /mmsns/abc/0 HTTP/1.1\r\nHost: mmsns.qpic.cn\r\nUser-Agent: MicroMessenger Client\r\n\r\n"));
            var response = Cat(Ascii($"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: {bodyLength}\r\n\r\n"), new byte[bodyLength]);
            uint start = c.ServerSeq;
            int lost = 3 * mss;
            for (int off = 0; off < response.Length; off += mss)
                if (off != lost) c.Raw(false, start + (uint)off, TcpFlags.Ack, response, off, Math.Min(mss, response.Length - off));
            c.Raw(false, start + (uint)lost, TcpFlags.Ack, response, lost, mss); // sent again, too late for the reassembly
            c.ServerSeq = start + (uint)response.Length;
            c.Fin();
            var x = Assert.Single(h.Of<ShortLinkExchange>());
            Assert.DoesNotContain("first", x.Problem);
            Assert.Contains("inside it were skipped", x.Problem);
        }

        [Fact]
        public void ShowIdentifiersShowsThem()
        {
            var h = new TrafficHarness(new WeChatDecodeOptions { ShowIdentifiers = true });
            var c = h.Connect("192.168.1.20", 40001, "203.205.1.1", 80);
            c.Client(NewGetDnsRequest());
            c.Server(DeflatedResponse(Zlib(Encoding.UTF8.GetBytes(DispatchDocumentTests.SampleXml))));
            Assert.Equal("203.0.113.77", h.Of<Dispatch>().Single().ClientIp);
            Assert.Equal(NewGetDnsTarget, h.Of<ShortLinkExchange>().Single().Path);
            Assert.Contains("uin=1234567890", h.Of<Dispatch>().Single().RequestParameters);
        }

        [Fact]
        public void MaskingIsStableWithinARun()
        {
            var m = new IdentifierMasker(false);
            string a = m.MaskTarget("/cgi-bin/micromsg-bin/newgetdns?uin=42&md5=ab&net=1");
            string b = m.MaskTarget("/cgi-bin/micromsg-bin/newgetdns?net=1&uin=42");
            Assert.Equal(a.Split('&')[0], b.Split('&')[1].Insert(0, "/cgi-bin/micromsg-bin/newgetdns?"));
            Assert.Contains("net=1", a);
            Assert.Equal("/mmhead/" + IdentifierMask.Mask("avatar", "Q3auHgzwzM4") + "/132", m.MaskTarget("/mmhead/Q3auHgzwzM4/132"));
            Assert.Equal("/x?uin=0", m.MaskTarget("/x?uin=0")); // anonymous uin is not personal
        }

        [Fact]
        public void GzipAndChunkedResponsesAreUndone()
        {
            var payload = Encoding.UTF8.GetBytes(new string('x', 5000));
            var gz = Gzip(payload);
            var chunked = Cat(Ascii($"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n{10:x}\r\n"), gz.Take(10).ToArray(),
                Ascii($"\r\n{gz.Length - 10:x};ext=1\r\n"), gz.Skip(10).ToArray(), Ascii("\r\n0\r\nX-Trailer: 1\r\n\r\n"));
            for (int split = 1; split < chunked.Length; split += 13)
            {
                var h = new TrafficHarness();
                var c = h.Connect("10.0.0.2", 50000, "10.9.9.9", 80);
                c.Client(Ascii("POST /cgi-bin/micromsg-bin/newsendmsg HTTP/1.1\r\nHost: szshort.weixin.qq.com\r\nContent-Length: 3\r\n\r\nabc"));
                c.Server(chunked, split);
                var x = Assert.Single(h.Of<ShortLinkExchange>());
                Assert.Equal(("newsendmsg", 522, 200, 5000L, (long)gz.Length, 3L), (x.CgiName, x.RequestType!.Value, x.StatusCode!.Value, x.ResponseDecodedLength, x.ResponseBodyLength, x.RequestBodyLength));
                Assert.Equal("szshort.weixin.qq.com", x.Host);
                Assert.Equal("ShortLink", x.Role);
            }
        }

        [Fact]
        public void MmtlsShortLinkBodiesAreReadAsRecords()
        {
            var hello = WeChatWireBuilder.ClientHello(new ushort[] { 0x00A8 }, new byte[32], 1763776800, new[] { ((ushort)0x000F, new byte[8]) });
            var body = Cat(WeChatWireBuilder.Record(0x19, hello), WeChatWireBuilder.Record(0x19, new byte[40]),
                WeChatWireBuilder.Record(0x17, new byte[120]), WeChatWireBuilder.Record(0x15, new byte[2]));
            var request = Cat(Ascii("POST /mmtls/1a2b3c4d HTTP/1.1\r\nHost: hkshort.weixin.qq.com\r\nUpgrade: mmtls\r\nUser-Agent: MicroMessenger Client\r\n"
                + $"Content-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), body);
            var respBody = Cat(WeChatWireBuilder.Record(0x16, new byte[60]), WeChatWireBuilder.Record(0x17, new byte[200]));
            var response = Cat(Ascii($"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {respBody.Length}\r\n\r\n"), respBody);
            var h = new TrafficHarness();
            var c = h.Connect("10.0.0.2", 50000, "43.130.1.1", 80);
            c.Client(request, 100);
            c.Server(response);
            var x = Assert.Single(h.Of<ShortLinkExchange>());
            Assert.True(x.IsMmtls);
            Assert.Equal(("", 4, 2), (x.CgiName, x.RequestRecordCount, x.ResponseRecordCount));
            Assert.Equal("hkshort.weixin.qq.com", x.Host);
            var recs = h.Of<MmtlsRecord>().ToList();
            Assert.Equal(6, recs.Count);
            Assert.All(recs, r => Assert.Equal("ShortLink", r.Carrier));
            Assert.Equal("EarlyDataHandshake", recs[0].ContentType);
            Assert.Equal("ClientHello", recs[0].HandshakeType);
            Assert.Equal(new[] { "PskTicket" }, recs[0].ExtensionTypes);
            Assert.Equal(new[] { "ClientToServer", "ClientToServer", "ClientToServer", "ClientToServer", "ServerToClient", "ServerToClient" }, recs.Select(r => r.Direction));
            Assert.Equal("Alert", recs[3].ContentType);
        }

        [Fact]
        public void LegacyCgiPathsMapToRequestTypes()
        {
            ShortLinkCgi.Classify("/cgi-bin/micromsg-bin/manualauth", out _, out bool mmtls, out string cgi);
            Assert.False(mmtls);
            Assert.Equal(701, ShortLinkCgi.RequestType(cgi));
            Assert.Equal(6238, ShortLinkCgi.RequestType("getnetworkinfo"));
            Assert.Null(ShortLinkCgi.RequestType("verifyuser"));
            ShortLinkCgi.Classify("/mmtls/0000beef", out _, out mmtls, out _);
            Assert.True(mmtls);
            ShortLinkCgi.Classify("/mmtls/not-hex", out _, out mmtls, out _);
            Assert.False(mmtls);
        }

        [Fact]
        public void NonWeChatHttpIsNotReported()
        {
            var h = new TrafficHarness();
            var c = h.Connect("10.0.0.2", 50000, "10.9.9.9", 80);
            c.Client(Ascii("GET /index.html HTTP/1.1\r\nHost: example.org\r\n\r\n"));
            c.Server(Ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"));
            Assert.Empty(h.Output);
        }

        [Fact]
        public void UnansweredRequestIsReportedWhenTheConnectionEnds()
        {
            var h = new TrafficHarness();
            var c = h.Connect("10.0.0.2", 50000, "10.9.9.9", 80);
            c.Client(Ascii("POST /mmtls/00000001 HTTP/1.1\r\nHost: short.weixin.qq.com\r\nContent-Length: 0\r\n\r\n"));
            c.Fin();
            var x = Assert.Single(h.Of<ShortLinkExchange>());
            Assert.Null(x.StatusCode);
            Assert.Contains("no response", x.Problem);
            Assert.Contains("no response", x.Summary);
        }

        [Fact]
        public void ResponseReadUntilCloseAndHostHeaderNamesTheServer()
        {
            var h = new TrafficHarness();
            var c = h.Connect("10.0.0.2", 50000, "10.9.9.9", 80);
            c.Client(Ascii("GET /mmhead/abcDEF/0 HTTP/1.0\r\nHost: wx.qlogo.cn\r\n\r\n"));
            c.Server(Ascii("HTTP/1.0 200 OK\r\nContent-Type: image/jpeg\r\n\r\n0123456789"));
            c.Fin();
            var x = Assert.Single(h.Of<ShortLinkExchange>());
            Assert.Equal(10, x.ResponseBodyLength);
            Assert.Equal("wx.qlogo.cn", x.Host);
            Assert.Equal("Media", x.Role);
            Assert.DoesNotContain("abcDEF", x.Path);
        }

        [Fact]
        public void CorruptDeflateIsAProblemNotACrash()
        {
            var h = new TrafficHarness();
            var c = h.Connect("192.168.1.20", 40001, "203.205.1.1", 80);
            c.Client(NewGetDnsRequest());
            c.Server(DeflatedResponse(new byte[] { 0x78, 0x9C, 0xFF, 0xFF, 0x00, 0x01 }));
            var x = Assert.Single(h.Of<ShortLinkExchange>());
            Assert.Contains("corrupt", x.Problem);
            Assert.Empty(h.Of<Dispatch>());
        }

        [Fact]
        public void DnsAnswerNamesTheLongLinkAddress()
        {
            // the issue's example: a flow to 101.32.104.4 shows as sglong.wechat.com (LongLink) when the capture resolved it
            var query = DnsWireMessage.CreateQuery(0x1234, "sglong.wechat.com", DnsRecordType.A, null);
            var response = DnsWireMessage.CreateQuery(0x1234, "sglong.wechat.com", DnsRecordType.A, null);
            response.IsResponse = true;
            response.Answers.Add(DnsRecord.CreateA("sglong.wechat.com", 300, IPAddress.Parse("101.32.104.4")));
            var h = new TrafficHarness();
            h.Udp("192.168.1.20", 5353, "192.168.1.1", 53, query.Encode());
            h.Udp("192.168.1.1", 53, "192.168.1.20", 5353, response.Encode());
            var c = h.Connect("192.168.1.20", 40000, "101.32.104.4", 8080);
            c.Client(WeChatWireBuilder.Frame(6, 0xFFFFFFFF));
            var dns = h.Of<DnsMessage>().ToList();
            Assert.Equal(2, dns.Count);
            Assert.False(dns[0].IsResponse);
            Assert.Equal(("sglong.wechat.com", "A", "ClientToServer"), (dns[0].QueryName, dns[0].QueryType, dns[0].Direction));
            Assert.Equal(new[] { "101.32.104.4" }, dns[1].Addresses);
            Assert.Equal("ServerToClient", dns[1].Direction);
            var f = Assert.Single(h.Of<LongLinkFrame>());
            Assert.Equal(("sglong.wechat.com", "LongLink"), (f.Host, f.Role));
        }

        [Fact]
        public void DnsOverTcpIsFramedByItsLengthPrefix()
        {
            var query = DnsWireMessage.CreateQuery(7, "szshort.weixin.qq.com", DnsRecordType.AAAA, null).Encode();
            var framed = Cat(new[] { (byte)(query.Length >> 8), (byte)query.Length }, query, new[] { (byte)(query.Length >> 8), (byte)query.Length }, query);
            var h = new TrafficHarness();
            h.Connect("10.0.0.2", 50000, "10.0.0.53", 53).Client(framed, 1, 5);
            var dns = h.Of<DnsMessage>().ToList();
            Assert.Equal(2, dns.Count);
            Assert.All(dns, d => Assert.Equal(("Tcp", "szshort.weixin.qq.com", "AAAA"), (d.Transport, d.QueryName, d.QueryType)));
        }

        [Fact]
        public void UndecodableDnsIsReportedWithItsOffset()
        {
            var h = new TrafficHarness();
            h.Udp("10.0.0.2", 5353, "10.0.0.53", 53, new byte[] { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, (byte)'a' });
            var d = Assert.Single(h.Of<DnsMessage>());
            Assert.NotEqual("", d.Problem);
            Assert.StartsWith("DNS undecodable", d.Summary);
        }

        [Fact]
        public void VoipHeuristicIsLabelledProbable()
        {
            var h = new TrafficHarness();
            var d5 = new byte[95]; d5[0] = 0xD5;
            var a3 = new byte[96]; a3[0] = 0xA3;
            var other = new byte[104]; other[0] = 0xD5;
            h.Udp("192.168.1.20", 40000, "129.226.1.1", 16285, d5);
            h.Udp("129.226.1.1", 16285, "192.168.1.20", 40000, a3);
            h.Udp("192.168.1.20", 40000, "129.226.1.1", 16285, other);
            var v = h.Of<VoipPacket>().ToList();
            Assert.Equal(2, v.Count);
            Assert.All(v, p => Assert.Equal("Probable", p.Confidence));
            Assert.Equal(("ClientToServer", "0xD5", 95), (v[0].Direction, v[0].FirstByte, v[0].PayloadLength));
            Assert.Equal(("ServerToClient", "96 bytes starting 0xA3"), (v[1].Direction, v[1].Rule));
            Assert.Equal("192.168.1.20:40000 -> 129.226.1.1:16285", v[1].Connection);
        }

        [Fact]
        public void KindFilterEmitsOnlyThoseKinds()
        {
            var h = new TrafficHarness(new WeChatDecodeOptions { Kinds = new[] { WeChatMessageKind.Dispatch } });
            var c = h.Connect("192.168.1.20", 40001, "203.205.1.1", 80);
            c.Client(NewGetDnsRequest());
            c.Server(DeflatedResponse(Zlib(Encoding.UTF8.GetBytes(DispatchDocumentTests.SampleXml))));
            c.Fin();
            Assert.IsType<Dispatch>(Assert.Single(h.Output));
        }

        [Fact]
        public void LoneDispatchResponseDecodesAsDispatch()
        {
            var h = new TrafficHarness();
            Assert.True(h.Decoder.AddPayload(DeflatedResponse(Raw(Encoding.UTF8.GetBytes(DispatchDocumentTests.SampleXml))), h.Ticks));
            var d = Assert.Single(h.Of<Dispatch>());
            Assert.Equal(("RawDeflate", 3, "Unknown", ""), (d.Compression, d.Domains.Length, d.Direction, d.Connection));
            var x = Assert.Single(h.Of<ShortLinkExchange>());
            Assert.Contains("response without a captured request", x.Problem);
        }

        [Fact]
        public void LoneNonWeChatRequestIsStillReported()
        {
            var h = new TrafficHarness();
            Assert.True(h.Decoder.AddPayload(Ascii("GET /index.html HTTP/1.1\r\nHost: example.org\r\n\r\n"), h.Ticks));
            var x = Assert.Single(h.Of<ShortLinkExchange>());
            Assert.Equal(("GET", "/index.html", "Unknown"), (x.Method, x.Path, x.Direction));
        }

        [Fact]
        public void EverySplitOfTheDispatchExchangeGivesTheSameResult()
        {
            var request = NewGetDnsRequest();
            var response = DeflatedResponse(Zlib(Encoding.UTF8.GetBytes(DispatchDocumentTests.SampleXml)));
            string Describe(TrafficHarness t) => string.Join("|", t.Output.Select(o => o is ShortLinkExchange x
                ? $"{x.Method} {x.Path} {x.StatusCode} {x.ResponseBodyLength} {x.ResponseDecodedLength} {x.Problem}"
                : o is Dispatch d ? $"{d.RetCode} {string.Join(",", d.Domains.Select(m => m.Name))} {d.ClientIp}" : o.GetType().Name));
            var reference = new TrafficHarness();
            var rc = reference.Connect("192.168.1.20", 40001, "203.205.1.1", 80);
            rc.Client(request);
            rc.Server(response);
            string expected = Describe(reference);
            Assert.Contains("long.weixin.qq.com", expected);
            for (int a = 1; a < request.Length; a++)
            {
                var t = new TrafficHarness();
                var c = t.Connect("192.168.1.20", 40001, "203.205.1.1", 80);
                c.Client(request, a);
                c.Server(response, request.Length - a > 0 ? Math.Max(1, a % response.Length) : 1);
                Assert.Equal(expected, Describe(t));
            }
            for (int a = 1; a < response.Length; a++)
            {
                var t = new TrafficHarness();
                var c = t.Connect("192.168.1.20", 40001, "203.205.1.1", 80);
                c.Client(request);
                c.Server(response, a);
                Assert.Equal(expected, Describe(t));
            }
        }

        [Fact]
        public void InterimContinueResponseIsNotTakenForTheAnswer()
        {
            var h = new TrafficHarness();
            var c = h.Connect("10.0.0.2", 50000, "10.9.9.9", 80);
            c.Client(Ascii("POST /cgi-bin/micromsg-bin/newsync HTTP/1.1\r\nHost: short.weixin.qq.com\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nab"));
            c.Server(Ascii("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nxyz"));
            var x = Assert.Single(h.Of<ShortLinkExchange>());
            Assert.Equal((200, 3L, 138), (x.StatusCode!.Value, x.ResponseBodyLength, x.RequestType!.Value));
        }

        // A legacy business packet (facts section 5), annotated:
        //  0: BF            magic
        //  1: 3E            header length 15 << 2 | compress 2 (none)
        //  2: 54            crypto 5 (AES) << 4 | cookie length 4
        //  3: 26 06 00 30   client version 0x26060030 (Android 6.6.0)
        //  7: 49 96 02 D2   uin 1234567890
        // 11: 01 02 03 04   cookie
        // 15: 8B 01         varint (request type 139, newinit) - the encrypted body follows
        private const string LegacyPacket = "BF 3E 54 26060030 499602D2 01020304 8B01 AABBCCDD";

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void LegacyBusinessPacketHeaderIsReadAndItsUinMasked(bool show)
        {
            var body = TrafficHarness.Hex(LegacyPacket);
            var h = new TrafficHarness(new WeChatDecodeOptions { ShowIdentifiers = show });
            var c = h.Connect("10.0.0.2", 50000, "10.9.9.9", 80);
            c.Client(Cat(Ascii($"POST /cgi-bin/micromsg-bin/newinit HTTP/1.1\r\nHost: szshort.weixin.qq.com\r\nContent-Length: {body.Length}\r\n\r\n"), body));
            c.Server(Ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
            var x = Assert.Single(h.Of<ShortLinkExchange>());
            Assert.Equal(("0x26060030", "AES", "None", 139), (x.LegacyClientVersion, x.LegacyCrypto, x.LegacyCompression, x.RequestType!.Value));
            if (show) Assert.Equal("1234567890", x.LegacyUin);
            else Assert.Equal(IdentifierMask.Mask("uin", "1234567890"), x.LegacyUin);
        }

        [Theory]
        [InlineData("BF 3E 54 2606", "truncated at offset 5")]
        [InlineData("BF 20 54 26060030 499602D2 01020304 8B01", "shorter than its fields")]
        [InlineData("BF FC 10 26060030 499602D2", "exceeds the 11-byte body")]
        public void BrokenLegacyHeaderIsAProblemWithItsOffset(string hex, string problem)
        {
            Assert.False(LegacyBusinessHeader.TryRead(TrafficHarness.Hex(hex), out _, out var why));
            Assert.Contains(problem, why);
        }
    }
}
