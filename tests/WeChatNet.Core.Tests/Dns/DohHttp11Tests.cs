using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WeChatNet.Dns;
using Xunit;

namespace WeChatNet.Tests.Dns
{
    /// <summary>
    /// A DNS-over-HTTPS server of the test's own speaking HTTP/1.1 over TLS (Unbound speaks only HTTP/2), with the
    /// fixture's certificate: proves the HTTP/1.1 path and the checks on status, media type and size.
    /// </summary>
    [Collection(DnsServersFixture.Collection)]
    public sealed class DohHttp11Tests : IDisposable
    {
        private readonly DnsServersFixture _s;
        private readonly TcpListener _listener;
        private readonly X509Certificate2 _serverCert;
        private readonly CancellationTokenSource _cts = new CancellationTokenSource();
        private string _mode = "ok";
        private string _lastRequestLine = "";

        public DohHttp11Tests(DnsServersFixture servers)
        {
            _s = servers;
            using var pem = X509Certificate2.CreateFromPemFile(_s.CertificatePath, Path.Combine(_s.Dir, "key.pem"));
            _serverCert = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _ = Task.Run(Serve);
        }

        private string Url => $"https://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/dns-query";

        private async Task Serve()
        {
            while (!_cts.IsCancellationRequested)
            {
                TcpClient c;
                try { c = await _listener.AcceptTcpClientAsync(_cts.Token); }
                catch (Exception) { return; }
                _ = Task.Run(async () =>
                {
                    using (c)
                    using (var tls = new SslStream(c.GetStream()))
                    {
                        try
                        {
                            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                            {
                                ServerCertificate = _serverCert,
                                ApplicationProtocols = new() { SslApplicationProtocol.Http11 },
                            }, _cts.Token);
                            while (true)
                            {
                                var head = new StringBuilder();
                                var one = new byte[1];
                                while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
                                {
                                    if (await tls.ReadAsync(one, _cts.Token) == 0) return;
                                    head.Append((char)one[0]);
                                }
                                string h = head.ToString();
                                _lastRequestLine = h.Split("\r\n")[0];
                                byte[] query;
                                var lenLine = h.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                                if (lenLine != null)
                                {
                                    query = new byte[int.Parse(lenLine.Split(':')[1].Trim())];
                                    await tls.ReadExactlyAsync(query, _cts.Token);
                                }
                                else
                                {
                                    string b64 = _lastRequestLine.Split(' ')[1].Split("dns=")[1].Replace('-', '+').Replace('_', '/');
                                    query = Convert.FromBase64String(b64 + new string('=', (4 - b64.Length % 4) % 4));
                                }
                                await tls.WriteAsync(Respond(query), _cts.Token);
                            }
                        }
                        catch (Exception) { }
                    }
                });
            }
        }

        private byte[] Respond(byte[] query)
        {
            DnsWireMessage.TryDecode(query, out var q);
            var r = new DnsWireMessage { Id = q.Id, IsResponse = true, RecursionAvailable = true, RecursionDesired = true };
            r.Questions.AddRange(q.Questions);
            r.Answers.Add(DnsRecord.CreateA(q.Questions[0].Name, 60, IPAddress.Parse("198.51.100.8")));
            byte[] body = r.Encode();
            string type = "application/dns-message", status = "200 OK";
            switch (_mode)
            {
                case "html": type = "text/html"; break;
                case "500": status = "500 Internal Server Error"; break;
                case "huge": body = new byte[70000]; break;
                case "wrongquestion":
                    r.Questions.Clear();
                    r.Questions.Add(new DnsQuestion("other.example", DnsRecordType.A));
                    body = r.Encode();
                    break;
            }
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: {type}\r\nContent-Length: {body.Length}\r\n\r\n");
            return head.Concat(body).ToArray();
        }

        private DnsExchange Ask(DohMethod method = DohMethod.Post)
        {
            DnsServer.TryParse(Url, out var doh, out _);
            using var client = new DnsClient(new DnsClientOptions { TrustedCertificate = _s.Certificate, DohMethod = method, Timeout = TimeSpan.FromSeconds(5) });
            return client.QueryAsync(doh!, "long.weixin.qq.com", DnsRecordType.A, null, CancellationToken.None).GetAwaiter().GetResult();
        }

        [Theory]
        [InlineData(DohMethod.Post, "POST /dns-query HTTP/1.1")]
        [InlineData(DohMethod.Get, "GET /dns-query?dns=")]
        public void Http11ServerAnswers(DohMethod method, string requestLineStart)
        {
            var e = Ask(method);
            Assert.True(e.Status == DnsExchangeStatus.Ok, e.Error);
            Assert.Equal("198.51.100.8", e.Response!.Answers.Single().Address);
            Assert.Equal(0, e.Response.Id); // RFC 8484: id 0
            Assert.StartsWith(requestLineStart, _lastRequestLine);
        }

        [Theory]
        [InlineData("html", "Content-Type")]
        [InlineData("500", "500")]
        [InlineData("huge", "65535")]
        [InlineData("wrongquestion", "not trusted")]
        public void BadHttpAnswersAreErrors(string mode, string expected)
        {
            _mode = mode;
            var e = Ask();
            Assert.Equal(DnsExchangeStatus.Error, e.Status);
            Assert.Null(e.Response);
            Assert.Contains(expected, e.Error);
        }

        public void Dispose()
        {
            _cts.Cancel();
            _listener.Stop();
            _serverCert.Dispose();
            _cts.Dispose();
        }
    }
}
