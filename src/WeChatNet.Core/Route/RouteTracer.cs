using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace WeChatNet.Route
{
    /// <summary>
    /// Parallel traceroute with mtr-style rounds. Every TTL of a round is in flight at once (bounded by
    /// <see cref="RouteRequest.MaxInFlight"/>), rounds overlap (one starts <see cref="RouteRequest.IntervalMs"/> after the
    /// previous), and replies are matched through the headers quoted inside ICMP errors. A full trace takes about the
    /// slowest hop's RTT plus the timeout, not hops x timeout.
    /// <para>
    /// The enumeration itself schedules the probes: hops are yielded in order as soon as they and the target's hop are
    /// complete, so a table fills in while silent hops still wait for their timeouts. Progress is reported on the
    /// enumerating thread. Cancelling ends the enumeration at once with what is known (probes still in flight are left out).
    /// </para>
    /// </summary>
    internal static class RouteTracer
    {
        /// <summary>UDP probes past the target make it send port-unreachables, which it rate-limits: look only this far ahead.</summary>
        internal const int UdpLookahead = 3;

        /// <summary>Once a later hop has answered, a probe waits this many times that hop's RTT...</summary>
        internal const int NearFactor = 10;

        /// <summary>...but never less than this (routers answer from a slower path than they forward on).</summary>
        internal const double MinimumWaitMs = 50;

        public static IEnumerable<RouteHop> Trace(RouteRequest request, Action<RouteProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            if (request is null) throw new ArgumentNullException(nameof(request));
            request.Validate();
            return new Run(request, progress, cancellationToken).Execute();
        }

        /// <summary>The address a target name or literal stands for, in the requested family.</summary>
        public static IPAddress ResolveTarget(RouteRequest request, CancellationToken cancellationToken)
        {
            var family = request.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
            string target = request.Target.Trim();
            if (IPAddress.TryParse(target.Trim('[', ']'), out var literal))
            {
                if (literal.AddressFamily != family && request.IPv6)
                    throw new RouteException(RouteException.NoAddressOfFamily, $"'{target}' is an IPv4 address: leave out -IPv6 to trace it.");
                return literal;
            }
            // A malformed name is said to be one here, not sent to the system's resolver first.
            if (WeChatNet.Text.HostName.Normalize(target, out string? notAName) is null)
                throw new RouteException(RouteException.TargetNotResolved, $"'{target}' is neither an IP address nor a host name: {notAName}.");
            IPAddress[] addresses;
            try
            {
                var task = (request.TargetResolver ?? DefaultTargetResolver)(target, cancellationToken);
                task.Wait(cancellationToken);
                addresses = task.Result;
            }
            catch (AggregateException e) when (e.InnerException is SocketException || e.InnerException is ArgumentException)
            {
                throw new RouteException(RouteException.TargetNotResolved,
                    $"Could not resolve '{target}': {e.InnerException!.Message}. Check the name, or give an IP address.", e.InnerException);
            }
            var match = addresses.FirstOrDefault(a => a.AddressFamily == family);
            if (match is null)
            {
                throw new RouteException(RouteException.NoAddressOfFamily, request.IPv6
                    ? $"'{target}' has no IPv6 (AAAA) address: leave out -IPv6 to trace its IPv4 address."
                    : $"'{target}' has no IPv4 (A) address: add -IPv6 to trace its IPv6 address.");
            }
            return match;
        }

        private static Task<IPAddress[]> DefaultTargetResolver(string name, CancellationToken cancellationToken) => System.Net.Dns.GetHostAddressesAsync(name);

        private static async Task<string?> DefaultReverseResolver(IPAddress address, CancellationToken cancellationToken)
        {
            try
            {
                var entry = await System.Net.Dns.GetHostEntryAsync(address).ConfigureAwait(false);
                string name = entry.HostName;
                return string.IsNullOrEmpty(name) || name == address.ToString() ? null : name.TrimEnd('.');
            }
            catch (SocketException)
            {
                return null;
            }
        }

        private sealed class Run
        {
            private readonly RouteRequest _request;
            private readonly Action<RouteProgress>? _progress;
            private readonly CancellationToken _ct;
            private readonly ConcurrentQueue<ProbeReply> _replies = new ConcurrentQueue<ProbeReply>();
            private readonly AutoResetEvent _signal = new AutoResetEvent(false);
            private readonly Dictionary<ushort, Probe> _byKey = new Dictionary<ushort, Probe>();
            private readonly List<Probe> _inFlight = new List<Probe>();
            // _hops[ttl][round]
            private Probe?[][] _grid = null!;
            private readonly Dictionary<string, Task<string?>> _names = new Dictionary<string, Task<string?>>(StringComparer.Ordinal);
            private IPAddress _target = null!;
            private RouteHop _template = null!;
            private int _dest = int.MaxValue;
            private int _sent, _received, _keyCounter, _outstanding;
            private long[] _maxRttTicks = null!;
            private ushort _keyBase;

            public Run(RouteRequest request, Action<RouteProgress>? progress, CancellationToken ct)
            {
                _request = request;
                _progress = progress;
                _ct = ct;
            }

            public IEnumerable<RouteHop> Execute()
            {
                _ct.ThrowIfCancellationRequested();
                ProbeTransport.EnsureSupported(_request);
                _target = ResolveTarget(_request, _ct);
                var transport = ProbeTransport.Open(_request, _target);
                try
                {
                    _keyBase = (ushort)new Random().Next(0, 0x10000);
                    _template = new RouteHop
                    {
                        Target = _request.Target,
                        TargetAddress = _target.ToString(),
                        Protocol = _request.Protocol.ToString(),
                        Port = _request.EffectivePort,
                    };
                    _grid = new Probe?[_request.MaxHops + 1][];
                    _maxRttTicks = new long[_request.MaxHops + 2];
                    for (int t = 1; t <= _request.MaxHops; t++) _grid[t] = new Probe?[_request.Count];
                    transport.Start(Enqueue);
                    foreach (var hop in Schedule(transport)) yield return hop;
                }
                finally
                {
                    transport.Dispose();
                    _signal.Dispose();
                }
            }

            /// <summary>Runs on the transport's threads: queue a matched answer for the scheduler.</summary>
            private void Enqueue(ushort key, IPAddress? responder, ReplyKind kind, long timestamp)
            {
                if (responder is null) return;
                if (responder.AddressFamily == AddressFamily.InterNetworkV6 && responder.ScopeId != 0) responder = new IPAddress(responder.GetAddressBytes());
                _replies.Enqueue(new ProbeReply(key, responder, kind, timestamp));
                _signal.Set();
            }

            private int Limit => Math.Min(_dest, _request.MaxHops);

            private IEnumerable<RouteHop> Schedule(IProbeTransport transport)
            {
                int count = _request.Count;
                var nextTtl = new int[count];
                var roundStarted = new long[count];
                for (int r = 0; r < count; r++) nextTtl[r] = 1;
                int emitted = 0;
                int progressRound = 0;
                long timeoutTicks = (long)(_request.TimeoutMs / 1000.0 * Stopwatch.Frequency);
                long intervalTicks = (long)(_request.EffectiveIntervalMs / 1000.0 * Stopwatch.Frequency);
                bool udp = _request.Protocol == RouteProtocol.Udp;

                while (!_ct.IsCancellationRequested)
                {
                    long now = Stopwatch.GetTimestamp();
                    if (transport.ReaderFailure is Exception failure)
                        throw new RouteException(RouteException.SocketFailed, $"Reading replies failed: {failure.Message}", failure);
                    DrainReplies();
                    long nextDeadline = ExpireProbes(now, timeoutTicks);

                    // Send what may be sent now.
                    long wakeAt = long.MaxValue;
                    bool round0Done = RoundComplete(0, nextTtl[0]);
                    for (int r = 0; r < count && _outstanding < _request.MaxInFlight; r++)
                    {
                        if (r > 0)
                        {
                            if (roundStarted[r - 1] == 0) break;
                            long startAt = roundStarted[r - 1] + intervalTicks;
                            if (now < startAt) { wakeAt = Math.Min(wakeAt, startAt); break; }
                        }
                        while (_outstanding < _request.MaxInFlight)
                        {
                            int ttl = nextTtl[r];
                            if (ttl > Limit) break;
                            if (r == 0)
                            {
                                if (udp && ttl > Frontier(now) + UdpLookahead) { wakeAt = Math.Min(wakeAt, now + Stopwatch.Frequency / 100); break; }
                            }
                            else
                            {
                                if (ttl >= nextTtl[r - 1]) break; // keep rounds in order
                                if (!MaySendLaterRound(ttl)) break;
                            }
                            SendProbe(transport, ttl, r);
                            if (roundStarted[r] == 0) roundStarted[r] = Stopwatch.GetTimestamp();
                            nextTtl[r]++;
                        }
                        if (roundStarted[r] != 0 && r + 1 > progressRound)
                        {
                            progressRound = r + 1;
                            _progress?.Invoke(new RouteProgress(_request.Target, progressRound, count, _sent, _received, _dest == int.MaxValue ? (int?)null : _dest));
                        }
                    }

                    // Emit the hops that are complete, in order.
                    int final = FinalHopCount();
                    bool finished = _outstanding == 0 && AllSent(nextTtl, round0Done);
                    // Hops go out in order once complete: when the target's hop is complete too (so notes can compare with
                    // the hops behind), or, while the target has not answered, as soon as a complete hop has answered.
                    bool destinationKnown = _dest != int.MaxValue;
                    if (finished || DestinationComplete() || (!destinationKnown && HopComplete(emitted + 1) && HopAnswered(emitted + 1)))
                    {
                        var hops = BuildPath(final);
                        while (emitted < hops.Count && (finished || (HopComplete(emitted + 1) && (destinationKnown || HopAnswered(emitted + 1)))))
                        {
                            yield return WithName(hops[emitted]);
                            emitted++;
                        }
                    }
                    if (finished) yield break;

                    wakeAt = Math.Min(wakeAt, nextDeadline);
                    long waitTicks = wakeAt == long.MaxValue ? Stopwatch.Frequency / 20 : Math.Max(0, wakeAt - Stopwatch.GetTimestamp());
                    int waitMs = (int)Math.Min(1000, Math.Ceiling(waitTicks * 1000.0 / Stopwatch.Frequency));
                    if (_replies.IsEmpty && waitMs > 0) WaitHandle.WaitAny(new[] { _signal, _ct.WaitHandle }, waitMs);
                }

                // Cancelled: what is known, now.
                DrainReplies();
                int known = 0;
                for (int t = 1; t <= FinalHopCount(); t++)
                    if (_grid[t].Any(p => p != null && p.IsComplete)) known = t;
                var partial = BuildPath(known);
                for (int i = emitted; i < partial.Count; i++) yield return WithName(partial[i], wait: false);
            }

            /// <summary>
            /// Settles probes whose wait is over and returns the next deadline. A probe waits <see cref="RouteRequest.TimeoutMs"/>
            /// at most, but once a later hop has answered it waits only <see cref="NearFactor"/> times that hop's RTT (at least
            /// <see cref="MinimumWaitMs"/>): a router that stays silent while the hops behind it answer does not hold the trace
            /// for a full timeout (traceroute's "near" rule).
            /// </summary>
            private long ExpireProbes(long now, long timeoutTicks)
            {
                // laterRtt[t]: the slowest reply from hop t or beyond, in ticks (0 = none yet).
                var laterRtt = new long[_request.MaxHops + 2];
                for (int t = _request.MaxHops; t >= 1; t--) laterRtt[t] = Math.Max(laterRtt[t + 1], _maxRttTicks[t]);
                long floor = (long)(MinimumWaitMs / 1000.0 * Stopwatch.Frequency);
                long next = long.MaxValue;
                for (int i = _inFlight.Count - 1; i >= 0; i--)
                {
                    var p = _inFlight[i];
                    if (p.State != ProbeState.InFlight) { _inFlight.RemoveAt(i); continue; }
                    long wait = timeoutTicks;
                    long beyond = laterRtt[p.Ttl + 1];
                    if (beyond > 0) wait = Math.Min(wait, Math.Max(floor, beyond * NearFactor));
                    long deadline = p.SentTimestamp + wait;
                    if (now >= deadline)
                    {
                        p.State = ProbeState.TimedOut;
                        _outstanding--;
                        _inFlight.RemoveAt(i);
                    }
                    else next = Math.Min(next, deadline);
                }
                return next;
            }

            private void SendProbe(IProbeTransport transport, int ttl, int round)
            {
                ushort key;
                do { key = (ushort)(_keyBase + _keyCounter++); } while (!ProbeCodec.IsUsableKey(key));
                var probe = new Probe(_sent, ttl, round, key);
                _byKey[key] = probe;
                _grid[ttl][round] = probe;
                probe.State = ProbeState.InFlight;
                probe.SentTimestamp = Stopwatch.GetTimestamp();
                transport.Send(key, ttl);
                _inFlight.Add(probe);
                _outstanding++;
                _sent++;
            }

            private void DrainReplies()
            {
                while (_replies.TryDequeue(out var reply))
                {
                    if (!_byKey.TryGetValue(reply.Key, out var probe) || probe.State != ProbeState.InFlight) continue;
                    probe.State = ProbeState.Answered;
                    _outstanding--;
                    long rttTicks = Math.Max(1, reply.Timestamp - probe.SentTimestamp);
                    probe.RttMs = rttTicks * 1000.0 / Stopwatch.Frequency;
                    _maxRttTicks[probe.Ttl] = Math.Max(_maxRttTicks[probe.Ttl], rttTicks);
                    probe.Responder = reply.Responder;
                    probe.Kind = reply.Kind;
                    probe.FromTarget = reply.Kind != ReplyKind.TimeExceeded && reply.Responder.Equals(_target);
                    _received++;
                    if (reply.Kind != ReplyKind.TimeExceeded && reply.Kind != ReplyKind.FragmentationNeeded && probe.Ttl < _dest) _dest = probe.Ttl;
                    if (_request.ResolveNames) StartNameLookup(reply.Responder);
                }
            }

            private void StartNameLookup(IPAddress address)
            {
                string key = address.ToString();
                if (_names.ContainsKey(key)) return;
                var resolver = _request.ReverseResolver ?? DefaultReverseResolver;
                Task<string?> task;
                try { task = Task.Run(() => resolver(address, _ct)); }
                catch (Exception e) { task = Task.FromException<string?>(e); }
                _names[key] = task;
            }

            private RouteHop WithName(RouteHop hop, bool wait = true)
            {
                if (!_request.ResolveNames || hop.Address is null || !_names.TryGetValue(hop.Address, out var task)) return hop;
                try
                {
                    if (wait) task.Wait(5000, _ct);
                    if (task.Status == TaskStatus.RanToCompletion) hop.HostName = task.Result;
                }
                catch (OperationCanceledException) { }
                catch (AggregateException) { } // a failed lookup leaves the name empty
                return hop;
            }

            /// <summary>
            /// Highest round-0 TTL whose probe came back, timed out, or has waited 3 x the slowest RTT seen so far (at least
            /// <see cref="MinimumWaitMs"/>): UDP looks only a little past it, so a stretch of silent hops costs a few short
            /// waits, not a timeout each.
            /// </summary>
            private int Frontier(long now)
            {
                long slowest = 0;
                for (int t = 1; t <= _request.MaxHops; t++) slowest = Math.Max(slowest, _maxRttTicks[t]);
                long settle = Math.Max((long)(MinimumWaitMs / 1000.0 * Stopwatch.Frequency), 3 * slowest);
                int f = 0;
                for (int t = 1; t <= _request.MaxHops; t++)
                    if (_grid[t][0] is Probe p && (p.IsComplete || now - p.SentTimestamp >= settle)) f = t;
                return f;
            }

            private bool MaySendLaterRound(int ttl)
            {
                if (_dest != int.MaxValue) return ttl <= _dest;
                var first = _grid[ttl][0];
                if (first != null && first.State == ProbeState.Answered && first.Kind == ReplyKind.TimeExceeded) return true;
                // The target has not answered (yet): probe a little past the last hop that answered; hops beyond are not reported.
                return ttl <= LastAnswered() + 2;
            }

            private int LastAnswered()
            {
                int last = 0;
                for (int t = 1; t <= _request.MaxHops; t++)
                    if (_grid[t].Any(p => p != null && p.State == ProbeState.Answered)) last = t;
                return last;
            }

            private bool RoundComplete(int round, int next)
            {
                if (next <= Limit) return false;
                for (int t = 1; t <= Limit; t++)
                    if (_grid[t][round] is Probe p && !p.IsComplete) return false;
                return true;
            }

            private int LaterRoundLimit() => _dest != int.MaxValue ? Limit : Math.Min(_request.MaxHops, LastAnswered() + 2);

            private bool AllSent(int[] nextTtl, bool round0Done)
            {
                if (!round0Done) return false;
                int limit = LaterRoundLimit();
                for (int r = 1; r < nextTtl.Length; r++)
                    if (nextTtl[r] <= limit) return false;
                return true;
            }

            /// <summary>Hops to report: up to the target, or one past the last hop that answered.</summary>
            private int FinalHopCount()
            {
                if (_dest != int.MaxValue) return _dest;
                return Math.Min(_request.MaxHops, Math.Max(1, LastAnswered() + 1));
            }

            private bool HopComplete(int ttl)
            {
                if (ttl > Limit) return false;
                foreach (var p in _grid[ttl])
                    if (p is null || !p.IsComplete) return false;
                return true;
            }

            private bool HopAnswered(int ttl) => ttl <= _request.MaxHops && _grid[ttl].Any(p => p != null && p.State == ProbeState.Answered);

            private bool DestinationComplete() => _dest != int.MaxValue && HopComplete(_dest);

            private List<RouteHop> BuildPath(int hopCount)
            {
                var hops = new List<RouteHop>(hopCount);
                for (int t = 1; t <= hopCount; t++)
                    hops.Add(HopStatistics.Build(t, _grid[t].OfType<Probe>(), _template));
                HopStatistics.Annotate(hops);
                return hops;
            }
        }
    }
}
