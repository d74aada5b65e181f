using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using WeChatNet.Dns;
using WeChatNet.Tests.Infrastructure;
using Xunit;
using WeChatNet.Resolution;

namespace WeChatNet.Tests.Dns
{
    /// <summary>The client against real Knot DNS and Unbound started by the fixture, and against scripted misbehaving servers.</summary>
    [Collection(DnsServersFixture.Collection)]
    public sealed class DnsClientServerTests
    {
        private readonly DnsServersFixture _s;

        public DnsClientServerTests(DnsServersFixture servers) => _s = servers;

        private static DnsExchange Query(DnsServer server, string name, DnsRecordType type = DnsRecordType.A, DnsProtocol? protocol = null, DnsClientOptions? options = null)
        {
            using var client = new DnsClient(options ?? new DnsClientOptions { Timeout = TimeSpan.FromSeconds(3) });
            return client.QueryAsync(server, name, type, protocol, CancellationToken.None).GetAwaiter().GetResult();
        }

        private DnsServer Knot => DnsServer.FromEndPoint(_s.Knot);
        private DnsServer Unbound => DnsServer.FromEndPoint(_s.Unbound);

        private static DnsAnswer Answer(DnsServer server, string name, DnsExchange e, DnsRecordType type = DnsRecordType.A, ClientSubnet? cs = null)
            => DomainResolver.ToAnswer(name, type, server, e, cs);

        [Fact]
        public void UdpQueryToKnotReturnsBothAddresses()
        {
            var e = Query(Knot, "long.weixin.qq.com");
            Assert.Equal(DnsExchangeStatus.Ok, e.Status);
            Assert.Equal(DnsProtocol.Udp, e.Protocol);
            Assert.True(e.Response!.AuthoritativeAnswer);
            var a = Answer(Knot, "long.weixin.qq.com", e);
            Assert.Equal(new[] { "101.226.5.4", "180.163.10.11" }, a.Addresses.OrderBy(x => x));
            Assert.Equal(300, a.Ttl);
            Assert.Equal("Ok", a.Status);
            Assert.Equal(-1, a.Scope);
        }

        [Fact]
        public void AaaaTxtAndSoaComeBackTyped()
        {
            var aaaa = Answer(Knot, "long.weixin.qq.com", Query(Knot, "long.weixin.qq.com", DnsRecordType.AAAA), DnsRecordType.AAAA);
            Assert.Equal(new[] { "240e:e1:a800::4" }, aaaa.Addresses);
            var txt = Answer(Knot, "txt.weixin.qq.com", Query(Knot, "txt.weixin.qq.com", DnsRecordType.TXT), DnsRecordType.TXT);
            Assert.Equal(new[] { "\"v=wechatnet test\" \"second\"" }, txt.Data);
            Assert.Empty(txt.Addresses);
            var soa = Answer(Knot, "weixin.qq.com", Query(Knot, "weixin.qq.com", DnsRecordType.SOA), DnsRecordType.SOA);
            Assert.Equal(new[] { "ns1.weixin.qq.com admin.weixin.qq.com 2026112201 3600 600 86400 60" }, soa.Data);
        }

        [Fact]
        public void CnameChainIsFollowedAndTtlIsTheSmallest()
        {
            var a = Answer(Knot, "minorshort.weixin.qq.com", Query(Knot, "minorshort.weixin.qq.com"));
            Assert.Equal(new[] { "extshort.weixin.qq.com", "short.weixin.qq.com" }, a.CnameChain);
            Assert.Equal(new[] { "14.215.1.2" }, a.Addresses);
            Assert.Equal(100, a.Ttl);
        }

        [Fact]
        public void AnyOnAnAliasReturnsTheAliasRecordInData()
        {
            // ANY asks for every record at the name itself; at an alias that is its CNAME (Knot answers exactly that). The
            // CNAME went into CnameChain and Data came back empty, although -Type ANY promises every record in Data.
            var e = Query(Knot, "minorshort.weixin.qq.com", DnsRecordType.ANY);
            Assert.Equal(DnsExchangeStatus.Ok, e.Status);
            var a = Answer(Knot, "minorshort.weixin.qq.com", e, DnsRecordType.ANY);
            Assert.Equal(new[] { "extshort.weixin.qq.com" }, a.Data);
            Assert.Empty(a.CnameChain); // as with -Type CNAME: the record asked for, not a chain followed
        }

        [Fact]
        public void CnameLoopEndsWithoutAddresses()
        {
            var a = Answer(Knot, "loop.weixin.qq.com", Query(Knot, "loop.weixin.qq.com"));
            Assert.Empty(a.Addresses);
            Assert.Contains("loop2.weixin.qq.com", a.CnameChain);
        }

        [Fact]
        public void NxDomainIsAStatus()
        {
            var e = Query(Knot, "nosuch.weixin.qq.com");
            Assert.Equal(DnsExchangeStatus.NxDomain, e.Status);
            Assert.Equal("NxDomain", Answer(Knot, "nosuch.weixin.qq.com", e).ResponseCode);
            // Unbound relays the same NXDOMAIN from Knot.
            Assert.Equal(DnsExchangeStatus.NxDomain, Query(Unbound, "nosuch.weixin.qq.com").Status);
        }

        [Fact]
        public void TruncatedUdpAnswerIsRetriedOverTcp()
        {
            var e = Query(Knot, "big.weixin.qq.com");
            Assert.Equal(DnsExchangeStatus.Ok, e.Status);
            Assert.Equal(DnsProtocol.Tcp, e.Protocol);
            Assert.Equal(DnsServersFixture.BigRecordCount, e.Response!.Answers.Count);
            Assert.Equal(2, e.Tries);

            var noFallback = Query(Knot, "big.weixin.qq.com", options: new DnsClientOptions { TcpFallback = false });
            Assert.Equal(DnsExchangeStatus.Truncated, noFallback.Status);
            Assert.True(noFallback.Response!.Truncated);
        }

        [Fact]
        public void TcpOnRequest()
        {
            var e = Query(Knot, "szlong.weixin.qq.com", protocol: DnsProtocol.Tcp);
            Assert.Equal(DnsExchangeStatus.Ok, e.Status);
            Assert.Equal(DnsProtocol.Tcp, e.Protocol);
            Assert.Equal(new[] { "long.weixin.qq.com" }, Answer(Knot, "szlong.weixin.qq.com", e).CnameChain);
        }

        [Theory]
        [InlineData("101.226.5.0/24", "183.3.1.1")]  // mainland subnet -> mainland address
        [InlineData("101.226.4.0/23", "183.3.1.1")]  // odd prefix
        [InlineData("8.8.8.0/24", "43.130.1.1")]     // overseas subnet -> overseas address
        [InlineData("8.8.0.0/9", "129.226.9.9")]     // /9 is wider than the /16 entries: only the default matches
        [InlineData("240e:e1:a800::/41", "183.3.2.2")] // IPv6, odd prefix: 6 address bytes, last one masked
        public void KnotAnswersByClientSubnet(string subnet, string expected)
        {
            ClientSubnet.TryParse(subnet, out var cs, out _);
            var options = new DnsClientOptions { ClientSubnet = cs };
            foreach (var protocol in new[] { DnsProtocol.Udp, DnsProtocol.Tcp })
            {
                var e = Query(Knot, "szshort.weixin.qq.com", protocol: protocol, options: options);
                var a = Answer(Knot, "szshort.weixin.qq.com", e, cs: cs);
                Assert.Equal(new[] { expected }, a.Addresses);
                Assert.Equal(cs!.ToString(), a.ClientSubnet);
                Assert.Equal(cs.ToString(), e.Response!.Edns!.ClientSubnet!.ToString());
                Assert.InRange(a.Scope, 0, 128);
            }
        }

        [Fact]
        public void ClientSubnetAnswersMatchKdig()
        {
            string kdig = ExternalTool.Require("kdig", "knot-dnsutils");
            foreach (var subnet in new[] { "101.226.5.0/24", "8.8.8.0/24", "1.2.3.0/24" })
            {
                var peer = ExternalTool.Run(kdig, "@127.0.0.1", "-p", _s.KnotPort.ToString(), "+subnet=" + subnet, "+short", "szshort.weixin.qq.com")
                    .EnsureSuccess("kdig").StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                ClientSubnet.TryParse(subnet, out var cs, out _);
                var ours = Answer(Knot, "szshort.weixin.qq.com", Query(Knot, "szshort.weixin.qq.com", options: new DnsClientOptions { ClientSubnet = cs }));
                Assert.True(peer.Length > 0, $"kdig got no address for {subnet}: two empty answers would agree");
                Assert.Equal(peer, ours.Addresses);
            }
        }

        [Fact]
        public void UnboundForwardsToKnotOverUdpAndTcp()
        {
            foreach (var protocol in new DnsProtocol?[] { null, DnsProtocol.Tcp })
            {
                var a = Answer(Unbound, "long.wechat.com", Query(Unbound, "long.wechat.com", protocol: protocol));
                Assert.Equal("Ok", a.Status);
                Assert.Equal(new[] { "sglong.wechat.com" }, a.CnameChain);
                Assert.Equal(new[] { "101.32.104.4" }, a.Addresses);
            }
        }

        [Theory]
        [InlineData(DohMethod.Post)]
        [InlineData(DohMethod.Get)]
        public void DnsOverHttpsWithTheTestCertificate(DohMethod method)
        {
            DnsServer.TryParse(_s.DohUrl, out var doh, out _);
            var options = new DnsClientOptions { TrustedCertificate = _s.Certificate, DohMethod = method, Timeout = TimeSpan.FromSeconds(5) };
            var e = Query(doh!, "mmsns.qpic.cn", options: options);
            Assert.True(e.Status == DnsExchangeStatus.Ok, e.Error);
            Assert.Equal(DnsProtocol.Https, e.Protocol);
            var a = Answer(doh!, "mmsns.qpic.cn", e);
            Assert.Equal(new[] { "szmmsns.qpic.cn" }, a.CnameChain);
            Assert.Equal(new[] { "183.3.1.1" }, a.Addresses);
            Assert.Equal("Https", a.Protocol);
        }

        [Fact]
        public void DnsOverHttpsRefusesUntrustedCertificates()
        {
            DnsServer.TryParse(_s.DohUrl, out var doh, out _);
            var none = Query(doh!, "long.weixin.qq.com", options: new DnsClientOptions { Timeout = TimeSpan.FromSeconds(5) });
            Assert.Equal(DnsExchangeStatus.Error, none.Status);
            Assert.Null(none.Response);
            var wrong = Query(doh!, "long.weixin.qq.com", options: new DnsClientOptions { TrustedCertificate = _s.OtherCertificate, Timeout = TimeSpan.FromSeconds(5) });
            Assert.Equal(DnsExchangeStatus.Error, wrong.Status);
            Assert.Null(wrong.Response);
            // The right certificate for the wrong name (the cert has 127.0.0.1 and localhost, not 127.0.0.2).
            DnsServer.TryParse($"https://127.0.0.2:{_s.DohPort}/dns-query", out var otherName, out _);
            var mismatch = Query(otherName!, "long.weixin.qq.com", options: new DnsClientOptions { TrustedCertificate = _s.Certificate, Timeout = TimeSpan.FromSeconds(5) });
            Assert.Equal(DnsExchangeStatus.Error, mismatch.Status);
        }

        [Fact]
        public void DnsOverHttpsMatchesKdig()
        {
            string kdig = ExternalTool.Require("kdig", "knot-dnsutils");
            var peer = ExternalTool.Run(kdig, "+https", "+tls-ca=" + _s.CertificatePath, "+tls-hostname=localhost", "@127.0.0.1", "-p", _s.DohPort.ToString(), "+short", "long.weixin.qq.com")
                .EnsureSuccess("kdig +https").StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).OrderBy(x => x).ToList();
            DnsServer.TryParse(_s.DohUrl, out var doh, out _);
            var ours = Answer(doh!, "long.weixin.qq.com", Query(doh!, "long.weixin.qq.com", options: new DnsClientOptions { TrustedCertificate = _s.Certificate }));
            Assert.True(peer.Count > 0, "kdig +https got no address: two empty answers would agree");
            Assert.Equal(peer, ours.Addresses.OrderBy(x => x));
        }

        [Fact]
        public void SilentServerTimesOutAfterEveryTry()
        {
            var e = Query(DnsServer.FromEndPoint(_s.Silent), "long.weixin.qq.com", options: new DnsClientOptions { Timeout = TimeSpan.FromMilliseconds(200), Retries = 2 });
            Assert.Equal(DnsExchangeStatus.Timeout, e.Status);
            Assert.Equal(3, e.Tries);
            Assert.Null(e.Response);
            Assert.Contains("3 tries", e.Error);
        }

        [Fact]
        public async Task CancellationStopsAQueryInFlight()
        {
            using var client = new DnsClient(new DnsClientOptions { Timeout = TimeSpan.FromMinutes(5), Retries = 0 });
            using var cts = new CancellationTokenSource();
            var task = client.QueryAsync(DnsServer.FromEndPoint(_s.Silent), "long.weixin.qq.com", DnsRecordType.A, null, cts.Token);
            await Task.Delay(100);
            Assert.False(task.IsCompleted);
            cts.Cancel();
            // The query would otherwise wait five minutes; cancellation must end it (the bound here is only a safety net).
            var finished = await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.Same(task, finished);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        }

        private static byte[] Reply(byte[] query, Action<DnsWireMessage> edit)
        {
            Assert.True(DnsWireMessage.TryDecode(query, out var q).Success);
            var r = new DnsWireMessage { Id = q.Id, IsResponse = true, RecursionDesired = q.RecursionDesired, RecursionAvailable = true };
            r.Questions.AddRange(q.Questions);
            r.Answers.Add(DnsRecord.CreateA(q.Questions[0].Name, 60, IPAddress.Parse("198.51.100.7")));
            edit(r);
            return r.Encode();
        }

        [Fact]
        public void WrongIdIsDroppedNotTrusted()
        {
            // The server answers every query at once, always with the wrong id: each try's only reply is dropped and the
            // try times out. The timeout is not what is tested, so it is long enough (2 s) for a reply to arrive on a
            // loaded machine: a 300 ms one let a late reply fall outside its try and the exact counts fail for no reason.
            using var server = new ScriptedUdpServer(q => new[] { (Reply(q, r => r.Id ^= 0x5555), false) });
            var e = Query(DnsServer.FromEndPoint(server.EndPoint), "long.weixin.qq.com", options: new DnsClientOptions { Timeout = TimeSpan.FromSeconds(2), Retries = 1 });
            Assert.Equal(DnsExchangeStatus.Timeout, e.Status);
            Assert.Null(e.Response);
            Assert.Equal(2, e.Tries);
            Assert.Equal(2, e.DroppedResponses);
            Assert.Contains("id", e.Error);
            Assert.Equal(2, server.Queries); // counted before it replied, so settled once both replies were dropped
        }

        [Fact]
        public void ForgedAnswersAreDroppedAndTheGenuineOneAccepted()
        {
            // Per query: wrong id, right id from another port, wrong question, not a response, then the genuine answer.
            using var server = new ScriptedUdpServer(q => new[]
            {
                (Reply(q, r => { r.Id ^= 1; r.Answers.Clear(); r.Answers.Add(DnsRecord.CreateA(r.Questions[0].Name, 60, IPAddress.Parse("203.0.113.66"))); }), false),
                (Reply(q, r => { r.Answers.Clear(); r.Answers.Add(DnsRecord.CreateA(r.Questions[0].Name, 60, IPAddress.Parse("203.0.113.66"))); }), true),
                (Reply(q, r => { var n = new DnsQuestion("evil.example", DnsRecordType.A); r.Questions.Clear(); r.Questions.Add(n); }), false),
                (Reply(q, r => r.IsResponse = false), false),
                (Reply(q, _ => { }), false),
            });
            var e = Query(DnsServer.FromEndPoint(server.EndPoint), "long.weixin.qq.com", options: new DnsClientOptions { Timeout = TimeSpan.FromSeconds(5), Retries = 0 });
            Assert.Equal(DnsExchangeStatus.Ok, e.Status);
            Assert.Equal(4, e.DroppedResponses);
            Assert.Equal(new[] { "198.51.100.7" }, Answer(DnsServer.FromEndPoint(server.EndPoint), "long.weixin.qq.com", e).Addresses);
        }

        [Fact]
        public void MalformedAnswerWithTheRightIdIsAnError()
        {
            using var server = new ScriptedUdpServer(q =>
            {
                var good = Reply(q, _ => { });
                return new[] { (good.Take(good.Length - 2).ToArray(), false) }; // A record cut short
            });
            var e = Query(DnsServer.FromEndPoint(server.EndPoint), "long.weixin.qq.com", options: new DnsClientOptions { Timeout = TimeSpan.FromSeconds(5), Retries = 0 });
            Assert.Equal(DnsExchangeStatus.Error, e.Status);
            Assert.Contains("malformed", e.Error);
        }

        [Fact]
        public void TruncatedAnswerWhoseTcpRetryFailsIsTruncated()
        {
            // UDP answers with TC set; nothing listens on TCP at that port, so the fallback is refused.
            using var server = new ScriptedUdpServer(q => new[] { (Reply(q, r => r.Truncated = true), false) });
            var e = Query(DnsServer.FromEndPoint(server.EndPoint), "big.weixin.qq.com");
            Assert.Equal(DnsExchangeStatus.Truncated, e.Status);
            Assert.Contains("TCP retry failed", e.Error);
            Assert.Equal(new[] { "198.51.100.7" }, Answer(DnsServer.FromEndPoint(server.EndPoint), "big.weixin.qq.com", e).Addresses);
        }

        [Fact]
        public void TruncatedAnswerWithOverstatedCountsStillFallsBackToTcp()
        {
            // Some servers set TC and keep the full answer count while sending no records: the header and question are
            // enough to see the truncation and retry (here the TCP retry is refused, so the status stays Truncated).
            using var server = new ScriptedUdpServer(q =>
            {
                var wire = Reply(q, r => { r.Truncated = true; r.Answers.Clear(); });
                wire[6] = 0; wire[7] = 120; // ANCOUNT 120, nothing follows
                return new[] { (wire, false) };
            });
            var e = Query(DnsServer.FromEndPoint(server.EndPoint), "big.weixin.qq.com");
            Assert.Equal(DnsExchangeStatus.Truncated, e.Status);
            Assert.Contains("TCP retry failed", e.Error);
        }

        [Fact]
        public void TcpAnswerWithAWrongIdIsNotTrusted()
        {
            var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                var serve = Task.Run(() =>
                {
                    using var c = listener.AcceptTcpClient();
                    var s = c.GetStream();
                    var len = new byte[2];
                    s.ReadExactly(len);
                    var q = new byte[(len[0] << 8) | len[1]];
                    s.ReadExactly(q);
                    var r = Reply(q, m => m.Id ^= 0x0101);
                    s.Write(new[] { (byte)(r.Length >> 8), (byte)r.Length });
                    s.Write(r);
                });
                var e = Query(DnsServer.FromEndPoint((IPEndPoint)listener.LocalEndpoint), "long.weixin.qq.com", protocol: DnsProtocol.Tcp);
                Assert.Equal(DnsExchangeStatus.Error, e.Status);
                Assert.Contains("not trusted", e.Error);
                Assert.Equal(1, e.DroppedResponses);
                Assert.Null(e.Response);
            }
            finally { listener.Stop(); }
        }

        [Fact]
        public void IPv6LoopbackServerWithBracketedPort()
        {
            Assert.True(DnsServer.TryParse($"[::1]:{_s.KnotPort}", out var v6, out string? error), error);
            var e = Query(v6!, "sglong.wechat.com");
            Assert.True(e.Status == DnsExchangeStatus.Ok, e.Error);
            Assert.Equal(new[] { "101.32.104.4" }, Answer(v6!, "sglong.wechat.com", e).Addresses);
            Assert.Equal($"[::1]:{_s.KnotPort}", v6!.ToString());
        }

        [Fact]
        public void ServerWithoutEdnsIsAskedAgainWithoutOpt()
        {
            // Like a pre-EDNS server: FORMERR (no OPT in the answer) to any query that carries OPT.
            using var server = new ScriptedUdpServer(q =>
            {
                DnsWireMessage.TryDecode(q, out var m);
                return new[] { (Reply(q, r => { if (m.Edns != null) { r.HeaderRcode = 1; r.Answers.Clear(); } }), false) };
            });
            ClientSubnet.TryParse("101.226.5.0/24", out var cs, out _);
            var e = Query(DnsServer.FromEndPoint(server.EndPoint), "long.weixin.qq.com", options: new DnsClientOptions { ClientSubnet = cs });
            Assert.Equal(DnsExchangeStatus.Ok, e.Status);
            Assert.Equal(2, e.Tries);
            Assert.Contains("EDNS", e.Note);
            Assert.Equal(2, server.Queries);
        }

        [Fact]
        public void TcpAndHttpsServersThatAcceptButNeverAnswerTimeOut()
        {
            // Accepts connections and reads nothing: the TCP exchange and the TLS handshake both stall.
            var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var held = new List<System.Net.Sockets.TcpClient>();
            var accept = Task.Run(async () =>
            {
                try { while (true) { var c = await listener.AcceptTcpClientAsync(); lock (held) held.Add(c); } }
                catch (Exception) { }
            });
            try
            {
                var ep = (IPEndPoint)listener.LocalEndpoint;
                // The timeout is tested, but which step it ends is named too: 1 s leaves the connect (which the kernel
                // completes without an accept) time to finish on a loaded machine, so the wait is for the answer.
                var options = new DnsClientOptions { Timeout = TimeSpan.FromSeconds(1) };
                var tcp = Query(DnsServer.FromEndPoint(ep), "long.weixin.qq.com", protocol: DnsProtocol.Tcp, options: options);
                Assert.Equal(DnsExchangeStatus.Timeout, tcp.Status);
                Assert.Contains("waiting for the answer", tcp.Error);
                DnsServer.TryParse($"https://127.0.0.1:{ep.Port}/dns-query", out var doh, out _);
                var https = Query(doh!, "long.weixin.qq.com", options: new DnsClientOptions { Timeout = TimeSpan.FromSeconds(1), TrustedCertificate = _s.Certificate });
                Assert.Equal(DnsExchangeStatus.Timeout, https.Status);
            }
            finally
            {
                listener.Stop();
                lock (held) foreach (var c in held) c.Dispose();
            }
        }

        [Fact]
        public void ServFailAndRefusedAreStatuses()
        {
            using var servfail = new ScriptedUdpServer(q => new[] { (Reply(q, r => { r.HeaderRcode = 2; r.Answers.Clear(); }), false) });
            Assert.Equal(DnsExchangeStatus.ServFail, Query(DnsServer.FromEndPoint(servfail.EndPoint), "a.weixin.qq.com").Status);
            using var refused = new ScriptedUdpServer(q => new[] { (Reply(q, r => { r.HeaderRcode = 5; r.Answers.Clear(); }), false) });
            Assert.Equal(DnsExchangeStatus.Refused, Query(DnsServer.FromEndPoint(refused.EndPoint), "a.weixin.qq.com").Status);
        }

        [Fact]
        public void InvalidNamesAreRefusedBeforeAnythingIsSent()
        {
            using var client = new DnsClient(new DnsClientOptions());
            Assert.Throws<ArgumentException>(() => client.QueryAsync(Knot, new string('a', 64) + ".qq.com", DnsRecordType.A, null, CancellationToken.None).GetAwaiter().GetResult());
            var invalid = new List<KeyValuePair<string, string>>();
            var names = DomainResolver.NormalizeNames(new[] { "Long.Weixin.QQ.com.", "long.weixin.qq.com", "a..b", new string('x', 64) + ".com" }, invalid);
            Assert.Equal(new[] { "long.weixin.qq.com" }, names);
            Assert.Equal(2, invalid.Count);
        }
    }
}
