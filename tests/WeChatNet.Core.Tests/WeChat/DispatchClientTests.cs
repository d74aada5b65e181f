using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WeChatNet.Dns;
using WeChatNet.WeChat;
using Xunit;
using WeChatNet.Resolution;

namespace WeChatNet.Tests.WeChat
{
    /// <summary>
    /// A local HTTP/1.x server for dispatch tests: one request per connection, raw responses chosen by path, so broken
    /// variants (truncated bodies, wrong status, hanging) are exactly what the test says.
    /// </summary>
    public sealed class RawHttpServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _cts = new CancellationTokenSource();
        private readonly Func<string, byte[]?> _respond;
        public ConcurrentQueue<string> Requests { get; } = new ConcurrentQueue<string>();

        public RawHttpServer(Func<string, byte[]?> respond)
        {
            _respond = respond;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _ = Task.Run(AcceptLoop);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public Uri Uri(string path) => new Uri($"http://127.0.0.1:{Port}{path}");

        private async Task AcceptLoop()
        {
            while (!_cts.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_cts.Token); }
                catch (Exception) { return; }
                _ = Task.Run(() => Serve(client));
            }
        }

        private async Task Serve(TcpClient client)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var head = new StringBuilder();
                    var buf = new byte[1];
                    while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 16384)
                    {
                        if (await stream.ReadAsync(buf, _cts.Token) == 0) return;
                        head.Append((char)buf[0]);
                    }
                    Requests.Enqueue(head.ToString());
                    string path = head.ToString().Split(' ')[1];
                    byte[]? response = _respond(path);
                    if (response is null) { await Task.Delay(Timeout.Infinite, _cts.Token); return; } // hang
                    await stream.WriteAsync(response, _cts.Token);
                }
                catch (Exception) { }
            }
        }

        public static byte[] Response(int status, string reason, byte[] body, params string[] headers)
        {
            var h = new StringBuilder($"HTTP/1.0 {status} {reason}\r\nContent-Type: text/xml\r\nContent-Length: {body.Length}\r\nConnection: close\r\n");
            foreach (var x in headers) h.Append(x).Append("\r\n");
            h.Append("\r\n");
            return Encoding.ASCII.GetBytes(h.ToString()).Concat(body).ToArray();
        }

        public void Dispose()
        {
            _cts.Cancel();
            _listener.Stop();
            _cts.Dispose();
        }
    }

    public sealed class DispatchClientTests : IDisposable
    {
        private static readonly byte[] Xml = Encoding.UTF8.GetBytes(DispatchDocumentTests.SampleXml);
        private readonly RawHttpServer _server;

        public DispatchClientTests()
        {
            _server = new RawHttpServer(path =>
            {
                string p = path.Split('?')[0];
                switch (p)
                {
                    case "/plain/newgetdns": return RawHttpServer.Response(200, "OK", Xml);
                    case "/zlib/newgetdns": return RawHttpServer.Response(200, "OK", DispatchDocument.ZlibCompress(Xml), "Content-Encoding: deflate");
                    case "/raw/newgetdns": return RawHttpServer.Response(200, "OK", DispatchDocument.RawDeflate(Xml), "Content-Encoding: deflate");
                    case "/truncated/newgetdns":
                        var z = DispatchDocument.ZlibCompress(Xml);
                        return RawHttpServer.Response(200, "OK", z.Take(z.Length / 2).ToArray(), "Content-Encoding: deflate");
                    case "/dtd/newgetdns":
                        return RawHttpServer.Response(200, "OK", Encoding.UTF8.GetBytes("<!DOCTYPE dns [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><dns><retcode>&e;</retcode></dns>"));
                    case "/huge/newgetdns":
                        return RawHttpServer.Response(200, "OK", Encoding.UTF8.GetBytes("<dns>" + new string(' ', 2 << 20) + "</dns>"));
                    case "/error/newgetdns": return RawHttpServer.Response(503, "Service Unavailable", Encoding.UTF8.GetBytes("busy"));
                    case "/hang/newgetdns": return null;
                    default: return RawHttpServer.Response(404, "Not Found", Array.Empty<byte>());
                }
            });
        }

        public void Dispose() => _server.Dispose();

        private DispatchResult Fetch(string prefix, double timeoutSec = 5, bool show = false) =>
            DispatchClient.FetchAsync(new DispatchRequestOptions { Uri = _server.Uri(prefix + "/newgetdns"), Timeout = TimeSpan.FromSeconds(timeoutSec), ShowIdentifiers = show }, CancellationToken.None)
                .GetAwaiter().GetResult();

        [Theory]
        [InlineData("/plain", "None")]
        [InlineData("/zlib", "Zlib")]
        [InlineData("/raw", "RawDeflate")]
        public void FetchesAndParsesPlainAndDeflatedAnswers(string prefix, string compression)
        {
            var r = Fetch(prefix);
            Assert.True(r.Dispatch != null, r.Message);
            Assert.Equal(compression, r.Dispatch!.Compression);
            Assert.Equal(new[] { "101.226.5.4", "180.163.10.11" }, r.Dispatch.Domains[0].Addresses.Select(a => a.Address));
            Assert.StartsWith("masked-", r.Dispatch.ClientIp);
            Assert.Equal($"http://127.0.0.1:{_server.Port}{prefix}/newgetdns", r.Dispatch.Source);
            Assert.True(r.Dispatch.ElapsedMs > 0);
        }

        [Fact]
        public void SendsTheClientsRequest()
        {
            Fetch("/plain", show: true);
            string head = _server.Requests.Last();
            string requestLine = head.Split("\r\n")[0];
            Assert.StartsWith("GET /plain/newgetdns?uin=0&clientversion=637927472&scene=0&net=1&", requestLine);
            Assert.EndsWith(" HTTP/1.0", requestLine);
            Assert.Contains("User-Agent: MicroMessenger Client\r\n", head);
            Assert.Contains("Connection: close", head, StringComparison.OrdinalIgnoreCase);
            Assert.True(NewGetDnsRequest.TryParse(requestLine.Split(' ')[1], out var parsed, out _));
            Assert.Equal("0", parsed!["uin"]);
        }

        [Theory]
        [InlineData("/truncated", DispatchFailure.DispatchMalformed)]
        [InlineData("/dtd", DispatchFailure.DispatchDtdProhibited)]
        [InlineData("/huge", DispatchFailure.DispatchTooLarge)]
        [InlineData("/error", DispatchFailure.DispatchHttpError)]
        public void BrokenAnswersAreClearFailures(string prefix, object expectedValue)
        {
            var expected = (DispatchFailure)expectedValue; // object: DispatchFailure is internal to the core, test methods are public
            var r = Fetch(prefix);
            Assert.Null(r.Dispatch);
            Assert.Equal(expected, r.Failure);
            Assert.NotEmpty(r.Message);
        }

        [Fact]
        public void HangingServerIsATimeout()
        {
            var r = Fetch("/hang", timeoutSec: 0.5);
            Assert.Equal(DispatchFailure.DispatchTimeout, r.Failure);
        }

        [Fact]
        public async Task ClosedPortIsUnreachable()
        {
            int port = WeChatNet.Tests.Infrastructure.FreePort.Tcp();
            var r = await DispatchClient.FetchAsync(new DispatchRequestOptions { Uri = new Uri($"http://127.0.0.1:{port}/cgi-bin/micromsg-bin/newgetdns"), Timeout = TimeSpan.FromSeconds(5) }, CancellationToken.None);
            Assert.Equal(DispatchFailure.DispatchUnreachable, r.Failure);
        }

        [Fact]
        public void ResolveWithDispatchReportsTheDispatchAnswers()
        {
            var plan = ResolvePlan.Create(new ResolveSettings
            {
                Names = new[] { "long.weixin.qq.com", "mmsns.qpic.cn", "notlisted.weixin.qq.com" },
                Servers = Array.Empty<string>(),
                Regions = Array.Empty<ResolverRegion>(),
                Dispatch = true,
                DispatchUri = _server.Uri("/zlib/newgetdns"),
                ResolvConfPath = "/nonexistent/resolv.conf",
            });
            Assert.True(plan.CanRun, string.Join("; ", plan.Problems.Select(p => p.Message)));
            var answers = DomainResolver.Resolve(plan.Request, null, CancellationToken.None).ToList();
            Assert.Equal(new[] { "long.weixin.qq.com", "mmsns.qpic.cn" }, answers.Select(a => a.Name).OrderBy(n => n));
            var mm = answers.Single(a => a.Name == "mmsns.qpic.cn");
            Assert.Equal("Dispatch", mm.Source);
            Assert.Equal("Http", mm.Protocol);
            Assert.Equal(new[] { "183.3.1.1", "59.37.2.2" }, mm.Addresses);
            Assert.Equal(300, mm.Ttl);
        }
    }
}
