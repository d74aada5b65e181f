using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using WeChatNet.Capture;
using WeChatNet.Packets;
using WeChatNet.WeChat;

namespace WeChatNet.Analysis
{
    /// <summary>Settings of one capture analysis.</summary>
    internal sealed class CaptureAnalysisOptions
    {
        public FlowTableOptions Flows { get; set; } = new FlowTableOptions();
        public HeartbeatOptions Heartbeats { get; set; } = new HeartbeatOptions();
        public WeChatDecodeOptions Decoding { get; set; } = new WeChatDecodeOptions();
        /// <summary>Where the client is (MainlandChina or Overseas), for the region rules; null when unknown.</summary>
        public string? ClientRegion { get; set; }
        /// <summary>Judge every flow and DNS name (-All), not only WeChat's.</summary>
        public bool AllTraffic { get; set; }
        /// <summary>Region and owner of an address; null uses the module-wide IP-intelligence tables.</summary>
        public Func<IpKey, (string? Region, string? Owner)>? WhereIs { get; set; }
        /// <summary>
        /// Files are read on one thread only: no <see cref="DecoderPipeline"/> (the reference the two-thread path is tested
        /// against; a one-core machine uses it anyway).
        /// </summary>
        public bool SingleThreaded { get; set; }
    }

    /// <summary>What one capture analysis found.</summary>
    public sealed class CaptureAnalysisResult
    {
        public List<Flow> Flows { get; internal set; } = new List<Flow>();
        public List<HeartbeatReport> Heartbeats { get; internal set; } = new List<HeartbeatReport>();
        public List<Finding> Findings { get; internal set; } = new List<Finding>();
        /// <summary>Damage met while reading files (analysis went on past it).</summary>
        public List<CaptureFileError> Errors { get; internal set; } = new List<CaptureFileError>();
        /// <summary>What the user should know that is not damage (a joined file that does not continue the one before it).</summary>
        public List<string> Warnings { get; internal set; } = new List<string>();
        public long Packets { get; internal set; }
        /// <summary>With a key log: how many MMTLS records it decrypted (the only thing reports say of it); null without one.</summary>
        public WeChatNet.WeChat.MmtlsDecryptionTally? Decryption { get; internal set; }

        /// <summary>Several analyses (one per file) as one result: lists concatenated in order, packets summed.</summary>
        public static CaptureAnalysisResult Merge(IEnumerable<CaptureAnalysisResult> parts)
        {
            var all = new CaptureAnalysisResult();
            foreach (var p in parts)
            {
                all.Flows.AddRange(p.Flows);
                all.Heartbeats.AddRange(p.Heartbeats);
                all.Findings.AddRange(p.Findings);
                all.Errors.AddRange(p.Errors);
                all.Warnings.AddRange(p.Warnings);
                all.Packets += p.Packets;
                if (p.Decryption != null) (all.Decryption ??= new WeChatNet.WeChat.MmtlsDecryptionTally()).Add(p.Decryption);
            }
            return all;
        }
    }

    /// <summary>
    /// The whole capture analysis in one pass: each packet is decoded once, counted into the flow table and handed to
    /// the WeChat decoders (reassembly, long-link frames, MMTLS, short links, DNS, dispatch) whose messages name hosts,
    /// tell link kinds and feed heartbeat analysis. No object per packet: memory grows with flows and open streams.
    /// Feed it files (<see cref="AddFile"/>), packet objects (<see cref="AddPacket"/>) or raw records, then <see cref="Complete"/>.
    /// </summary>
    internal sealed class CaptureAnalyzer
    {
        private static readonly long EpochTicks = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
        private readonly CaptureAnalysisOptions _options;
        private readonly FlowTable _table;
        private readonly WeChatTrafficDecoder _decoder;
        // What the decoders learnt per connection, joined to flows by the messages' typed key (WeChatMessage.Flow).
        private readonly Dictionary<FlowKey, HeartbeatLog> _longLink = new Dictionary<FlowKey, HeartbeatLog>();
        private readonly Dictionary<FlowKey, string> _kinds = new Dictionary<FlowKey, string>();
        private readonly List<(FlowKey Flow, double Ms)> _shortLinks = new List<(FlowKey, double)>();
        private readonly Dictionary<FlowKey, MessageTally> _tallies = new Dictionary<FlowKey, MessageTally>();
        private readonly Dictionary<(string Name, string Type, int Id), (string Outcome, DateTimeOffset Time)> _dns = new Dictionary<(string, string, int), (string, DateTimeOffset)>();
        private readonly List<DnsOutcome> _dnsOutcomes = new List<DnsOutcome>();
        private readonly List<CaptureFileError> _errors = new List<CaptureFileError>();
        private readonly List<string> _warnings = new List<string>();
        // Where each file's flows begin: flow index (0-based) of the first flow first seen in that file.
        private readonly List<(int FirstFlow, string File)> _files = new List<(int, string)>();
        private long _lastNs = long.MinValue;
        /// <summary>Hosts connections named themselves (TLS SNI, HTTP Host; DNS flows: the name asked), by flow key.</summary>
        private readonly Dictionary<FlowKey, (string Host, string Source)> _connectionHosts = new Dictionary<FlowKey, (string, string)>();
        private long _dropped;
        private bool _completed;

        public CaptureAnalyzer(CaptureAnalysisOptions? options = null)
        {
            _options = options ?? new CaptureAnalysisOptions();
            _options.WhereIs ??= DefaultWhereIs;
            _table = new FlowTable(_options.Flows);
            _decoder = new WeChatTrafficDecoder(_options.Decoding, OnMessage);
            _decoder.ConnectionNamed = (flow, host, source) => _connectionHosts[flow] = (host, source);
            _decoder.FrameSink = OnFrame;
        }

        public long Packets => _table.PacketCount;

        /// <summary>Damage met so far while reading files, in order.</summary>
        public IReadOnlyList<CaptureFileError> Errors => _errors;

        /// <summary>Warnings so far (a joined file that does not continue the one before it).</summary>
        public IReadOnlyList<string> Warnings => _warnings;

        /// <summary>
        /// The file the next packets come from: flows first seen from now on carry it in <see cref="Flow.File"/> (and
        /// their heartbeats and findings in theirs). <see cref="AddFile"/> sets it; callers feeding packets set it per file.
        /// </summary>
        public void BeginFile(string? file)
        {
            string name = file ?? "";
            if (_files.Count > 0 && _files[_files.Count - 1].File == name) return;
            _files.Add((_table.FlowCount, name));
        }

        /// <summary>One captured frame of the given link type.</summary>
        public void AddRecord(ushort linkType, ReadOnlySpan<byte> frame, long timestampNs, int originalLength) =>
            AddRecord(linkType, frame, timestampNs, originalLength, null);

        /// <summary>
        /// Decodes one frame and counts it into the flow table here; its segment or datagram goes to the WeChat decoders
        /// here too, or through <paramref name="pipeline"/> to its thread (same packets, same order).
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimize)]
        private void AddRecord(ushort linkType, ReadOnlySpan<byte> frame, long timestampNs, int originalLength, DecoderPipeline? pipeline)
        {
            if (_completed) throw new InvalidOperationException("The analysis is complete.");
            if (timestampNs > _lastNs) _lastNs = timestampNs;
            var p = PacketDecoder.Decode(linkType, frame);
            if (p.IsFragment || (p.Transport != TransportKind.Tcp && p.Transport != TransportKind.Udp)) return;
            if (!IpKey.TryCreate(p.SourceAddress, out var src) || !IpKey.TryCreate(p.DestinationAddress, out var dst)) return;
            bool tcp = p.Transport == TransportKind.Tcp;
            var fp = new FlowPacket
            {
                TimestampNs = timestampNs,
                Source = src,
                Destination = dst,
                SourcePort = p.SourcePort,
                DestinationPort = p.DestinationPort,
                Protocol = tcp ? (byte)6 : (byte)17,
                TcpFlags = p.TcpFlags,
                Sequence = p.Sequence,
                Acknowledgment = p.Acknowledgment,
                Window = p.Window,
                PayloadLength = p.PayloadLength,
                FrameLength = originalLength,
            };
            _table.Add(fp);
            if (timestampNs > _lastNs) _lastNs = timestampNs;
            long ticks = EpochTicks + timestampNs / 100;
            if (pipeline != null)
                pipeline.Add(tcp, src, p.SourcePort, dst, p.DestinationPort, p.Sequence, p.TcpFlags, p.Payload, ticks);
            else if (tcp)
                _decoder.AddTcp(src, p.SourcePort, dst, p.DestinationPort, new Streams.StreamSegment(p.Sequence, p.TcpFlags, p.Payload, ticks));
            else
                _decoder.AddUdp(src, p.SourcePort, dst, p.DestinationPort, p.Payload, ticks);
        }

        /// <summary>A packet object (Import-WeChatCapture, Start-WeChatCapture).</summary>
        public void AddPacket(Packet packet)
        {
            if (packet is null) throw new ArgumentNullException(nameof(packet));
            BeginFile(packet.File);
            long ns = packet.TimestampNanoseconds != 0 ? packet.TimestampNanoseconds : (packet.Timestamp.UtcTicks - EpochTicks) * 100;
            AddRecord((ushort)packet.LinkTypeNumber, packet.Data, ns, packet.OriginalLength);
        }

        /// <summary>
        /// Reads a whole file into the analysis. Damage is recorded (see <see cref="CaptureAnalysisResult.Errors"/>) and
        /// reading resumes after it where the format allows; <paramref name="progress"/> is called every 4096 packets and at the end.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        public void AddFile(string path, Action<CaptureProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            using var reader = CaptureFileReader.Open(path);
            // Two cores: the WeChat decoders run beside the reading (DecoderPipeline); done with before this returns.
            using var pipeline = _options.SingleThreaded || Environment.ProcessorCount < 2 ? null : new DecoderPipeline(_decoder);
            string? previous = _files.Count > 0 ? _files[_files.Count - 1].File : null;
            long previousEnd = _lastNs;
            BeginFile(path);
            long n = 0;
            bool first = true;
            while (true)
            {
                var r = reader.ReadNext(out CaptureRecord record);
                if (r == CaptureReadResult.EndOfFile) break;
                if (r == CaptureReadResult.Error)
                {
                    if (reader.LastError != null) _errors.Add(reader.LastError);
                    continue;
                }
                if (first)
                {
                    first = false;
                    // Joined files must continue one another (a rotation set): a file that starts before the one before it
                    // ended is another capture, and joining it invents gaps, retransmissions and reconnects.
                    if (previous != null && record.TimestampNanoseconds < previousEnd)
                        _warnings.Add($"{path} starts {FormatSeconds(previousEnd - record.TimestampNanoseconds)} before {previous} ends: " +
                                      "it does not continue it, so the joined analysis mixes two captures. Analyse the files one by one (without -Join).");
                }
                AddRecord(record.LinkType, record.Data, record.TimestampNanoseconds, record.OriginalLength, pipeline);
                if ((++n & 4095) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Invoke(new CaptureProgress(path, reader.Position, reader.Length, reader.PacketCount, n));
                }
            }
            pipeline?.Finish();
            // Interface statistics are cumulative: the last block of each interface holds the totals.
            var last = new Dictionary<int, InterfaceStatistics>();
            foreach (var s in reader.Statistics) last[s.InterfaceIndex] = s;
            foreach (var s in last.Values) _dropped += (long)((s.InterfaceDropped ?? 0) + (s.OsDropped ?? 0));
            progress?.Invoke(new CaptureProgress(path, Math.Max(reader.Position, reader.Length), reader.Length, reader.PacketCount, n));
        }

        /// <summary>Packets the capture itself dropped, when a source other than a file's statistics knows it (live capture).</summary>
        public void AddDropped(long packets) => _dropped += packets;

        /// <summary>
        /// One long-link frame, handed over by the decoder without a LongLinkFrame object (see <see cref="LongLinkFrameSink"/>):
        /// the flow is a long link, its command is counted and its heartbeat log sees it. A flow's tally and log are found
        /// once (<see cref="FrameEntry"/>), not per frame; its kind is written again only after another message may have
        /// changed it (<see cref="_kindEpoch"/>), so the dictionaries stay what one write per frame would make them.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimize)]
        private void OnFrame(FlowKey flow, in LongLinkHeader h, bool fromClient, bool decrypted, long ticks)
        {
            var e = _frameEntry;
            if (e is null || !e.Flow.Equals(flow))
            {
                if (!_frameEntries.TryGetValue(flow, out e))
                    _frameEntries[flow] = e = new FrameEntry(flow, Tally(flow), Observations(flow));
                _frameEntry = e;
            }
            if (e.KindEpoch != _kindEpoch)
            {
                _kinds[flow] = "LongLink";
                e.KindEpoch = _kindEpoch;
            }
            e.Tally.AddFrame(h.Command);
            long ns = (ticks - EpochTicks) * 100;
            e.Log.Add(decrypted
                ? LongLinkObservation.DecryptedFrame(ns, fromClient, h.Command, h.Sequence)
                : LongLinkObservation.Frame(ns, fromClient, h.Command, h.Sequence));
        }

        /// <summary>A long-link flow's entries in <see cref="_tallies"/> and <see cref="_longLink"/> (created once, never replaced).</summary>
        private sealed class FrameEntry
        {
            public FrameEntry(FlowKey flow, MessageTally tally, HeartbeatLog log) { Flow = flow; Tally = tally; Log = log; }
            public readonly FlowKey Flow;
            public readonly MessageTally Tally;
            public readonly HeartbeatLog Log;
            /// <summary>The <see cref="_kindEpoch"/> in which this flow's kind was last written as LongLink; -1: never.</summary>
            public long KindEpoch = -1;
        }

        private readonly Dictionary<FlowKey, FrameEntry> _frameEntries = new Dictionary<FlowKey, FrameEntry>();
        private FrameEntry? _frameEntry;
        /// <summary>Bumped by every message other than a frame: any of them may write a flow's kind.</summary>
        private long _kindEpoch;

        private void OnMessage(object message)
        {
            _kindEpoch++;
            if (message is DnsMessage dns) { OnDns(dns); return; }
            var key = message is WeChatMessage w ? w.Flow : message is Dispatch d ? d.Flow : null;
            if (!(key is FlowKey flow)) return; // a message without a connection joins no flow
            switch (message)
            {
                case MmtlsRecord r:
                    Tally(flow).MmtlsRecords++;
                    if (r.Carrier != "LongLink") break;
                    _kinds[flow] = "LongLink";
                    // A decrypted record's frames are observed themselves (real commands); only undecrypted records are sized.
                    if (r.ContentType == "ApplicationData" && !r.Decrypted)
                        Observations(flow).Add(LongLinkObservation.Record(ToNs(r.Timestamp), r.Direction == "ClientToServer", r.Length));
                    break;
                case Dispatch _:
                    _kinds[flow] = "Dispatch";
                    break;
                case ShortLinkExchange x:
                    if (!_kinds.ContainsKey(flow))
                        _kinds[flow] = x.Path.IndexOf("newgetdns", StringComparison.OrdinalIgnoreCase) >= 0 ? "Dispatch" : "ShortLink";
                    if (x.DurationMs.HasValue && x.StatusCode.HasValue) _shortLinks.Add((flow, x.DurationMs.Value));
                    Tally(flow).AddExchange(x.StatusCode.HasValue ? x.DurationMs : null);
                    break;
            }
        }

        private void OnDns(DnsMessage m)
        {
            if (m.QueryName.Length == 0) return;
            // A DNS flow is named by what it asked: the first WeChat name, else the first name.
            if (m.Flow is FlowKey flow && (!_connectionHosts.TryGetValue(flow, out var named)
                    || (EndpointCatalog.Default.Classify(named.Host) is null && EndpointCatalog.Default.Classify(m.QueryName) != null)))
                _connectionHosts[flow] = (m.QueryName.TrimEnd('.').ToLowerInvariant(), HostSources.DnsQuery);
            var key = (m.QueryName, m.QueryType, m.Id);
            if (!m.IsResponse)
            {
                if (!_dns.ContainsKey(key)) _dns[key] = ("NoResponse", m.Timestamp);
                return;
            }
            string outcome = m.ResponseCode switch
            {
                "NoError" => "Ok",
                "" => "Ok",
                _ => m.ResponseCode,
            };
            _dns[key] = (outcome, _dns.TryGetValue(key, out var asked) ? asked.Time : m.Timestamp);
        }

        private MessageTally Tally(FlowKey flow)
        {
            if (!_tallies.TryGetValue(flow, out var t)) _tallies[flow] = t = new MessageTally();
            return t;
        }

        /// <summary>What the decoders saw on one connection, for the flow's record.</summary>
        private sealed class MessageTally
        {
            // By command number: a name is made once per command at the end, not per frame.
            private readonly Dictionary<uint, int> _commands = new Dictionary<uint, int>();
            private readonly List<double> _responseMs = new List<double>();
            public int MmtlsRecords;
            public int Frames;
            public int Exchanges;

            public void AddFrame(uint command)
            {
                Frames++;
                _commands.TryGetValue(command, out int n);
                _commands[command] = n + 1;
            }

            public void AddExchange(double? responseMs)
            {
                Exchanges++;
                if (responseMs.HasValue) _responseMs.Add(responseMs.Value);
            }

            public void ApplyTo(Flow f)
            {
                f.MmtlsRecords += MmtlsRecords;
                f.LongLinkFrames += Frames;
                f.LongLinkCommands = _commands.GroupBy(kv => LongLinkCommands.Name(kv.Key), kv => kv.Value, StringComparer.Ordinal)
                    .Select(g => new KeyValuePair<string, int>(g.Key, g.Sum()))
                    .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                    .Select(kv => kv.Key + "=" + kv.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                f.ShortLinkExchanges += Exchanges;
                f.ShortLinkResponseMs = _responseMs.ToArray();
            }
        }

        private HeartbeatLog Observations(FlowKey flow)
        {
            if (!_longLink.TryGetValue(flow, out var log)) _longLink[flow] = log = new HeartbeatLog(_options.Heartbeats);
            return log;
        }

        /// <summary>Ends the analysis: open streams are flushed, flows, heartbeats and findings computed.</summary>
        public CaptureAnalysisResult Complete()
        {
            if (!_completed)
            {
                _decoder.Complete();
                _completed = true;
            }
            var names = _decoder.Names;
            // Application kinds learnt by the decoders, joined by the flow key (equal in both directions); a 4-tuple reused
            // by a later flow joins the later one.
            var byConnection = new Dictionary<FlowKey, int>();
            foreach (var state in _table.States)
            {
                var key = new FlowKey(state.ClientAddress, state.ClientPort, state.ServerAddress, state.ServerPort);
                if (_kinds.TryGetValue(key, out var kind)) state.ApplicationKind = kind;
                byConnection[key] = state.Id;
            }
            foreach (var state in _table.States)
            {
                if (state.ApplicationHost != null) continue;
                var key = new FlowKey(state.ClientAddress, state.ClientPort, state.ServerAddress, state.ServerPort);
                if (_connectionHosts.TryGetValue(key, out var named)) { state.ApplicationHost = named.Host; state.ApplicationHostSource = named.Source; }
            }
            var flows = _table.ToFlows((a, firstNs) =>
            {
                string? host = names.Lookup(a, EpochTicks + firstNs / 100, out string? source);
                return (host, source);
            }, _options.WhereIs);
            for (int i = 0; i < flows.Count; i++) flows[i].File = FileOfFlow(i);
            foreach (var kv in _tallies)
                if (byConnection.TryGetValue(kv.Key, out int fid)) kv.Value.ApplyTo(flows[fid - 1]);
            var observations = new Dictionary<int, IReadOnlyList<LongLinkObservation>>();
            foreach (var kv in _longLink)
                if (byConnection.TryGetValue(kv.Key, out int id)) observations[id] = kv.Value.ToList();
            var heartbeats = HeartbeatAnalyzer.Analyze(flows,
                id => observations.TryGetValue(id, out var list) ? list : Array.Empty<LongLinkObservation>(),
                _options.Heartbeats);
            var shortLinks = new List<ShortLinkTiming>();
            foreach (var (flow, ms) in _shortLinks)
                if (byConnection.TryGetValue(flow, out int id) && flows[id - 1].Kind == "ShortLink") shortLinks.Add(new ShortLinkTiming(id, ms));
            _dnsOutcomes.Clear();
            foreach (var kv in _dns) _dnsOutcomes.Add(new DnsOutcome(kv.Key.Name, kv.Key.Type, kv.Value.Outcome, kv.Value.Time));
            var facts = new AnalysisFacts
            {
                Flows = flows,
                Heartbeats = heartbeats,
                ShortLinks = shortLinks,
                Dns = _dnsOutcomes,
                DroppedPackets = _dropped,
                CaptureEnd = _lastNs == long.MinValue ? (DateTimeOffset?)null : new DateTimeOffset(EpochTicks + _lastNs / 100, TimeSpan.Zero),
                AllTraffic = _options.AllTraffic,
                ClientRegion = _options.ClientRegion,
            };
            var findings = FindingEngine.Default.Evaluate(facts);
            foreach (var h in heartbeats) h.File = h.FlowId >= 1 && h.FlowId <= flows.Count ? flows[h.FlowId - 1].File : null;
            string? captureFile = _files.Select(f => f.File).FirstOrDefault(f => f.Length > 0);
            foreach (var f in findings)
                f.File = f.FlowIds.Length > 0 && f.FlowIds[0] >= 1 && f.FlowIds[0] <= flows.Count ? flows[f.FlowIds[0] - 1].File : captureFile;
            NoteDecryptedEvidence(findings, heartbeats);
            return new CaptureAnalysisResult
            {
                Decryption = _options.Decoding.KeyLog != null ? _decoder.Decryption : null,
                Flows = flows,
                Heartbeats = heartbeats,
                Findings = findings,
                Errors = new List<CaptureFileError>(_errors),
                Warnings = new List<string>(_warnings),
                Packets = _table.PacketCount,
            };
        }

        /// <summary>Findings about long links whose heartbeats were read from decrypted frames say so in their evidence.</summary>
        internal static void NoteDecryptedEvidence(List<Finding> findings, List<HeartbeatReport> heartbeats)
        {
            var decrypted = new HashSet<int>(heartbeats.Where(h => h.Method == "Decrypted" || h.Method == "Mixed").Select(h => h.FlowId));
            if (decrypted.Count == 0) return;
            foreach (var f in findings)
            {
                var ids = f.FlowIds.Where(decrypted.Contains).ToArray();
                if (ids.Length == 0) continue;
                f.Evidence += $"; rests on decrypted evidence: heartbeat commands read from MMTLS records a key log decrypted (flow {string.Join(", ", ids)})";
            }
        }

        /// <summary>Region and owner from the module-wide address tables (IpIntel), once per flow.</summary>
        private static (string? Region, string? Owner) DefaultWhereIs(IpKey address)
        {
            var info = IpIntel.IpIntelligence.TryLookup(address.ToString());
            return (info?.Region, info?.Owner);
        }

        private static string FormatSeconds(long ns) =>
            (ns / 1e9).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " s";

        /// <summary>The file a flow was first seen in (flow index 0-based).</summary>
        private string? FileOfFlow(int index)
        {
            string? file = null;
            foreach (var (firstFlow, name) in _files)
            {
                if (firstFlow > index) break;
                file = name;
            }
            return string.IsNullOrEmpty(file) ? null : file;
        }

        private static long ToNs(DateTimeOffset t) => (t.UtcTicks - EpochTicks) * 100;
    }
}
