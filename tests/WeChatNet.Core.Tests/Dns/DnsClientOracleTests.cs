extern alias DnsClientOracle;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using WeChatNet.Dns;
using WeChatNet.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using Oracle = DnsClientOracle::DnsClient;
using OracleProtocol = DnsClientOracle::DnsClient.Protocol;

namespace WeChatNet.Tests.Dns
{
    /// <summary>
    /// Differential oracle (docs/dependencies.md): DnsClient 1.8.0 queries the real Knot the fixture starts, through a
    /// relay in this test that keeps every answer's bytes; our codec decodes the same bytes, and the header, the
    /// question and every record of every section (name, type, class, TTL, address / target / TXT strings / SOA / MX,
    /// and the OPT record) must be equal. Over UDP and over TCP, answers with CNAME chains, NXDOMAIN with SOA, a
    /// 120-record answer that does not fit UDP (DnsClient falls back to TCP; the relay keeps what it returned).
    /// </summary>
    [Collection(DnsServersFixture.Collection)]
    public sealed class DnsClientOracleTests
    {
        private readonly DnsServersFixture _s;
        private readonly ITestOutputHelper _output;
        public DnsClientOracleTests(DnsServersFixture servers, ITestOutputHelper output) { _s = servers; _output = output; }

        private static readonly (string Name, Oracle.QueryType Type)[] Questions =
        {
            ("long.weixin.qq.com", Oracle.QueryType.A),
            ("long.weixin.qq.com", Oracle.QueryType.AAAA),
            ("szlong.weixin.qq.com", Oracle.QueryType.A),
            ("minorshort.weixin.qq.com", Oracle.QueryType.A),
            ("txt.weixin.qq.com", Oracle.QueryType.TXT),
            ("weixin.qq.com", Oracle.QueryType.SOA),
            ("weixin.qq.com", Oracle.QueryType.NS),
            ("weixin.qq.com", Oracle.QueryType.MX),
            ("nothing-here.weixin.qq.com", Oracle.QueryType.A),
            ("long.weixin.qq.com", Oracle.QueryType.MX),
            ("loop.weixin.qq.com", Oracle.QueryType.A),
            ("szshort.weixin.qq.com", Oracle.QueryType.A),
            ("big.weixin.qq.com", Oracle.QueryType.A),
            ("long.wechat.com", Oracle.QueryType.A),
            ("mmsns.qpic.cn", Oracle.QueryType.A),
            ("not-a-zone.example", Oracle.QueryType.A),
        };

        [Fact]
        public async Task KnotAnswers_DecodeAsDnsClientParsesThem()
        {
            int answers = 0, records = 0;
            var failures = new List<string>();
            foreach (bool tcp in new[] { false, true })
            {
                using var relay = new RecordingRelay(_s.Knot);
                var client = new Oracle.LookupClient(new Oracle.LookupClientOptions(new Oracle.NameServer(relay.EndPoint))
                {
                    UseCache = false, Retries = 0, Timeout = TimeSpan.FromSeconds(5), UseTcpOnly = tcp, UseTcpFallback = true,
                    ThrowDnsErrors = false, ContinueOnDnsError = false, ContinueOnEmptyResponse = false, Recursion = false,
                });
                foreach (var (name, type) in Questions)
                {
                    var theirs = await client.QueryAsync(name, type);
                    var bytes = relay.TakeLastAnswer();
                    Assert.True(bytes != null, $"the relay saw no answer from Knot for {name} {type} over {(tcp ? "TCP" : "UDP")}");
                    var result = DnsWireMessage.TryDecode(bytes, out var ours);
                    Assert.True(result.Success, $"{name} {type}: our codec says {result}");
                    string where = $"{name} {type} {(tcp ? "TCP" : "UDP")}";
                    records += Compare(where, ours, theirs, failures);
                    answers++;
                    if (name == "big.weixin.qq.com")
                        _output.WriteLine($"  {where}: {bytes.Length} bytes, TC={ours.Truncated}, {ours.Answers.Count} answer records");
                }
            }
            _output.WriteLine($"DnsClient oracle: {answers} answers from Knot compared ({records} records, OPT included), {failures.Count} differences.");
            TestReport.Line($"DnsClient oracle: {answers} answers from Knot compared ({records} records, OPT included), {failures.Count} differences.");
            foreach (var f in failures.Take(40)) _output.WriteLine("  MISMATCH " + f);
            Assert.True(answers > 0 && records > 0, "the DnsClient oracle compared no answer");
            Assert.True(failures.Count == 0, $"{failures.Count} difference(s) from DnsClient, first: {failures.FirstOrDefault()}");
        }

        private static int Compare(string where, DnsWireMessage ours, Oracle.IDnsQueryResponse theirs, List<string> failures)
        {
            void Check<T>(string field, T mine, T their)
            {
                if (!EqualityComparer<T>.Default.Equals(mine, their)) failures.Add($"{where}: {field} ours '{mine}' DnsClient '{their}'");
            }
            var h = theirs.Header;
            Check("id", (int)ours.Id, h.Id);
            Check("aa", ours.AuthoritativeAnswer, h.HasAuthorityAnswer);
            Check("tc", ours.Truncated, h.ResultTruncated);
            Check("rd", ours.RecursionDesired, h.RecursionDesired);
            Check("ra", ours.RecursionAvailable, h.RecursionAvailable);
            Check("ad", ours.AuthenticData, h.IsAuthenticData);
            Check("cd", ours.CheckingDisabled, h.IsCheckingDisabled);
            Check("opcode", (int)ours.Opcode, (int)h.OPCode);
            Check("rcode", (int)ours.HeaderRcode, (int)h.ResponseCode & 0xF);
            Check("qdcount", ours.Questions.Count, theirs.Questions.Count);
            for (int i = 0; i < Math.Min(ours.Questions.Count, theirs.Questions.Count); i++)
            {
                Check("question.name", ours.Questions[i].Name, Name(theirs.Questions[i].QueryName.Value));
                Check("question.type", (int)ours.Questions[i].Type, (int)theirs.Questions[i].QuestionType);
                Check("question.class", (int)ours.Questions[i].Class, (int)theirs.Questions[i].QuestionClass);
            }
            int n = Section(where + " answer", ours.Answers, theirs.Answers, failures);
            n += Section(where + " authority", ours.Authorities, theirs.Authorities, failures);
            // DnsClient keeps OPT among the additionals; our codec lifts it into Edns.
            var opt = theirs.Additionals.OfType<OracleProtocol.Options.OptRecord>().ToList();
            n += Section(where + " additional", ours.Additionals, theirs.Additionals.Where(r => !(r is OracleProtocol.Options.OptRecord)).ToList(), failures);
            Check("opt.present", ours.Edns != null, opt.Count == 1);
            if (ours.Edns != null && opt.Count == 1)
            {
                n++;
                Check("opt.udp", (int)ours.Edns.UdpPayloadSize, (int)(ushort)opt[0].UdpSize);
                Check("opt.version", ours.Edns.Version, opt[0].Version);
                Check("opt.do", ours.Edns.DnssecOk, opt[0].IsDnsSecOk);
                // DnsClient gives the OPT's upper rcode bits alone; ours keeps them apart too (ResponseCode joins them).
                Check("opt.rcode", (int)ours.Edns.ExtendedRcode, (int)opt[0].ResponseCodeEx);
            }
            return n;
        }

        private static int Section(string where, IReadOnlyList<DnsRecord> ours, IReadOnlyList<OracleProtocol.DnsResourceRecord> theirs, List<string> failures)
        {
            void Check<T>(string field, T mine, T their)
            {
                if (!EqualityComparer<T>.Default.Equals(mine, their)) failures.Add($"{where}: {field} ours '{mine}' DnsClient '{their}'");
            }
            Check("count", ours.Count, theirs.Count);
            int n = Math.Min(ours.Count, theirs.Count);
            for (int i = 0; i < n; i++)
            {
                var o = ours[i];
                var t = theirs[i];
                string at = $"[{i}] {o.Name} {o.Type}";
                Check(at + " name", o.Name, Name(t.DomainName.Value));
                Check(at + " type", (int)o.Type, (int)t.RecordType);
                Check(at + " class", (int)o.RawClass, (int)t.RecordClass);
                Check(at + " ttl", (long)o.Ttl, (long)t.InitialTimeToLive);
                // Our Data is self-contained (names inside RDATA decompressed), so only name-free RDATA keeps its wire length.
                if (o.Type == DnsRecordType.A || o.Type == DnsRecordType.AAAA || o.Type == DnsRecordType.TXT)
                    Check(at + " rdlength", o.Data.Length, t.RawDataLength);
                switch (t)
                {
                    case OracleProtocol.ARecord a: Check(at + " address", o.Address, a.Address.ToString()); break;
                    case OracleProtocol.AaaaRecord a: Check(at + " address", o.Address, a.Address.ToString()); break;
                    case OracleProtocol.CNameRecord c: Check(at + " target", o.Target, Name(c.CanonicalName.Value)); break;
                    case OracleProtocol.NsRecord ns: Check(at + " target", o.Target, Name(ns.NSDName.Value)); break;
                    case OracleProtocol.MxRecord mx:
                        Check(at + " preference", o.Preference, mx.Preference);
                        Check(at + " exchange", o.Target, Name(mx.Exchange.Value));
                        break;
                    case OracleProtocol.TxtRecord txt: Check(at + " text", string.Join("|", o.Text ?? Array.Empty<string>()), string.Join("|", txt.Text)); break;
                    case OracleProtocol.SoaRecord soa:
                        Check(at + " mname", o.Soa?.PrimaryServer, Name(soa.MName.Value));
                        Check(at + " rname", o.Soa?.ResponsibleMailbox, Name(soa.RName.Value));
                        Check(at + " serial", o.Soa?.Serial, soa.Serial);
                        Check(at + " refresh", o.Soa?.Refresh, soa.Refresh);
                        Check(at + " retry", o.Soa?.Retry, soa.Retry);
                        Check(at + " expire", o.Soa?.Expire, soa.Expire);
                        Check(at + " minimum", o.Soa?.Minimum, soa.Minimum);
                        break;
                    default: failures.Add($"{where} {at}: record type {t.RecordType} not compared (add it)"); break;
                }
            }
            return n;
        }

        /// <summary>DnsClient writes names fully qualified ("a.b."); ours leave the root dot off except for the root itself.</summary>
        private static string Name(string value) => value == "." ? "." : value.TrimEnd('.');

        /// <summary>
        /// A loopback relay between DnsClient and Knot (UDP and TCP on one port) that keeps the last answer's bytes, so
        /// both decoders read exactly what Knot sent.
        /// </summary>
        private sealed class RecordingRelay : IDisposable
        {
            private readonly IPEndPoint _upstream;
            private readonly UdpClient _udp;
            private readonly TcpListener _tcp;
            private readonly CancellationTokenSource _stop = new CancellationTokenSource();
            private readonly Task _udpLoop, _tcpLoop;
            private byte[]? _last;

            public RecordingRelay(IPEndPoint upstream)
            {
                _upstream = upstream;
                int port = FreePort.UdpAndTcp();
                _udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                _tcp = new TcpListener(IPAddress.Loopback, port);
                _tcp.Start();
                EndPoint = new IPEndPoint(IPAddress.Loopback, port);
                _udpLoop = Task.Run(UdpLoop);
                _tcpLoop = Task.Run(TcpLoop);
            }

            public IPEndPoint EndPoint { get; }

            public byte[]? TakeLastAnswer() => Interlocked.Exchange(ref _last, null);

            private async Task UdpLoop()
            {
                while (!_stop.IsCancellationRequested)
                {
                    UdpReceiveResult q;
                    try { q = await _udp.ReceiveAsync(_stop.Token); } catch (OperationCanceledException) { return; } catch (ObjectDisposedException) { return; }
                    using var up = new UdpClient(AddressFamily.InterNetwork);
                    await up.SendAsync(q.Buffer, q.Buffer.Length, _upstream);
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    timeout.CancelAfter(TimeSpan.FromSeconds(5));
                    try
                    {
                        var a = await up.ReceiveAsync(timeout.Token);
                        Volatile.Write(ref _last, a.Buffer);
                        await _udp.SendAsync(a.Buffer, a.Buffer.Length, q.RemoteEndPoint);
                    }
                    catch (OperationCanceledException) { }
                }
            }

            private async Task TcpLoop()
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient c;
                    try { c = await _tcp.AcceptTcpClientAsync(_stop.Token); } catch (OperationCanceledException) { return; } catch (ObjectDisposedException) { return; } catch (SocketException) { return; }
                    using (c)
                    using (var up = new TcpClient(AddressFamily.InterNetwork))
                    {
                        try
                        {
                            await up.ConnectAsync(_upstream, _stop.Token);
                            var down = c.GetStream();
                            var upStream = up.GetStream();
                            // One query per connection is what DnsClient sends; relay until it closes.
                            while (true)
                            {
                                var q = await ReadFramed(down);
                                if (q == null) break;
                                await upStream.WriteAsync(q, _stop.Token);
                                var a = await ReadFramed(upStream);
                                if (a == null) break;
                                Volatile.Write(ref _last, a.AsSpan(2).ToArray());
                                await down.WriteAsync(a, _stop.Token);
                            }
                        }
                        catch (Exception e) when (e is OperationCanceledException || e is System.IO.IOException || e is SocketException) { }
                    }
                }
            }

            /// <summary>One length-prefixed DNS message (prefix included), or null at end of stream.</summary>
            private async Task<byte[]?> ReadFramed(NetworkStream s)
            {
                var len = new byte[2];
                if (!await ReadExactly(s, len, 0, 2)) return null;
                var m = new byte[2 + (len[0] << 8 | len[1])];
                len.CopyTo(m, 0);
                return await ReadExactly(s, m, 2, m.Length - 2) ? m : null;
            }

            private async Task<bool> ReadExactly(NetworkStream s, byte[] buffer, int offset, int count)
            {
                while (count > 0)
                {
                    int r = await s.ReadAsync(buffer.AsMemory(offset, count), _stop.Token);
                    if (r == 0) return false;
                    offset += r;
                    count -= r;
                }
                return true;
            }

            public void Dispose()
            {
                _stop.Cancel();
                _udp.Dispose();
                _tcp.Stop();
                try { Task.WaitAll(new[] { _udpLoop, _tcpLoop }, TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
                _stop.Dispose();
            }
        }
    }
}
