using System;
using System.Collections.Generic;
using WeChatNet.Packets;
using WeChatNet.Streams;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// Where a traffic decoder hands long-link frames instead of emitting a <see cref="LongLinkFrame"/> object for each
    /// (the capture analysis: the facts it keeps, no object per frame). <paramref name="fromClient"/> is the frame's
    /// direction, <paramref name="decrypted"/> whether it was read from a decrypted MMTLS record, <paramref name="ticks"/>
    /// when its last byte arrived (UTC ticks).
    /// </summary>
    internal delegate void LongLinkFrameSink(FlowKey flow, in LongLinkHeader header, bool fromClient, bool decrypted, long ticks);

    /// <summary>
    /// Decodes WeChat traffic from packets: tracks TCP connections, reassembles both directions, decodes long links,
    /// MMTLS, short-link HTTP, dispatch and DNS, flags probable VoIP datagrams, names servers from what the capture
    /// resolved earlier, and emits one output object per message through the callback given at construction
    /// (on the caller's thread, in capture order). Feed packets in capture order, then call <see cref="Complete"/>.
    /// </summary>
    internal sealed class WeChatTrafficDecoder
    {
        private readonly Dictionary<FlowKey, WeChatConnection> _connections = new Dictionary<FlowKey, WeChatConnection>();
        private readonly Action<object> _emit;
        private readonly bool[] _wants;
        private FlowKey _lastKey;
        private WeChatConnection? _last;
        private long _lastSweepTicks;
        private long _nowTicks;

        public WeChatTrafficDecoder(WeChatDecodeOptions options, Action<object> emit)
        {
            Options = options ?? throw new ArgumentNullException(nameof(options));
            options.Reassembly.Validate();
            _emit = emit ?? throw new ArgumentNullException(nameof(emit));
            _wants = options.KindMask();
            Budget = new TcpMemoryBudget(options.Reassembly.MaxBufferedBytesTotal);
            Masker = new IdentifierMasker(options.ShowIdentifiers);
        }

        public WeChatDecodeOptions Options { get; }
        public TcpMemoryBudget Budget { get; }
        public HostNamer Names { get; } = new HostNamer();
        public IdentifierMasker Masker { get; }
        public int OpenConnections => _connections.Count;
        public long TcpSegments { get; private set; }
        public long UdpDatagrams { get; private set; }
        public long MessagesEmitted { get; private set; }
        /// <summary>
        /// Long-link frames go here instead of being emitted as <see cref="LongLinkFrame"/> objects (null: emitted); the
        /// capture analysis sets it so that decoding allocates nothing per frame.
        /// </summary>
        internal LongLinkFrameSink? FrameSink { get; set; }
        /// <summary>What the key log decrypted so far (all zero without one).</summary>
        public MmtlsDecryptionTally Decryption { get; } = new MmtlsDecryptionTally();

        internal bool Wants(WeChatMessageKind kind) => _wants[(int)kind];

        internal void Emit(object message)
        {
            MessagesEmitted++;
            _emit(message);
        }

        /// <summary>One TCP segment. Addresses are 4 or 16 bytes; others are ignored.</summary>
        public void AddTcp(ReadOnlySpan<byte> sourceAddress, ushort sourcePort, ReadOnlySpan<byte> destinationAddress, ushort destinationPort, in StreamSegment segment)
        {
            if (!IpKey.TryCreate(sourceAddress, out var src) || !IpKey.TryCreate(destinationAddress, out var dst)) return;
            AddTcp(src, sourcePort, dst, destinationPort, in segment);
        }

        /// <summary>One TCP segment between two addresses already made keys (the analysis pipeline hands them over so).</summary>
        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        public void AddTcp(IpKey src, ushort sourcePort, IpKey dst, ushort destinationPort, in StreamSegment segment)
        {
            TcpSegments++;
            long ts = segment.TimestampTicks;
            if (ts > _nowTicks) _nowTicks = ts;
            // Release idle connections before this packet refreshes its own connection's activity.
            if (ts - _lastSweepTicks > Options.Reassembly.IdleTimeout.Ticks / 4) Sweep(ts);
            var key = new FlowKey(src, sourcePort, dst, destinationPort);
            WeChatConnection? conn;
            if (_last != null && key.Equals(_lastKey)) conn = _last;
            else if (!_connections.TryGetValue(key, out conn))
            {
                if ((segment.Flags & TcpFlags.Rst) != 0 && segment.Payload.Length == 0) return; // nothing to decode
                conn = Open(src, sourcePort, dst, destinationPort, segment.Flags, ts);
                _connections[key] = conn;
            }
            _last = conn;
            _lastKey = key;
            conn.LastActivityTicks = ts;
            bool fromClient = src.Equals(conn.Client) && sourcePort == conn.ClientPort;
            (fromClient ? conn.ClientStream : conn.ServerStream).Add(in segment);
            if (conn.IsFinished) Remove(key, conn);
        }

        /// <summary>One UDP datagram: DNS on port 53, else checked against the VoIP heuristic.</summary>
        public void AddUdp(ReadOnlySpan<byte> sourceAddress, ushort sourcePort, ReadOnlySpan<byte> destinationAddress, ushort destinationPort,
            ReadOnlySpan<byte> payload, long timestampTicks)
        {
            if (!IpKey.TryCreate(sourceAddress, out var src) || !IpKey.TryCreate(destinationAddress, out var dst)) return;
            AddUdp(src, sourcePort, dst, destinationPort, payload, timestampTicks);
        }

        /// <summary>One UDP datagram between two addresses already made keys.</summary>
        public void AddUdp(IpKey src, ushort sourcePort, IpKey dst, ushort destinationPort, ReadOnlySpan<byte> payload, long timestampTicks)
        {
            UdpDatagrams++;
            if (timestampTicks > _nowTicks) _nowTicks = timestampTicks;
            if (timestampTicks - _lastSweepTicks > Options.Reassembly.IdleTimeout.Ticks / 4) Sweep(timestampTicks);
            if (sourcePort == 53 || destinationPort == 53)
            {
                OnDnsDatagram(src, sourcePort, dst, destinationPort, payload, timestampTicks);
                return;
            }
            if (!Wants(WeChatMessageKind.VoipPacket)) return;
            string? rule = VoipHeuristic.Match(payload);
            if (rule is null) return;
            bool srcIsClient = IsClientSide(src, sourcePort, dst, destinationPort);
            var client = srcIsClient ? src : dst; var server = srcIsClient ? dst : src;
            ushort cport = srcIsClient ? sourcePort : destinationPort, sport = srcIsClient ? destinationPort : sourcePort;
            string host = Names.Lookup(server) ?? "";
            var v = new VoipPacket
            {
                Timestamp = new DateTimeOffset(timestampTicks, TimeSpan.Zero),
                Direction = srcIsClient ? "ClientToServer" : "ServerToClient",
                Host = host,
                Role = host.Length > 0 ? EndpointCatalog.Default.Classify(host)?.Role.ToString() ?? "" : "",
                PayloadLength = payload.Length,
                FirstByte = "0x" + payload[0].ToString("X2"),
                Rule = rule,
            };
            v.SetConnection(client, cport, server, sport);
            Emit(v);
        }

        /// <summary>
        /// Decodes one payload on its own, without a connection: a long-link frame sequence, MMTLS records, or one HTTP
        /// request or response. False when the payload is none of these (nothing is emitted then).
        /// </summary>
        public bool AddPayload(ReadOnlySpan<byte> payload, long timestampTicks)
        {
            var conn = new WeChatConnection(this, default, 0, default, 0, timestampTicks, lone: true);
            bool response = HttpStreamReader.LooksLikeHttp(payload, response: true);
            var stream = response ? conn.ServerStream : conn.ClientStream;
            var decoder = response ? conn.ServerDecoder : conn.ClientDecoder;
            stream.Add(new StreamSegment(0, TcpFlags.None, payload, timestampTicks));
            bool recognised = decoder.Protocol != StreamProtocol.Detecting && decoder.Protocol != StreamProtocol.NotWeChat;
            conn.Release(TcpStreamEnd.EndOfInput, timestampTicks);
            return recognised;
        }

        /// <summary>The input ended: every open stream is released (buffered data delivered, gaps reported).</summary>
        public void Complete()
        {
            foreach (var kv in new List<KeyValuePair<FlowKey, WeChatConnection>>(_connections))
                kv.Value.Release(TcpStreamEnd.EndOfInput, _nowTicks);
            _connections.Clear();
            _last = null;
        }

        private WeChatConnection Open(IpKey src, ushort sport, IpKey dst, ushort dport, TcpFlags flags, long ts)
        {
            if (_connections.Count >= Options.Reassembly.MaxConnections) EvictOldest(ts);
            bool srcIsClient;
            bool syn = (flags & TcpFlags.Syn) != 0, ack = (flags & TcpFlags.Ack) != 0;
            if (syn && !ack) srcIsClient = true;
            else if (syn && ack) srcIsClient = false;
            else srcIsClient = IsClientSide(src, sport, dst, dport);
            return srcIsClient
                ? new WeChatConnection(this, src, sport, dst, dport, ts)
                : new WeChatConnection(this, dst, dport, src, sport, ts);
        }

        /// <summary>
        /// Without a SYN, which end is the client: the server is the end on a WeChat service port (80, 443, 8080, 53),
        /// else the end the capture named, else the private address talks to the public one, else the lower port serves.
        /// </summary>
        internal bool IsClientSide(IpKey src, ushort sport, IpKey dst, ushort dport)
        {
            bool srcService = IsServicePort(sport), dstService = IsServicePort(dport);
            if (srcService != dstService) return dstService;
            bool srcNamed = Names.Lookup(src) != null, dstNamed = Names.Lookup(dst) != null;
            if (srcNamed != dstNamed) return dstNamed;
            if (src.IsPrivate != dst.IsPrivate) return src.IsPrivate;
            return sport >= dport;
        }

        private static bool IsServicePort(ushort port) => port == 80 || port == 443 || port == 8080 || port == 53;

        private void Remove(FlowKey key, WeChatConnection conn)
        {
            _connections.Remove(key);
            if (ReferenceEquals(_last, conn)) _last = null;
        }

        private void Sweep(long now)
        {
            _lastSweepTicks = now;
            long idle = Options.Reassembly.IdleTimeout.Ticks;
            List<FlowKey>? stale = null;
            foreach (var kv in _connections)
                if (now - kv.Value.LastActivityTicks > idle) (stale ??= new List<FlowKey>()).Add(kv.Key);
            if (stale is null) return;
            foreach (var key in stale)
            {
                var conn = _connections[key];
                Remove(key, conn);
                conn.Release(TcpStreamEnd.Idle, now);
            }
        }

        private void EvictOldest(long now)
        {
            FlowKey oldest = default;
            WeChatConnection? victim = null;
            foreach (var kv in _connections)
                if (victim is null || kv.Value.LastActivityTicks < victim.LastActivityTicks) { victim = kv.Value; oldest = kv.Key; }
            if (victim is null) return;
            Remove(oldest, victim);
            victim.Release(TcpStreamEnd.Evicted, now);
        }

        internal void OnDnsDatagram(IpKey src, ushort sport, IpKey dst, ushort dport, ReadOnlySpan<byte> payload, long ts)
        {
            var m = DnsObserver.Decode(payload, "Udp", Names, ts);
            if (!Wants(WeChatMessageKind.DnsMessage)) return;
            bool srcIsClient = dport == 53 && sport != 53 || (sport == dport && !m.IsResponse);
            m.Timestamp = new DateTimeOffset(ts, TimeSpan.Zero);
            if (srcIsClient) m.SetConnection(src, sport, dst, dport);
            else m.SetConnection(dst, dport, src, sport);
            m.Direction = srcIsClient ? "ClientToServer" : "ServerToClient";
            Emit(m);
        }

        internal DnsMessage OnDnsStreamMessage(ReadOnlySpan<byte> message, long ts) => DnsObserver.Decode(message, "Tcp", Names, ts);

        /// <summary>
        /// Called when a connection's own traffic names its server (TLS SNI, HTTP Host): the connection's flow key,
        /// host, source (<see cref="HostSources"/>). The flow table names its flows from it.
        /// </summary>
        public Action<FlowKey, string, string>? ConnectionNamed { get; set; }

        internal void OnConnectionNamed(WeChatConnection connection)
        {
            if (connection.Key is FlowKey key) ConnectionNamed?.Invoke(key, connection.Host, connection.HostSource);
        }

        /// <summary>
        /// A newgetdns answer: parsed into a <see cref="Dispatch"/> whose domains name their addresses for every later
        /// connection. A body that does not parse is reported as a problem of the exchange.
        /// </summary>
        internal string? OnDispatch(WeChatConnection connection, HttpMessage? request, HttpMessage response, byte[]? decodedBody, long ts)
        {
            // A deflated body goes to the parser as sent (it tells zlib from raw deflate and reports which); gzip is undone first.
            string encoding = (response.Header("Content-Encoding") ?? "").Trim();
            byte[]? body = encoding.Length == 0 || encoding.Equals("deflate", StringComparison.OrdinalIgnoreCase) ? response.Body : decodedBody;
            if (body is null || response.StatusCode != 200) return null;
            var options = new DispatchParseOptions { ShowIdentifiers = Options.ShowIdentifiers, Source = "capture " + connection.Name };
            var error = DispatchDocument.TryParse(body, options, out var dispatch, out string message);
            if (error != DispatchParseError.None || dispatch is null) return "dispatch document: " + message;
            foreach (var domain in dispatch.Domains)
                foreach (var address in domain.Addresses)
                    Names.AddResolved(address.Address, domain.Name, HostSources.Dispatch, ts);
            if (!Wants(WeChatMessageKind.Dispatch)) return null;
            dispatch.CapturedAt = new DateTimeOffset(ts, TimeSpan.Zero);
            dispatch.Timestamp = dispatch.CapturedAt; // the packet's time, as every decoded message; ServerTime keeps the document's
            dispatch.Connection = connection.Name;
            dispatch.Flow = connection.Key;
            dispatch.Direction = connection.Name.Length == 0 ? "Unknown" : "ServerToClient";
            dispatch.Host = connection.Host;
            if (request != null && NewGetDnsRequest.TryParse(request.Target, out var parsed, out _) && parsed != null)
            {
                var shown = Options.ShowIdentifiers ? parsed : parsed.Masked();
                var list = new List<string>(shown.Parameters.Count);
                foreach (var p in shown.Parameters) list.Add(p.Key + "=" + p.Value);
                dispatch.RequestParameters = list.ToArray();
            }
            Emit(dispatch);
            return null;
        }

        /// <summary>
        /// One captured frame of the given link type (pcap LINKTYPE_*): decoded to IP and TCP/UDP and fed on.
        /// Frames that are not TCP or UDP over IP, fragments and malformed frames are skipped (false).
        /// </summary>
        public bool AddFrame(ushort linkType, ReadOnlySpan<byte> frame, long timestampTicks)
        {
            var p = WeChatNet.Packets.PacketDecoder.Decode(linkType, frame);
            if (p.IsFragment) return false;
            if (p.Transport == WeChatNet.Packets.TransportKind.Tcp)
            {
                var flags = p.TcpFlags;
                AddTcp(p.SourceAddress, p.SourcePort, p.DestinationAddress, p.DestinationPort,
                    new StreamSegment(p.Sequence, flags, p.Payload, timestampTicks));
                return true;
            }
            if (p.Transport == WeChatNet.Packets.TransportKind.Udp)
            {
                AddUdp(p.SourceAddress, p.SourcePort, p.DestinationAddress, p.DestinationPort, p.Payload, timestampTicks);
                return true;
            }
            return false;
        }
    }
}
