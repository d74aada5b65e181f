using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;

namespace WeChatNet.Analysis
{
    /// <summary>Short-link request timing seen in a capture.</summary>
    internal readonly struct ShortLinkTiming
    {
        public ShortLinkTiming(int flowId, double responseMs) { FlowId = flowId; ResponseMs = responseMs; }
        public int FlowId { get; }
        public double ResponseMs { get; }
    }

    /// <summary>How a DNS question seen in a capture ended: Ok, NxDomain, ServFail, Refused, NoResponse...</summary>
    internal readonly struct DnsOutcome
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
    internal sealed class AnalysisFacts
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
        /// <summary>WeChat's own connections from the socket table, watched during the live checks; null when not looked at.</summary>
        public LiveConnectionFacts? LiveConnections { get; set; }
        /// <summary>Region and owner of an address, for evidence; null leaves them out.</summary>
        public Func<string, (string Region, string? Owner)>? WhereIs { get; set; }
    }

    /// <summary>One rule of FindingRules.txt.</summary>
    internal sealed class FindingRule
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

    /// <summary>What an effect must share with its cause to be folded into it (FindingRules.txt, "Cause > Effect, ... | On").</summary>
    internal enum AbsorbOn
    {
        /// <summary>Every flow of the effect is one of the cause's.</summary>
        Flows,
        /// <summary>Every server (host name, else address) or DNS name the effect is about is one the cause is about.</summary>
        Servers,
        /// <summary>The same capture: the effect is about what the capture itself missed.</summary>
        Capture,
    }

    /// <summary>One cause/effect line of FindingRules.txt: the cause's finding absorbs the effects' findings it explains.</summary>
    internal sealed class AbsorbRule
    {
        public AbsorbRule(string cause, IReadOnlyList<string> effects, AbsorbOn on) { Cause = cause; Effects = effects; On = on; }
        public string Cause { get; }
        public IReadOnlyList<string> Effects { get; }
        public AbsorbOn On { get; }
    }

    /// <summary>
    /// Turns analysis facts into findings. The rules' thresholds, severities and words are data (FindingRules.txt,
    /// embedded); each rule id's logic is one method here. Findings come back sorted: errors, warnings, then info.
    /// </summary>
    internal sealed class FindingEngine
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
            "RegionMismatch", "SlowShortLink", "DnsFailure", "CaptureGaps", "CaptureDrops", "ServerResets", "LongRoundTrip", "DnsOptionalLookupFailure",
            "Retransmissions", "ResolversDisagree", "ResolverRegionMismatch", "ResolverFailed", "DispatchFailed", "HostUnreachable", "ConnectFailed", "SlowConnect",
            "PathLatencyStep", "PathLoss", "PathTargetSilent", "PathTraceSkipped",
            "WeChatNotRunning", "NoLongLink", "LongLinkOtherRegion", "LongLinkSlowRoundTrip", "LongLinkRetransmitting", "LongLinkReconnects",
        };

        private readonly Dictionary<string, FindingRule> _rules;
        private readonly List<AbsorbRule> _absorbs;

        private FindingEngine(Dictionary<string, FindingRule> rules, List<AbsorbRule> absorbs) { _rules = rules; _absorbs = absorbs; }

        /// <summary>Which cause absorbs which effects, in the order of FindingRules.txt.</summary>
        public IReadOnlyList<AbsorbRule> Absorbs => _absorbs;

        public static FindingEngine Default => s_default.Value;

        public IReadOnlyCollection<FindingRule> Rules => _rules.Values;

        /// <summary>Parses rule text; a bad line is a <see cref="FormatException"/> naming it.</summary>
        public static FindingEngine Parse(string text)
        {
            var rules = new Dictionary<string, FindingRule>(StringComparer.Ordinal);
            var absorbs = new List<AbsorbRule>();
            var lines = text.Replace("\r\n", "\n").Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].Trim();
                if (line.Length == 0 || line[0] == '#') continue;
                int arrow = line.IndexOf('>'), bar = line.IndexOf('|');
                if (arrow > 0 && (bar < 0 || arrow < bar))
                {
                    absorbs.Add(ParseAbsorb(line, i + 1, arrow));
                    continue;
                }
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
            foreach (var a in absorbs)
                foreach (var id in new[] { a.Cause }.Concat(a.Effects))
                    if (!rules.ContainsKey(id)) throw new FormatException($"Finding rules: '{a.Cause} > {string.Join(", ", a.Effects)}' names rule '{id}', which has no line.");
            return new FindingEngine(rules, absorbs);
        }

        /// <summary>"Cause > Effect, Effect | Flows|Servers|Capture".</summary>
        private static AbsorbRule ParseAbsorb(string line, int number, int arrow)
        {
            string cause = line.Substring(0, arrow).Trim();
            var rest = line.Substring(arrow + 1).Split('|');
            if (rest.Length != 2) throw new FormatException($"Finding rules line {number}: expected 'Cause > Effect, ... | Flows, Servers or Capture'.");
            var effects = rest[0].Split(',').Select(e => e.Trim()).Where(e => e.Length > 0).ToList();
            if (Array.IndexOf(KnownRules, cause) < 0 || effects.Count == 0 || effects.Any(e => Array.IndexOf(KnownRules, e) < 0 || e == cause))
                throw new FormatException($"Finding rules line {number}: '{line}' must name a known cause and at least one other known rule it absorbs.");
            if (!Enum.TryParse(rest[1].Trim(), false, out AbsorbOn on) || !Enum.IsDefined(typeof(AbsorbOn), on))
                throw new FormatException($"Finding rules line {number}: '{rest[1].Trim()}' is not Flows, Servers or Capture.");
            return new AbsorbRule(cause, effects, on);
        }

        public List<Finding> Evaluate(AnalysisFacts facts)
        {
            var findings = new List<Finding>();
            var byId = new Dictionary<int, Flow>();
            foreach (var f in facts.Flows) byId[f.Id] = f;
            Finding Add(string ruleId, IEnumerable<int> flowIds, string evidence, IDictionary<string, string> values, string? area = null)
            {
                var rule = _rules[ruleId];
                var ids = flowIds.Distinct().OrderBy(x => x).ToArray();
                var finding = new Finding
                {
                    RuleId = ruleId,
                    Severity = rule.Severity,
                    Area = area ?? rule.Area,
                    Title = Fill(rule.Title, values, rule),
                    Recommendation = Fill(rule.Recommendation, values, rule),
                    Evidence = evidence,
                    FlowIds = ids,
                    // What the finding is about, for the cause/effect table: its flows' servers (rules about names set their own).
                    Subjects = ids.Where(byId.ContainsKey).Select(id => ServerOf(byId[id])).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(),
                };
                findings.Add(finding);
                return finding;
            }
            var c = new Context(facts, Add);
            // One method a rule, in the order of FindingRules.txt.
            foreach (var rule in _rules.Values)
            {
                switch (rule.Id)
                {
                    case "LongLinkIdleTimeout": IdleTimeout(facts, rule, Add); break;
                    case "LongLinkDied": LongLinkDied(c, rule); break;
                    case "HeartbeatMissed": HeartbeatMissed(c, rule); break;
                    case "HeartbeatStuckAtMinimum": HeartbeatStuckAtMinimum(c, rule); break;
                    case "HighRetransmission": HighRetransmission(c, rule); break;
                    case "Retransmissions": Retransmissions(c, rule); break;
                    case "SlowHandshake": SlowHandshake(c, rule); break;
                    case "LongRoundTrip": LongRoundTrip(c, rule); break;
                    case "RegionMismatch": RegionMismatch(c, rule); break;
                    case "SlowShortLink": SlowShortLink(c, rule); break;
                    case "DnsFailure": DnsFailure(c, rule); break;
                    case "DnsOptionalLookupFailure": DnsOptionalLookupFailure(c, rule); break;
                    case "CaptureGaps": CaptureGaps(c, rule); break;
                    case "CaptureDrops": CaptureDrops(c, rule); break;
                    case "ServerResets": ServerResets(c, rule); break;
                    case "ResolversDisagree": ResolversDisagree(facts, rule, Add); break;
                    case "ResolverRegionMismatch": ResolverRegionMismatch(facts, rule, Add); break;
                    case "ResolverFailed": ResolverFailed(facts, rule, Add); break;
                    case "DispatchFailed": DispatchFailed(facts, rule, Add); break;
                    case "HostUnreachable": HostUnreachable(facts, rule, Add); break;
                    case "ConnectFailed": ConnectFailed(facts, rule, Add); break;
                    case "SlowConnect": SlowConnect(facts, rule, Add); break;
                    case "PathLatencyStep": PathLatencyStep(facts, rule, Add); break;
                    case "PathLoss": PathLoss(facts, rule, Add); break;
                    case "PathTargetSilent": PathTargetSilent(facts, rule, Add); break;
                    case "PathTraceSkipped": PathTraceSkipped(facts, rule, Add); break;
                    case "WeChatNotRunning": WeChatNotRunning(facts, rule, Add); break;
                    case "NoLongLink": NoLongLink(facts, rule, Add); break;
                    case "LongLinkOtherRegion": LongLinkOtherRegion(facts, rule, Add); break;
                    case "LongLinkSlowRoundTrip": LongLinkSlowRoundTrip(facts, rule, Add); break;
                    case "LongLinkRetransmitting": LongLinkRetransmitting(facts, rule, Add); break;
                    case "LongLinkReconnects": LongLinkReconnects(facts, rule, Add); break;
                }
            }
            return Sort(Absorb(findings));
        }

        /// <summary>
        /// One cause, one finding: each cause's finding folds in the findings of the effects it explains (FindingRules.txt's
        /// "Cause > Effect | On" lines; docs/findings.md's table): the effect leaves the list, its flows join the cause's, its
        /// title and evidence become the cause's evidence, and the cause takes the worse severity. Findings of different capture
        /// files never fold; a live check's finding (no file) may fold into a capture's.
        /// </summary>
        public List<Finding> Absorb(IEnumerable<Finding> findings)
        {
            var list = findings.ToList();
            foreach (var a in _absorbs)
            {
                foreach (var cause in list.Where(f => f.RuleId == a.Cause).ToList())
                {
                    if (!list.Contains(cause)) continue; // folded into an earlier cause itself
                    var effects = list.Where(e => e != cause && a.Effects.Contains(e.RuleId) && (e.File is null || e.File == cause.File) && Explains(cause, e, a.On)).ToList();
                    foreach (var e in effects)
                    {
                        list.Remove(e);
                        if (Rank(e.Severity) > Rank(cause.Severity)) cause.Severity = e.Severity;
                        cause.FlowIds = cause.FlowIds.Concat(e.FlowIds).Distinct().OrderBy(x => x).ToArray();
                        cause.Subjects = cause.Subjects.Concat(e.Subjects).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
                        cause.Evidence += $"; it explains {e.RuleId} ({e.Severity}): {e.Title}: {e.Evidence}";
                    }
                }
            }
            return list;
        }

        private static bool Explains(Finding cause, Finding effect, AbsorbOn on)
        {
            switch (on)
            {
                case AbsorbOn.Flows:
                    return effect.FlowIds.Length > 0 && effect.FlowIds.All(id => Array.IndexOf(cause.FlowIds, id) >= 0);
                case AbsorbOn.Servers:
                    return effect.Subjects.Length > 0 && effect.Subjects.All(s => cause.Subjects.Contains(s, StringComparer.OrdinalIgnoreCase));
                default:
                    return true;
            }
        }

        private static int Rank(string severity) => severity == "Error" ? 2 : severity == "Warning" ? 1 : 0;

        /// <summary>Errors first, then warnings, then info; within a severity by area (stable otherwise).</summary>
        public static List<Finding> Sort(IEnumerable<Finding> findings) =>
            findings.OrderBy(f => f.Severity == "Error" ? 0 : f.Severity == "Warning" ? 1 : 2).ThenBy(f => f.Area, StringComparer.Ordinal).ToList();

        // ------------------------------------------------------------------ capture rules, one method each

        /// <summary>What every capture rule works from: the flows it may judge (WeChat's unless -All), grouped per server.</summary>
        private sealed class Context
        {
            public Context(AnalysisFacts facts, Func<string, IEnumerable<int>, string, IDictionary<string, string>, string?, Finding> add)
            {
                Facts = facts;
                Add = add;
                Flows = facts.AllTraffic ? facts.Flows.ToList() : facts.Flows.Where(FlowSelection.IsWeChat).ToList();
                ById = new Dictionary<int, Flow>();
                foreach (var f in facts.Flows) ById[f.Id] = f;
                _judged = new HashSet<int>(Flows.Select(f => f.Id));
            }

            public AnalysisFacts Facts { get; }
            public Func<string, IEnumerable<int>, string, IDictionary<string, string>, string?, Finding> Add { get; }
            /// <summary>The flows the rules judge: WeChat's (FlowSelection.IsWeChat), or every flow with -All.</summary>
            public List<Flow> Flows { get; }
            public Dictionary<int, Flow> ById { get; }

            /// <summary>TCP flows grouped per server: by host name when known, else by address.</summary>
            public IEnumerable<IGrouping<string, Flow>> TcpByServer() =>
                Flows.Where(f => f.Protocol == "Tcp").GroupBy(ServerOf, StringComparer.OrdinalIgnoreCase);

            private readonly HashSet<int> _judged;

            /// <summary>True for a judged flow's id; facts given without flows (unit tests of one rule) judge every id.</summary>
            public bool Judged(int flowId) => _judged.Contains(flowId) || (Facts.Flows.Count == 0 && !ById.ContainsKey(flowId));
        }

        private static string ServerOf(Flow f) => f.Host ?? f.ServerAddress;

        /// <summary>"host (addr, addr)" or the address: the server a group of flows went to.</summary>
        private static string ServerLabel(IEnumerable<Flow> group)
        {
            var list = group.ToList();
            var addresses = list.Select(f => f.ServerAddress).Where(a => a.Length > 0).Distinct().ToList();
            string first = list[0].Host ?? (addresses.Count > 0 ? addresses[0] : list[0].Server);
            if (list[0].Host is null)
            {
                var servers = list.Select(f => f.Server).Distinct().ToList();
                return servers.Count == 1 ? servers[0] : first;
            }
            return addresses.Count == 0 ? first : $"{first} ({string.Join(", ", addresses.Take(3))}{(addresses.Count > 3 ? $" and {addresses.Count - 3} more" : "")})";
        }

        private static string Ms(double v) => v.ToString("0", CultureInfo.InvariantCulture);

        /// <summary>"; captured at the server" when every flow says where the capture sat, the same place; else "".</summary>
        private static string CapturedAt(IEnumerable<Flow> flows)
        {
            var points = flows.Select(f => f.CapturePoint).Distinct().ToList();
            if (points.Count != 1 || points[0] == CapturePoint.Unknown) return "";
            return "; captured " + (points[0] == CapturePoint.InBetween ? "between client and server" : "at the " + points[0].ToString().ToLowerInvariant());
        }

        /// <summary>"min 181 / median 183 / max 185 ms" (one value: "183 ms").</summary>
        private static string Spread(IReadOnlyCollection<double> values)
        {
            var list = values.OrderBy(v => v).ToList();
            if (list.Count == 1) return Ms(list[0]) + " ms";
            return $"min {Ms(list[0])} / median {Ms(HeartbeatAnalyzer.Percentile(list, 50))} / max {Ms(list[list.Count - 1])} ms";
        }

        /// <summary>"flows 3, 4, 7" (at most 20 listed; FlowIds holds them all).</summary>
        private static string FlowList(IEnumerable<int> ids)
        {
            var list = ids.Distinct().OrderBy(x => x).ToList();
            string head = string.Join(", ", list.Take(20));
            return (list.Count == 1 ? "flow " : "flows ") + head + (list.Count > 20 ? $" and {list.Count - 20} more" : "");
        }

        private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

        private static string AreaOf(IEnumerable<Flow> flows)
        {
            var kinds = flows.Select(f => f.Kind).Distinct().ToList();
            return kinds.Count == 1 && (kinds[0] == "ShortLink" || kinds[0] == "LongLink") ? kinds[0] : "Path";
        }

        /// <summary>Heartbeat reports of judged flows, grouped per server.</summary>
        private static IEnumerable<IGrouping<string, HeartbeatReport>> HeartbeatsByServer(Context c, Func<HeartbeatReport, bool> which) =>
            c.Facts.Heartbeats.Where(h => c.Judged(h.FlowId)).Where(which).GroupBy(h => h.Host ?? h.Server, StringComparer.OrdinalIgnoreCase);

        private static void LongLinkDied(Context c, FindingRule rule)
        {
            foreach (var g in HeartbeatsByServer(c, h => h.Died))
            {
                var links = g.ToList();
                string Reconnect(HeartbeatReport hb) => hb.ReconnectFlowId.HasValue
                    ? $"{ReconnectDelay(hb)}to {hb.ReconnectServer} (flow {hb.ReconnectFlowId})" : "not within the capture";
                string reconnect = links.Count == 1 ? Reconnect(links[0]) : string.Join("; ", links.Select(h => $"flow {h.FlowId}: {Reconnect(h)}"));
                c.Add(rule.Id, links.SelectMany(h => Ids(h.FlowId, h.ReconnectFlowId)),
                    string.Join("; ", links.Select(hb => hb.Ending == "Replaced"
                        ? $"flow {hb.FlowId} {hb.Client} -> {hb.Server}: silent {hb.IdleBeforeEndSec:0.#} s before the client's heartbeat deadline, then replaced by a new long link (its heartbeat and close never reached the capture); reconnect {Reconnect(hb)}"
                        : $"flow {hb.FlowId} {hb.Client} -> {hb.Server}: heartbeat unanswered after {hb.IdleBeforeEndSec:0.#} s of silence ({hb.Missed} missed in all), then {hb.Ending}; reconnect {Reconnect(hb)}")),
                    new Dictionary<string, string> { ["server"] = g.Key, ["reconnect"] = reconnect, ["count"] = Count(links.Count) }, null);
            }
        }

        private static void HeartbeatMissed(Context c, FindingRule rule)
        {
            foreach (var g in HeartbeatsByServer(c, h => !h.Died && h.Missed >= rule.Param("minMissed")))
            {
                var links = g.ToList();
                c.Add(rule.Id, links.Select(h => h.FlowId),
                    $"{links.Count} long link(s) to {g.Key}: {links.Sum(h => h.Count)} heartbeats, {links.Sum(h => h.Replies)} replies, {links.Sum(h => h.Missed)} missed ({FlowList(links.Select(h => h.FlowId))})",
                    new Dictionary<string, string> { ["missed"] = Count(links.Sum(h => h.Missed)), ["server"] = g.Key }, null);
            }
        }

        private static void HeartbeatStuckAtMinimum(Context c, FindingRule rule)
        {
            foreach (var g in HeartbeatsByServer(c, h => h.Pattern.StartsWith("Stuck at the", StringComparison.Ordinal) && h.IntervalsSec.Length >= rule.Param("minIntervals")))
            {
                var links = g.ToList();
                c.Add(rule.Id, links.Select(h => h.FlowId),
                    string.Join("; ", links.Select(h => $"flow {h.FlowId}: intervals {string.Join(", ", h.IntervalsSec.Select(x => x.ToString("0", CultureInfo.InvariantCulture)))} s")),
                    new Dictionary<string, string> { ["server"] = g.Key }, null);
            }
        }

        /// <summary>Per server: data retransmissions over data segments of all its flows.</summary>
        private static IEnumerable<(IGrouping<string, Flow> Group, long Retrans, long Segments, double Rate)> RetransmissionGroups(Context c) =>
            c.TcpByServer().Select(g =>
            {
                long r = g.Sum(f => (long)f.DataRetransmissions), s = g.Sum(f => f.DataSegments);
                return (g, r, s, s == 0 ? 0.0 : (double)r / s);
            });

        private static Dictionary<string, string> RetransmissionValues(IGrouping<string, Flow> g, long retrans, long segments, double rate) => new Dictionary<string, string>
        {
            ["rate"] = rate.ToString("0.#%", CultureInfo.InvariantCulture), ["kind"] = string.Join("/", g.Select(f => f.Kind).Distinct()),
            ["server"] = ServerLabel(g), ["count"] = retrans.ToString(CultureInfo.InvariantCulture), ["segments"] = segments.ToString(CultureInfo.InvariantCulture),
            ["flows"] = Count(g.Count()),
        };

        private static string RetransmissionEvidence(IGrouping<string, Flow> g, long retrans, long segments)
        {
            var hit = g.Where(f => f.DataRetransmissions > 0).ToList();
            return $"{g.Count()} connection(s) to {ServerLabel(g)}: {retrans} data retransmissions of {segments} data segments "
                + $"({g.Sum(f => f.SpuriousRetransmissions)} spurious); per flow {Spread(hit.Select(f => f.RetransmissionRate * 100).ToList()).Replace(" ms", " %")} on {FlowList(hit.Select(f => f.Id))}";
        }

        private static bool HighRetransmissionHolds(FindingRule rule, long segments, double rate) => rate > rule.Param("rate") && segments >= rule.Param("minDataSegments");

        private static void HighRetransmission(Context c, FindingRule rule)
        {
            foreach (var (g, retrans, segments, rate) in RetransmissionGroups(c))
                if (retrans > 0 && HighRetransmissionHolds(rule, segments, rate))
                    c.Add(rule.Id, g.Where(f => f.DataRetransmissions > 0).Select(f => f.Id), RetransmissionEvidence(g, retrans, segments), RetransmissionValues(g, retrans, segments, rate), AreaOf(g));
        }

        private void Retransmissions(Context c, FindingRule rule)
        {
            _rules.TryGetValue("HighRetransmission", out var high);
            foreach (var (g, retrans, segments, rate) in RetransmissionGroups(c))
                if (retrans > 0 && (high is null || !HighRetransmissionHolds(high, segments, rate)))
                    c.Add(rule.Id, g.Where(f => f.DataRetransmissions > 0).Select(f => f.Id), RetransmissionEvidence(g, retrans, segments), RetransmissionValues(g, retrans, segments, rate), AreaOf(g));
        }

        /// <summary>
        /// The round trip a server's path normally has, wherever the capture sat: the flow's own path timed by data (the
        /// client's data to the server's ACK, plus the client's side of the capture point), else the median path round trip
        /// of the other connections to the same server; null when neither was measured. The flow's own SYN/ACK is left out:
        /// it is what is judged.
        /// </summary>
        private static double? PathRtt(Flow f, IReadOnlyList<Flow> group)
        {
            var others = group.Where(o => o.Id != f.Id && o.PathRttMs.HasValue && o.SynRetries == 0).Select(o => o.PathRttMs!.Value).ToList();
            double? fromOthers = others.Count == 0 ? (double?)null : HeartbeatAnalyzer.Percentile(others, 50);
            double? own = f.DataRttMs.HasValue ? f.DataRttMs.Value + (f.ClientSideRttMs ?? 0) : (double?)null;
            if (own.HasValue && fromOthers.HasValue) return Math.Min(own.Value, fromOthers.Value);
            return own ?? fromOthers;
        }

        /// <summary>
        /// The connect as the client waited for it: the last SYN to the SYN/ACK where the capture sat, plus the capture point's
        /// round trip to the client (near zero at the client, the whole path at the server).
        /// </summary>
        private static double ConnectAsClientSees(Flow f) => f.SynAckDelayMs!.Value + (f.ClientSideRttMs ?? 0);

        /// <summary>First SYN to SYN/ACK as the client waited for it (SYN retries included).</summary>
        private static double HandshakeAsClientSees(Flow f) => f.HandshakeMs!.Value + (f.ClientSideRttMs ?? 0);

        /// <summary>Slow for its own path: SYN retries, or a connect well above the path's round trip.</summary>
        private static bool SlowForThePath(Flow f, IReadOnlyList<Flow> group, FindingRule rule)
        {
            if (f.SynRetries >= rule.Param("minSynRetries")) return true;
            if (!f.SynAckDelayMs.HasValue) return false;
            var rtt = PathRtt(f, group);
            double connect = ConnectAsClientSees(f);
            return rtt.HasValue && connect > rtt.Value * rule.Param("factor") && connect - rtt.Value >= rule.Param("minExtraMs");
        }

        private static void SlowHandshake(Context c, FindingRule rule)
        {
            foreach (var g in c.TcpByServer())
            {
                var group = g.Where(f => f.HandshakeMs.HasValue).ToList();
                var slow = group.Where(f => SlowForThePath(f, group, rule)).ToList();
                if (slow.Count == 0) continue;
                var retried = slow.Where(f => f.SynRetries > 0).ToList();
                var parts = new List<string>();
                if (retried.Count > 0)
                {
                    int lo = retried.Min(f => f.SynRetries), hi = retried.Max(f => f.SynRetries);
                    parts.Add($"{retried.Count} connect(s) needed SYN retries ({(lo == hi ? lo.ToString(CultureInfo.InvariantCulture) : $"{lo}-{hi}")} each; {retried.Sum(f => f.SynRetries)} in all) on {FlowList(retried.Select(f => f.Id))}");
                }
                var delayed = slow.Where(f => f.SynRetries == 0).ToList();
                if (delayed.Count > 0)
                    parts.Add($"SYN to SYN/ACK as the client saw it {Spread(delayed.Select(ConnectAsClientSees).ToList())} on {FlowList(delayed.Select(f => f.Id))} against a path round trip of "
                        + Spread(delayed.Select(f => PathRtt(f, group)!.Value).ToList()));
                string where = slow[0].Region != null ? $" in {slow[0].Region}" : "";
                c.Add(rule.Id, slow.Select(f => f.Id),
                    $"{slow.Count} of {group.Count} connection(s) to {ServerLabel(g)}{where}: " + string.Join("; ", parts)
                    + $"; first SYN to SYN/ACK {Spread(slow.Select(HandshakeAsClientSees).ToList())}{CapturedAt(slow)}",
                    new Dictionary<string, string>
                    {
                        ["server"] = ServerLabel(g), ["count"] = Count(slow.Count), ["total"] = Count(group.Count), ["where"] = where,
                        ["ms"] = Ms(slow.Max(HandshakeAsClientSees)), ["retries"] = Count(slow.Sum(f => f.SynRetries)),
                    }, null);
            }
        }

        private static void LongRoundTrip(Context c, FindingRule rule)
        {
            foreach (var g in c.TcpByServer())
            {
                // The path's own round trip (both sides of the capture point) on connects that needed no retry.
                var flows = g.Where(f => f.PathRttMs.HasValue && f.SynAckDelayMs.HasValue && f.SynRetries == 0).ToList();
                var rtts = flows.Select(f => f.PathRttMs!.Value).ToList();
                if (rtts.Count == 0) continue;
                double median = HeartbeatAnalyzer.Percentile(rtts, 50);
                if (median <= rule.Param("thresholdMs")) continue;
                string serverRegion = g.Select(f => f.Region).FirstOrDefault(r => r != null) ?? "an unknown region";
                string clientRegion = c.Facts.ClientRegion ?? "the client";
                c.Add(rule.Id, flows.Select(f => f.Id),
                    $"{flows.Count} connection(s) to {ServerLabel(g)}: path round trip {Spread(rtts)}, steady ({FlowList(flows.Select(f => f.Id))}); {clientRegion} to {serverRegion}{CapturedAt(flows)}",
                    new Dictionary<string, string> { ["server"] = ServerLabel(g), ["ms"] = Ms(median), ["clientRegion"] = clientRegion, ["serverRegion"] = serverRegion }, null);
            }
        }

        private static void RegionMismatch(Context c, FindingRule rule)
        {
            if (c.Facts.ClientRegion is null) return;
            foreach (var group in c.Flows.Where(f => f.Kind == "LongLink" || f.Kind == "ShortLink" || f.Kind == "Dispatch")
                         .Where(f => f.Region == "MainlandChina" || f.Region == "Overseas" || f.Region == "HongKong")
                         .Where(f => IsMainland(f.Region) != IsMainland(c.Facts.ClientRegion))
                         .GroupBy(f => f.ServerAddress))
            {
                var first = group.First();
                c.Add(rule.Id, group.Select(f => f.Id), $"{group.Count()} flow(s) to {first.ServerAddress} ({first.Region}, {first.Host ?? "unnamed"}); client region {c.Facts.ClientRegion}",
                    new Dictionary<string, string> { ["clientRegion"] = c.Facts.ClientRegion, ["serverRegion"] = first.Region!, ["server"] = first.ServerAddress }, null);
            }
        }

        private static void SlowShortLink(Context c, FindingRule rule)
        {
            double limit = rule.Param("thresholdMs");
            // Response times as the client waited for them: measured where the capture sat, plus its round trip to the client.
            var judged = c.Facts.ShortLinks.Where(s => c.Judged(s.FlowId))
                .Select(s => c.ById.TryGetValue(s.FlowId, out var f) && f.ClientSideRttMs.HasValue ? new ShortLinkTiming(s.FlowId, s.ResponseMs + f.ClientSideRttMs.Value) : s).ToList();
            foreach (var g in judged.GroupBy(s => c.ById.TryGetValue(s.FlowId, out var f) ? ServerOf(f) : "", StringComparer.OrdinalIgnoreCase))
            {
                var all = g.ToList();
                var slow = all.Where(s => s.ResponseMs > limit).ToList();
                if (slow.Count == 0) continue;
                var flows = all.Select(s => c.ById.TryGetValue(s.FlowId, out var f) ? f : null).Where(f => f != null).Select(f => f!).ToList();
                string server = flows.Count > 0 ? ServerLabel(flows) : "the short-link server";
                c.Add(rule.Id, slow.Select(s => s.FlowId),
                    $"{slow.Count} of {all.Count} short-link responses from {server} over {limit:0} ms: {Spread(slow.Select(s => s.ResponseMs).ToList())} ({FlowList(slow.Select(s => s.FlowId))}); all responses {Spread(all.Select(s => s.ResponseMs).ToList())}",
                    new Dictionary<string, string> { ["count"] = Count(slow.Count), ["total"] = Count(all.Count), ["worst"] = Ms(slow.Max(s => s.ResponseMs)), ["server"] = server }, null);
            }
        }

        /// <summary>A DNS name the rules judge: WeChat's (the catalog knows it) unless -All.</summary>
        private static bool JudgedName(Context c, string name) => c.Facts.AllTraffic || WeChat.EndpointCatalog.Default.Classify(name) != null;

        /// <summary>
        /// Per (name, type), the questions that failed: none of its queries was answered Ok, leaving out queries asked so
        /// shortly before the capture ended that no answer could have come.
        /// </summary>
        private static List<(string Name, string Type, List<DnsOutcome> Failed)> FailedLookups(Context c, FindingRule rule)
        {
            double pending = rule.Parameters.TryGetValue("pendingSec", out var p) ? p : 5;
            var result = new List<(string, string, List<DnsOutcome>)>();
            foreach (var g in c.Facts.Dns.Where(d => JudgedName(c, d.Name)).GroupBy(d => (Name: d.Name.TrimEnd('.').ToLowerInvariant(), d.Type)))
            {
                if (g.Any(d => d.Outcome == "Ok")) continue;
                var failed = g.Where(d => !(d.Outcome == "NoResponse" && c.Facts.CaptureEnd.HasValue
                    && (c.Facts.CaptureEnd.Value - d.Asked).TotalSeconds < pending)).ToList();
                if (failed.Count > 0) result.Add((g.Key.Name, g.Key.Type, failed));
            }
            return result;
        }

        /// <summary>Lookups for types other than A (AAAA, HTTPS) that failed while the same name's A lookup succeeded.</summary>
        private static bool Optional(Context c, string name, string type) =>
            type != "A" && c.Facts.Dns.Any(d => d.Type == "A" && d.Outcome == "Ok" && string.Equals(d.Name.TrimEnd('.'), name, StringComparison.OrdinalIgnoreCase));

        /// <summary>
        /// True when the client used IPv6 to a server (then a failing AAAA lookup matters). Link-local and multicast traffic
        /// (mDNS to ff02::fb, SSDP, DHCPv6, neighbour discovery), which an IPv4-only client on any LAN sends, reaches no server.
        /// </summary>
        private static bool ClientUsesIpv6(Context c) => c.Facts.Flows.Any(f => f.Kind != "Dns" && f.ServerAddress.IndexOf(':') >= 0
            && !(System.Net.IPAddress.TryParse(f.ServerAddress, out var a)
                && (a.IsIPv6LinkLocal || a.IsIPv6Multicast || System.Net.IPAddress.IsLoopback(a))));

        private static string DnsEvidence(IEnumerable<(string Name, string Type, List<DnsOutcome> Failed)> failed) =>
            string.Join("; ", failed.Select(x => $"{x.Name} {x.Type}: {string.Join(", ", x.Failed.GroupBy(d => d.Outcome).Select(o => o.Count() == 1 ? o.Key : $"{o.Key} x{o.Count()}"))}"));

        private static string NameList(IEnumerable<string> names)
        {
            var list = names.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            return string.Join(", ", list.Take(5)) + (list.Count > 5 ? $" and {list.Count - 5} more" : "");
        }

        private static void DnsFailure(Context c, FindingRule rule)
        {
            bool v6 = ClientUsesIpv6(c);
            var failed = FailedLookups(c, rule).Where(x => v6 || !Optional(c, x.Name, x.Type)).ToList();
            if (failed.Count == 0) return;
            c.Add(rule.Id, Array.Empty<int>(), DnsEvidence(failed),
                new Dictionary<string, string>
                {
                    ["names"] = NameList(failed.Select(x => x.Name + " " + x.Type)),
                    ["codes"] = string.Join(", ", failed.SelectMany(x => x.Failed).GroupBy(d => d.Outcome).Select(g => $"{g.Key} x{g.Count()}")),
                }, null).Subjects = failed.Select(x => x.Name).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        }

        private void DnsOptionalLookupFailure(Context c, FindingRule rule)
        {
            if (ClientUsesIpv6(c)) return; // then DnsFailure reports them
            var failed = FailedLookups(c, _rules.TryGetValue("DnsFailure", out var dns) ? dns : rule).Where(x => Optional(c, x.Name, x.Type)).ToList();
            if (failed.Count == 0) return;
            c.Add(rule.Id, Array.Empty<int>(), DnsEvidence(failed) + "; the A lookups of the same names succeeded and no connection used IPv6",
                new Dictionary<string, string> { ["names"] = NameList(failed.Select(x => x.Name)), ["types"] = string.Join("/", failed.Select(x => x.Type).Distinct()) }, null);
        }

        private static void CaptureGaps(Context c, FindingRule rule)
        {
            var gapped = c.Flows.Where(f => f.CaptureGapBytes >= rule.Param("minBytes")).ToList();
            if (gapped.Count == 0) return;
            c.Add(rule.Id, gapped.Select(f => f.Id), string.Join("; ", gapped.Select(f => $"flow {f.Id}: {f.CaptureGaps} gap(s), {f.CaptureGapBytes} bytes")),
                new Dictionary<string, string> { ["bytes"] = gapped.Sum(f => f.CaptureGapBytes).ToString(CultureInfo.InvariantCulture), ["gaps"] = Count(gapped.Sum(f => f.CaptureGaps)), ["flows"] = Count(gapped.Count) }, null);
        }

        private static void CaptureDrops(Context c, FindingRule rule)
        {
            if (c.Facts.DroppedPackets <= 0) return;
            c.Add(rule.Id, Array.Empty<int>(), $"{c.Facts.DroppedPackets} packets dropped by the capture", new Dictionary<string, string> { ["drops"] = c.Facts.DroppedPackets.ToString(CultureInfo.InvariantCulture) }, null);
        }

        private static void ServerResets(Context c, FindingRule rule)
        {
            foreach (var g in c.TcpByServer())
            {
                var reset = g.Where(f => f.ResetBy == "Server" || f.ResetBy == "Both").ToList();
                if (reset.Count < rule.Param("minResets")) continue;
                c.Add(rule.Id, reset.Select(f => f.Id), $"{reset.Count} of {g.Count()} connection(s) to {ServerLabel(g)} reset by the server ({string.Join(", ", reset.Select(f => f.Kind).Distinct())}; {FlowList(reset.Select(f => f.Id))})",
                    new Dictionary<string, string> { ["count"] = Count(reset.Count), ["server"] = ServerLabel(g) }, AreaOf(reset));
            }
        }

        // ------------------------------------------------------------------ live rules, one method each

        private delegate Finding AddFinding(string ruleId, IEnumerable<int> flowIds, string evidence, IDictionary<string, string> values, string? area);

        /// <summary>"address (Region, Owner)" when the facts can say where an address is.</summary>
        private static string Where(AnalysisFacts facts, string address)
        {
            if (facts.WhereIs is null) return address;
            var (region, owner) = facts.WhereIs(address);
            return $"{address} ({region}{(string.IsNullOrEmpty(owner) ? "" : ", " + owner)})";
        }

        private static string N(double v) => v.ToString("0", CultureInfo.InvariantCulture);

        private static readonly int[] None = Array.Empty<int>();

        private static void ResolversDisagree(AnalysisFacts facts, FindingRule rule, AddFinding add)
        {
            foreach (var c in facts.DnsComparisons.Where(c => c.MainlandDiffers))
            {
                var answers = facts.DnsAnswers.Where(a => a.Name == c.Name && a.Type == c.Type && a.Status == "Ok").ToList();
                var mainland = answers.Where(a => a.Region == "Mainland").ToList();
                var others = answers.Where(a => a.Region != "Mainland").ToList();
                if (mainland.Count == 0 || others.Count == 0) continue; // a failure is ResolverFailed's business
                string Side(IEnumerable<DnsAnswer> side) => string.Join("; ", side.Select(a => $"{a.Server} ({a.Region}): {(a.Addresses.Length == 0 ? "no address" : string.Join(", ", a.Addresses.Select(x => Where(facts, x))))}"));
                add(rule.Id, None, $"{c.Name}: {Side(mainland)} | {Side(others)}",
                    new Dictionary<string, string> { ["name"] = c.Name, ["other"] = string.Join("/", others.Select(a => a.Region).Distinct()) }, null);
            }
        }

        private static void ResolverRegionMismatch(AnalysisFacts facts, FindingRule rule, AddFinding add)
        {
            if (facts.ClientRegion is null) return;
            // The resolvers this client really uses (its own, or ones given without a region label) sending it to the other side.
            foreach (var a in facts.DnsAnswers.Where(a => a.Source == "Dns" && a.Status == "Ok" && (a.Region == "System" || a.Region == "Custom") && a.Addresses.Length > 0))
            {
                var role = WeChat.EndpointCatalog.Default.Classify(a.Name)?.Role;
                if (role != EndpointRole.LongLink && role != EndpointRole.ShortLink && role != EndpointRole.Dispatch) continue;
                var regions = a.AddressRegions.Where(r => r == "MainlandChina" || r == "HongKong" || r == "Overseas").ToList();
                if (regions.Count == 0 || regions.Count != a.Addresses.Length || regions.Any(r => IsMainland(r) == IsMainland(facts.ClientRegion))) continue;
                add(rule.Id, None, $"{a.Name} from {a.Server} ({a.Region}): {string.Join(", ", a.Addresses.Select(x => Where(facts, x)))}",
                    new Dictionary<string, string>
                    {
                        ["clientRegion"] = facts.ClientRegion, ["serverRegion"] = string.Join("/", regions.Distinct()), ["name"] = a.Name, ["server"] = a.Server,
                    }, role == EndpointRole.Dispatch ? "Dispatch" : "Dns");
            }
        }

        private static void ResolverFailed(AnalysisFacts facts, FindingRule rule, AddFinding add)
        {
            foreach (var server in facts.DnsAnswers.Where(a => a.Source == "Dns").GroupBy(a => a.Server))
            {
                var failed = server.Where(a => a.Status != "Ok" && a.Status != "NxDomain").ToList();
                if (failed.Count == 0) continue;
                var first = failed[0];
                add(rule.Id, None,
                    string.Join("; ", failed.Select(a => $"{a.Name}: {a.Status}{(a.Error.Length > 0 ? " (" + a.Error + ")" : "")}")),
                    new Dictionary<string, string>
                    {
                        ["server"] = server.Key, ["region"] = first.Region, ["count"] = failed.Count.ToString(CultureInfo.InvariantCulture),
                        ["total"] = server.Count().ToString(CultureInfo.InvariantCulture),
                        ["status"] = string.Join(", ", failed.Select(a => a.Status).Distinct()),
                    }, null).Subjects = failed.Select(a => a.Name.TrimEnd('.')).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
            }
        }

        private static void DispatchFailed(AnalysisFacts facts, FindingRule rule, AddFinding add)
        {
            var d = facts.Dispatch;
            if (d is null) return;
            string where = d.Uri.GetLeftPart(UriPartial.Path);
            if (d.Dispatch is null)
                add(rule.Id, None, $"{where}: {d.Failure}: {d.Message}",
                    new Dictionary<string, string> { ["uri"] = where, ["failure"] = d.Failure.ToString() }, null);
            else if (d.Dispatch.RetCode != 0)
                add(rule.Id, None, $"{where}: answered retcode {d.Dispatch.RetCode} with {d.Dispatch.Domains.Length} domains in {N(d.Dispatch.ElapsedMs)} ms",
                    new Dictionary<string, string> { ["uri"] = where, ["failure"] = "retcode " + d.Dispatch.RetCode.ToString(CultureInfo.InvariantCulture) }, null);
        }

        /// <summary>TCP connect tests grouped per host, with the area their role belongs to.</summary>
        private static IEnumerable<(IGrouping<string, ConnectionTest> Host, string Area, List<ConnectionTest> Failed)> ConnectsByHost(AnalysisFacts facts) =>
            facts.Connections.Where(t => t.Test == "TcpConnect").GroupBy(t => t.Host, StringComparer.OrdinalIgnoreCase).Select(host =>
                (host, host.First().Role switch { "LongLink" => "LongLink", "ShortLink" => "ShortLink", "Dispatch" => "Dispatch", _ => "Path" },
                 host.Where(t => !t.Succeeded).ToList()));

        /// <summary>The host as the subject when its connects failed only because its name did not resolve (a DNS failure's effect).</summary>
        private static string[] NameFailures(string host, List<ConnectionTest> failed) =>
            failed.All(t => t.Error == nameof(Connectivity.ConnectionError.DnsFailed)) ? new[] { host.TrimEnd('.') } : Array.Empty<string>();

        private static string FailText(AnalysisFacts facts, ConnectionTest t) => t.Address is null
            ? $"port {t.Port}: {t.Error} ({t.ErrorMessage})"
            : $"{Where(facts, t.Address)} port {t.Port}: {t.Error}{(t.Successes > 0 ? $" ({t.Successes} of {t.Attempts} connected)" : "")}";

        private static void HostUnreachable(AnalysisFacts facts, FindingRule rule, AddFinding add)
        {
            foreach (var (host, area, failed) in ConnectsByHost(facts))
            {
                if (failed.Count == 0 || failed.Count != host.Count()) continue;
                add(rule.Id, None, string.Join("; ", failed.Select(t => FailText(facts, t))),
                    new Dictionary<string, string> { ["host"] = host.Key, ["count"] = failed.Count.ToString(CultureInfo.InvariantCulture), ["kinds"] = string.Join(", ", failed.Select(t => t.Error).Distinct()) }, area)
                    .Subjects = NameFailures(host.Key, failed);
            }
        }

        private static void ConnectFailed(AnalysisFacts facts, FindingRule rule, AddFinding add)
        {
            foreach (var (host, area, failed) in ConnectsByHost(facts))
            {
                if (failed.Count == 0 || failed.Count == host.Count()) continue;
                add(rule.Id, None, string.Join("; ", failed.Select(t => FailText(facts, t))),
                    new Dictionary<string, string>
                    {
                        ["host"] = host.Key, ["count"] = failed.Count.ToString(CultureInfo.InvariantCulture), ["total"] = host.Count().ToString(CultureInfo.InvariantCulture),
                        ["kinds"] = string.Join(", ", failed.Select(t => t.Error).Distinct()),
                    }, area).Subjects = NameFailures(host.Key, failed);
            }
        }

        private static void SlowConnect(AnalysisFacts facts, FindingRule rule, AddFinding add)
        {
            double limit = rule.Param("thresholdMs");
            foreach (var (host, area, _) in ConnectsByHost(facts))
            {
                var ok = host.Where(t => t.ConnectMs.HasValue).OrderBy(t => t.ConnectMs!.Value).ToList();
                if (ok.Count == 0 || ok[0].ConnectMs!.Value <= limit) continue;
                add(rule.Id, None, string.Join("; ", ok.Select(t => $"{Where(facts, t.Address!)} port {t.Port}: {t.ConnectMs!.Value:0.#} ms")),
                    new Dictionary<string, string> { ["host"] = host.Key, ["ms"] = N(ok[0].ConnectMs!.Value) }, area);
            }
        }

        private static string RouteTarget(AnalysisFacts facts) => facts.RouteTarget ?? facts.Route.FirstOrDefault()?.TargetAddress ?? "the long link";

        private static void PathTraceSkipped(AnalysisFacts facts, FindingRule rule, AddFinding add)
        {
            if (facts.RouteSkipped is null) return;
            add(rule.Id, None, facts.RouteSkipped, new Dictionary<string, string> { ["target"] = RouteTarget(facts), ["reason"] = facts.RouteSkipped }, null);
        }

        private static void PathLatencyStep(AnalysisFacts facts, FindingRule rule, AddFinding add)
        {
            if (facts.Route.Count == 0) return;
            var step = facts.Route.FirstOrDefault(h => h.IsBiggestStep && h.StepMs.HasValue);
            if (step is null || step.StepMs!.Value <= rule.Param("thresholdMs")) return;
            var before = facts.Route.LastOrDefault(h => h.Hop < step.Hop && h.BestMs.HasValue);
            string target = RouteTarget(facts);
            add(rule.Id, None,
                $"hop {(before != null ? before.Hop.ToString(CultureInfo.InvariantCulture) + " " + Where(facts, before.Address ?? "?") + " best " + before.BestMs!.Value.ToString("0.#", CultureInfo.InvariantCulture) + " ms -> " : "")}hop {step.Hop} {Where(facts, step.Address ?? "?")} best {step.BestMs:0.#} ms (+{step.StepMs:0.#} ms); {facts.Route.Count} hops to {target}",
                new Dictionary<string, string> { ["step"] = N(step.StepMs!.Value), ["hop"] = step.Hop.ToString(CultureInfo.InvariantCulture), ["address"] = step.Address ?? "?", ["target"] = target }, null);
        }

        private static void PathLoss(AnalysisFacts facts, FindingRule rule, AddFinding add)
        {
            if (facts.Route.Count == 0 || TargetConnectsDespiteSilence(facts).Count > 0) return;
            var last = facts.Route.LastOrDefault(h => h.IsDestination) ?? facts.Route[facts.Route.Count - 1];
            double limit = rule.Param("lossPercent");
            if (last.Sent == 0 || last.LossPercent < limit) return;
            var firstLossy = facts.Route.FirstOrDefault(h => h.Sent > 0 && h.LossPercent >= limit && facts.Route.Where(x => x.Hop > h.Hop).All(x => x.Sent == 0 || x.LossPercent >= limit));
            string reached = last.IsDestination ? $"the target answered {last.Received} of {last.Sent} probes" : $"the target never answered; the last hop traced was {last.Hop}";
            add(rule.Id, None,
                $"{reached}; loss from hop {(firstLossy ?? last).Hop} ({Where(facts, (firstLossy ?? last).Address ?? "no reply")}) onwards",
                new Dictionary<string, string> { ["loss"] = N(last.LossPercent), ["target"] = RouteTarget(facts), ["hop"] = (firstLossy ?? last).Hop.ToString(CultureInfo.InvariantCulture) }, null);
        }

        /// <summary>
        /// The ports on which TCP connects to the trace's target succeeded although the target answered none of the trace's
        /// probes (it, or a firewall before it, filters that kind of probe): empty unless the trace ended that way.
        /// </summary>
        private static List<int> TargetConnectsDespiteSilence(AnalysisFacts facts)
        {
            if (facts.Route.Count == 0 || facts.Route.Any(h => h.IsDestination) || facts.Route[facts.Route.Count - 1].Received > 0) return new List<int>();
            string target = facts.Route[0].TargetAddress;
            if (!IPAddress.TryParse(target, out var targetAddress)) return new List<int>();
            return facts.Connections
                .Where(t => t.Test == "TcpConnect" && t.Succeeded && IPAddress.TryParse(t.Address ?? "", out var a) && a.Equals(targetAddress))
                .Select(t => t.Port).Distinct().OrderBy(p => p).ToList();
        }

        private static void PathTargetSilent(AnalysisFacts facts, FindingRule rule, AddFinding add)
        {
            var ports = TargetConnectsDespiteSilence(facts);
            if (ports.Count == 0) return;
            string target = RouteTarget(facts);
            var lastAnswering = facts.Route.LastOrDefault(h => h.Received > 0 && h.Address != null);
            string routers = lastAnswering is null ? "no router answered" : $"the routers up to hop {lastAnswering.Hop} ({lastAnswering.Address}) answered";
            add(rule.Id, None,
                $"{routers}; {target} never did; TCP connects to it succeeded on port(s) {string.Join(", ", ports)}",
                new Dictionary<string, string> { ["target"] = target, ["protocol"] = facts.Route[0].Protocol }, null);
        }

        /// <summary>Findings at least as severe as <paramref name="minimum"/> (Info, Warning or Error).</summary>
        public static IEnumerable<Finding> AtLeast(IEnumerable<Finding> findings, string minimum)
        {
            int Rank(string s) => s == "Error" ? 2 : s == "Warning" ? 1 : 0;
            int floor = Rank(minimum);
            return findings.Where(f => Rank(f.Severity) >= floor);
        }

        private static void IdleTimeout(AnalysisFacts facts, FindingRule rule, Func<string, IEnumerable<int>, string, IDictionary<string, string>, string?, Finding> add)
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
            string Reconnect(HeartbeatReport h) => h.ReconnectFlowId.HasValue
                ? $"flow {h.FlowId} reconnected {ReconnectDelay(h)}as flow {h.ReconnectFlowId}" : $"flow {h.FlowId} did not reconnect within the capture";
            int reconnects = best.Count(h => h.ReconnectFlowId.HasValue);
            add("LongLinkIdleTimeout", best.SelectMany(h => Ids(h.FlowId, h.ReconnectFlowId)),
                $"{best.Count} long links to {string.Join(", ", best.Select(h => h.Host ?? h.Server).Distinct(StringComparer.OrdinalIgnoreCase))} ended after {string.Join(", ", best.Select(h => h.IdleBeforeEndSec!.Value.ToString("0", CultureInfo.InvariantCulture)))} s of silence (flows {string.Join(", ", best.Select(h => h.FlowId))}), "
                + $"causing {reconnects} reconnect(s): {string.Join("; ", best.Select(Reconnect))}",
                new Dictionary<string, string> { ["interval"] = interval.ToString("0", CultureInfo.InvariantCulture), ["reconnects"] = Count(reconnects) }, null);
        }

        /// <summary>"0.3 s later " when the capture saw the link end, else "" (a replaced link's end was not seen).</summary>
        private static string ReconnectDelay(HeartbeatReport h) =>
            h.ReconnectAfterMs.HasValue ? (h.ReconnectAfterMs.Value / 1000).ToString("0.#", CultureInfo.InvariantCulture) + " s later " : "";

        private static bool IsMainland(string? region) => region == "MainlandChina" || region == "Mainland";

        private static IEnumerable<int> Ids(int id, int? other) => other.HasValue ? new[] { id, other.Value } : new[] { id };

        // ------------------------------------------------------------------ live connection rules (the socket table)

        private static IEnumerable<Connection> LongLinks(LiveConnectionFacts live) =>
            (live.Connections ?? Array.Empty<Connection>()).Where(c => c.Role == nameof(EndpointRole.LongLink) && c.MatchedBy != null && c.State == "Established");

        private static string Describe(Connection c) =>
            $"{c.ProcessName ?? "?"} ({c.ProcessId?.ToString(CultureInfo.InvariantCulture) ?? "?"}) {c.LocalAddress}:{c.LocalPort} -> {c.RemoteAddress}:{c.RemotePort}" +
            $"{(c.Host != null ? " " + c.Host : "")} [{c.Region ?? "?"}{(c.Owner != null ? ", " + c.Owner : "")}]";

        private static void WeChatNotRunning(AnalysisFacts facts, FindingRule rule, AddFinding add)
        {
            var live = facts.LiveConnections;
            if (live is null || live.WeChatProcesses.Count > 0) return;
            add(rule.Id, None, "No process named " + string.Join(", ", live.ProcessNames) + " runs on this machine.",
                new Dictionary<string, string>(), null);
        }

        private static void NoLongLink(AnalysisFacts facts, FindingRule rule, AddFinding add)
        {
            var live = facts.LiveConnections;
            if (live?.Connections is null || live.WeChatProcesses.Count == 0 || LongLinks(live).Any()) return;
            var held = live.Connections.Where(c => c.MatchedBy == "Process").ToList();
            string evidence = held.Count == 0
                ? $"{string.Join(", ", live.WeChatProcesses)} running, holding no TCP connection"
                : $"{string.Join(", ", live.WeChatProcesses)} running; its connections: " + string.Join("; ", held.Take(8).Select(c => $"{Describe(c)} {c.State}{(c.Role != null ? " " + c.Role : "")}"));
            add(rule.Id, None, evidence, new Dictionary<string, string> { ["processes"] = string.Join(", ", live.WeChatProcesses) }, null);
        }

        private static void LongLinkOtherRegion(AnalysisFacts facts, FindingRule rule, AddFinding add)
        {
            if (facts.LiveConnections is null || facts.ClientRegion is null) return;
            foreach (var c in LongLinks(facts.LiveConnections))
            {
                if (c.Region is null || (c.Region != "MainlandChina" && c.Region != "Overseas" && c.Region != "HongKong")) continue;
                bool mainlandClient = facts.ClientRegion == "MainlandChina";
                bool mainlandServer = c.Region == "MainlandChina";
                if (mainlandClient == mainlandServer) continue;
                add(rule.Id, None, Describe(c), new Dictionary<string, string>
                {
                    ["clientRegion"] = facts.ClientRegion, ["serverRegion"] = c.Region, ["server"] = c.RemoteAddress, ["host"] = c.Host ?? "no name known",
                }, null);
            }
        }

        private static void LongLinkSlowRoundTrip(AnalysisFacts facts, FindingRule rule, AddFinding add)
        {
            if (facts.LiveConnections is null) return;
            foreach (var c in LongLinks(facts.LiveConnections))
            {
                if (c.RttMs is null) continue;
                // The path's own round trip: the best TCP connect to the same address, else the traced hop that is it.
                var connects = facts.Connections.Where(t => t.Succeeded && t.ConnectMs.HasValue && t.Address == c.RemoteAddress).Select(t => t.ConnectMs!.Value)
                    .Concat(facts.Route.Where(h => h.Address == c.RemoteAddress && h.BestMs.HasValue).Select(h => h.BestMs!.Value)).ToList();
                if (connects.Count == 0) continue;
                double path = connects.Min();
                if (c.RttMs.Value < path * rule.Param("factor") || c.RttMs.Value < path + rule.Param("minExtraMs")) continue;
                add(rule.Id, None, string.Format(CultureInfo.InvariantCulture, "{0}: smoothed round trip {1:0.#} ms (variation {2:0.#} ms); best TCP connect or probe to {3}: {4:0.#} ms",
                        Describe(c), c.RttMs.Value, c.RttVarMs ?? 0, c.RemoteAddress, path),
                    new Dictionary<string, string> { ["rtt"] = N(c.RttMs.Value), ["path"] = N(path), ["server"] = c.RemoteAddress }, null);
            }
        }

        private static void LongLinkRetransmitting(AnalysisFacts facts, FindingRule rule, AddFinding add)
        {
            var live = facts.LiveConnections;
            if (live is null) return;
            foreach (var c in LongLinks(live))
            {
                if (c.Retransmissions is null || !live.FirstReadings.TryGetValue(c.EndpointKey, out var first) || first.Retransmissions is null) continue;
                long delta = c.Retransmissions.Value - first.Retransmissions.Value;
                if (delta < rule.Param("minRetransmissions")) continue;
                double seconds = Math.Max(0.1, (c.Timestamp - first.Timestamp).TotalSeconds);
                add(rule.Id, None, string.Format(CultureInfo.InvariantCulture, "{0}: retransmissions {1} -> {2} in {3:0.#} s{4}", Describe(c),
                        first.Retransmissions.Value, c.Retransmissions.Value, seconds, c.LostSegments is long lost ? $", {lost} segment(s) counted lost now" : ""),
                    new Dictionary<string, string> { ["server"] = c.RemoteAddress, ["delta"] = delta.ToString(CultureInfo.InvariantCulture), ["seconds"] = N(seconds) }, null);
            }
        }

        private static void LongLinkReconnects(AnalysisFacts facts, FindingRule rule, AddFinding add)
        {
            var live = facts.LiveConnections;
            if (live is null) return;
            var opened = live.Events.Where(e => e.Change == "Opened" && e.Connection.Role == nameof(EndpointRole.LongLink) && e.Connection.MatchedBy != null).ToList();
            if (opened.Count <= rule.Param("maxReconnects")) return;
            add(rule.Id, None, string.Format(CultureInfo.InvariantCulture, "{0} long link(s) opened in {1:0.#} s of watching: ", opened.Count, live.WatchSeconds) +
                    string.Join("; ", opened.Take(10).Select(e => e.Timestamp.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) + " " + Describe(e.Connection))),
                new Dictionary<string, string> { ["count"] = opened.Count.ToString(CultureInfo.InvariantCulture), ["seconds"] = N(live.WatchSeconds) }, null);
        }

        private static string Fill(string template, IDictionary<string, string> values, FindingRule rule)
        {
            string s = template;
            foreach (var kv in values) s = s.Replace("{" + kv.Key + "}", kv.Value);
            foreach (var kv in rule.Parameters) s = s.Replace("{" + kv.Key + "}", kv.Value.ToString("0.##", CultureInfo.InvariantCulture));
            return s;
        }
    }
}
