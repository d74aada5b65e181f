using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WeChatNet.Connectivity;
using WeChatNet.IpIntel;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.Connectivity
{
    public sealed class ConnectionTesterTests
    {
        private static readonly IpIntelligence Intel = IpIntelligence.Create(new IpIntelOptions());

        /// <summary>Fails the test if anything tries to resolve a name: tests pass their addresses explicitly.</summary>
        private static Task<IPAddress[]> NoResolution(string host, CancellationToken _) =>
            throw new InvalidOperationException($"the test tried to resolve {host}");

        /// <summary>A real TCP listener on 127.0.0.1 that accepts and counts connections.</summary>
        private sealed class Listener : IDisposable
        {
            private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
            private readonly List<TcpClient> _clients = new List<TcpClient>();
            public int Accepted;

            public Listener()
            {
                _listener.Start();
                Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
                _ = Loop();
            }

            public int Port { get; }

            private async Task Loop()
            {
                try
                {
                    while (true)
                    {
                        var c = await _listener.AcceptTcpClientAsync();
                        lock (_clients) _clients.Add(c);
                        Interlocked.Increment(ref Accepted);
                    }
                }
                catch (Exception e) when (e is ObjectDisposedException || e is SocketException) { }
            }

            public void Dispose()
            {
                _listener.Stop();
                lock (_clients) foreach (var c in _clients) c.Dispose();
            }
        }

        /// <summary>A one-shot HTTP-ish server on 127.0.0.1: reads the request head, then answers as told.</summary>
        private sealed class FakeDispatch : IDisposable
        {
            private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
            private readonly CancellationTokenSource _stop = new CancellationTokenSource();
            public readonly TaskCompletionSource<string> Request = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

            public FakeDispatch(string? answer, int delayMs = 0, bool hang = false)
            {
                _listener.Start();
                Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
                _ = Serve(answer, delayMs, hang);
            }

            public int Port { get; }

            private async Task Serve(string? answer, int delayMs, bool hang)
            {
                try
                {
                    using var client = await _listener.AcceptTcpClientAsync();
                    var stream = client.GetStream();
                    var head = new StringBuilder();
                    var buf = new byte[1024];
                    while (!head.ToString().Contains("\r\n\r\n"))
                    {
                        int n = await stream.ReadAsync(buf, 0, buf.Length, _stop.Token);
                        if (n == 0) break;
                        head.Append(Encoding.ASCII.GetString(buf, 0, n));
                    }
                    Request.TrySetResult(head.ToString());
                    if (hang) await Task.Delay(Timeout.Infinite, _stop.Token);
                    if (delayMs > 0) await Task.Delay(delayMs, _stop.Token);
                    if (answer != null)
                    {
                        var bytes = Encoding.ASCII.GetBytes(answer);
                        await stream.WriteAsync(bytes, 0, bytes.Length, _stop.Token);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException || e is ObjectDisposedException || e is SocketException || e is System.IO.IOException) { }
            }

            public void Dispose()
            {
                _stop.Cancel();
                _listener.Stop();
            }
        }

        private static ConnectionTestRequest Local(params int[] ports) => new ConnectionTestRequest
        {
            Addresses = { IPAddress.Loopback },
            Ports = ports.ToList(),
            TimeoutMs = 2000,
            Http = false,
        };

        [Fact]
        public void ALocalListenerConnectsAndAClosedPortIsRefused()
        {
            using var listener = new Listener();
            int closed = FreePort.Tcp();
            var request = Local(listener.Port, closed);
            request.Count = 3;
            var progress = new List<ConnectionTestProgress>();
            var results = new ConnectionTester(Intel, NoResolution).Run(request, default, progress.Add).ToList();

            Assert.Equal(2, results.Count);
            var ok = results.Single(r => r.Port == listener.Port);
            Assert.Equal("TcpConnect", ok.Test);
            Assert.True(ok.Succeeded);
            Assert.Equal("127.0.0.1", ok.Host);
            Assert.Equal("127.0.0.1", ok.Address);
            Assert.Equal("Given", ok.ResolvedBy);
            Assert.Equal(3, ok.Attempts);
            Assert.Equal(3, ok.Successes);
            Assert.Equal(3, ok.ConnectTimesMs.Length);
            Assert.True(ok.ConnectMs > 0);
            Assert.Equal(ok.ConnectTimesMs.OrderBy(t => t).ElementAt(1), ok.ConnectMs);
            Assert.Null(ok.Error);
            Assert.Equal("Special", ok.Region);
            Assert.Null(ok.Owner);

            var refused = results.Single(r => r.Port == closed);
            Assert.False(refused.Succeeded);
            Assert.Equal("Refused", refused.Error);
            Assert.Equal(0, refused.Successes);
            Assert.Null(refused.ConnectMs);
            Assert.False(string.IsNullOrEmpty(refused.ErrorMessage));

            SpinWait.SpinUntil(() => Volatile.Read(ref listener.Accepted) == 3, 5000);
            Assert.Equal(3, listener.Accepted);
            Assert.Equal(new[] { 1, 2 }, progress.Select(p => p.Completed));
            Assert.Equal(2, progress.Last().Known);
        }

        [Fact]
        public void NamedHostsAreTestedAtGivenAddressesWithoutResolving()
        {
            using var listener = new Listener();
            var request = Local(listener.Port);
            request.Hosts = new List<string> { "long.weixin.qq.com", "szshort.weixin.qq.com", "example.test" };
            var results = new ConnectionTester(Intel, NoResolution).Run(request).OrderBy(r => r.Host).ToList();
            Assert.Equal(new[] { "example.test", "long.weixin.qq.com", "szshort.weixin.qq.com" }, results.Select(r => r.Host));
            Assert.Equal(new string?[] { null, "LongLink", "ShortLink" }, results.Select(r => r.Role));
            Assert.All(results, r => { Assert.True(r.Succeeded); Assert.Equal("Given", r.ResolvedBy); Assert.Equal("127.0.0.1", r.Address); });
        }

        [Fact]
        public void ResolvedHostsAreTestedAtEveryAddressAndDnsFailuresAreReported()
        {
            using var listener = new Listener();
            var asked = new ConcurrentBag<string>();
            Task<IPAddress[]> Resolve(string host, CancellationToken _)
            {
                asked.Add(host);
                if (host == "two.test") return Task.FromResult(new[] { IPAddress.Loopback, IPAddress.Parse("127.0.0.2") });
                throw new SocketException((int)SocketError.HostNotFound);
            }
            var request = new ConnectionTestRequest { Hosts = { "two.test", "missing.test" }, Ports = { listener.Port, 9 }, TimeoutMs = 2000, Http = false };
            var results = new ConnectionTester(Intel, Resolve).Run(request).ToList();

            Assert.Equal(new[] { "missing.test", "two.test" }, asked.OrderBy(h => h));
            Assert.Equal(6, results.Count);
            var resolved = results.Where(r => r.Host == "two.test").ToList();
            Assert.Equal(4, resolved.Count);
            Assert.All(resolved, r => Assert.Equal("SystemResolver", r.ResolvedBy));
            Assert.Equal(new[] { "127.0.0.1", "127.0.0.2" }, resolved.Where(r => r.Port == listener.Port).Select(r => r.Address).OrderBy(a => a));
            // The listener is bound to 127.0.0.1 only: each address gets its own verdict.
            Assert.True(resolved.Single(r => r.Port == listener.Port && r.Address == "127.0.0.1").Succeeded);
            Assert.Equal("Refused", resolved.Single(r => r.Port == listener.Port && r.Address == "127.0.0.2").Error);
            Assert.All(resolved.Where(r => r.Port == 9), r => Assert.Equal("Refused", r.Error));
            var failed = results.Where(r => r.Host == "missing.test").ToList();
            Assert.Equal(new[] { 9, listener.Port }.OrderBy(p => p), failed.Select(r => r.Port).OrderBy(p => p));
            Assert.All(failed, r => { Assert.Equal("DnsFailed", r.Error); Assert.Null(r.Address); Assert.False(r.Succeeded); Assert.Equal(0, r.Attempts); });
        }

        [Fact]
        public void WithoutHostsTheDefaultsAreWeChatsDispatchLongAndShortLinkOnTheirPorts()
        {
            var asked = new ConcurrentBag<string>();
            Task<IPAddress[]> Fail(string host, CancellationToken _)
            {
                asked.Add(host);
                throw new SocketException((int)SocketError.HostNotFound);
            }
            var results = new ConnectionTester(Intel, Fail, _ => throw new InvalidOperationException("no socket may be opened"))
                .Run(new ConnectionTestRequest()).ToList();
            Assert.Equal(new[] { "dns.weixin.qq.com", "dns.weixin.qq.com", "long.weixin.qq.com", "short.weixin.qq.com" }, asked.OrderBy(h => h));
            var tcp = results.Where(r => r.Test == "TcpConnect").ToList();
            Assert.Equal(9, tcp.Count);
            Assert.Equal(new[] { 80, 443, 8080 }, tcp.Where(r => r.Host == "long.weixin.qq.com").Select(r => r.Port).OrderBy(p => p));
            Assert.Equal(new[] { "Dispatch", "LongLink", "ShortLink" }, tcp.Select(r => r.Role).Distinct().OrderBy(r => r));
            var http = Assert.Single(results, r => r.Test == "HttpGet");
            Assert.Equal("dns.weixin.qq.com", http.Host);
            Assert.Equal(80, http.Port);
            Assert.Equal("DnsFailed", http.Error);
            Assert.All(results, r => Assert.Equal("DnsFailed", r.Error));
        }

        [Fact]
        public async Task TheHttpTestReportsStatusAndTimeToFirstByte()
        {
            using var server = new FakeDispatch("HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n<dns><retcode>0</retcode></dns>", delayMs: 30);
            using var listener = new Listener();
            var request = Local(listener.Port);
            request.Http = true;
            request.DispatchPort = server.Port;
            var results = new ConnectionTester(Intel, NoResolution).Run(request).ToList();

            Assert.Equal(2, results.Count);
            var http = results.Single(r => r.Test == "HttpGet");
            Assert.True(http.Succeeded, http.ErrorMessage);
            Assert.Equal(200, http.HttpStatus);
            Assert.Equal("dns.weixin.qq.com", http.Host);
            Assert.Equal("Dispatch", http.Role);
            Assert.Equal("127.0.0.1", http.Address);
            Assert.Equal("Given", http.ResolvedBy);
            Assert.True(http.FirstByteMs >= 25, $"first byte after {http.FirstByteMs} ms, the server waited 30 ms");
            Assert.True(http.ConnectMs > 0);
            var lines = (await server.Request.Task.WaitAsync(TimeSpan.FromSeconds(5))).Split("\r\n");
            Assert.Equal("GET /cgi-bin/micromsg-bin/newgetdns HTTP/1.0", lines[0]);
            Assert.Contains($"Host: dns.weixin.qq.com:{server.Port}", lines);
            Assert.Contains("Connection: close", lines);
            Assert.Single(results, r => r.Test == "TcpConnect" && r.Succeeded);
        }

        [Fact]
        public async Task TheHttpTargetCanBeNamed()
        {
            using var server = new FakeDispatch("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
            var request = new ConnectionTestRequest
            {
                Hosts = { "unused.test" }, Addresses = { IPAddress.Parse("127.0.0.1") }, Ports = { FreePort.Tcp() }, TimeoutMs = 2000,
                DispatchHost = "dispatch.test", DispatchAddress = IPAddress.Loopback, DispatchPort = server.Port, DispatchPath = "/probe",
            };
            var http = new ConnectionTester(Intel, NoResolution).Run(request).Single(r => r.Test == "HttpGet");
            Assert.True(http.Succeeded);
            Assert.Equal(404, http.HttpStatus);
            Assert.Equal("dispatch.test", http.Host);
            Assert.Null(http.Role);
            string seen = await server.Request.Task.WaitAsync(TimeSpan.FromSeconds(5));
            Assert.StartsWith("GET /probe HTTP/1.0\r\n", seen);
            Assert.Contains($"\r\nHost: dispatch.test:{server.Port}\r\n", seen);
        }

        [Theory]
        // The timeout is what the hanging server tests; the others answer at once, so theirs is long enough that a
        // loaded machine never turns their answer (or the connect before it) into a timeout.
        [InlineData("SSH-2.0-OpenSSH_9.2\r\n", false, 10000, "Protocol", "Not an HTTP response: 'SSH-2.0-OpenSSH_9.2'.")]
        [InlineData("", false, 10000, "Protocol", "The server closed the connection without answering.")]
        [InlineData(null, true, 2000, "TimedOut", "No answer to the HTTP request within 2000 ms.")]
        public void BadOrMissingHttpAnswersAreReported(string? answer, bool hang, int timeoutMs, string error, string message)
        {
            using var server = new FakeDispatch(answer, hang: hang);
            var request = Local(FreePort.Tcp());
            request.Http = true;
            request.TimeoutMs = timeoutMs;
            request.DispatchPort = server.Port;
            var http = new ConnectionTester(Intel, NoResolution).Run(request).Single(r => r.Test == "HttpGet");
            Assert.False(http.Succeeded);
            Assert.Equal(error, http.Error);
            Assert.Equal(message, http.ErrorMessage);
            Assert.True(http.ConnectMs > 0, "the TCP connect itself succeeded");
            Assert.Null(http.HttpStatus);
        }

        [Fact]
        public void TheHttpTestToAClosedPortIsRefused()
        {
            var request = Local(FreePort.Tcp());
            request.Http = true;
            request.DispatchPort = FreePort.Tcp();
            var http = new ConnectionTester(Intel, NoResolution).Run(request).Single(r => r.Test == "HttpGet");
            Assert.Equal("Refused", http.Error);
            Assert.Null(http.ConnectMs);
        }

        /// <summary>
        /// Links <paramref name="client"/> to <paramref name="router"/> on 198.18.<paramref name="net"/>.0/30 and routes
        /// 198.51.100.0/24 (blackholed by the router: silence) and 203.0.113.0/24 (unreachable: the router answers ICMP)
        /// through it. Any other destination has no route in the client.
        /// </summary>
        private static void BehindRouter(NetNamespace client, NetNamespace router, int net)
        {
            string routerAddress = $"198.18.{net}.2";
            NetNamespace.Link(client, client.Name.Substring(client.Name.Length - 2) + "0", $"198.18.{net}.1/30",
                router, router.Name.Substring(router.Name.Length - 2) + "0", routerAddress + "/30");
            client.Exec("ip", "route", "add", "198.51.100.0/24", "via", routerAddress);
            client.Exec("ip", "route", "add", "203.0.113.0/24", "via", routerAddress);
            router.Exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
            router.Exec("ip", "route", "add", "blackhole", "198.51.100.0/24");
            router.Exec("ip", "route", "add", "unreachable", "203.0.113.0/24");
        }

        private static Socket Listen(NamespaceSockets sockets, string address, int port)
        {
            var listen = sockets.Create(AddressFamily.InterNetwork);
            listen.Bind(new IPEndPoint(IPAddress.Parse(address), port));
            listen.Listen(16);
            return listen;
        }

        /// <summary>
        /// A client namespace behind a router namespace (198.18.40.0/30): a listener and a closed port on the router,
        /// a blackholed network (silently dropped: TimedOut), a network the router reports unreachable (ICMP), and a
        /// destination the client has no route to. Nothing leaves the namespaces.
        /// </summary>
        [Fact]
        public async Task InANamespaceTimeoutsUnreachableAndRefusedAreToldApart()
        {
            using var client = new NetNamespace("cc");
            using var router = new NetNamespace("cr");
            BehindRouter(client, router, 40);

            using var clientSockets = new NamespaceSockets(client);
            using var routerSockets = new NamespaceSockets(router);
            using var listen = Listen(routerSockets, "198.18.40.2", 8080);
            var accepted = listen.AcceptAsync();

            var request = new ConnectionTestRequest
            {
                Addresses = { IPAddress.Parse("198.18.40.2"), IPAddress.Parse("198.51.100.7"), IPAddress.Parse("203.0.113.9"), IPAddress.Parse("192.0.2.1") },
                Ports = { 8080, 8081 },
                // Only the blackholed address reaches the timeout; 3 s keeps the others' answers inside it under load.
                TimeoutMs = 3000,
                Http = false,
            };
            var results = new ConnectionTester(Intel, NoResolution, clientSockets.Create).Run(request)
                .ToDictionary(r => $"{r.Address}:{r.Port}");

            Assert.Equal(8, results.Count);
            Assert.True(results["198.18.40.2:8080"].Succeeded, results["198.18.40.2:8080"].ErrorMessage);
            Assert.Equal("Benchmarking", Intel.Lookup("198.18.40.2").Range);
            Assert.Equal("Refused", results["198.18.40.2:8081"].Error);
            Assert.Equal("TimedOut", results["198.51.100.7:8080"].Error);
            Assert.Equal("Unreachable", results["203.0.113.9:8080"].Error);
            Assert.Equal("Unreachable", results["192.0.2.1:8080"].Error);
            Assert.All(results.Values.Where(r => !r.Address!.StartsWith("198.18.")), r => Assert.Equal("Special", r.Region));
            (await accepted.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        }

        /// <summary>Cancelling stops the run and closes every socket still connecting.</summary>
        [Fact]
        public async Task CancellingClosesSocketsInFlight()
        {
            using var client = new NetNamespace("xc");
            using var router = new NetNamespace("xr");
            BehindRouter(client, router, 41);
            using var sockets = new NamespaceSockets(client);
            var created = new ConcurrentBag<Socket>();
            Socket Factory(AddressFamily af)
            {
                var s = sockets.Create(af);
                created.Add(s);
                return s;
            }
            var request = new ConnectionTestRequest { Addresses = { IPAddress.Parse("198.51.100.1"), IPAddress.Parse("198.51.100.2") }, Ports = { 80, 443 }, TimeoutMs = 60_000, Http = false };
            using var cts = new CancellationTokenSource();
            var run = Task.Run(() => new ConnectionTester(Intel, NoResolution, Factory).Run(request, cts.Token).ToList());
            SpinWait.SpinUntil(() => created.Count == 4, 10_000);
            Assert.Equal(4, created.Count);
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            Assert.True(SpinWait.SpinUntil(() => created.All(s => s.SafeHandle.IsClosed), 5000), "every socket is closed after cancelling");
        }

        /// <summary>A consumer that stops after the first result (Select-Object -First 1) closes the sockets still connecting.</summary>
        [Fact]
        public void StoppingEarlyClosesSocketsInFlight()
        {
            using var client = new NetNamespace("ec");
            using var router = new NetNamespace("er");
            BehindRouter(client, router, 42);
            using var clientSockets = new NamespaceSockets(client);
            using var routerSockets = new NamespaceSockets(router);
            using var listen = Listen(routerSockets, "198.18.42.2", 443);
            var created = new ConcurrentBag<Socket>();
            Socket Factory(AddressFamily af)
            {
                var socket = clientSockets.Create(af);
                created.Add(socket);
                return socket;
            }
            var request = new ConnectionTestRequest
            {
                Addresses = { IPAddress.Parse("198.18.42.2"), IPAddress.Parse("198.51.100.1"), IPAddress.Parse("198.51.100.2") },
                Ports = { 443 }, TimeoutMs = 60_000, Http = false,
            };
            var first = new ConnectionTester(Intel, NoResolution, Factory).Run(request).First();
            Assert.True(first.Succeeded);
            Assert.Equal("198.18.42.2", first.Address);
            Assert.True(SpinWait.SpinUntil(() => created.Count == 3 && created.All(s => s.SafeHandle.IsClosed), 10_000),
                "the two blackholed connects are abandoned and closed once the consumer stops");
        }

        [Theory]
        [InlineData(0, 1000, 1)]
        [InlineData(70000, 1000, 1)]
        [InlineData(80, 0, 1)]
        [InlineData(80, 1000, 0)]
        [InlineData(80, 1000, 101)]
        public void BadRequestsAreRejected(int port, int timeout, int count)
        {
            var request = new ConnectionTestRequest { Addresses = { IPAddress.Loopback }, Ports = { port }, TimeoutMs = timeout, Count = count };
            Assert.Throws<ArgumentException>(() => new ConnectionTester(Intel, NoResolution).Run(request));
        }

        [Theory]
        [InlineData("HTTP/1.0 200 OK\r\n", 200)]
        [InlineData("HTTP/1.1 301 Moved Permanently\r\nLocation: /\r\n", 301)]
        [InlineData("HTTP/1.1 503\r\n", 503)]
        [InlineData("HTTP/1.1 20 OK\r\n", null)]
        [InlineData("ICY 200 OK\r\n", null)]
        [InlineData("\u0016\u0003\u0001\u0000", null)]
        public void StatusLinesParse(string head, int? status) =>
            Assert.Equal(status, ConnectionTester.ParseStatus(Encoding.ASCII.GetBytes(head).ToList(), out _));

        [Fact]
        public void TheDefaultHostsAreInTheCatalog()
        {
            Assert.Equal(WeChatNet.EndpointRole.Dispatch, WeChatNet.WeChat.EndpointCatalog.Default.Classify(ConnectionTestRequest.DefaultDispatchHost)!.Role);
            Assert.All(ConnectionTestRequest.DefaultHosts, h => Assert.NotNull(WeChatNet.WeChat.EndpointCatalog.Default.Classify(h)));
        }
    }
}
