using System;
using System.Collections.Generic;
using WeChatNet.Packets;
using WeChatNet.WeChat;

namespace WeChatNet.Analysis
{
    /// <summary>Settings of the flow table; the defaults suit a capture of one WeChat client.</summary>
    internal sealed class FlowTableOptions
    {
        /// <summary>Silences at least this long are listed per flow (a NAT that drops idle links shows here).</summary>
        public double IdleGapThresholdMs { get; set; } = 30_000;

        /// <summary>A segment below the highest byte sent that comes sooner than this after the one that advanced the stream is
        /// reordering, not a retransmission. tshark's rule: the connection's initial RTT when the handshake was captured,
        /// else this value (3 ms).</summary>
        public double ReorderWindowMs { get; set; } = 3;

        /// <summary>Ports that mark the server side when no SYN was captured.</summary>
        public ISet<int> ServerPorts { get; set; } = new HashSet<int> { 80, 443, 8080, 53, 853 };

        /// <summary>At most this many idle gaps are listed per flow.</summary>
        public int MaxIdleGapsPerFlow { get; set; } = 256;
    }

    /// <summary>
    /// Bidirectional 5-tuple flows with TCP health counters (handshake timing, retransmissions, spurious
    /// retransmissions, reordering, duplicate ACKs, zero windows, resets, FINs, capture gaps, idle gaps).
    /// Constant work and no allocation per packet once a flow exists; memory grows with flows, not packets.
    /// </summary>
    internal sealed class FlowTable
    {
        private readonly FlowTableOptions _options;
        private readonly Dictionary<ConversationKey, FlowState> _active = new Dictionary<ConversationKey, FlowState>();
        private readonly List<FlowState> _all = new List<FlowState>();
        private readonly long _idleThresholdNs;
        private readonly long _reorderNs;
        private int _nextId = 1;

        public FlowTable(FlowTableOptions? options = null)
        {
            _options = options ?? new FlowTableOptions();
            _idleThresholdNs = (long)(_options.IdleGapThresholdMs * 1_000_000);
            _reorderNs = (long)(_options.ReorderWindowMs * 1_000_000);
        }

        public int FlowCount => _all.Count;
        public long PacketCount { get; private set; }

        /// <summary>Adds one TCP or UDP packet; anything else is ignored. Returns the flow it belongs to.</summary>
        public FlowState? Add(in FlowPacket p)
        {
            if (p.Protocol != 6 && p.Protocol != 17) return null;
            PacketCount++;
            var key = ConversationKey.Of(p, out bool fromA);
            bool syn = p.Protocol == 6 && p.Has(TcpFlags.Syn) && !p.Has(TcpFlags.Ack);
            if (!_active.TryGetValue(key, out var flow) || (syn && flow.Closed && flow.SynSeen))
            {
                flow = new FlowState(_nextId++, key, p.TimestampNs);
                _active[key] = flow;
                _all.Add(flow);
            }
            flow.Add(p, fromA, this);
            return flow;
        }

        /// <summary>The flows seen so far, in order of first packet.</summary>
        public IReadOnlyList<FlowState> States => _all;

        /// <summary>Turns every flow into its output record.</summary>
        public List<Flow> ToFlows(Func<IpKey, long, (string? Host, string? Source)>? hostOf = null, Func<IpKey, (string? Region, string? Owner)>? whereIs = null)
        {
            // The capture point's round trip to a client is the same on all its connections: their handshakes tell it, and a
            // connection captured without its handshake takes it from them rather than from the client's delayed ACKs.
            var handshakes = new Dictionary<IpKey, List<double>>();
            foreach (var f in _all)
            {
                var side = f.HandshakeClientSideMs;
                if (!side.HasValue) continue;
                if (!handshakes.TryGetValue(f.ClientAddress, out var list)) handshakes[f.ClientAddress] = list = new List<double>();
                list.Add(side.Value);
            }
            var flows = new List<Flow>(_all.Count);
            foreach (var f in _all)
                flows.Add(f.ToFlow(hostOf, whereIs, handshakes.TryGetValue(f.ClientAddress, out var sides) ? HeartbeatAnalyzer.Percentile(sides, 50) : (double?)null));
            return flows;
        }

        internal long IdleThresholdNs => _idleThresholdNs;
        internal long ReorderNs => _reorderNs;
        internal FlowTableOptions Options => _options;
    }

    /// <summary>Everything the table knows about one flow while it is being built.</summary>
    internal sealed class FlowState
    {
        private readonly TcpDirection _a = new TcpDirection();
        private readonly TcpDirection _b = new TcpDirection();
        private readonly List<double> _idleGaps = new List<double>();
        private bool _clientDecided;
        private bool _clientIsA;
        private string _decidedBy = "Port";
        private long _firstSynNs = long.MinValue, _synNs = long.MinValue, _synAckNs = long.MinValue, _clientAckNs = long.MinValue;
        // The last SYN/ACK before the client's ACK of it (a SYN/ACK sent again, or with a new ISN, is answered by that ACK).
        private long _lastSynAckNs = long.MinValue;
        private long _lastNs;
        private string _finSequence = "";
        // The client's first and last acknowledgment numbers: server bytes it acknowledged that the capture never saw.
        private bool _clientAcked;
        private uint _clientFirstAck, _clientLastAck;
        private int _dataSegments;
        private bool _aLastKeepAlive, _bLastKeepAlive;
        private long _aIsn = -1, _bIsn = -1;
        private int _synRetries;

        internal FlowState(int id, ConversationKey key, long firstNs)
        {
            Id = id;
            Key = key;
            FirstNs = firstNs;
            _lastNs = firstNs;
        }

        public int Id { get; }
        public ConversationKey Key { get; }
        public long FirstNs { get; }
        public long LastNs => _lastNs;
        public bool Closed { get; private set; }
        public bool SynSeen => _synNs != long.MinValue;
        public bool IsTcp => Key.Protocol == 6;

        /// <summary>Server-side address and port (once decided).</summary>
        public IpKey ServerAddress => _clientIsA ? Key.B : Key.A;
        public ushort ServerPort => _clientIsA ? Key.PortB : Key.PortA;
        public IpKey ClientAddress => _clientIsA ? Key.A : Key.B;
        public ushort ClientPort => _clientIsA ? Key.PortA : Key.PortB;

        /// <summary>True when a packet travelling from A (see <see cref="ConversationKey.Of"/>) goes client to server.</summary>
        public bool IsFromClient(bool fromA) => fromA == _clientIsA;

        /// <summary>Set by application decoders (long link seen, dispatch seen...): overrides the port-based kind.</summary>
        public string? ApplicationKind { get; set; }
        /// <summary>Set by application decoders that learn the host from the connection itself (TLS SNI, HTTP Host header, DNS query).</summary>
        public string? ApplicationHost { get; set; }
        /// <summary>Where <see cref="ApplicationHost"/> came from (WeChat.HostSources).</summary>
        public string? ApplicationHostSource { get; set; }

        internal void Add(in FlowPacket p, bool fromA, FlowTable table)
        {
            long now = p.TimestampNs;
            long gap = now - _lastNs;
            if (gap > 0 && _a.Packets + _b.Packets > 0)
            {
                if (gap >= table.IdleThresholdNs && _idleGaps.Count < table.Options.MaxIdleGapsPerFlow) _idleGaps.Add(gap / 1e6);
                if (gap / 1e6 > MaxIdleMs) MaxIdleMs = gap / 1e6;
            }
            if (now > _lastNs) _lastNs = now;

            var dir = fromA ? _a : _b;
            var other = fromA ? _b : _a;
            dir.Packets++;
            dir.FrameBytes += p.FrameLength;
            dir.PayloadBytes += p.PayloadLength;

            if (!IsTcp)
            {
                if (!_clientDecided) DecideByPort(fromA, table, firstSenderFallback: true);
                return;
            }

            bool syn = p.Has(TcpFlags.Syn), ack = p.Has(TcpFlags.Ack), fin = p.Has(TcpFlags.Fin), rst = p.Has(TcpFlags.Rst);
            if (syn)
            {
                // A SYN (or SYN/ACK) with a new initial sequence number before any data: that side started over.
                ref long isn = ref (fromA ? ref _aIsn : ref _bIsn);
                if (isn >= 0 && isn != p.Sequence && dir.PayloadBytes == 0) dir.RestartSequenceSpace();
                else if (isn >= 0 && isn == p.Sequence && !ack && _synAckNs == long.MinValue) _synRetries++;
                isn = p.Sequence;
            }
            if (syn && !ack)
            {
                _synNs = now; // the last SYN before the SYN/ACK: an RTT, not the connect timeout
                if (_firstSynNs == long.MinValue) _firstSynNs = now;
                if (!_clientDecided || _decidedBy != "Syn") { _clientIsA = fromA; _clientDecided = true; _decidedBy = "Syn"; }
            }
            else if (syn && ack)
            {
                if (_synAckNs == long.MinValue) _synAckNs = now;
                if (_clientAckNs == long.MinValue) _lastSynAckNs = now;
                if (!_clientDecided) { _clientIsA = !fromA; _clientDecided = true; _decidedBy = "SynAck"; }
            }
            else if (!_clientDecided)
            {
                DecideByPort(fromA, table, firstSenderFallback: false);
            }
            if (ack && !syn && _synAckNs != long.MinValue && _clientAckNs == long.MinValue && IsFromClient(fromA))
                _clientAckNs = now;
            if (ack && !syn && !rst && IsFromClient(fromA))
            {
                if (!_clientAcked) { _clientAcked = true; _clientFirstAck = p.Acknowledgment; }
                _clientLastAck = p.Acknowledgment;
            }

            long start = dir.Unwrap(p.Sequence);
            int segLen = p.PayloadLength + (syn ? 1 : 0) + (fin ? 1 : 0);
            bool keepAlive = false;
            if (segLen > 0)
            {
                if (p.PayloadLength > 0) _dataSegments++;
                // tshark's threshold: the initial RTT (the last SYN, retries left out, to the handshake's ACK) when known, else 3 ms.
                long reorder = _synNs != long.MinValue && _clientAckNs != long.MinValue && _clientAckNs > _synNs
                    ? _clientAckNs - _synNs : table.ReorderNs;
                bool fast = other.DuplicateAcksInRow >= 2 && other.HasLastAck && p.Sequence == other.LastAck;
                switch (dir.Judge(start, start + segLen, p.PayloadLength, syn || fin, now, reorder, fast))
                {
                    case SegmentVerdict.Retransmission: dir.Retransmissions++; if (p.PayloadLength > 0) dir.DataRetransmissions++; break;
                    case SegmentVerdict.SpuriousRetransmission:
                        dir.Retransmissions++; dir.SpuriousRetransmissions++;
                        if (p.PayloadLength > 0) dir.DataRetransmissions++;
                        break;
                    case SegmentVerdict.OutOfOrder: dir.OutOfOrder++; break;
                    case SegmentVerdict.KeepAlive: dir.KeepAlives++; keepAlive = true; break;
                }
            }
            else if (!rst && dir.Started && start == dir.MaxEnd - 1)
            {
                dir.KeepAlives++; // zero-length keep-alive: one byte below the next expected
                keepAlive = true;
            }
            if (fromA) _aLastKeepAlive = keepAlive; else _bLastKeepAlive = keepAlive;

            if (ack)
            {
                long ackAbs = other.UnwrapPeerAck(p.Acknowledgment);
                other.PeerAcknowledged(ackAbs, now);
                bool otherKeepAlive = fromA ? _bLastKeepAlive : _aLastKeepAlive;
                if (segLen == 0 && !rst && dir.HasLastAck && p.Acknowledgment == dir.LastAck && p.Window == dir.LastWindow
                    && p.Window != 0 && start == dir.MaxEnd && !otherKeepAlive)
                {
                    dir.DuplicateAcks++;
                    dir.DuplicateAcksInRow++;
                }
                else if (!dir.HasLastAck || p.Acknowledgment != dir.LastAck)
                {
                    dir.DuplicateAcksInRow = 0;
                }
                if (otherKeepAlive && segLen == 0)
                {
                    if (fromA) _bLastKeepAlive = false; else _aLastKeepAlive = false;
                }
                dir.LastAck = p.Acknowledgment;
                dir.LastWindow = p.Window;
                dir.HasLastAck = true;
            }
            if (p.Window == 0 && !syn && !fin && !rst) dir.ZeroWindows++;
            if (rst)
            {
                dir.Resets++;
                Closed = true;
            }
            if (fin && dir.FinNs == long.MinValue)
            {
                dir.FinNs = now;
                string who = IsFromClient(fromA) ? "Client" : "Server";
                _finSequence = _finSequence.Length == 0 ? who : _finSequence + "," + who;
                if (_a.FinNs != long.MinValue && _b.FinNs != long.MinValue) Closed = true;
            }
        }

        private void DecideByPort(bool fromA, FlowTable table, bool firstSenderFallback)
        {
            bool aService = table.Options.ServerPorts.Contains(Key.PortA), bService = table.Options.ServerPorts.Contains(Key.PortB);
            if (aService != bService) _clientIsA = bService;
            else if (firstSenderFallback && !aService) _clientIsA = fromA;
            else _clientIsA = Key.PortA > Key.PortB;
            _clientDecided = true;
            _decidedBy = "Port";
        }

        public double MaxIdleMs { get; private set; }

        /// <summary>SYN/ACK to the client's ACK of it: the capture point's round trip to the client, free of delayed ACKs; null without a handshake.</summary>
        internal double? HandshakeClientSideMs =>
            _lastSynAckNs != long.MinValue && _clientAckNs >= _lastSynAckNs ? (_clientAckNs - _lastSynAckNs) / 1e6 : (double?)null;

        /// <summary>
        /// The output record (hosts and regions resolved through the given lookups). <paramref name="clientSideOfOthersMs"/> is
        /// the round trip to this flow's client that its other connections' handshakes measured: a flow captured without its
        /// handshake uses it unless its own data ACKs say less.
        /// </summary>
        public Flow ToFlow(Func<IpKey, long, (string? Host, string? Source)>? hostOf = null, Func<IpKey, (string? Region, string? Owner)>? whereIs = null,
            double? clientSideOfOthersMs = null)
        {
            var toServer = _clientIsA ? _a : _b;
            var toClient = _clientIsA ? _b : _a;
            string? host = ApplicationHost, hostSource = ApplicationHostSource;
            if (host is null && hostOf != null) (host, hostSource) = hostOf(ServerAddress, FirstNs);
            if (host is null) hostSource = null;
            bool dns = Key.PortA == 53 || Key.PortB == 53;
            // A DNS flow is named by what it asked; the name's role is not the flow's (it carries no long or short link), but a
            // lookup of one of WeChat's names is WeChat's: its role says Dns.
            var cls = host is null ? null : EndpointCatalog.Default.Classify(host);
            string? role = cls is null ? null : dns ? nameof(EndpointRole.Dns) : cls.Role.ToString();
            int dataRetrans = toServer.DataRetransmissions + toClient.DataRetransmissions;
            var where = whereIs?.Invoke(ServerAddress) ?? (null, null);
            int retrans = toServer.Retransmissions + toClient.Retransmissions;
            int resetsC = toServer.Resets, resetsS = toClient.Resets;
            double? serverSide = Lowest(SynAckDelay(), toServer.MinRttNs == long.MaxValue ? (double?)null : toServer.MinRttNs / 1e6);
            double? dataClientSide = toClient.MinRttNs == long.MaxValue ? (double?)null : toClient.MinRttNs / 1e6;
            // Borrowed from the client's other connections only for a TCP flow that timed its server's side itself: a path is
            // both sides of one flow, never another connection's half alone (a UDP lookup has neither).
            double? clientSide = Lowest(HandshakeClientSideMs ?? (serverSide.HasValue ? clientSideOfOthersMs : null), dataClientSide);
            var f = new Flow
            {
                Id = Id,
                Protocol = IsTcp ? "Tcp" : "Udp",
                ClientAddress = ClientAddress.ToString(),
                ClientPort = ClientPort,
                ServerAddress = ServerAddress.ToString(),
                ServerPort = ServerPort,
                Client = ClientAddress.WithPort(ClientPort),
                Server = ServerAddress.WithPort(ServerPort),
                ClientDecidedBy = _decidedBy,
                Host = host,
                HostSource = hostSource,
                Role = role,
                Kind = KindOf(cls?.Role),
                Region = where.Region,
                Owner = where.Owner,
                Start = ToTime(FirstNs),
                End = ToTime(_lastNs),
                DurationMs = (_lastNs - FirstNs) / 1e6,
                PacketsToServer = toServer.Packets,
                PacketsToClient = toClient.Packets,
                Packets = toServer.Packets + toClient.Packets,
                BytesToServer = toServer.FrameBytes,
                BytesToClient = toClient.FrameBytes,
                Bytes = toServer.FrameBytes + toClient.FrameBytes,
                PayloadToServer = toServer.PayloadBytes,
                PayloadToClient = toClient.PayloadBytes,
                HandshakeMs = _firstSynNs != long.MinValue && _synAckNs != long.MinValue && _synAckNs >= _firstSynNs ? (_synAckNs - _firstSynNs) / 1e6 : (double?)null,
                SynRetries = _synRetries,
                SynAckDelayMs = SynAckDelay(),
                DataRttMs = toServer.MinRttNs == long.MaxValue ? (double?)null : toServer.MinRttNs / 1e6,
                ClientAckMs = _synAckNs != long.MinValue && _clientAckNs != long.MinValue ? (_clientAckNs - _synAckNs) / 1e6 : (double?)null,
                ServerSideRttMs = serverSide,
                ClientSideRttMs = clientSide,
                PathRttMs = serverSide.HasValue || clientSide.HasValue ? (serverSide ?? 0) + (clientSide ?? 0) : (double?)null,
                CapturePoint = CapturePointOf(clientSide, serverSide),
                Retransmissions = retrans,
                SpuriousRetransmissions = toServer.SpuriousRetransmissions + toClient.SpuriousRetransmissions,
                OutOfOrder = toServer.OutOfOrder + toClient.OutOfOrder,
                DuplicateAcks = toServer.DuplicateAcks + toClient.DuplicateAcks,
                ZeroWindows = toServer.ZeroWindows + toClient.ZeroWindows,
                KeepAlives = toServer.KeepAlives + toClient.KeepAlives,
                Resets = resetsC + resetsS,
                ResetBy = resetsC > 0 && resetsS > 0 ? "Both" : resetsC > 0 ? "Client" : resetsS > 0 ? "Server" : "None",
                FinSequence = _finSequence,
                CaptureGaps = toServer.UnfilledHoles + toClient.UnfilledHoles + (ServerBytesNeverCaptured(toClient) > 0 ? 1 : 0),
                CaptureGapBytes = toServer.UnfilledHoleBytes + toClient.UnfilledHoleBytes + ServerBytesNeverCaptured(toClient),
                MaxIdleMs = MaxIdleMs,
                IdleGapsMs = _idleGaps.ToArray(),
                DataRetransmissions = dataRetrans,
                DataSegments = _dataSegments,
                RetransmissionRate = _dataSegments == 0 ? 0 : Math.Min(1.0, dataRetrans / (double)_dataSegments),
                Closed = Closed,
            };
            return f;
        }

        /// <summary>
        /// Server bytes the client acknowledged while the capture saw not one packet from the server: a capture of one
        /// direction only (asymmetric routing at a router or mirror port, a filter on the source). What the server said, its
        /// heartbeat replies among it, is missing from the capture, not from the wire.
        /// </summary>
        private long ServerBytesNeverCaptured(TcpDirection toClient) =>
            IsTcp && toClient.Packets == 0 && _clientAcked ? Math.Max(0, (int)(_clientLastAck - _clientFirstAck)) : 0;

        private double? SynAckDelay() =>
            _synNs != long.MinValue && _synAckNs != long.MinValue && _synAckNs >= _synNs ? (_synAckNs - _synNs) / 1e6 : (double?)null;

        private static double? Lowest(double? a, double? b) => a.HasValue && b.HasValue ? Math.Min(a.Value, b.Value) : a ?? b;

        /// <summary>
        /// Where the capture sat, from the round trips to each side: the side under a quarter of the other's is where it was
        /// taken (a client's delayed ACK of data stays well under a long path's quarter; a handshake ACK is immediate); both
        /// sides taking a share is in between; both under a millisecond, or a side not timed, tells nothing.
        /// </summary>
        internal static CapturePoint CapturePointOf(double? clientSideMs, double? serverSideMs)
        {
            if (!clientSideMs.HasValue || !serverSideMs.HasValue) return CapturePoint.Unknown;
            double c = clientSideMs.Value, s = serverSideMs.Value;
            if (Math.Max(c, s) < NearMs) return CapturePoint.Unknown;
            if (c <= s * NearShare) return CapturePoint.Client;
            if (s <= c * NearShare) return CapturePoint.Server;
            return CapturePoint.InBetween;
        }

        /// <summary>Round trips both under this tell nothing about where the capture sat (a LAN, loopback).</summary>
        internal const double NearMs = 1.0;
        /// <summary>A side whose round trip is at most this share of the other's is the side the capture sat on.</summary>
        internal const double NearShare = 0.25;

        private string KindOf(EndpointRole? role)
        {
            string byRole = KindOfRole(role);
            // Any HTTP exchange reads as a short link, but a host the catalog knows for media or the web serves downloads: a
            // 2 MB Moments image over a long path takes seconds to arrive, which is no short-link response time.
            if (ApplicationKind != null && !(ApplicationKind == "ShortLink" && (byRole == "Media" || byRole == "Web"))) return ApplicationKind;
            if (Key.PortA == 53 || Key.PortB == 53) return "Dns";
            return byRole;
        }

        private static string KindOfRole(EndpointRole? role)
        {
            switch (role)
            {
                case EndpointRole.Dispatch: return "Dispatch";
                case EndpointRole.LongLink: return "LongLink";
                case EndpointRole.ShortLink:
                case EndpointRole.Payment: return "ShortLink";
                case EndpointRole.Media:
                case EndpointRole.Moments:
                case EndpointRole.Video: return "Media";
                case EndpointRole.Web:
                case EndpointRole.WebPush:
                case EndpointRole.WebLogin:
                case EndpointRole.Static: return "Web";
                default: return "Other";
            }
        }

        private static DateTimeOffset ToTime(long ns) =>
            new DateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(0).UtcTicks + ns / 100, TimeSpan.Zero);
    }
}
