using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace WeChatNet.Analysis
{
    /// <summary>Short-link request timing seen in a capture.</summary>
    public readonly struct ShortLinkTiming
    {
        public ShortLinkTiming(int flowId, double responseMs) { FlowId = flowId; ResponseMs = responseMs; }
        public int FlowId { get; }
        public double ResponseMs { get; }
    }

    /// <summary>How a DNS question seen in a capture ended: Ok, NxDomain, ServFail, Refused, NoResponse...</summary>
    public readonly struct DnsOutcome
    {
        public DnsOutcome(string name, string type, string outcome, DateTimeOffset asked)
        {
            Name = name;
            Type = type;
            Outcome = outcome;
            Asked = asked;
        }

        public DnsOutcome(string name, string outcome) : this(name, "A", outcome, default) { }
        public string Name { get; }
        /// <summary>The question's record type: A, AAAA, HTTPS...</summary>
        public string Type { get; }
        public string Outcome { get; }
        /// <summary>When the question was asked (the query's packet time).</summary>
        public DateTimeOffset Asked { get; }
    }

    /// <summary>Everything the finding rules look at.</summary>
    public sealed class AnalysisFacts
    {
        public IReadOnlyList<Flow> Flows { get; set; } = Array.Empty<Flow>();
        public IReadOnlyList<HeartbeatReport> Heartbeats { get; set; } = Array.Empty<HeartbeatReport>();
        public IReadOnlyList<ShortLinkTiming> ShortLinks { get; set; } = Array.Empty<ShortLinkTiming>();
        public IReadOnlyList<DnsOutcome> Dns { get; set; } = Array.Empty<DnsOutcome>();
        /// <summary>The capture's last packet time: queries asked shortly before it had no time to be answered.</summary>
        public DateTimeOffset? CaptureEnd { get; set; }
        /// <summary>Judge every flow and DNS name (-All), not only WeChat's.</summary>
        public bool AllTraffic { get; set; }
        /// <summary>Packets the capture itself dropped (interface statistics), when known.</summary>
        public long DroppedPackets { get; set; }
        /// <summary>Where the client is (MainlandChina or Overseas), when the user says or the capture shows it.</summary>
        public string? ClientRegion { get; set; }

        // Live checks (Invoke-WeChatDiagnostic -Live): empty when only a capture was analysed.
        /// <summary>What the resolvers said, one answer per (name, server).</summary>
        public IReadOnlyList<DnsAnswer> DnsAnswers { get; set; } = Array.Empty<DnsAnswer>();
        /// <summary>The answers grouped by name (DomainResolver.Compare).</summary>
        public IReadOnlyList<DnsComparison> DnsComparisons { get; set; } = Array.Empty<DnsComparison>();
        /// <summary>The HTTP dispatch fetch; null when it was not asked.</summary>
        public WeChat.DispatchResult? Dispatch { get; set; }
        /// <summary>TCP connect tests to WeChat's servers.</summary>
        public IReadOnlyList<ConnectionTest> Connections { get; set; } = Array.Empty<ConnectionTest>();
        /// <summary>The hops of the trace to the long link, in order; empty when it did not run.</summary>
        public IReadOnlyList<RouteHop> Route { get; set; } = Array.Empty<RouteHop>();
        /// <summary>The trace's target, when one was chosen.</summary>
        public string? RouteTarget { get; set; }
        /// <summary>Why the trace did not run (missing privilege, no target...); null when it ran or was not asked.</summary>
        public string? RouteSkipped { get; set; }
        /// <summary>Region and owner of an address, for evidence; null leaves them out.</summary>
        public Func<string, (string Region, string? Owner)>? WhereIs { get; set; }
    }

    /// <summary>One rule of FindingRules.txt.</summary>
    public sealed class FindingRule
    {
        public string Id { get; internal set; } = "";
        public string Severity { get; internal set; } = "";
        public string Area { get; internal set; } = "";
        public IReadOnlyDictionary<string, double> Parameters { get; internal set; } = new Dictionary<string, double>();
        public string Title { get; internal set; } = "";
        public string Recommendation { get; internal set; } = "";

        public double Param(string name) => Parameters.TryGetValue(name, out var v) ? v
            : throw new InvalidOperationException($"Finding rule {Id} lacks parameter '{name}'.");
    }

    /// <summary>
    /// Turns analysis facts into findings. The rules' thresholds, severities and words are data (FindingRules.txt,
    /// embedded); each rule id's logic is one method here. Findings come back sorted: errors, warnings, then info.
    /// </summary>
    public sealed class FindingEngine
    {
        private static readonly Lazy<FindingEngine> s_default = new Lazy<FindingEngine>(() =>
        {
            using var s = typeof(FindingEngine).Assembly.GetManifestResourceStream("WeChatNet.FindingRules.txt")
                ?? throw new InvalidOperationException("The embedded finding rules (WeChatNet.FindingRules.txt) are missing.");
            using var r = new StreamReader(s);
            return Parse(r.ReadToEnd());
        });

        private static readonly string[] KnownRules =
        {
            "LongLinkIdleTimeout", "LongLinkDied", "HeartbeatMissed", "HeartbeatStuckAtMinimum", "HighRetransmission", "SlowHandshake",
            "RegionMismatch", "SlowShortLink", "DnsFailure", "CaptureGaps", "CaptureDrops", "ServerResets",
            "Retransmissions", "ResolversDisagree", "ResolverRegionMismatch", "ResolverFailed", "DispatchFailed", "HostUnreachable", "ConnectFailed", "SlowConnect",
            "PathLatencyStep", "PathLoss", "PathTraceSkipped",
        };

        private readonly Dictionary<string, FindingRule> _rules;

        private FindingEngine(Dictionary<string, FindingRule> rules) { _rules = rules; }

        public static FindingEngine Default => s_default.Value;

        public IReadOnlyCollection<FindingRule> Rules => _rules.Values;

        /// <summary>Parses rule text; a bad line is a <see cref="FormatException"/> naming it.</summary>
        public static FindingEngine Parse(string text)
        {
            var rules = new Dictionary<string, FindingRule>(StringComparer.Ordinal);
            var lines = text.Replace("\r\n", "\n").Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].Trim();
                if (line.Length == 0 || line[0] == '#') continue;
                var cols = line.Split('|').Select(c => c.Trim()).ToArray();
                if (cols.Length != 6) throw new FormatException($"Finding rules line {i + 1}: expected 6 columns separated by '|', found {cols.Length}.");
                if (Array.IndexOf(KnownRules, cols[0]) < 0) throw new FormatException($"Finding rules line {i + 1}: no logic for rule '{cols[0]}'.");
                if (cols[1] != "Info" && cols[1] != "Warning" && cols[1] != "Error") throw new FormatException($"Finding rules line {i + 1}: severity '{cols[1]}' is not Info, Warning or Error.");
                var ps = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var kv in cols[3].Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    var parts = kv.Split('=');
                    if (parts.Length != 2 || !double.TryParse(parts[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                        throw new FormatException($"Finding rules line {i + 1}: parameter '{kv}' is not name=number.");
                    ps[parts[0].Trim()] = v;
                }
                rules[cols[0]] = new FindingRule { Id = cols[0], Severity = cols[1], Area = cols[2], Parameters = ps, Title = cols[4], Recommendation = cols[5] };
            }
            return new FindingEngine(rules);
        }

        public List<Finding> Evaluate(AnalysisFacts facts)
        {
            var findings = new List<Finding>();
            void Add(string ruleId, IEnumerable<int> flowIds, string evidence, IDictionary<string, string> values, string? area = null)
            {
                var rule = _rules[ruleId];
                findings.Add(new Finding
                {
                    RuleId = ruleId,
                    Severity = rule.Severity,
                    Area = area ?? rule.Area,
                    Title = Fill(rule.Title, values, rule),
                    Recommendation = Fill(rule.Recommendation, values, rule),
                    Evidence = evidence,
                    FlowIds = flowIds.Distinct().OrderBy(x => x).ToArray(),
                });
            }
            bool Has(string id) => _rules.ContainsKey(id);

            if (Has("LongLinkIdleTimeout")) IdleTimeout(facts, _rules["LongLinkIdleTimeout"], Add);
            foreach (var hb in facts.Heartbeats)
            {
                if (Has("LongLinkDied") && hb.Died)
                {
                    string reconnect = hb.ReconnectFlowId.HasValue
                        ? $"{hb.ReconnectAfterMs!.Value / 1000:0.#} s later to {hb.ReconnectServer} (flow {hb.ReconnectFlowId})" : "not within the capture";
                    Add("LongLinkDied", Ids(hb.FlowId, hb.ReconnectFlowId),
                        $"flow {hb.FlowId} {hb.Client} -> {hb.Server}: heartbeat unanswered after {hb.IdleBeforeEndSec:0.#} s of silence ({hb.Missed} missed in all), then {hb.Ending}; reconnect {reconnect}",
                        new Dictionary<string, string> { ["server"] = hb.Server, ["reconnect"] = reconnect });
                }
                else if (Has("HeartbeatMissed") && hb.Missed >= _rules["HeartbeatMissed"].Param("minMissed"))
                {
                    Add("HeartbeatMissed", new[] { hb.FlowId }, $"flow {hb.FlowId} {hb.Client} -> {hb.Server}: {hb.Count} heartbeats, {hb.Replies} replies, {hb.Missed} missed",
                        new Dictionary<string, string> { ["missed"] = hb.Missed.ToString(CultureInfo.InvariantCulture), ["server"] = hb.Server });
                }
                if (Has("HeartbeatStuckAtMinimum") && hb.Pattern.StartsWith("Stuck at the", StringComparison.Ordinal)
                    && hb.IntervalsSec.Length >= _rules["HeartbeatStuckAtMinimum"].Param("minIntervals"))
                {
                    Add("HeartbeatStuckAtMinimum", new[] { hb.FlowId },
                        $"flow {hb.FlowId}: intervals {string.Join(", ", hb.IntervalsSec.Select(x => x.ToString("0", CultureInfo.InvariantCulture)))} s",
                        new Dictionary<string, string>());
                }
            }
            foreach (var f in facts.Flows.Where(f => f.Protocol == "Tcp"))
            {
                if (Has("HighRetransmission"))
                {
                    var rule = _rules["HighRetransmission"];
                    long dataSegments = f.RetransmissionRate > 0 ? (long)Math.Round(f.Retransmissions / f.RetransmissionRate) : 0;
                    var values = new Dictionary<string, string>
                    {
                        ["rate"] = f.RetransmissionRate.ToString("0.#%", CultureInfo.InvariantCulture), ["kind"] = f.Kind, ["server"] = f.Server,
                        ["count"] = f.Retransmissions.ToString(CultureInfo.InvariantCulture), ["segments"] = dataSegments.ToString(CultureInfo.InvariantCulture),
                    };
                    string evidence = $"flow {f.Id} {f.Client} -> {f.Server}: {f.Retransmissions} retransmissions of {dataSegments} data segments ({f.SpuriousRetransmissions} spurious)";
                    string area = f.Kind == "ShortLink" ? "ShortLink" : f.Kind == "LongLink" ? "LongLink" : "Path";
                    if (f.RetransmissionRate > rule.Param("rate") && dataSegments >= rule.Param("minDataSegments"))
                        Add("HighRetransmission", new[] { f.Id }, evidence, values, area: area);
                    else if (Has("Retransmissions") && f.Retransmissions > 0)
                        Add("Retransmissions", new[] { f.Id }, evidence, values, area: area);
                }
                if (Has("SlowHandshake") && f.HandshakeMs > _rules["SlowHandshake"].Param("thresholdMs"))
                {
                    string where = f.Region != null ? $" in {f.Region}" : "";
                    Add("SlowHandshake", new[] { f.Id }, $"flow {f.Id} {f.Client} -> {f.Server}{(f.Host != null ? " (" + f.Host + ")" : "")}: SYN to SYN/ACK {f.HandshakeMs:0.#} ms{where}",
                        new Dictionary<string, string> { ["ms"] = f.HandshakeMs!.Value.ToString("0", CultureInfo.InvariantCulture), ["server"] = f.Server, ["where"] = where });
                }
            }
            if (Has("RegionMismatch") && facts.ClientRegion != null)
            {
                foreach (var group in facts.Flows.Where(f => f.Kind == "LongLink" || f.Kind == "ShortLink" || f.Kind == "Dispatch")
                             .Where(f => f.Region == "MainlandChina" || f.Region == "Overseas" || f.Region == "HongKong")
                             .Where(f => IsMainland(f.Region) != IsMainland(facts.ClientRegion))
                             .GroupBy(f => f.ServerAddress))
                {
                    var first = group.First();
                    Add("RegionMismatch", group.Select(f => f.Id), $"{group.Count()} flow(s) to {first.ServerAddress} ({first.Region}, {first.Host ?? "unnamed"}); client region {facts.ClientRegion}",
                        new Dictionary<string, string> { ["clientRegion"] = facts.ClientRegion, ["serverRegion"] = first.Region!, ["server"] = first.ServerAddress });
                }
            }
            if (Has("SlowShortLink") && facts.ShortLinks.Count > 0)
            {
                double limit = _rules["SlowShortLink"].Param("thresholdMs");
                var slow = facts.ShortLinks.Where(s => s.ResponseMs > limit).ToList();
                if (slow.Count > 0)
                {
                    Add("SlowShortLink", slow.Select(s => s.FlowId),
                        $"{slow.Count} of {facts.ShortLinks.Count} short-link responses over {limit:0} ms; median {HeartbeatAnalyzer.Percentile(facts.ShortLinks.Select(s => s.ResponseMs).ToList(), 50):0} ms, worst {slow.Max(s => s.ResponseMs):0} ms",
                        new Dictionary<string, string> { ["count"] = slow.Count.ToString(CultureInfo.InvariantCulture), ["total"] = facts.ShortLinks.Count.ToString(CultureInfo.InvariantCulture), ["worst"] = slow.Max(s => s.ResponseMs).ToString("0", CultureInfo.InvariantCulture) });
                }
            }
            if (Has("DnsFailure"))
            {
                var failed = facts.Dns.Where(d => d.Outcome != "Ok").ToList();
                if (failed.Count > 0)
                {
                    var names = failed.Select(d => d.Name).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                    var codes = failed.GroupBy(d => d.Outcome).Select(g => $"{g.Key} x{g.Count()}");
                    Add("DnsFailure", Array.Empty<int>(), string.Join("; ", failed.GroupBy(d => d.Name).Select(g => $"{g.Key}: {string.Join(", ", g.Select(d => d.Outcome))}")),
                        new Dictionary<string, string> { ["names"] = string.Join(", ", names.Take(5)) + (names.Count > 5 ? $" and {names.Count - 5} more" : ""), ["codes"] = string.Join(", ", codes) });
                }
            }
            if (Has("CaptureGaps"))
            {
                var gapped = facts.Flows.Where(f => f.CaptureGapBytes >= _rules["CaptureGaps"].Param("minBytes")).ToList();
                if (gapped.Count > 0)
                    Add("CaptureGaps", gapped.Select(f => f.Id), string.Join("; ", gapped.Select(f => $"flow {f.Id}: {f.CaptureGaps} gap(s), {f.CaptureGapBytes} bytes")),
                        new Dictionary<string, string> { ["bytes"] = gapped.Sum(f => f.CaptureGapBytes).ToString(CultureInfo.InvariantCulture), ["gaps"] = gapped.Sum(f => f.CaptureGaps).ToString(CultureInfo.InvariantCulture), ["flows"] = gapped.Count.ToString(CultureInfo.InvariantCulture) });
            }
            if (Has("CaptureDrops") && facts.DroppedPackets > 0)
                Add("CaptureDrops", Array.Empty<int>(), $"{facts.DroppedPackets} packets dropped by the capture", new Dictionary<string, string> { ["drops"] = facts.DroppedPackets.ToString(CultureInfo.InvariantCulture) });
            if (Has("ServerResets"))
            {
                var reset = facts.Flows.Where(f => f.ResetBy == "Server" || f.ResetBy == "Both").ToList();
                if (reset.Count >= _rules["ServerResets"].Param("minResets"))
                    Add("ServerResets", reset.Select(f => f.Id), string.Join("; ", reset.Select(f => $"flow {f.Id} {f.Server} ({f.Kind})")),
                        new Dictionary<string, string> { ["count"] = reset.Count.ToString(CultureInfo.InvariantCulture) });
            }
            LiveRules(facts, Has, Add);
            return Sort(findings);
        }

        /// <summary>Errors first, then warnings, then info; within a severity by area (stable otherwise).</summary>
        public static List<Finding> Sort(IEnumerable<Finding> findings) =>
            findings.OrderBy(f => f.Severity == "Error" ? 0 : f.Severity == "Warning" ? 1 : 2).ThenBy(f => f.Area, StringComparer.Ordinal).ToList();

        private void LiveRules(AnalysisFacts facts, Func<string, bool> has, Action<string, IEnumerable<int>, string, IDictionary<string, string>, string?> add)
        {
            string Where(string address)
            {
                if (facts.WhereIs is null) return address;
                var (region, owner) = facts.WhereIs(address);
                return $"{address} ({region}{(string.IsNullOrEmpty(owner) ? "" : ", " + owner)})";
            }
            string N(double v) => v.ToString("0", CultureInfo.InvariantCulture);
            var none = Array.Empty<int>();

            if (has("ResolversDisagree"))
            {
                foreach (var c in facts.DnsComparisons.Where(c => c.MainlandDiffers))
                {
                    var answers = facts.DnsAnswers.Where(a => a.Name == c.Name && a.Type == c.Type && a.Status == "Ok").ToList();
                    var mainland = answers.Where(a => a.Region == "Mainland").ToList();
                    var others = answers.Where(a => a.Region != "Mainland").ToList();
                    if (mainland.Count == 0 || others.Count == 0) continue; // a failure is ResolverFailed's business
                    string Side(IEnumerable<DnsAnswer> side) => string.Join("; ", side.Select(a => $"{a.Server} ({a.Region}): {(a.Addresses.Length == 0 ? "no address" : string.Join(", ", a.Addresses.Select(Where)))}"));
                    add("ResolversDisagree", none, $"{c.Name}: {Side(mainland)} | {Side(others)}",
                        new Dictionary<string, string> { ["name"] = c.Name, ["other"] = string.Join("/", others.Select(a => a.Region).Distinct()) }, null);
                }
            }
            if (has("ResolverRegionMismatch") && facts.ClientRegion != null)
            {
                // The resolvers this client really uses (its own, or ones given without a region label) sending it to the other side.
                foreach (var a in facts.DnsAnswers.Where(a => a.Source == "Dns" && a.Status == "Ok" && (a.Region == "System" || a.Region == "Custom") && a.Addresses.Length > 0))
                {
                    var role = WeChat.EndpointCatalog.Default.Classify(a.Name)?.Role;
                    if (role != EndpointRole.LongLink && role != EndpointRole.ShortLink && role != EndpointRole.Dispatch) continue;
                    var regions = a.AddressRegions.Where(r => r == "MainlandChina" || r == "HongKong" || r == "Overseas").ToList();
                    if (regions.Count == 0 || regions.Count != a.Addresses.Length || regions.Any(r => IsMainland(r) == IsMainland(facts.ClientRegion))) continue;
                    add("ResolverRegionMismatch", none, $"{a.Name} from {a.Server} ({a.Region}): {string.Join(", ", a.Addresses.Select(Where))}",
                        new Dictionary<string, string>
                        {
                            ["clientRegion"] = facts.ClientRegion, ["serverRegion"] = string.Join("/", regions.Distinct()), ["name"] = a.Name, ["server"] = a.Server,
                        }, role == EndpointRole.Dispatch ? "Dispatch" : "Dns");
                }
            }
            if (has("ResolverFailed"))
            {
                foreach (var server in facts.DnsAnswers.Where(a => a.Source == "Dns").GroupBy(a => a.Server))
                {
                    var failed = server.Where(a => a.Status != "Ok" && a.Status != "NxDomain").ToList();
                    if (failed.Count == 0) continue;
                    var first = failed[0];
                    add("ResolverFailed", none,
                        string.Join("; ", failed.Select(a => $"{a.Name}: {a.Status}{(a.Error.Length > 0 ? " (" + a.Error + ")" : "")}")),
                        new Dictionary<string, string>
                        {
                            ["server"] = server.Key, ["region"] = first.Region, ["count"] = failed.Count.ToString(CultureInfo.InvariantCulture),
                            ["total"] = server.Count().ToString(CultureInfo.InvariantCulture),
                            ["status"] = string.Join(", ", failed.Select(a => a.Status).Distinct()),
                        }, null);
                }
            }
            if (has("DispatchFailed") && facts.Dispatch != null)
            {
                var d = facts.Dispatch;
                string where = d.Uri.GetLeftPart(UriPartial.Path);
                if (d.Dispatch is null)
                    add("DispatchFailed", none, $"{where}: {d.Failure}: {d.Message}",
                        new Dictionary<string, string> { ["uri"] = where, ["failure"] = d.Failure.ToString() }, null);
                else if (d.Dispatch.RetCode != 0)
                    add("DispatchFailed", none, $"{where}: answered retcode {d.Dispatch.RetCode} with {d.Dispatch.Domains.Length} domains in {N(d.Dispatch.ElapsedMs)} ms",
                        new Dictionary<string, string> { ["uri"] = where, ["failure"] = "retcode " + d.Dispatch.RetCode.ToString(CultureInfo.InvariantCulture) }, null);
            }
            var tcp = facts.Connections.Where(t => t.Test == "TcpConnect").ToList();
            foreach (var host in tcp.GroupBy(t => t.Host, StringComparer.OrdinalIgnoreCase))
            {
                string area = host.First().Role switch { "LongLink" => "LongLink", "ShortLink" => "ShortLink", "Dispatch" => "Dispatch", _ => "Path" };
                var failed = host.Where(t => !t.Succeeded).ToList();
                string FailText(ConnectionTest t) => t.Address is null
                    ? $"port {t.Port}: {t.Error} ({t.ErrorMessage})"
                    : $"{Where(t.Address)} port {t.Port}: {t.Error}{(t.Successes > 0 ? $" ({t.Successes} of {t.Attempts} connected)" : "")}";
                if (failed.Count > 0 && failed.Count == host.Count() && has("HostUnreachable"))
                {
                    add("HostUnreachable", none, string.Join("; ", failed.Select(FailText)),
                        new Dictionary<string, string> { ["host"] = host.Key, ["count"] = failed.Count.ToString(CultureInfo.InvariantCulture), ["kinds"] = string.Join(", ", failed.Select(t => t.Error).Distinct()) }, area);
                }
                else if (failed.Count > 0 && has("ConnectFailed"))
                {
                    add("ConnectFailed", none, string.Join("; ", failed.Select(FailText)),
                        new Dictionary<string, string>
                        {
                            ["host"] = host.Key, ["count"] = failed.Count.ToString(CultureInfo.InvariantCulture), ["total"] = host.Count().ToString(CultureInfo.InvariantCulture),
                            ["kinds"] = string.Join(", ", failed.Select(t => t.Error).Distinct()),
                        }, area);
                }
                if (has("SlowConnect"))
                {
                    double limit = _rules["SlowConnect"].Param("thresholdMs");
                    var ok = host.Where(t => t.ConnectMs.HasValue).ToList();
                    if (ok.Count > 0 && ok.Min(t => t.ConnectMs!.Value) > limit)
                    {
                        var best = ok.OrderBy(t => t.ConnectMs!.Value).First();
                        add("SlowConnect", none, string.Join("; ", ok.OrderBy(t => t.ConnectMs!.Value).Select(t => $"{Where(t.Address!)} port {t.Port}: {t.ConnectMs!.Value:0.#} ms")),
                            new Dictionary<string, string> { ["host"] = host.Key, ["ms"] = N(best.ConnectMs!.Value) }, area);
                    }
                }
            }
            string target = facts.RouteTarget ?? facts.Route.FirstOrDefault()?.TargetAddress ?? "the long link";
            if (has("PathTraceSkipped") && facts.RouteSkipped != null)
                add("PathTraceSkipped", none, facts.RouteSkipped, new Dictionary<string, string> { ["target"] = target, ["reason"] = facts.RouteSkipped }, null);
            if (facts.Route.Count > 0)
            {
                if (has("PathLatencyStep"))
                {
                    var step = facts.Route.FirstOrDefault(h => h.IsBiggestStep && h.StepMs.HasValue);
                    if (step != null && step.StepMs!.Value > _rules["PathLatencyStep"].Param("thresholdMs"))
                    {
                        var before = facts.Route.LastOrDefault(h => h.Hop < step.Hop && h.BestMs.HasValue);
                        add("PathLatencyStep", none,
                            $"hop {(before != null ? before.Hop.ToString(CultureInfo.InvariantCulture) + " " + Where(before.Address ?? "?") + " best " + before.BestMs!.Value.ToString("0.#", CultureInfo.InvariantCulture) + " ms -> " : "")}hop {step.Hop} {Where(step.Address ?? "?")} best {step.BestMs:0.#} ms (+{step.StepMs:0.#} ms); {facts.Route.Count} hops to {target}",
                            new Dictionary<string, string> { ["step"] = N(step.StepMs!.Value), ["hop"] = step.Hop.ToString(CultureInfo.InvariantCulture), ["address"] = step.Address ?? "?", ["target"] = target }, null);
                    }
                }
                if (has("PathLoss"))
                {
                    var last = facts.Route.LastOrDefault(h => h.IsDestination) ?? facts.Route[facts.Route.Count - 1];
                    double limit = _rules["PathLoss"].Param("lossPercent");
                    if (last.Sent > 0 && last.LossPercent >= limit)
                    {
                        var firstLossy = facts.Route.FirstOrDefault(h => h.Sent > 0 && h.LossPercent >= limit && facts.Route.Where(x => x.Hop > h.Hop).All(x => x.Sent == 0 || x.LossPercent >= limit));
                        string reached = last.IsDestination ? $"the target answered {last.Received} of {last.Sent} probes" : $"the target never answered; the last hop traced was {last.Hop}";
                        add("PathLoss", none,
                            $"{reached}; loss from hop {(firstLossy ?? last).Hop} ({Where((firstLossy ?? last).Address ?? "no reply")}) onwards",
                            new Dictionary<string, string> { ["loss"] = N(last.LossPercent), ["target"] = target, ["hop"] = (firstLossy ?? last).Hop.ToString(CultureInfo.InvariantCulture) }, null);
                    }
                }
            }
        }

        /// <summary>Findings at least as severe as <paramref name="minimum"/> (Info, Warning or Error).</summary>
        public static IEnumerable<Finding> AtLeast(IEnumerable<Finding> findings, string minimum)
        {
            int Rank(string s) => s == "Error" ? 2 : s == "Warning" ? 1 : 0;
            int floor = Rank(minimum);
            return findings.Where(f => Rank(f.Severity) >= floor);
        }

        private static void IdleTimeout(AnalysisFacts facts, FindingRule rule, Action<string, IEnumerable<int>, string, IDictionary<string, string>, string?> add)
        {
            // Links that ended after a long silence (died, or were reset/closed by the far side): do the silences agree?
            var ended = facts.Heartbeats.Where(h => h.Ending != "Open" && h.Ending != "ClosedByClient" || h.Died)
                .Where(h => h.IdleBeforeEndSec >= rule.Param("minIdleSec")).OrderBy(h => h.IdleBeforeEndSec).ToList();
            if (ended.Count < rule.Param("minLinks")) return;
            double tol = rule.Param("toleranceSec");
            // The largest cluster of silences within the tolerance of each other.
            List<HeartbeatReport> best = new List<HeartbeatReport>();
            for (int i = 0; i < ended.Count; i++)
            {
                var cluster = ended.Skip(i).TakeWhile(h => h.IdleBeforeEndSec!.Value - ended[i].IdleBeforeEndSec!.Value <= tol).ToList();
                if (cluster.Count > best.Count) best = cluster;
            }
            if (best.Count < rule.Param("minLinks")) return;
            double interval = HeartbeatAnalyzer.Percentile(best.Select(h => h.IdleBeforeEndSec!.Value).ToList(), 50);
            add("LongLinkIdleTimeout", best.SelectMany(h => Ids(h.FlowId, h.ReconnectFlowId)),
                $"{best.Count} long links ended after {string.Join(", ", best.Select(h => h.IdleBeforeEndSec!.Value.ToString("0", CultureInfo.InvariantCulture)))} s of silence (flows {string.Join(", ", best.Select(h => h.FlowId))}), then reconnected",
                new Dictionary<string, string> { ["interval"] = interval.ToString("0", CultureInfo.InvariantCulture) }, null);
        }

        private static bool IsMainland(string? region) => region == "MainlandChina" || region == "Mainland";

        private static IEnumerable<int> Ids(int id, int? other) => other.HasValue ? new[] { id, other.Value } : new[] { id };

        private static string Fill(string template, IDictionary<string, string> values, FindingRule rule)
        {
            string s = template;
            foreach (var kv in values) s = s.Replace("{" + kv.Key + "}", kv.Value);
            foreach (var kv in rule.Parameters) s = s.Replace("{" + kv.Key + "}", kv.Value.ToString("0.##", CultureInfo.InvariantCulture));
            return s;
        }
    }
}
