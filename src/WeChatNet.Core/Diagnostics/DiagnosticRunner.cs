using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using WeChatNet.Connections;
using WeChatNet.Connectivity;
using WeChatNet.Dns;
using WeChatNet.IpIntel;
using WeChatNet.Route;
using WeChatNet.WeChat;
using WeChatNet.Analysis;
using WeChatNet.Resolution;

namespace WeChatNet.Diagnostics
{
    /// <summary>
    /// The runbook in one call (Invoke-WeChatDiagnostic): the one-pass capture analysis of <see cref="CaptureAnalyzer"/>
    /// for capture files, and the live checks from this machine: resolution from mainland and overseas resolvers
    /// (<see cref="DomainResolver"/>, compared), WeChat's HTTP dispatch (<see cref="DispatchClient"/>), TCP connects to the
    /// resolved servers (<see cref="ConnectionTester"/>) and a trace of the path to the long link (<see cref="RouteTracer"/>;
    /// skipped with a reason, never a failure, when privileges or a target are missing). All findings come from
    /// <see cref="FindingEngine"/>, sorted by severity. Progress is reported on the calling thread.
    /// </summary>
    internal static class DiagnosticRunner
    {
        public static DiagnosticResult Run(DiagnosticRequest request, Action<DiagnosticProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            if (request is null) throw new ArgumentNullException(nameof(request));
            request.Validate();
            var intel = request.IpIntel ?? IpIntelligence.Default;
            var clock = Stopwatch.StartNew();
            var result = new DiagnosticResult { StartedAt = DateTimeOffset.Now, Live = request.Live, AllTraffic = request.AllTraffic };
            var findings = new List<Finding>();
            // Share of the progress bar: the capture first, then the live stages.
            double captureShare = request.CapturePaths.Count == 0 ? 0 : request.Live ? 0.4 : 1.0;
            void Report(string stage, string status, double fraction) =>
                progress?.Invoke(new DiagnosticProgress(stage, status, (int)Math.Max(0, Math.Min(100, Math.Round(fraction * 100)))));

            if (request.CapturePaths.Count > 0)
            {
                AnalyzeCaptures(request, result, (status, f) => Report("Capture", status, f * captureShare), cancellationToken);
                findings.AddRange(result.Capture!.Findings);
            }
            if (request.Live)
            {
                double Live(double f) => captureShare + (1 - captureShare) * f;
                var facts = RunLive(request, intel, result, (stage, status, f) => Report(stage, status, Live(f)), cancellationToken);
                findings.AddRange(FindingEngine.Default.Evaluate(facts));
            }
            // One cause, one finding across the capture and the live checks too (a name the capture saw fail, connects that never started).
            result.Findings = FindingEngine.Sort(FindingEngine.Default.Absorb(findings));
            result.ElapsedMs = clock.Elapsed.TotalMilliseconds;
            Report("Done", $"{result.Findings.Count} findings", 1);
            return result;
        }

        private static void AnalyzeCaptures(DiagnosticRequest request, DiagnosticResult result, Action<string, double> report, CancellationToken ct)
        {
            // One capture per file, as Get-WeChatFinding does; JoinCaptures reads a rotation set as one capture.
            var parts = new List<CaptureAnalysisResult>();
            CaptureAnalyzer? analyzer = null;
            int files = request.CapturePaths.Count;
            for (int i = 0; i < files; i++)
            {
                string file = request.CapturePaths[i];
                if (analyzer == null || !request.JoinCaptures)
                {
                    var analysisOptions = new CaptureAnalysisOptions { ClientRegion = request.ClientRegion, AllTraffic = request.AllTraffic };
                    analysisOptions.Decoding.KeyLog = request.KeyLog;
                    analyzer = new CaptureAnalyzer(analysisOptions);
                }
                var current = analyzer;
                int before = current.Errors.Count;
                int index = i;
                report($"Analysing {file}", (double)i / files);
                bool read = false;
                try
                {
                    current.AddFile(file, p =>
                    {
                        if (p.Percent >= 0) report($"Analysing {file}: {current.Packets:N0} packets", (index + p.Percent / 100.0) / files);
                    }, ct);
                    result.CaptureFiles.Add(file);
                    read = true;
                }
                catch (FileNotFoundException)
                {
                    result.Problems.Add(new DiagnosticProblem("CaptureFileNotFound", $"Capture file '{file}' not found.", file));
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is InvalidDataException)
                {
                    result.Problems.Add(new DiagnosticProblem("CaptureFileUnreadable", e.Message.Contains(file) ? e.Message : $"{file}: {e.Message}", file));
                }
                for (int k = before; k < current.Errors.Count; k++)
                    result.Problems.Add(new DiagnosticProblem(current.Errors[k].ErrorId, current.Errors[k].ToString(), file));
                if (!request.JoinCaptures)
                {
                    if (read) parts.Add(current.Complete());
                    analyzer = null;
                }
            }
            if (analyzer != null && result.CaptureFiles.Count > 0) parts.Add(analyzer.Complete());
            var capture = CaptureAnalysisResult.Merge(parts);
            result.Capture = capture;
            result.Checks.Add(string.Format(CultureInfo.InvariantCulture, "Capture: {0} of {1} file(s), {2:N0} packets, {3} flows, {4} long link(s) with heartbeats analysed",
                result.CaptureFiles.Count, files, capture.Packets, capture.Flows.Count, capture.Heartbeats.Count));
            if (capture.Decryption != null) result.Checks.Add("Capture: " + capture.Decryption.Describe());
        }

        private static AnalysisFacts RunLive(DiagnosticRequest request, IpIntelligence intel, DiagnosticResult result,
            Action<string, string, double> report, CancellationToken ct)
        {
            var facts = new AnalysisFacts
            {
                ClientRegion = request.ClientRegion,
                WhereIs = address =>
                {
                    if (!IpIntelligence.TryParseAddress(address, out var ip)) return ("Unknown", null);
                    var info = intel.Lookup(ip);
                    return (info.Region, info.Owner);
                },
            };

            // 0. WeChat's own connections, watched (on their own thread) for as long as the other checks take.
            using var live = LiveConnectionCheck.Start(request.ConnectionTable, intel, request.ConnectionInterval);
            int liveCheckLine = result.Checks.Count;   // its line comes first among the live checks, written once it is known

            // 1. Resolution, from every resolver, compared.
            report("Dns", "Resolving WeChat's hosts", 0);
            var regions = request.Regions?.ToArray() ?? (request.Servers.Count == 0 ? new[] { ResolverRegion.Mainland, ResolverRegion.Overseas, ResolverRegion.System } : Array.Empty<ResolverRegion>());
            // -Target host names are asked of the same resolvers: never of the system resolver behind the user's back.
            var targetNames = request.Targets.Select(t => t.Trim())
                .Where(t => t.Length > 0 && !IPAddress.TryParse(t.Trim('[', ']'), out _) && Text.HostName.Normalize(t, out _) != null).ToList();
            var names = request.Names.Count > 0 ? request.Names.ToList() : targetNames.Count > 0 ? DomainResolver.DefaultNames().ToList() : null;
            names?.AddRange(targetNames.Where(t => !names.Contains(t, StringComparer.OrdinalIgnoreCase)));
            var plan = ResolvePlan.Create(new ResolveSettings
            {
                Names = names?.ToArray(),
                Servers = request.Servers.ToArray(),
                Regions = regions,
                TimeoutSec = request.DnsTimeoutSec,
                Retries = 1,
            });
            foreach (var p in plan.Problems) result.Problems.Add(new DiagnosticProblem(p.ErrorId, p.Message, p.Target));
            if (plan.CanRun)
            {
                result.Resolvers.AddRange(plan.Request.Servers.Select(s => $"{s} ({s.Region})"));
                result.DnsAnswers.AddRange(DomainResolver.Resolve(plan.Request,
                    (done, total) => report("Dns", $"{done} of {total} answers", 0.25 * done / Math.Max(1, total)), ct));
                result.DnsComparisons.AddRange(DomainResolver.Compare(result.DnsAnswers));
                result.Checks.Add($"DNS: {plan.Request.Names.Count} name(s) from {plan.Request.Servers.Count} resolver(s) ({string.Join(", ", result.Resolvers)}); " +
                                  $"{result.DnsAnswers.Count(a => a.Status == "Ok")} of {result.DnsAnswers.Count} answers Ok");
            }
            else result.Checks.Add("DNS: skipped, no resolver could be asked (" + string.Join("; ", plan.Problems.Select(p => p.Message)) + ")");
            ct.ThrowIfCancellationRequested();

            // 2. WeChat's own HTTP dispatch.
            if (!request.SkipDispatch)
            {
                var options = new DispatchRequestOptions
                {
                    Uri = request.DispatchUri ?? DispatchRequestOptions.DefaultUri,
                    Timeout = TimeSpan.FromSeconds(Math.Max(5, request.DnsTimeoutSec * 2)),
                };
                report("Dispatch", "Asking " + options.Uri.GetLeftPart(UriPartial.Authority), 0.25);
                result.Dispatch = DispatchClient.FetchAsync(options, ct).GetAwaiter().GetResult();
                var d = result.Dispatch;
                result.Checks.Add(d.Dispatch != null
                    ? string.Format(CultureInfo.InvariantCulture, "Dispatch: {0} answered retcode {1} with {2} domain(s) in {3:0} ms",
                        d.Uri.GetLeftPart(UriPartial.Path), d.Dispatch.RetCode, d.Dispatch.Domains.Length, d.Dispatch.ElapsedMs)
                    : $"Dispatch: {d.Uri.GetLeftPart(UriPartial.Path)} failed ({d.Failure}): {d.Message}");
            }
            else result.Checks.Add("Dispatch: skipped (-SkipDispatch)");
            ct.ThrowIfCancellationRequested();

            // 3. TCP connects: to the given targets, or to every resolved address of the dispatch, long- and short-link hosts.
            var addressesOf = new Dictionary<string, List<IPAddress>>(StringComparer.OrdinalIgnoreCase);
            var asked = new HashSet<string>(plan.CanRun ? plan.Request.Names : (IEnumerable<string>)Array.Empty<string>(), StringComparer.OrdinalIgnoreCase);
            foreach (var a in result.DnsAnswers.Where(a => a.Status == "Ok"))
            {
                if (!addressesOf.TryGetValue(a.Name, out var list)) addressesOf[a.Name] = list = new List<IPAddress>();
                foreach (var text in a.Addresses)
                    if (IPAddress.TryParse(text, out var ip) && !list.Contains(ip) && list.Count < request.MaxAddressesPerName) list.Add(ip);
            }
            List<string> hosts = request.Targets.Count > 0
                ? request.Targets.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList()
                : addressesOf.Where(kv => kv.Value.Count > 0 && IsWeChatServer(kv.Key)).Select(kv => kv.Key).ToList();
            // The long link WeChat holds now is connected to as well: its fresh connect time is the path's round trip.
            var heldLongLinks = live.Current.Where(c => c.Role == nameof(EndpointRole.LongLink) && c.MatchedBy != null && c.State == "Established")
                .Select(c => c.RemoteAddress).Distinct(StringComparer.OrdinalIgnoreCase).Where(a => !hosts.Contains(a, StringComparer.OrdinalIgnoreCase)).ToList();
            hosts.AddRange(heldLongLinks);
            if (hosts.Count > 0)
            {
                report("Connections", $"Connecting to {hosts.Count} host(s)", 0.35);
                var tester = new ConnectionTester(intel, (host, token) => ResolveTarget(host, addressesOf, asked, result.Resolvers, token), request.SocketFactory);
                var connectRequest = new ConnectionTestRequest
                {
                    Hosts = hosts,
                    Ports = request.Ports.ToList(),
                    TimeoutMs = request.ConnectTimeoutMs,
                    Http = false,
                };
                foreach (var t in tester.Run(connectRequest, ct, p => report("Connections", $"{p.Completed} of {p.Known} connects: {p.Current}", 0.35 + 0.3 * p.Completed / Math.Max(1, p.Known))))
                    result.Connections.Add(t);
                var tcp = result.Connections.Where(t => t.Test == "TcpConnect").ToList();
                result.Checks.Add($"Connections: {tcp.Count} TCP connect test(s) to {hosts.Count} host(s) on port(s) {string.Join(", ", tcp.Select(t => t.Port).Distinct().OrderBy(x => x))}; {tcp.Count(t => t.Succeeded)} succeeded");
            }
            else result.Checks.Add("Connections: skipped, no WeChat server address was resolved (and no -Target given)");
            ct.ThrowIfCancellationRequested();

            // 4. The path to the long link.
            if (request.SkipTrace) result.Checks.Add("Route: skipped (-SkipTrace)");
            else
            {
                string? target = request.Targets.Count > 0 ? hosts.FirstOrDefault() : LongLinkTarget(result, addressesOf);
                result.RouteTarget = target;
                if (target is null)
                {
                    result.RouteSkipped = "No long-link address was resolved, so there was nothing to trace. Check the DNS findings, or give -Target.";
                }
                else
                {
                    report("Route", "Tracing the path to " + target, 0.65);
                    var routeRequest = new RouteRequest
                    {
                        Target = target,
                        Protocol = request.TraceProtocol,
                        ProtocolParameter = "-TraceProtocol",
                        Port = request.TracePort,
                        Count = request.TraceCount,
                        MaxHops = request.TraceMaxHops,
                        TimeoutMs = request.TraceTimeoutMs,
                        IPv6 = IPAddress.TryParse(target, out var literal) && literal.AddressFamily == AddressFamily.InterNetworkV6,
                        TargetResolver = (name, token) => ResolveTarget(name, addressesOf, asked, result.Resolvers, token),
                    };
                    var tracer = request.Tracer ?? ((r, token) => RouteTracer.Trace(r, p =>
                        report("Route", $"Round {p.Round} of {p.Rounds} to {target}: {p.RepliesReceived} replies", 0.65 + 0.35 * p.PercentComplete / 100.0), token));
                    try
                    {
                        foreach (var hop in tracer(routeRequest, ct))
                        {
                            result.Route.Add(hop);
                            report("Route", $"Hop {hop.Hop}: {hop.Address ?? "*"}", 0.65 + 0.35 * Math.Min(1, hop.Hop / (double)Math.Max(1, request.TraceMaxHops)));
                        }
                    }
                    catch (RouteException e)
                    {
                        result.RouteSkipped = e.ErrorId == RouteException.NeedsPrivilege
                            ? e.Message
                            : $"{e.Message} ({e.ErrorId})";
                        result.Route.Clear();
                    }
                    catch (Exception e) when (e is SocketException || e is ArgumentException || e is UnauthorizedAccessException || e is PlatformNotSupportedException)
                    {
                        result.RouteSkipped = $"The trace could not run here: {e.Message}";
                        result.Route.Clear();
                    }
                    ct.ThrowIfCancellationRequested();
                }
                result.Checks.Add(result.RouteSkipped != null
                    ? "Route: skipped: " + result.RouteSkipped
                    : string.Format(CultureInfo.InvariantCulture, "Route: {0} trace to {1}, {2} hop(s), {3}", request.TraceProtocol, target, result.Route.Count,
                        result.Route.Any(h => h.IsDestination) ? "target reached" : "target not reached"));
            }

            var liveFacts = new LiveConnectionFacts();
            live.Complete(liveFacts, names =>
            {
                if (result.Dispatch?.Dispatch != null) names.AddDispatch(result.Dispatch.Dispatch);
                foreach (var a in result.DnsAnswers.Where(a => a.Status == "Ok"))
                    foreach (var address in a.Addresses) names.Add(address, a.Name, RemoteHostNames.Resolved);
            });
            facts.LiveConnections = liveFacts;
            result.WeChatConnections = liveFacts.Connections?.ToList() ?? new List<Connection>();
            result.Checks.Insert(liveCheckLine, liveFacts.Skipped != null
                ? "WeChat's connections: not read (" + liveFacts.Skipped + ")"
                : liveFacts.WeChatProcesses.Count == 0
                    ? "WeChat's connections: no WeChat process runs here"
                    : string.Format(CultureInfo.InvariantCulture, "WeChat's connections: {0} ({1}) hold {2} connection(s), {3} long link(s); watched {4:0.#} s: {5} opened, {6} closed",
                        liveFacts.WeChatProcesses.Count == 1 ? "process" : "processes", string.Join(", ", liveFacts.WeChatProcesses), result.WeChatConnections.Count,
                        result.WeChatConnections.Count(c => c.Role == nameof(EndpointRole.LongLink)), liveFacts.WatchSeconds,
                        liveFacts.Events.Count(e => e.Change == "Opened"), liveFacts.Events.Count(e => e.Change == "Closed")));

            facts.DnsAnswers = result.DnsAnswers;
            facts.DnsComparisons = result.DnsComparisons;
            facts.Dispatch = result.Dispatch;
            facts.Connections = result.Connections;
            facts.Route = result.Route;
            facts.RouteTarget = result.RouteTarget;
            facts.RouteSkipped = result.RouteSkipped;
            return facts;
        }

        private static bool IsWeChatServer(string name)
        {
            var role = EndpointCatalog.Default.Classify(name)?.Role;
            return role == EndpointRole.Dispatch || role == EndpointRole.LongLink || role == EndpointRole.ShortLink;
        }

        /// <summary>A long-link address to trace: one that accepted a TCP connect if any, else the first resolved one.</summary>
        private static string? LongLinkTarget(DiagnosticResult result, Dictionary<string, List<IPAddress>> addressesOf)
        {
            var longLinks = addressesOf.Where(kv => EndpointCatalog.Default.Classify(kv.Key)?.Role == EndpointRole.LongLink && kv.Value.Count > 0).ToList();
            var connected = result.Connections.FirstOrDefault(t => t.Succeeded && t.Address != null && t.Role == nameof(EndpointRole.LongLink));
            if (connected != null) return connected.Address;
            return longLinks.Select(kv => kv.Value[0].ToString()).FirstOrDefault();
        }

        /// <summary>
        /// Addresses of a host: an address literal itself, what the resolvers answered; a name they were asked and gave no
        /// address for is not looked up elsewhere; only a name no resolver was asked (none could run) goes to the system resolver.
        /// </summary>
        private static async Task<IPAddress[]> ResolveTarget(string host, Dictionary<string, List<IPAddress>> addressesOf, HashSet<string> asked,
            IReadOnlyList<string> resolvers, CancellationToken ct)
        {
            if (IPAddress.TryParse(host.Trim('[', ']'), out var literal)) return new[] { literal };
            if (addressesOf.TryGetValue(host, out var known) && known.Count > 0) return known.ToArray();
            if (asked.Contains(host))
                throw new ArgumentException($"the resolvers asked ({string.Join(", ", resolvers)}) gave no address for it; it is not looked up elsewhere");
            ct.ThrowIfCancellationRequested();
            return await System.Net.Dns.GetHostAddressesAsync(host).ConfigureAwait(false);
        }
    }
}
