using System;
using System.Collections.Generic;
using System.Text;
using WeChatNet.Streams;
using WeChatNet.Packets;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// One TCP connection being decoded: both reassembled directions, who is client and server, its host and role,
    /// long-link request/reply pairing and short-link request/response pairing. Emits output objects.
    /// </summary>
    internal sealed class WeChatConnection : IStreamEvents
    {
        private const int MaxOutstandingPerCommand = 64;
        private const int MaxQueuedRequests = 256;

        private readonly WeChatTrafficDecoder _owner;
        private readonly Dictionary<uint, List<(uint Seq, long Ticks)>> _outstanding = new Dictionary<uint, List<(uint, long)>>();
        private readonly Queue<HttpMessage> _requests = new Queue<HttpMessage>();
        private readonly bool _lone;
        private bool _resetReported;
        private bool _clientEnded, _serverEnded;
        private TcpStreamEnd _clientEnd, _serverEnd;
        private string _trafficRole = "";
        private bool _responseSeen;
        /// <summary>The server's stream began with an HTTP response head: a later gap is inside a response, not before it.</summary>
        private bool _responseStarted;
        private long _responseBytesMissed;

        public WeChatConnection(WeChatTrafficDecoder owner, IpKey client, ushort clientPort, IpKey server, ushort serverPort, long ts, bool lone = false)
        {
            _lone = lone;
            _owner = owner;
            Client = client;
            ClientPort = clientPort;
            Server = server;
            ServerPort = serverPort;
            Name = lone ? "" : WeChatMessage.ConnectionText(client, clientPort, server, serverPort);
            Key = lone ? (FlowKey?)null : new FlowKey(client, clientPort, server, serverPort);
            var options = owner.Options.Reassembly;
            ClientDecoder = new StreamDecoder(this, fromClient: true, owner.Options.MaxFrameLength);
            ServerDecoder = new StreamDecoder(this, fromClient: false, owner.Options.MaxFrameLength);
            if (owner.Options.KeyLog != null)
            {
                ClientDecoder.KeepRecordBodies();
                ServerDecoder.KeepRecordBodies();
            }
            ClientStream = new TcpStreamReassembler(ClientDecoder, options, owner.Budget);
            ServerStream = new TcpStreamReassembler(ServerDecoder, options, owner.Budget);
            string? source = null;
            Host = lone ? "" : owner.Names.Lookup(server, ts, out source) ?? "";
            HostSource = source ?? "";
            LastActivityTicks = ts;
            if (serverPort == 53)
            {
                ClientDecoder.UseDns();
                ServerDecoder.UseDns();
            }
        }

        public void OnDnsMessage(StreamDecoder stream, ReadOnlySpan<byte> message, long ts)
        {
            var m = _owner.OnDnsStreamMessage(message, ts);
            if (_owner.Wants(WeChatMessageKind.DnsMessage)) _owner.Emit(Stamp(m, stream, ts));
        }

        public IpKey Client { get; }
        public ushort ClientPort { get; }
        public IpKey Server { get; }
        public ushort ServerPort { get; }
        public string Name { get; }
        /// <summary>The connection as a typed key (null for a lone payload); messages carry it to the analysis.</summary>
        public FlowKey? Key { get; }
        public string Host { get; private set; }
        /// <summary>Where <see cref="Host"/> came from (<see cref="HostSources"/>); empty when unnamed.</summary>
        public string HostSource { get; private set; }
        public StreamDecoder ClientDecoder { get; }
        public StreamDecoder ServerDecoder { get; }
        public TcpStreamReassembler ClientStream { get; }
        public TcpStreamReassembler ServerStream { get; }
        public long LastActivityTicks { get; set; }
        public bool IsFinished => _clientEnded && _serverEnded;

        public HttpLimits HttpLimits => _owner.Options.Http;

        public string Role
        {
            get
            {
                if (Host.Length > 0)
                {
                    var c = EndpointCatalog.Default.Classify(Host);
                    if (c != null) return c.Role.ToString();
                }
                return _trafficRole;
            }
        }

        /// <summary>Ends both directions (idle, eviction, end of input).</summary>
        public void Release(TcpStreamEnd reason, long ts)
        {
            ClientStream.Release(reason, ts);
            ServerStream.Release(reason, ts);
        }

        private T Stamp<T>(T message, StreamDecoder? stream, long ts) where T : WeChatMessage
        {
            message.Timestamp = new DateTimeOffset(ts, TimeSpan.Zero);
            message.Connection = Name;
            message.Flow = Key;
            message.Direction = _lone ? "Unknown" : stream is null ? "" : stream.FromClient ? "ClientToServer" : "ServerToClient";
            message.Host = Host;
            message.Role = _roleCache ??= Role;
            return message;
        }

        private string? _roleCache;

        private void SetTrafficRole(string role)
        {
            if (_trafficRole.Length == 0) { _trafficRole = role; _roleCache = null; }
        }

        public void OnDetected(StreamDecoder stream, long ts)
        {
            switch (stream.Protocol)
            {
                case StreamProtocol.LongLink:
                case StreamProtocol.Mmtls:
                    SetTrafficRole(nameof(EndpointRole.LongLink));
                    break;
                case StreamProtocol.Http when !stream.FromClient:
                    _responseStarted = true;
                    break;
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        public void OnFrame(StreamDecoder stream, in LongLinkHeader h, long ts)
        {
            bool fromClient = stream.FromClient;
            bool reply = LongLinkCommands.IsReply(h.Command);
            double? rtt = null;
            if (fromClient && !reply)
                Remember(h.Command, h.Sequence, ts);
            else if (reply && !fromClient)
                rtt = Pair(h.Command - LongLinkCommands.ReplyOffset, h.Sequence, ts);
            if (!_owner.Wants(WeChatMessageKind.LongLinkFrame)) return;
            if (_owner.FrameSink is { } sink && Key is FlowKey key)
            {
                sink(key, in h, fromClient, stream.DecryptedPlaintext, ts);
                return;
            }
            var f = new LongLinkFrame
            {
                HeaderFormat = h.Format == LongLinkHeaderFormat.MarsDemo20 ? "MarsDemo20" : "WeChat16",
                Length = h.TotalLength,
                HeaderLength = h.HeaderLength,
                BodyLength = h.BodyLength,
                Version = h.Version,
                Command = h.Command,
                CommandName = LongLinkCommands.Name(h.Command),
                Sequence = h.Sequence,
                SequenceKind = LongLinkCommands.SequenceKind(h.Sequence),
                IsReply = reply,
                RequestCommand = reply ? h.Command - LongLinkCommands.ReplyOffset : (long?)null,
                RoundTripMs = rtt,
                Decrypted = stream.DecryptedPlaintext,
            };
            _owner.Emit(Stamp(f, stream, ts));
        }

        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        private void Remember(uint command, uint seq, long ts)
        {
            if (!_outstanding.TryGetValue(command, out var list)) _outstanding[command] = list = new List<(uint, long)>();
            if (list.Count >= MaxOutstandingPerCommand) list.RemoveAt(0);
            list.Add((seq, ts));
        }

        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        private double? Pair(uint requestCommand, uint seq, long ts)
        {
            if (!_outstanding.TryGetValue(requestCommand, out var list) || list.Count == 0) return null;
            int index = 0;
            for (int i = 0; i < list.Count; i++) if (list[i].Seq == seq) { index = i; break; }
            long start = list[index].Ticks;
            list.RemoveAt(index);
            return (ts - start) / (double)TimeSpan.TicksPerMillisecond;
        }

        public void OnRecord(StreamDecoder stream, in MmtlsRecordHeader h, byte[]? body, int bodyLength, long index, long ts)
        {
            var log = _owner.Options.KeyLog;
            if (log is null || stream.DecryptedPlaintext)
            {
                if (!_owner.Wants(WeChatMessageKind.MmtlsRecord)) return;
                _owner.Emit(Stamp(MmtlsRecords.Create(in h, body, bodyLength, index, "LongLink"), stream, ts));
                return;
            }
            var r = MmtlsRecords.Create(in h, body, bodyLength, index, "LongLink");
            MmtlsDecryption d = default;
            if (MmtlsRecords.IsDecryptionCandidate(r) && body != null)
            {
                ref var decryptor = ref stream.FromClient ? ref _clientDecryptor : ref _serverDecryptor;
                decryptor ??= new MmtlsRecordDecryptor(log, _owner.Decryption);
                d = decryptor.Decrypt(in h, body, 0, bodyLength, index - 1);
                MmtlsRecords.ApplyDecryption(r, in d, _owner.Masker.ShowIdentifiers);
                // A long-link data record holds 16-byte frames; a business packet may follow a frame header.
                if (d.Decrypted && h.Type == MmtlsRecordHeader.ApplicationData)
                    MmtlsInnerDecryptor.Apply(r, log, d.Plaintext!, d.Length, d.Length > LongLinkHeader.WeChatHeaderLength ? LongLinkHeader.WeChatHeaderLength : -1, _owner.Decryption, _owner.Masker);
            }
            else r.DecryptionStatus = nameof(MmtlsDecryptionStatus.NotAttempted);
            if (_owner.Wants(WeChatMessageKind.MmtlsRecord)) _owner.Emit(Stamp(r, stream, ts));
            if (h.Type != MmtlsRecordHeader.ApplicationData) return;
            ref var plain = ref stream.FromClient ? ref _clientPlain : ref _serverPlain;
            if (plain is null)
            {
                plain = new StreamDecoder(this, stream.FromClient, _owner.Options.MaxFrameLength);
                plain.DecodeDecryptedLongLink();
            }
            ref bool resync = ref stream.FromClient ? ref _clientResync : ref _serverResync;
            // Plaintext that is not long-link frames stops frame decoding of this direction for good (one event says why).
            if (plain.Protocol != StreamProtocol.LongLink && !resync) return;
            if (!d.Decrypted)
            {
                // The lost record's bytes are unknown: frames resume at the next decrypted record that starts with one.
                resync = true;
                return;
            }
            var text = new ReadOnlySpan<byte>(d.Plaintext, 0, d.Length);
            if (resync)
            {
                if (!StreamDecoder.LooksLikeLongLink(text, _owner.Options.MaxFrameLength)) return; // still inside the lost frame
                plain.DecodeDecryptedLongLink();
                resync = false;
            }
            plain.OnData(text, ts);
        }

        private MmtlsRecordDecryptor? _clientDecryptor, _serverDecryptor;
        private StreamDecoder? _clientPlain, _serverPlain;
        private bool _clientResync, _serverResync;

        /// <summary>
        /// Decrypts the records of one short-link body (its own 0-RTT session: positions count from the body's start) and
        /// reads the request's early data. Returns the decrypted records' plaintext bytes (null when none decrypted).
        /// </summary>
        private long? DecryptBody(List<MmtlsRecord> records, List<int> offsets, byte[] body, bool request, ShortLinkExchange? exchange)
        {
            var log = _owner.Options.KeyLog!;
            var decryptor = new MmtlsRecordDecryptor(log, _owner.Decryption);
            long? plaintext = null;
            for (int i = 0; i < records.Count; i++)
            {
                var r = records[i];
                if (!MmtlsRecords.IsDecryptionCandidate(r)) { r.DecryptionStatus = nameof(MmtlsDecryptionStatus.NotAttempted); continue; }
                var h = new MmtlsRecordHeader((byte)r.ContentTypeCode, (ushort)System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(body.AsSpan(offsets[i] + 1)), (ushort)r.Length);
                var d = decryptor.Decrypt(in h, body, offsets[i] + MmtlsRecordHeader.Length, r.Length, i);
                MmtlsRecords.ApplyDecryption(r, in d, _owner.Masker.ShowIdentifiers);
                if (!d.Decrypted) continue;
                if (exchange != null) exchange.DecryptedRecordCount++;
                if (h.Type != MmtlsRecordHeader.ApplicationData) continue;
                plaintext = (plaintext ?? 0) + d.Length;
                int packetStart = -1;
                string? earlyProblem = null;
                if (request && MmtlsEarlyData.TryRead(new ReadOnlySpan<byte>(d.Plaintext, 0, d.Length), out var early, out earlyProblem))
                {
                    packetStart = early.PayloadOffset;
                    if (exchange != null && exchange.DecryptedPath.Length == 0)
                    {
                        exchange.Decrypted = true;
                        exchange.DecryptedPath = _owner.Masker.MaskTarget(early.Path);
                        ShortLinkCgi.Classify(early.Path, out _, out _, out string cgi);
                        exchange.CgiName = cgi;
                        exchange.RequestType = cgi.Length > 0 && early.Path.StartsWith(ShortLinkCgi.MicromsgPrefix, StringComparison.Ordinal) ? ShortLinkCgi.RequestType(cgi) : null;
                    }
                }
                else if (request && earlyProblem != null) r.DecryptionNote += "; early data: " + earlyProblem;
                else if (!request) packetStart = 0;
                MmtlsInnerDecryptor.Apply(r, log, d.Plaintext!, d.Length, packetStart, _owner.Decryption, _owner.Masker);
            }
            return plaintext;
        }

        public void OnHttpMessage(StreamDecoder stream, HttpMessage m)
        {
            if (!m.IsResponse)
            {
                string? host = m.Header("Host");
                if (host != null && host.Length > 0 && !_lone)
                {
                    _owner.Names.AddHttpHost(Server, host);
                    // The connection's own Host header is better evidence than any DNS or dispatch answer for the address.
                    string name = HostNamer.HttpHostName(host);
                    if (name.Length > 0 && HostSource != HostSources.Sni && !(name == Host && HostSource == HostSources.HttpHost))
                        SetHost(name, HostSources.HttpHost);
                }
                if (_requests.Count >= MaxQueuedRequests) Exchange(_requests.Dequeue(), null, "request never answered (too many outstanding)");
                _requests.Enqueue(m);
                return;
            }
            _responseSeen = true;
            var request = _requests.Count > 0 ? _requests.Dequeue() : null;
            Exchange(request, m, null);
        }

        /// <summary>Whether the next response answers a HEAD request (and so has no body).</summary>
        public bool NextResponseIsToHead() => _requests.Count > 0 && _requests.Peek().Method == "HEAD";

        private void Exchange(HttpMessage? request, HttpMessage? response, string? problem)
        {
            var problems = new List<string>();
            if (problem != null) problems.Add(problem);
            string target = request?.Target ?? "";
            ShortLinkCgi.Classify(target, out string path, out bool isMmtls, out string cgi);
            string ua = request?.Header("User-Agent") ?? "";
            bool wechat = isMmtls || cgi.Length > 0 || path.StartsWith("/mmhead/", StringComparison.Ordinal)
                || ua.IndexOf("MicroMessenger", StringComparison.OrdinalIgnoreCase) >= 0
                || (Host.Length > 0 && EndpointCatalog.Default.Classify(Host) != null);
            // A payload given on its own (-InputObject/-Hex) is reported whatever it is: the user asked for it.
            if (!wechat && !_lone) return;
            if (cgi == "newgetdns") SetTrafficRole(nameof(EndpointRole.Dispatch));
            else if (isMmtls || target.StartsWith(ShortLinkCgi.MicromsgPrefix, StringComparison.Ordinal)) SetTrafficRole(nameof(EndpointRole.ShortLink));
            else if (path.StartsWith("/mmhead/", StringComparison.Ordinal)) SetTrafficRole(nameof(EndpointRole.Media));

            if (request is null) problems.Add("response without a captured request");
            else if (request.Incomplete) problems.Add("request incomplete");
            if (response is null && problem is null)
                problems.Add(_responseBytesMissed > 0 && !_responseSeen
                    ? _responseStarted
                        ? $"response not decodable: {_responseBytesMissed} bytes inside it were skipped (lost before the capture point, or sent again later than the reassembly holds out-of-order data)"
                        : $"response not decodable: its first {_responseBytesMissed} bytes were not captured"
                    : "no response");
            else if (response != null && response.Incomplete) problems.Add("response incomplete");
            if (response != null && response.BodyTruncated) problems.Add($"response body longer than {HttpLimits.MaxBodyBytes} bytes: only its start was decoded");

            byte[]? decoded = null;
            if (response != null)
            {
                decoded = response.DecodedBody(HttpLimits.MaxDecodedBytes, out var decodeProblem);
                if (decodeProblem != null) problems.Add(decodeProblem);
            }

            long startTicks = request?.StartTicks ?? response!.StartTicks;
            long endTicks = response?.EndTicks ?? request!.EndTicks;
            var requestRecords = new List<MmtlsRecord>();
            var responseRecords = new List<MmtlsRecord>();
            bool decrypt = _owner.Options.KeyLog != null;
            var requestOffsets = decrypt ? new List<int>() : null;
            var responseOffsets = decrypt ? new List<int>() : null;
            if (isMmtls && request != null)
            {
                requestRecords = MmtlsRecords.ReadAll(request.Body, "ShortLink", out var rp, requestOffsets);
                if (rp != null) problems.Add("request body: " + rp);
            }
            if (isMmtls && decoded != null)
            {
                responseRecords = MmtlsRecords.ReadAll(decoded, "ShortLink", out var rp, responseOffsets);
                if (rp != null) problems.Add("response body: " + rp);
            }
            var decryptedExchange = decrypt && isMmtls ? new ShortLinkExchange() : null;
            long? requestPlain = null, responsePlain = null;
            if (decryptedExchange != null && request != null) requestPlain = DecryptBody(requestRecords, requestOffsets!, request.Body, true, decryptedExchange);
            if (decryptedExchange != null && decoded != null) responsePlain = DecryptBody(responseRecords, responseOffsets!, decoded, false, decryptedExchange);
            if (_owner.Wants(WeChatMessageKind.MmtlsRecord))
            {
                foreach (var r in requestRecords) _owner.Emit(StampDirection(r, true, request!.EndTicks));
                foreach (var r in responseRecords) _owner.Emit(StampDirection(r, false, response!.EndTicks));
            }

            bool dispatchAnswer = cgi == "newgetdns" || (_lone && request is null && response != null && LooksLikeDispatch(decoded));
            if (dispatchAnswer && response != null)
            {
                string? dispatchProblem = _owner.OnDispatch(this, request, response, decoded, endTicks);
                if (dispatchProblem != null) problems.Add(dispatchProblem);
            }

            if (!_owner.Wants(WeChatMessageKind.ShortLinkExchange)) return;
            var x = new ShortLinkExchange
            {
                Method = request?.Method ?? "",
                Path = _owner.Masker.MaskTarget(target),
                HttpVersion = request?.Version ?? response?.Version ?? "",
                RequestHost = request?.Header("Host") ?? "",
                UserAgent = ua,
                IsMmtls = isMmtls,
                CgiName = decryptedExchange != null && decryptedExchange.CgiName.Length > 0 ? decryptedExchange.CgiName : cgi,
                RequestType = decryptedExchange != null && decryptedExchange.CgiName.Length > 0 ? decryptedExchange.RequestType
                    : cgi.Length > 0 && target.StartsWith(ShortLinkCgi.MicromsgPrefix, StringComparison.Ordinal) ? ShortLinkCgi.RequestType(cgi) : null,
                RequestBodyLength = request?.BodyLength ?? 0,
                StatusCode = response?.StatusCode,
                ContentType = response?.Header("Content-Type") ?? "",
                ContentEncoding = response?.Header("Content-Encoding") ?? "",
                ResponseBodyLength = response?.BodyLength ?? 0,
                ResponseDecodedLength = decoded?.Length ?? 0,
                RequestRecordCount = requestRecords.Count,
                ResponseRecordCount = responseRecords.Count,
                Decrypted = decryptedExchange?.Decrypted ?? false,
                DecryptedPath = decryptedExchange?.DecryptedPath ?? "",
                DecryptedRecordCount = decryptedExchange?.DecryptedRecordCount ?? 0,
                RequestPlaintextLength = requestPlain,
                ResponsePlaintextLength = responsePlain,
                DurationMs = request != null && response != null ? (endTicks - startTicks) / (double)TimeSpan.TicksPerMillisecond : (double?)null,
                Problem = string.Join("; ", problems),
            };
            if (!isMmtls && request != null && request.Body.Length > 0 && request.Body[0] == LegacyBusinessHeader.Magic)
            {
                if (LegacyBusinessHeader.TryRead(request.Body, out var legacy, out var legacyProblem))
                {
                    x.LegacyClientVersion = "0x" + legacy.ClientVersion.ToString("X8");
                    x.LegacyUin = legacy.Uin == 0 ? "0" : _owner.Masker.Mask("uin", legacy.Uin.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    x.LegacyCrypto = legacy.Crypto;
                    x.LegacyCompression = legacy.Compression;
                }
                else x.Problem = x.Problem.Length == 0 ? "request body: " + legacyProblem : x.Problem + "; request body: " + legacyProblem;
            }
            Stamp(x, null, startTicks);
            if (!_lone) x.Direction = "ClientToServer";
            _owner.Emit(x);
        }

        private static bool LooksLikeDispatch(byte[]? body)
        {
            if (body is null) return false;
            int n = Math.Min(body.Length, 256);
            return Encoding.ASCII.GetString(body, 0, n).IndexOf("<dns>", StringComparison.Ordinal) >= 0;
        }

        internal T StampDirection<T>(T message, bool fromClient, long ts) where T : WeChatMessage
        {
            Stamp(message, null, ts);
            if (!_lone) message.Direction = fromClient ? "ClientToServer" : "ServerToClient";
            return message;
        }

        public void OnServerName(StreamDecoder stream, string name, long ts)
        {
            if (!_lone) SetHost(name, HostSources.Sni);
        }

        private void SetHost(string host, string source)
        {
            Host = host;
            HostSource = source;
            _roleCache = null;
            _owner.OnConnectionNamed(this);
        }

        public void OnGap(StreamDecoder stream, long bytes, long ts)
        {
            // Bytes missing before the server's first response: the exchange says so instead of "no response".
            if (!stream.FromClient && !_responseSeen) _responseBytesMissed += bytes;
            if (!IsWeChat || !_owner.Wants(WeChatMessageKind.StreamEvent)) return;
            _owner.Emit(Stamp(new StreamEvent { Event = "Gap", Bytes = bytes, Reason = $"{bytes} bytes missing from the capture were skipped" }, stream, ts));
        }

        public void OnDecodingStopped(StreamDecoder stream, string reason, long ts)
        {
            if (!_owner.Wants(WeChatMessageKind.StreamEvent)) return;
            _owner.Emit(Stamp(new StreamEvent { Event = "DecodingStopped", Reason = reason }, stream, ts));
        }

        public void OnEnd(StreamDecoder stream, TcpStreamEnd reason, long ts)
        {
            if (stream.FromClient) { _clientEnded = true; _clientEnd = reason; }
            else { _serverEnded = true; _serverEnd = reason; }
            if (reason == TcpStreamEnd.Reset && !_resetReported)
            {
                _resetReported = true;
                if (IsWeChat && _owner.Wants(WeChatMessageKind.StreamEvent))
                    _owner.Emit(Stamp(new StreamEvent { Event = "Reset", Reason = (stream.FromClient ? "client" : "server") + " sent RST" }, stream, ts));
                // A reset ends both directions.
                (stream.FromClient ? ServerStream : ClientStream).Release(TcpStreamEnd.Reset, ts);
                return;
            }
            if (!IsFinished) return;
            while (_requests.Count > 0) Exchange(_requests.Dequeue(), null, null);
            if (_resetReported || !IsWeChat || !_owner.Wants(WeChatMessageKind.StreamEvent)) return;
            if (_clientEnd == TcpStreamEnd.Fin && _serverEnd == TcpStreamEnd.Fin)
                _owner.Emit(Stamp(new StreamEvent { Event = "Closed", Reason = "FIN both ways" }, stream, ts));
            else if (_clientEnd == TcpStreamEnd.Idle)
                _owner.Emit(Stamp(new StreamEvent { Event = "Closed", Reason = $"idle for {_owner.Options.Reassembly.IdleTimeout.TotalSeconds:0} s, released" }, stream, ts));
            else if (_clientEnd == TcpStreamEnd.Evicted)
                _owner.Emit(Stamp(new StreamEvent { Event = "Closed", Reason = "released: too many connections open at once" }, stream, ts));
        }

        /// <summary>True when either direction was recognised as WeChat traffic.</summary>
        public bool IsWeChat
        {
            get
            {
                static bool Known(StreamProtocol p) => p == StreamProtocol.LongLink || p == StreamProtocol.Mmtls || p == StreamProtocol.Stopped;
                return Known(ClientDecoder.Protocol) || Known(ServerDecoder.Protocol) || _trafficRole.Length > 0
                    || (Host.Length > 0 && EndpointCatalog.Default.Classify(Host) != null);
            }
        }
    }
}
