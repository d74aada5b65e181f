using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WeChatNet.Text;
using WeChatNet.WeChat;
using WeChatNet.Dns;

namespace WeChatNet.Resolution
{
    /// <summary>What Resolve-WeChatDomain asks: every name of <see cref="Names"/> from every server of <see cref="Servers"/>.</summary>
    internal sealed class ResolveRequest
    {
        public IReadOnlyList<string> Names { get; set; } = Array.Empty<string>();
        public IReadOnlyList<DnsServer> Servers { get; set; } = Array.Empty<DnsServer>();
        public DnsRecordType Type { get; set; } = DnsRecordType.A;
        /// <summary>Null: UDP for addresses, HTTPS for URLs.</summary>
        public DnsProtocol? Protocol { get; set; }
        public DnsClientOptions Client { get; set; } = new DnsClientOptions();
        /// <summary>Queries in flight at once (default 128).</summary>
        public int MaxConcurrency { get; set; } = 128;
        /// <summary>When set, the HTTP dispatch is fetched too and its answers reported with Source Dispatch.</summary>
        public DispatchRequestOptions? Dispatch { get; set; }
        /// <summary>True when <see cref="Names"/> are the defaults: the dispatch then reports every domain it lists.</summary>
        public bool DefaultNames { get; set; }
    }

    /// <summary>
    /// Runs name x server queries concurrently (bounded) and streams one <see cref="DnsAnswer"/> per pair as each
    /// completes; compares answers across resolvers and regions.
    /// </summary>
    internal static class DomainResolver
    {
        private const int MaxCnameChain = 16;

        /// <summary>The catalog's dispatch, long-link and short-link hosts of both families (wildcards excluded).</summary>
        public static IReadOnlyList<string> DefaultNames() =>
            EndpointCatalog.Default.Endpoints
                .Where(e => (e.Role == nameof(EndpointRole.Dispatch) || e.Role == nameof(EndpointRole.LongLink) || e.Role == nameof(EndpointRole.ShortLink))
                            && e.Name.IndexOf('*') < 0)
                .Select(e => e.Name).Distinct(StringComparer.Ordinal).ToList();

        /// <summary>Normalises names (lower case, no trailing dot), dropping duplicates; invalid ones come back with the reason.</summary>
        public static List<string> NormalizeNames(IEnumerable<string> names, List<KeyValuePair<string, string>> invalid)
        {
            var list = new List<string>();
            foreach (var raw in names)
            {
                string? n = HostName.Normalize(raw, out string? error);
                if (n is null) { invalid.Add(new KeyValuePair<string, string>(raw ?? string.Empty, error ?? "invalid")); continue; }
                if (!list.Contains(n)) list.Add(n);
            }
            return list;
        }

        /// <summary>
        /// Streams the answers as they arrive. <paramref name="progress"/> (completed, total) is called on the enumerating
        /// thread after each answer. Cancelling <paramref name="cancellationToken"/> (or abandoning the enumeration) closes
        /// every socket and request in flight.
        /// </summary>
        public static IEnumerable<DnsAnswer> Resolve(ResolveRequest request, Action<int, int>? progress, CancellationToken cancellationToken)
        {
            int total = request.Names.Count * request.Servers.Count + (request.Dispatch != null ? 1 : 0);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var results = new BlockingCollection<DnsAnswer>();
            var client = new DnsClient(request.Client);
            var producer = Task.Run(() => ProduceAsync(request, client, results, cts.Token));
            producer.ContinueWith(_ =>
            {
                try { results.CompleteAdding(); }
                catch (ObjectDisposedException) { }
            }, TaskScheduler.Default);
            int done = 0;
            try
            {
                foreach (var answer in results.GetConsumingEnumerable(cancellationToken))
                {
                    done++;
                    yield return answer;
                    progress?.Invoke(Math.Min(done, total), total);
                }
                if (producer.IsFaulted) throw producer.Exception!.GetBaseException();
                cancellationToken.ThrowIfCancellationRequested();
            }
            finally
            {
                cts.Cancel();
                try { producer.Wait(TimeSpan.FromSeconds(5)); }
                catch (AggregateException) { }
                client.Dispose();
            }
        }

        private static async Task ProduceAsync(ResolveRequest request, DnsClient client, BlockingCollection<DnsAnswer> results, CancellationToken ct)
        {
            using var gate = new SemaphoreSlim(Math.Max(1, request.MaxConcurrency));
            var running = new List<Task>();
            if (request.Dispatch != null)
                running.Add(Task.Run(() => DispatchAnswersAsync(request, results, ct)));
            try
            {
                // Interleave servers so a slow server does not hold back every name's first answer.
                foreach (var name in request.Names)
                {
                    foreach (var server in request.Servers)
                    {
                        await gate.WaitAsync(ct).ConfigureAwait(false);
                        running.Add(Task.Run(async () =>
                        {
                            try
                            {
                                var exchange = await client.QueryAsync(server, name, request.Type, request.Protocol, ct).ConfigureAwait(false);
                                if (!ct.IsCancellationRequested) results.Add(ToAnswer(name, request.Type, server, exchange, request.Client.ClientSubnet));
                            }
                            catch (Exception e) when (!(e is OperationCanceledException) && !(e is ObjectDisposedException && ct.IsCancellationRequested))
                            {
                                // Whatever one query hits (a platform without IPv6 sockets, an invalid name) is its own answer, never the end of the run.
                                if (!ct.IsCancellationRequested)
                                    results.Add(new DnsAnswer(name, DnsRecord.TypeName(request.Type), server.ToString(), server.Region, "Dns",
                                        (request.Protocol ?? (server.IsHttps ? DnsProtocol.Https : DnsProtocol.Udp)).ToString(), nameof(DnsExchangeStatus.Error),
                                        Array.Empty<string>(), Array.Empty<string>(), Array.Empty<string>(), -1, 0, request.Client.ClientSubnet?.ToString() ?? string.Empty,
                                        -1, string.Empty, 0, 0, e.Message));
                            }
                            finally { gate.Release(); }
                        }));
                    }
                }
            }
            finally
            {
                try { await Task.WhenAll(running).ConfigureAwait(false); }
                catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
            }
        }

        private static async Task DispatchAnswersAsync(ResolveRequest request, BlockingCollection<DnsAnswer> results, CancellationToken ct)
        {
            var r = await DispatchClient.FetchAsync(request.Dispatch!, ct).ConfigureAwait(false);
            string source = r.Uri.GetLeftPart(UriPartial.Path);
            string type = DnsRecord.TypeName(request.Type);
            double elapsed = r.Dispatch?.ElapsedMs ?? 0;
            if (r.Dispatch is null)
            {
                string status = r.Failure == DispatchFailure.DispatchTimeout ? "Timeout" : "Error";
                results.Add(new DnsAnswer("(dispatch)", type, source, "Dispatch", "Dispatch", "Http", status, Array.Empty<string>(), Array.Empty<string>(),
                    Array.Empty<string>(), -1, elapsed, string.Empty, -1, string.Empty, 1, 0, r.Message));
                return;
            }
            var wanted = new HashSet<string>(request.Names, StringComparer.OrdinalIgnoreCase);
            foreach (var d in r.Dispatch.Domains)
            {
                if (!request.DefaultNames && !wanted.Contains(d.Name)) continue;
                bool v6 = request.Type == DnsRecordType.AAAA;
                var addrs = d.Addresses.Select(a => a.Address)
                    .Where(a => System.Net.IPAddress.TryParse(a, out var ip) && (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) == v6).ToArray();
                string status = r.Dispatch.RetCode == 0 ? "Ok" : "Error";
                string error = r.Dispatch.RetCode == 0 ? string.Empty : $"The dispatch answered retcode {r.Dispatch.RetCode}.";
                results.Add(new DnsAnswer(d.Name, type, source, "Dispatch", "Dispatch", "Http", status, Array.Empty<string>(), addrs, addrs, d.Ttl, elapsed,
                    string.Empty, -1, "RetCode " + r.Dispatch.RetCode.ToString(CultureInfo.InvariantCulture), 1, 0, error));
            }
        }

        /// <summary>Turns one exchange into the output row: follows the CNAME chain, collects addresses, data and the smallest TTL.</summary>
        public static DnsAnswer ToAnswer(string name, DnsRecordType type, DnsServer server, DnsExchange exchange, ClientSubnet? sent)
        {
            var chain = new List<string>();
            var addresses = new List<string>();
            var data = new List<string>();
            long minTtl = long.MaxValue;
            var m = exchange.Response;
            if (m != null)
            {
                string current = name;
                for (int i = 0; i < MaxCnameChain; i++)
                {
                    var cname = m.Answers.FirstOrDefault(r => r.Type == DnsRecordType.CNAME && DnsName.AreEqual(r.Name, current));
                    // CNAME and ANY ask for the records at the name itself: an alias's CNAME is the answer, not a chain to follow.
                    if (cname is null || type == DnsRecordType.CNAME || type == DnsRecordType.ANY) break;
                    minTtl = Math.Min(minTtl, cname.Ttl);
                    current = cname.Target!;
                    if (chain.Contains(current)) break; // a CNAME loop in the answer
                    chain.Add(current);
                }
                foreach (var r in m.Answers)
                {
                    if (!DnsName.AreEqual(r.Name, current)) continue;
                    if ((r.Type == DnsRecordType.A || r.Type == DnsRecordType.AAAA) && r.Address != null && (type == r.Type || type == DnsRecordType.ANY))
                        addresses.Add(r.Address);
                    if (r.Type == type || type == DnsRecordType.ANY)
                    {
                        data.Add(Presentation(r));
                        minTtl = Math.Min(minTtl, r.Ttl);
                    }
                }
            }
            int ttl = minTtl == long.MaxValue ? -1 : (int)Math.Min(minTtl, int.MaxValue);
            int scope = m?.Edns?.ClientSubnet?.ScopePrefix ?? -1;
            string status = exchange.Status.ToString();
            string error = exchange.Error.Length > 0 ? exchange.Error : exchange.Note;
            if (exchange.Status == DnsExchangeStatus.Ok && m?.Edns?.ClientSubnetError != null)
                error = "The Client Subnet option of the answer was malformed: " + m.Edns.ClientSubnetError;
            return new DnsAnswer(name, DnsRecord.TypeName(type), server.ToString(), server.Region, "Dns", exchange.Protocol.ToString(), status,
                chain.ToArray(), addresses.ToArray(), data.ToArray(), ttl, Math.Round(exchange.ElapsedMs, 3), sent?.ToString() ?? string.Empty, scope,
                m != null ? m.ResponseCode.ToString() : string.Empty, exchange.Tries, exchange.DroppedResponses, error);
        }

        /// <summary>RDATA in presentation form (RFC 3597 \# form for types without one here).</summary>
        public static string Presentation(DnsRecord r)
        {
            if (r.Address != null) return r.Address;
            if (r.Type == DnsRecordType.MX) return r.Preference.ToString(CultureInfo.InvariantCulture) + " " + r.Target;
            if (r.Target != null) return r.Target;
            if (r.Soa != null)
                return string.Format(CultureInfo.InvariantCulture, "{0} {1} {2} {3} {4} {5} {6}", r.Soa.PrimaryServer, r.Soa.ResponsibleMailbox,
                    r.Soa.Serial, r.Soa.Refresh, r.Soa.Retry, r.Soa.Expire, r.Soa.Minimum);
            if (r.Text != null) return string.Join(" ", r.Text.Select(t => "\"" + t.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\""));
            var sb = new StringBuilder("\\# ").Append(r.Data.Length.ToString(CultureInfo.InvariantCulture));
            if (r.Data.Length > 0) sb.Append(' ');
            foreach (byte b in r.Data) sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        /// <summary>
        /// Groups answers by name and type: which servers agree, which addresses each adds beyond the common set, and
        /// whether a Mainland answer differs from a non-Mainland one. Failed answers are listed, not compared.
        /// </summary>
        public static IEnumerable<DnsComparison> Compare(IEnumerable<DnsAnswer> answers)
        {
            foreach (var group in answers.GroupBy(a => (Name: a.Name, a.Type)).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
            {
                var ok = group.Where(a => a.Status == "Ok" || a.Status == "NxDomain").ToList();
                var failed = group.Where(a => a.Status != "Ok" && a.Status != "NxDomain").Select(a => $"{a.Server} ({a.Region}): {a.Status}").ToArray();
                var sets = ok.Select(a => (Answer: a, Set: new SortedSet<string>(a.Addresses, StringComparer.Ordinal))).ToList();
                var common = sets.Count == 0 ? new SortedSet<string>(StringComparer.Ordinal) : new SortedSet<string>(sets[0].Set, StringComparer.Ordinal);
                foreach (var s in sets.Skip(1)) common.IntersectWith(s.Set);
                int distinct = sets.Select(s => string.Join(",", s.Set) + "|" + (s.Answer.Status == "NxDomain" ? "nx" : "")).Distinct().Count();
                bool differs = distinct > 1;
                bool mainlandDiffers = false;
                foreach (var a in sets.Where(s => s.Answer.Region == "Mainland"))
                    foreach (var b in sets.Where(s => s.Answer.Region != "Mainland"))
                        if (!a.Set.SetEquals(b.Set) || a.Answer.Status != b.Answer.Status) mainlandDiffers = true;
                // NXDOMAIN is a difference only when another server answered: servers that agree a name does not exist do not differ.
                var differences = sets.Where(s => s.Set.Count > common.Count || s.Answer.Status == "NxDomain" && differs)
                    .Select(s => $"{s.Answer.Server} ({s.Answer.Region}): " + (s.Answer.Status == "NxDomain" ? "NxDomain" : string.Join(", ", s.Set.Except(common).Select(x => "+" + x))))
                    .ToArray();
                yield return new DnsComparison(group.Key.Name, group.Key.Type, differs, mainlandDiffers, distinct,
                    group.Select(a => $"{a.Server} ({a.Region})").Distinct().ToArray(), common.ToArray(), differences, failed);
            }
        }
    }
}
