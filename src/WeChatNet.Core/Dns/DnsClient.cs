using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace WeChatNet.Dns
{
    /// <summary>How a DNS-over-HTTPS query is sent (RFC 8484 section 4.1).</summary>
    public enum DohMethod
    {
        Post,
        Get,
    }

    /// <summary>Settings of a <see cref="DnsClient"/>.</summary>
    internal sealed class DnsClientOptions
    {
        /// <summary>Time allowed for each try (UDP) or for the whole exchange (TCP, HTTPS). Default 2 s.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);
        /// <summary>UDP retries after the first try (each from a new source port with a new id). Default 2.</summary>
        public int Retries { get; set; } = 2;
        /// <summary>Retry over TCP when a UDP answer is truncated (TC). Default true.</summary>
        public bool TcpFallback { get; set; } = true;
        public DohMethod DohMethod { get; set; } = DohMethod.Post;
        /// <summary>
        /// A CA certificate to trust for DoH servers in addition to the system store (e.g. a private resolver's own CA or a
        /// self-signed certificate). Certificates are always validated: there is no "ignore certificate errors" switch.
        /// </summary>
        public X509Certificate2? TrustedCertificate { get; set; }
        /// <summary>EDNS0 UDP payload size advertised; 0 sends no OPT record at all (and so no Client Subnet or DO bit).</summary>
        public ushort UdpPayloadSize { get; set; } = Edns.DefaultUdpPayloadSize;
        public bool DnssecOk { get; set; }
        public ClientSubnet? ClientSubnet { get; set; }
        public bool RecursionDesired { get; set; } = true;
    }

    /// <summary>
    /// A stub-resolver client: one question to one server over UDP (retries, per-try timeout, TCP on truncation),
    /// TCP (RFC 1035 4.2.2 length prefix) or DNS over HTTPS (RFC 8484, POST or GET, HTTP/2 where the runtime has it).
    /// Responses are validated (source address and port, id, question echo); mismatches are dropped, not trusted.
    /// Cancellation closes sockets and aborts requests at once. Thread-safe: one client serves concurrent queries.
    /// </summary>
    internal sealed class DnsClient : IDisposable
    {
        public const string DnsMessageMediaType = "application/dns-message";
        private static readonly bool s_runtimeHasHttp2 =
            !System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase);
        private readonly DnsClientOptions _options;
        private readonly Lazy<HttpClient> _http;

        public DnsClient(DnsClientOptions options)
        {
            _options = options;
            _http = new Lazy<HttpClient>(CreateHttpClient, LazyThreadSafetyMode.ExecutionAndPublication);
        }

        public DnsClientOptions Options => _options;

        public void Dispose()
        {
            if (_http.IsValueCreated) _http.Value.Dispose();
        }

        private static ushort NewId()
        {
            var b = new byte[2];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(b);
            return (ushort)((b[0] << 8) | b[1]);
        }

        private byte[] BuildQuery(ushort id, string name, DnsRecordType type, bool withEdns)
        {
            Edns? edns = _options.UdpPayloadSize == 0 || !withEdns ? null : new Edns(_options.UdpPayloadSize, _options.DnssecOk, _options.ClientSubnet);
            return DnsWireMessage.CreateQuery(id, name, type, edns, _options.RecursionDesired).Encode();
        }

        /// <summary>
        /// Asks <paramref name="server"/> for <paramref name="name"/>/<paramref name="type"/>. <paramref name="protocol"/> null means
        /// UDP for an address and HTTPS for a URL. Throws <see cref="ArgumentException"/> for an invalid name and
        /// <see cref="OperationCanceledException"/> when cancelled; every network outcome is a <see cref="DnsExchange"/>.
        /// </summary>
        public async Task<DnsExchange> QueryAsync(DnsServer server, string name, DnsRecordType type, DnsProtocol? protocol, CancellationToken cancellationToken)
        {
            if (DnsName.TryParseLabels(name, out string? nameError) is null) throw new ArgumentException($"'{name}' is not a valid DNS name: {nameError}.", nameof(name));
            var proto = protocol ?? (server.IsHttps ? DnsProtocol.Https : DnsProtocol.Udp);
            var question = new DnsQuestion(name, type);
            var sw = Stopwatch.StartNew();
            var first = await QueryOnceAsync(server, question, proto, edns: true, sw, cancellationToken).ConfigureAwait(false);
            // RFC 6891 6.2.2: a server that does not know EDNS answers FORMERR without an OPT record; ask again without one.
            if (_options.UdpPayloadSize != 0 && first.Response != null && first.Response.ResponseCode == DnsResponseCode.FormErr && first.Response.Edns == null)
            {
                var plain = await QueryOnceAsync(server, question, proto, edns: false, sw, cancellationToken).ConfigureAwait(false);
                return plain.WithHistory(first.Tries, first.DroppedResponses, "The server does not support EDNS (FORMERR); asked again without it, so no Client Subnet or DO bit was sent.");
            }
            return first;
        }

        private async Task<DnsExchange> QueryOnceAsync(DnsServer server, DnsQuestion question, DnsProtocol proto, bool edns, Stopwatch sw, CancellationToken cancellationToken)
        {
            if (proto == DnsProtocol.Https)
                return await HttpsAsync(server, question, edns, sw, cancellationToken).ConfigureAwait(false);
            if (server.EndPoint is null)
                return Fail(DnsExchangeStatus.Error, proto, sw, 0, 0, $"{server} is a DoH URL; it can only be asked over Https.");
            if (proto == DnsProtocol.Tcp)
                return await TcpAsync(server.EndPoint, question, edns, sw, 1, 0, cancellationToken).ConfigureAwait(false);

            var udp = await UdpAsync(server.EndPoint, question, edns, sw, cancellationToken).ConfigureAwait(false);
            if (udp.Status != DnsExchangeStatus.Truncated || !_options.TcpFallback) return udp;
            var tcp = await TcpAsync(server.EndPoint, question, edns, sw, udp.Tries + 1, udp.DroppedResponses, cancellationToken).ConfigureAwait(false);
            if (tcp.Status == DnsExchangeStatus.Timeout || tcp.Status == DnsExchangeStatus.Error)
                return new DnsExchange(DnsExchangeStatus.Truncated, udp.Response, DnsProtocol.Udp, tcp.ElapsedMs, tcp.Tries, tcp.DroppedResponses,
                    "The UDP answer was truncated and the TCP retry failed: " + tcp.Error);
            return tcp;
        }

        // ------------------------------------------------------------------ validation

        private enum Verdict { Accept, Drop, Malformed }

        private static Verdict Validate(byte[] buffer, int length, ushort id, DnsQuestion q, out DnsWireMessage? message, out string why)
        {
            message = null;
            why = string.Empty;
            var span = new ReadOnlySpan<byte>(buffer, 0, length);
            if (!DnsWireMessage.TryReadHeader(span, out ushort rid, out ushort flags, out _, out _, out _, out _)) { why = "shorter than a DNS header"; return Verdict.Drop; }
            if (rid != id) { why = $"id {rid} instead of {id}"; return Verdict.Drop; }
            if ((flags & 0x8000) == 0) { why = "not a response (QR clear)"; return Verdict.Drop; }
            var result = DnsWireMessage.TryDecode(span, out var m);
            // A truncated answer may end mid-record; what was read (header, question) is still checked below.
            bool truncated = m.Truncated;
            if (!result.Success && (!truncated || m.Questions.Count == 0))
            {
                if (m.Questions.Count == 1 && !SameQuestion(m.Questions[0], q)) { why = "question does not match"; return Verdict.Drop; }
                why = "malformed response: " + result;
                message = m;
                return Verdict.Malformed;
            }
            // RFC 5452: the question must be echoed. An empty question section is accepted only with an error rcode (FORMERR/NOTIMP).
            if (m.Questions.Count == 0 && m.HeaderRcode != 0) { message = m; return Verdict.Accept; }
            if (m.Questions.Count != 1 || !SameQuestion(m.Questions[0], q)) { why = "question does not match"; return Verdict.Drop; }
            message = m;
            return Verdict.Accept;
        }

        private static DnsExchange Fail(DnsExchangeStatus status, DnsProtocol protocol, Stopwatch sw, int tries, int dropped, string error) =>
            new DnsExchange(status, null, protocol, sw.Elapsed.TotalMilliseconds, tries, dropped, error);

        private static bool SameQuestion(DnsQuestion a, DnsQuestion b) => a.Type == b.Type && a.Class == b.Class && DnsName.AreEqual(a.Name, b.Name);

        private static DnsExchange Classify(DnsWireMessage m, DnsProtocol protocol, Stopwatch sw, int tries, int dropped)
        {
            if (m.Truncated && protocol == DnsProtocol.Udp)
                return new DnsExchange(DnsExchangeStatus.Truncated, m, protocol, sw.Elapsed.TotalMilliseconds, tries, dropped, "The UDP answer was truncated (TC).");
            switch (m.ResponseCode)
            {
                case DnsResponseCode.NoError: return new DnsExchange(DnsExchangeStatus.Ok, m, protocol, sw.Elapsed.TotalMilliseconds, tries, dropped, string.Empty);
                case DnsResponseCode.NxDomain: return new DnsExchange(DnsExchangeStatus.NxDomain, m, protocol, sw.Elapsed.TotalMilliseconds, tries, dropped, "The name does not exist (NXDOMAIN).");
                case DnsResponseCode.ServFail: return new DnsExchange(DnsExchangeStatus.ServFail, m, protocol, sw.Elapsed.TotalMilliseconds, tries, dropped, "The server failed to answer (SERVFAIL).");
                case DnsResponseCode.Refused: return new DnsExchange(DnsExchangeStatus.Refused, m, protocol, sw.Elapsed.TotalMilliseconds, tries, dropped, "The server refused the query (REFUSED).");
                default: return new DnsExchange(DnsExchangeStatus.Error, m, protocol, sw.Elapsed.TotalMilliseconds, tries, dropped, $"The server answered {m.ResponseCode}.");
            }
        }

        // Waits for task, the deadline or cancellation; on deadline or cancellation disposes the resource so the task ends too.
        private static async Task<bool> WithinAsync(Task task, TimeSpan remaining, IDisposable resource, CancellationToken ct)
        {
            if (remaining <= TimeSpan.Zero) { resource.Dispose(); Observe(task); return false; }
            using var delayCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var delay = Task.Delay(remaining, delayCts.Token);
            var done = await Task.WhenAny(task, delay).ConfigureAwait(false);
            delayCts.Cancel();
            if (done == task) return true;
            resource.Dispose();
            Observe(task);
            ct.ThrowIfCancellationRequested();
            return false;
        }

        private static void Observe(Task t) => t.ContinueWith(x => { _ = x.Exception; }, TaskScheduler.Default);

        private static bool SameEndPoint(EndPoint? from, IPEndPoint expected)
        {
            if (!(from is IPEndPoint ip) || ip.Port != expected.Port) return false;
            var a = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
            var b = expected.Address.IsIPv4MappedToIPv6 ? expected.Address.MapToIPv4() : expected.Address;
            return a.Equals(b);
        }

        // ------------------------------------------------------------------ UDP

        private async Task<DnsExchange> UdpAsync(IPEndPoint server, DnsQuestion q, bool edns, Stopwatch sw, CancellationToken ct)
        {
            int dropped = 0;
            string lastDrop = string.Empty;
            var buffer = new byte[65535];
            int tries = 0;
            for (int attempt = 0; attempt <= Math.Max(0, _options.Retries); attempt++)
            {
                ct.ThrowIfCancellationRequested();
                tries++;
                ushort id = NewId();
                byte[] query = BuildQuery(id, q.Name, q.Type, edns);
                var deadline = sw.Elapsed + _options.Timeout;
                Socket socket;
                try { socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp); }
                catch (SocketException e)
                {
                    return Fail(DnsExchangeStatus.Error, DnsProtocol.Udp, sw, tries, dropped, $"Cannot open a UDP socket for {server}: {e.Message}");
                }
                using var owned = socket;
                try
                {
                    socket.Bind(new IPEndPoint(server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
                    var send = socket.SendToAsync(new ArraySegment<byte>(query), SocketFlags.None, server);
                    if (!await WithinAsync(send, deadline - sw.Elapsed, socket, ct).ConfigureAwait(false)) continue;
                    await send.ConfigureAwait(false);
                    while (true)
                    {
                        EndPoint any = new IPEndPoint(server.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
                        var receive = socket.ReceiveFromAsync(new ArraySegment<byte>(buffer), SocketFlags.None, any);
                        if (!await WithinAsync(receive, deadline - sw.Elapsed, socket, ct).ConfigureAwait(false)) break;
                        SocketReceiveFromResult r;
                        try { r = await receive.ConfigureAwait(false); }
                        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset || e.SocketErrorCode == SocketError.ConnectionRefused)
                        {
                            // ICMP port unreachable (Windows reports it on unconnected sockets): nothing listens there.
                            return Fail(DnsExchangeStatus.Error, DnsProtocol.Udp, sw, tries, dropped,
                                $"Nothing answers DNS at {server} (ICMP port unreachable).");
                        }
                        if (!SameEndPoint(r.RemoteEndPoint, server)) { dropped++; lastDrop = $"a datagram from {r.RemoteEndPoint} instead of {server}"; continue; }
                        var verdict = Validate(buffer, r.ReceivedBytes, id, q, out var m, out string why);
                        if (verdict == Verdict.Drop) { dropped++; lastDrop = why; continue; }
                        if (verdict == Verdict.Malformed)
                            return Fail(DnsExchangeStatus.Error, DnsProtocol.Udp, sw, tries, dropped, $"{server} sent a {why}.");
                        return Classify(m!, DnsProtocol.Udp, sw, tries, dropped);
                    }
                }
                catch (SocketException e)
                {
                    return Fail(DnsExchangeStatus.Error, DnsProtocol.Udp, sw, tries, dropped, $"UDP to {server} failed: {e.Message}");
                }
                catch (ObjectDisposedException) when (!ct.IsCancellationRequested)
                {
                    // The socket was closed at the deadline: next try.
                }
            }
            string note = dropped > 0 ? $" {dropped} untrusted datagram(s) were dropped (last: {lastDrop})." : string.Empty;
            return Fail(DnsExchangeStatus.Timeout, DnsProtocol.Udp, sw, tries, dropped,
                $"No answer from {server} over UDP after {tries} tr{(tries == 1 ? "y" : "ies")} of {_options.Timeout.TotalSeconds:0.###} s.{note}");
        }

        // ------------------------------------------------------------------ TCP

        private async Task<DnsExchange> TcpAsync(IPEndPoint server, DnsQuestion q, bool edns, Stopwatch sw, int tries, int dropped, CancellationToken ct)
        {
            ushort id = NewId();
            byte[] query = BuildQuery(id, q.Name, q.Type, edns);
            var deadline = sw.Elapsed + _options.Timeout;
            TcpClient client;
            try { client = new TcpClient(server.AddressFamily); }
            catch (SocketException e)
            {
                return Fail(DnsExchangeStatus.Error, DnsProtocol.Tcp, sw, tries, dropped, $"Cannot open a TCP socket for {server}: {e.Message}");
            }
            using var owned = client;
            try
            {
                var connect = client.ConnectAsync(server.Address, server.Port);
                if (!await WithinAsync(connect, deadline - sw.Elapsed, client, ct).ConfigureAwait(false))
                    return TcpTimeout(server, sw, tries, dropped, "connecting");
                await connect.ConfigureAwait(false);
                var stream = client.GetStream();
                var framed = new byte[query.Length + 2];
                framed[0] = (byte)(query.Length >> 8);
                framed[1] = (byte)query.Length;
                query.CopyTo(framed, 2);
                var write = stream.WriteAsync(framed, 0, framed.Length);
                if (!await WithinAsync(write, deadline - sw.Elapsed, client, ct).ConfigureAwait(false)) return TcpTimeout(server, sw, tries, dropped, "sending");
                await write.ConfigureAwait(false);
                var lengthBytes = new byte[2];
                var readLen = ReadExactlyAsync(stream, lengthBytes, 2);
                if (!await WithinAsync(readLen, deadline - sw.Elapsed, client, ct).ConfigureAwait(false)) return TcpTimeout(server, sw, tries, dropped, "waiting for the answer");
                if (!await readLen.ConfigureAwait(false))
                    return Fail(DnsExchangeStatus.Error, DnsProtocol.Tcp, sw, tries, dropped, $"{server} closed the TCP connection without answering.");
                int length = (lengthBytes[0] << 8) | lengthBytes[1];
                var buffer = new byte[length];
                var readBody = ReadExactlyAsync(stream, buffer, length);
                if (!await WithinAsync(readBody, deadline - sw.Elapsed, client, ct).ConfigureAwait(false)) return TcpTimeout(server, sw, tries, dropped, "reading the answer");
                if (!await readBody.ConfigureAwait(false))
                    return Fail(DnsExchangeStatus.Error, DnsProtocol.Tcp, sw, tries, dropped, $"{server} closed the TCP connection in the middle of a {length}-byte answer.");
                var verdict = Validate(buffer, length, id, q, out var m, out string why);
                if (verdict != Verdict.Accept)
                    return Fail(DnsExchangeStatus.Error, DnsProtocol.Tcp, sw, tries, dropped + (verdict == Verdict.Drop ? 1 : 0),
                        $"{server} sent an answer over TCP that was not trusted: {why}.");
                return Classify(m!, DnsProtocol.Tcp, sw, tries, dropped);
            }
            catch (SocketException e)
            {
                return Fail(DnsExchangeStatus.Error, DnsProtocol.Tcp, sw, tries, dropped, $"TCP to {server} failed: {e.Message}");
            }
            catch (IOException e) when (!ct.IsCancellationRequested)
            {
                return Fail(DnsExchangeStatus.Error, DnsProtocol.Tcp, sw, tries, dropped, $"TCP to {server} failed: {e.Message}");
            }
            catch (ObjectDisposedException) when (!ct.IsCancellationRequested)
            {
                return TcpTimeout(server, sw, tries, dropped, "the exchange");
            }
        }

        private DnsExchange TcpTimeout(IPEndPoint server, Stopwatch sw, int tries, int dropped, string phase) =>
            Fail(DnsExchangeStatus.Timeout, DnsProtocol.Tcp, sw, tries, dropped,
                $"No answer from {server} over TCP within {_options.Timeout.TotalSeconds:0.###} s ({phase}).");

        private static async Task<bool> ReadExactlyAsync(Stream stream, byte[] buffer, int count)
        {
            int read = 0;
            while (read < count)
            {
                int n = await stream.ReadAsync(buffer, read, count - read).ConfigureAwait(false);
                if (n == 0) return false;
                read += n;
            }
            return true;
        }

        // ------------------------------------------------------------------ HTTPS (RFC 8484)

        private HttpClient CreateHttpClient()
        {
            var handler = new HttpClientHandler { AllowAutoRedirect = false, UseProxy = false, UseCookies = false };
            var trusted = _options.TrustedCertificate;
            if (trusted != null)
                handler.ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) => CertificateValidation.Validate(certificate, errors, trusted);
            return new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        }

        private async Task<DnsExchange> HttpsAsync(DnsServer server, DnsQuestion q, bool edns, Stopwatch sw, CancellationToken ct)
        {
            // An address given for Https: its port, or 443 when it was left at the DNS default of 53.
            Uri url = server.Url ?? new Uri($"https://{(server.EndPoint!.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + server.EndPoint.Address + "]" : server.EndPoint.Address.ToString())}:{(server.EndPoint.Port == 53 ? 443 : server.EndPoint.Port)}/dns-query");
            // RFC 8484 4.1: id 0 keeps answers cacheable; the question echo is still checked.
            byte[] query = BuildQuery(0, q.Name, q.Type, edns);
            HttpRequestMessage request;
            if (_options.DohMethod == DohMethod.Get)
            {
                string b64 = Convert.ToBase64String(query).TrimEnd('=').Replace('+', '-').Replace('/', '_');
                var builder = new UriBuilder(url);
                string existing = builder.Query.TrimStart('?');
                builder.Query = (existing.Length > 0 ? existing + "&" : string.Empty) + "dns=" + b64;
                request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
            }
            else
            {
                request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(query) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(DnsMessageMediaType);
            }
            // HTTP/2 where the runtime has it (.NET Core 3+ negotiates it by ALPN and falls back to 1.1); .NET Framework's
            // handler (Windows PowerShell 5.1) refuses any version but 1.0 and 1.1.
            request.Version = s_runtimeHasHttp2 ? new Version(2, 0) : new Version(1, 1);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(DnsMessageMediaType));
            using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeoutCts.CancelAfter(_options.Timeout);
            try
            {
                using (request)
                using (var response = await _http.Value.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutCts.Token).ConfigureAwait(false))
                {
                    string proto = $"HTTP/{response.Version}";
                    if (response.StatusCode != HttpStatusCode.OK)
                        return Fail(DnsExchangeStatus.Error, DnsProtocol.Https, sw, 1, 0,
                            $"{url} answered {(int)response.StatusCode} {response.ReasonPhrase} ({proto}).");
                    string? media = response.Content.Headers.ContentType?.MediaType;
                    if (!string.Equals(media, DnsMessageMediaType, StringComparison.OrdinalIgnoreCase))
                        return Fail(DnsExchangeStatus.Error, DnsProtocol.Https, sw, 1, 0,
                            $"{url} answered with Content-Type '{media}', not {DnsMessageMediaType}.");
                    long? declared = response.Content.Headers.ContentLength;
                    if (declared > DnsWireMessage.MaxLength)
                        return Fail(DnsExchangeStatus.Error, DnsProtocol.Https, sw, 1, 0, $"{url} sent a {declared}-byte answer; DNS messages are at most {DnsWireMessage.MaxLength}.");
                    using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                    var buffer = new byte[DnsWireMessage.MaxLength + 1];
                    int total = 0, n;
                    using (timeoutCts.Token.Register(() => body.Dispose()))
                    {
                        while (total < buffer.Length && (n = await body.ReadAsync(buffer, total, buffer.Length - total, timeoutCts.Token).ConfigureAwait(false)) > 0) total += n;
                    }
                    if (total > DnsWireMessage.MaxLength)
                        return Fail(DnsExchangeStatus.Error, DnsProtocol.Https, sw, 1, 0, $"{url} sent an answer over {DnsWireMessage.MaxLength} bytes.");
                    var verdict = Validate(buffer, total, 0, q, out var m, out string why);
                    if (verdict != Verdict.Accept)
                        return Fail(DnsExchangeStatus.Error, DnsProtocol.Https, sw, 1, verdict == Verdict.Drop ? 1 : 0,
                            $"{url} sent an answer that was not trusted: {why}.");
                    return Classify(m!, DnsProtocol.Https, sw, 1, 0);
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return Fail(DnsExchangeStatus.Timeout, DnsProtocol.Https, sw, 1, 0,
                    $"No answer from {url} within {_options.Timeout.TotalSeconds:0.###} s.");
            }
            catch (ObjectDisposedException) when (!ct.IsCancellationRequested)
            {
                return Fail(DnsExchangeStatus.Timeout, DnsProtocol.Https, sw, 1, 0,
                    $"No answer from {url} within {_options.Timeout.TotalSeconds:0.###} s.");
            }
            catch (HttpRequestException e)
            {
                return Fail(DnsExchangeStatus.Error, DnsProtocol.Https, sw, 1, 0, $"DNS over HTTPS to {url} failed: {Inner(e)}");
            }
            catch (IOException e) when (!ct.IsCancellationRequested)
            {
                return Fail(DnsExchangeStatus.Error, DnsProtocol.Https, sw, 1, 0, $"DNS over HTTPS to {url} failed: {Inner(e)}");
            }
        }

        private static string Inner(Exception e)
        {
            string s = e.Message;
            for (var x = e.InnerException; x != null; x = x.InnerException) s += " " + x.Message;
            return s;
        }
    }
}
