using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WeChatNet.IpIntel;
using WeChatNet.WeChat;

namespace WeChatNet.Connectivity
{
    /// <summary>
    /// Times TCP connects to every address of every host on every port, concurrently, and sends one plain HTTP/1.0
    /// GET to the dispatch host (status and time to first byte). Results are yielded as they arrive, on the
    /// enumerating thread; cancelling the token closes every socket in flight.
    /// </summary>
    internal sealed class ConnectionTester
    {
        private const int MaxHeaderBytes = 16 * 1024;
        private readonly IpIntelligence _intel;
        private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;
        private readonly Func<AddressFamily, Socket> _socketFactory;

        /// <param name="intel">Labels addresses with region and owner.</param>
        /// <param name="resolver">Name resolution; the system resolver when null.</param>
        /// <param name="socketFactory">Creates the TCP sockets (tests create them inside a network namespace).</param>
        public ConnectionTester(IpIntelligence intel, Func<string, CancellationToken, Task<IPAddress[]>>? resolver = null,
            Func<AddressFamily, Socket>? socketFactory = null)
        {
            _intel = intel ?? throw new ArgumentNullException(nameof(intel));
            _resolve = resolver ?? SystemResolve;
            _socketFactory = socketFactory ?? (af => new Socket(af, SocketType.Stream, ProtocolType.Tcp));
        }

        private static async Task<IPAddress[]> SystemResolve(string host, CancellationToken token)
        {
            var lookup = System.Net.Dns.GetHostAddressesAsync(host);
            var finished = await Task.WhenAny(lookup, Task.Delay(Timeout.Infinite, token)).ConfigureAwait(false);
            if (finished != lookup)
            {
                _ = lookup.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                token.ThrowIfCancellationRequested();
            }
            return await lookup.ConfigureAwait(false);
        }

        /// <summary>
        /// Runs the tests and yields one <see cref="ConnectionTest"/> per (host, address, port), plus the HTTP test,
        /// as each finishes. <paramref name="progress"/> is called on the enumerating thread. Throws
        /// ArgumentException for a bad request and OperationCanceledException when <paramref name="cancellation"/> fires.
        /// </summary>
        public IEnumerable<ConnectionTest> Run(ConnectionTestRequest request, CancellationToken cancellation = default,
            Action<ConnectionTestProgress>? progress = null)
        {
            if (request is null) throw new ArgumentNullException(nameof(request));
            request.Validate();
            return RunValidated(request, cancellation, progress);
        }

        private IEnumerable<ConnectionTest> RunValidated(ConnectionTestRequest request, CancellationToken cancellation, Action<ConnectionTestProgress>? progress)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            // Not disposed: tests still finishing after the consumer left may touch them (they hold no OS handles).
            var results = new BlockingCollection<ConnectionTest>();
            var gate = new SemaphoreSlim(request.MaxParallel);
            int pending = 1; // the planner itself; CompleteAdding when every test and the planner are done
            int known = 0;
            void Publish(ConnectionTest t)
            {
                try { results.Add(t); } catch (InvalidOperationException) { } // consumer gone
            }
            void Done()
            {
                if (Interlocked.Decrement(ref pending) == 0) results.CompleteAdding();
            }
            void Start(Func<Task<ConnectionTest>> test)
            {
                Interlocked.Increment(ref pending);
                Interlocked.Increment(ref known);
                Task.Run(async () =>
                {
                    try { Publish(await test().ConfigureAwait(false)); }
                    catch (OperationCanceledException) { }
                    finally { Done(); }
                });
            }

            var token = stop.Token;
            var ports = request.EffectivePorts;
            var hosts = request.Hosts.Select(h => h.Trim()).Where(h => h.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var given = request.Addresses.ToList();
            if (hosts.Count == 0 && given.Count == 0) hosts.AddRange(ConnectionTestRequest.DefaultHosts);

            Task.Run(async () =>
            {
                try
                {
                    var plans = new List<Task>();
                    if (hosts.Count == 0)
                    {
                        foreach (var a in given) StartTargets(a.ToString(), new[] { a }, "Given");
                    }
                    else
                    {
                        foreach (var host in hosts)
                        {
                            if (given.Count > 0) StartTargets(host, given, "Given");
                            else if (request.HostAddresses.TryGetValue(host, out var known))
                            {
                                if (known.Count > 0) StartTargets(host, known.Distinct().ToList(), "Given");
                                else foreach (int port in ports) Start(() => Task.FromResult(DnsFailure("TcpConnect", host, port,
                                    $"The piped answer for {host} has no address (it failed or was empty); it was not resolved again.", "Given")));
                            }
                            else plans.Add(ResolveThen(host, addresses => StartTargets(host, addresses, "SystemResolver"),
                                error => { foreach (int port in ports) Start(() => Task.FromResult(DnsFailure("TcpConnect", host, port, error))); }));
                        }
                    }
                    if (request.Http)
                    {
                        var dispatch = request.DispatchAddress ?? given.FirstOrDefault()
                            ?? (request.HostAddresses.TryGetValue(request.DispatchHost, out var piped) ? piped.FirstOrDefault() : null);
                        if (dispatch != null) Start(() => HttpTest(request, dispatch, "Given", gate, token));
                        else plans.Add(ResolveThen(request.DispatchHost,
                            addresses => Start(() => HttpTest(request, addresses[0], "SystemResolver", gate, token)),
                            error => Start(() => Task.FromResult(DnsFailure("HttpGet", request.DispatchHost, request.DispatchPort, error)))));
                    }
                    await Task.WhenAll(plans).ConfigureAwait(false);
                }
                finally { Done(); }
            });

            void StartTargets(string host, IReadOnlyList<IPAddress> addresses, string resolvedBy)
            {
                foreach (var address in addresses)
                    foreach (int port in ports)
                        Start(() => TcpTest(host, address, resolvedBy, port, request, gate, token));
            }

            async Task ResolveThen(string host, Action<IPAddress[]> then, Action<string> failed)
            {
                IPAddress[] addresses;
                string? error = null;
                try
                {
                    using var limit = CancellationTokenSource.CreateLinkedTokenSource(token);
                    limit.CancelAfter(Math.Max(request.TimeoutMs * 2, 5000));
                    try { addresses = await _resolve(host, limit.Token).ConfigureAwait(false); }
                    catch (OperationCanceledException) when (!token.IsCancellationRequested) { addresses = Array.Empty<IPAddress>(); error = $"Resolving {host} did not finish in {Math.Max(request.TimeoutMs * 2, 5000)} ms."; }
                }
                catch (SocketException e) { addresses = Array.Empty<IPAddress>(); error = $"{host}: {e.Message}"; }
                catch (ArgumentException e) { addresses = Array.Empty<IPAddress>(); error = $"{host}: {e.Message}"; }
                catch (OperationCanceledException) { return; }
                if (addresses.Length == 0) failed(error ?? $"{host} has no addresses.");
                else then(addresses);
            }

            int completed = 0;
            try
            {
                foreach (var result in results.GetConsumingEnumerable(cancellation))
                {
                    completed++;
                    progress?.Invoke(new ConnectionTestProgress(completed, Volatile.Read(ref known), result.ToString()));
                    yield return result;
                }
            }
            finally
            {
                stop.Cancel(); // the consumer stopped early or was cancelled: close sockets in flight
            }
            cancellation.ThrowIfCancellationRequested();
        }

        private ConnectionTest DnsFailure(string test, string host, int port, string message, string resolvedBy = "SystemResolver") =>
            new ConnectionTest(test, host, RoleOf(host), null, resolvedBy, port, false, 0, 0, null, Array.Empty<double>(),
                ConnectionError.DnsFailed.ToString(), message, null, null, null, null);

        private static string? RoleOf(string host) => EndpointCatalog.Default.Classify(host)?.Role.ToString();

        private async Task<ConnectionTest> TcpTest(string host, IPAddress address, string resolvedBy, int port, ConnectionTestRequest request,
            SemaphoreSlim gate, CancellationToken token)
        {
            var times = new List<double>();
            ConnectionError? firstError = null;
            string? firstMessage = null;
            for (int i = 0; i < request.Count; i++)
            {
                await gate.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    var (socket, ms, error, message) = await ConnectAsync(address, port, request.TimeoutMs, token).ConfigureAwait(false);
                    socket?.Dispose();
                    if (error is null) times.Add(ms);
                    else if (firstError is null) { firstError = error; firstMessage = message; }
                }
                catch (Exception e) when (!(e is OperationCanceledException))
                {
                    // Anything unforeseen (a socket option the platform refuses, ...) is a result, not a lost test.
                    if (firstError is null) { firstError = ConnectionError.Other; firstMessage = e.Message; }
                }
                finally { gate.Release(); }
            }
            var info = _intel.Lookup(address);
            return new ConnectionTest("TcpConnect", host, RoleOf(host), address.ToString(), resolvedBy, port, times.Count == request.Count,
                request.Count, times.Count, Median(times), times.ToArray(), firstError?.ToString(), firstMessage, null, null, info.Region, info.Owner);
        }

        private async Task<ConnectionTest> HttpTest(ConnectionTestRequest request, IPAddress address, string resolvedBy, SemaphoreSlim gate, CancellationToken token)
        {
            var info = _intel.Lookup(address);
            ConnectionTest Result(bool ok, double? connectMs, ConnectionError? error, string? message, int? status, double? firstByte) =>
                new ConnectionTest("HttpGet", request.DispatchHost, RoleOf(request.DispatchHost), address.ToString(), resolvedBy, request.DispatchPort,
                    ok, 1, connectMs.HasValue ? 1 : 0, connectMs, connectMs.HasValue ? new[] { connectMs.Value } : Array.Empty<double>(),
                    error?.ToString(), message, status, firstByte, info.Region, info.Owner);

            await gate.WaitAsync(token).ConfigureAwait(false);
            try
            {
                return await HttpExchange(request, address, token, Result).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is OperationCanceledException))
            {
                return Result(false, null, ConnectionError.Other, e.Message, null, null);
            }
            finally { gate.Release(); }
        }

        private async Task<ConnectionTest> HttpExchange(ConnectionTestRequest request, IPAddress address, CancellationToken token,
            Func<bool, double?, ConnectionError?, string?, int?, double?, ConnectionTest> result)
        {
            var clock = Stopwatch.StartNew();
            var (socket, connectMs, error, message) = await ConnectAsync(address, request.DispatchPort, request.TimeoutMs, token).ConfigureAwait(false);
            if (socket is null) return result(false, null, error, message, null, null);
            using (socket)
            {
                string hostHeader = request.DispatchPort == 80 ? request.DispatchHost : request.DispatchHost + ":" + request.DispatchPort.ToString(CultureInfo.InvariantCulture);
                var bytes = Encoding.ASCII.GetBytes(
                    $"GET {request.DispatchPath} HTTP/1.0\r\nHost: {hostHeader}\r\nUser-Agent: WeChatNet/{typeof(ConnectionTester).Assembly.GetName().Version}\r\nAccept: */*\r\nConnection: close\r\n\r\n");
                int remaining = Math.Max(1, request.TimeoutMs - (int)clock.ElapsedMilliseconds);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
                deadline.CancelAfter(remaining);
                using var closeOnCancel = deadline.Token.Register(() => socket.Dispose());
                var sent = Stopwatch.StartNew();
                double? firstByte = null;
                var head = new List<byte>();
                try
                {
                    await SendAllAsync(socket, bytes).ConfigureAwait(false);
                    var buffer = new byte[4096];
                    while (head.Count < MaxHeaderBytes)
                    {
                        int n = await socket.ReceiveAsync(new ArraySegment<byte>(buffer), SocketFlags.None).ConfigureAwait(false);
                        if (n == 0) break;
                        firstByte ??= sent.Elapsed.TotalMilliseconds;
                        head.AddRange(new ArraySegment<byte>(buffer, 0, n));
                        if (IndexOfLineEnd(head) >= 0) break;
                    }
                }
                catch (Exception e) when (e is SocketException || e is ObjectDisposedException)
                {
                    token.ThrowIfCancellationRequested();
                    if (deadline.IsCancellationRequested)
                        return result(false, connectMs, ConnectionError.TimedOut, $"No answer to the HTTP request within {request.TimeoutMs} ms.", null, firstByte);
                    var se = e as SocketException;
                    return result(false, connectMs, se is null ? ConnectionError.Other : Classify(se.SocketErrorCode), e.Message, null, firstByte);
                }
                if (head.Count == 0)
                    return result(false, connectMs, ConnectionError.Protocol, "The server closed the connection without answering.", null, null);
                int? status = ParseStatus(head, out string statusError);
                return status is null
                    ? result(false, connectMs, ConnectionError.Protocol, statusError, null, firstByte)
                    : result(true, connectMs, null, null, status, firstByte);
            }
        }

        private static async Task SendAllAsync(Socket socket, byte[] bytes)
        {
            int offset = 0;
            while (offset < bytes.Length)
                offset += await socket.SendAsync(new ArraySegment<byte>(bytes, offset, bytes.Length - offset), SocketFlags.None).ConfigureAwait(false);
        }

        private static int IndexOfLineEnd(List<byte> head)
        {
            for (int i = 0; i + 1 < head.Count; i++)
                if (head[i] == '\r' && head[i + 1] == '\n') return i;
            return -1;
        }

        /// <summary>"HTTP/1.x NNN reason" -> NNN; null with a reason for anything else.</summary>
        internal static int? ParseStatus(List<byte> head, out string error)
        {
            int end = IndexOfLineEnd(head);
            int length = end >= 0 ? end : Math.Min(head.Count, 200);
            string line = Encoding.ASCII.GetString(head.GetRange(0, length).ToArray());
            string printable = new string(line.Take(60).Select(c => c >= ' ' && c < 127 ? c : '.').ToArray());
            var parts = line.Split(new[] { ' ' }, 3);
            if (parts.Length >= 2 && parts[0].StartsWith("HTTP/", StringComparison.Ordinal) && parts[1].Length == 3 &&
                int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int code) && code >= 100)
            {
                error = string.Empty;
                return code;
            }
            error = $"Not an HTTP response: '{printable}'.";
            return null;
        }

        /// <summary>One timed TCP connect. The socket is returned open on success (caller disposes).</summary>
        private async Task<(Socket? Socket, double Ms, ConnectionError? Error, string? Message)> ConnectAsync(IPAddress address, int port, int timeoutMs,
            CancellationToken token)
        {
            token.ThrowIfCancellationRequested();
            var socket = _socketFactory(address.AddressFamily);
            try
            {
                socket.NoDelay = true;
                var clock = Stopwatch.StartNew();
                Task connect;
                try { connect = socket.ConnectAsync(new IPEndPoint(address, port)); }
                catch (SocketException e)
                {
                    socket.Dispose();
                    return (null, clock.Elapsed.TotalMilliseconds, Classify(e.SocketErrorCode), e.Message);
                }
                var finished = await Task.WhenAny(connect, Task.Delay(timeoutMs, token)).ConfigureAwait(false);
                double ms = clock.Elapsed.TotalMilliseconds;
                if (finished != connect)
                {
                    socket.Dispose();
                    _ = connect.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
                    token.ThrowIfCancellationRequested();
                    return (null, ms, ConnectionError.TimedOut, $"No answer from {address} port {port} within {timeoutMs} ms.");
                }
                try
                {
                    await connect.ConfigureAwait(false);
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    return (null, ms, Classify(e.SocketErrorCode), e.Message);
                }
                return (socket, ms, null, null);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        internal static ConnectionError Classify(SocketError error) => error switch
        {
            SocketError.ConnectionRefused => ConnectionError.Refused,
            SocketError.ConnectionReset => ConnectionError.Refused,
            SocketError.TimedOut => ConnectionError.TimedOut,
            SocketError.HostUnreachable => ConnectionError.Unreachable,
            SocketError.NetworkUnreachable => ConnectionError.Unreachable,
            SocketError.HostDown => ConnectionError.Unreachable,
            SocketError.NetworkDown => ConnectionError.Unreachable,
            SocketError.AddressNotAvailable => ConnectionError.Unreachable,
            SocketError.AccessDenied => ConnectionError.Unreachable,
            _ => ConnectionError.Other,
        };

        private static double? Median(List<double> values)
        {
            if (values.Count == 0) return null;
            var sorted = values.OrderBy(v => v).ToList();
            int mid = sorted.Count / 2;
            return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }
}
