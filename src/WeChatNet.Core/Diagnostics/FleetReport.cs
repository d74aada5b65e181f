using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using WeChatNet.Analysis;
using WeChatNet.WeChat;

namespace WeChatNet.Diagnostics
{
    /// <summary>One site of a report: its label (a computer name or a -Site label) and what was gathered there.</summary>
    internal sealed class ReportSite
    {
        public ReportSite(string name, DiagnosticResult result, IReadOnlyList<string>? failures = null, int objects = 0)
        {
            Name = name ?? throw new ArgumentNullException(nameof(name));
            Result = result ?? throw new ArgumentNullException(nameof(result));
            Failures = failures ?? Array.Empty<string>();
            Objects = objects;
        }

        public string Name { get; }
        public DiagnosticResult Result { get; }
        /// <summary>Why the site failed or was not reached (the messages of the errors piped in for it); empty when it did not.</summary>
        public IReadOnlyList<string> Failures { get; }
        /// <summary>How many report objects the site returned.</summary>
        public int Objects { get; }
    }

    /// <summary>
    /// Gathers the objects of a report, site by site, from live objects or from their deserialised form (remoting,
    /// Import-Clixml): findings, route hops, connection tests, DNS answers, dispatch answers and flows. An object is read
    /// through <c>property(object, name)</c> so the core needs no PowerShell reference; the type is its type name without
    /// a "Deserialized." prefix. Sites keep the order they were first seen in.
    /// </summary>
    internal sealed class FleetReportBuilder
    {
        private readonly Dictionary<string, DiagnosticResult> _sites = new Dictionary<string, DiagnosticResult>(StringComparer.OrdinalIgnoreCase);
        private readonly List<string> _order = new List<string>();
        private readonly Dictionary<string, int> _ignored = new Dictionary<string, int>(StringComparer.Ordinal);
        private readonly Dictionary<string, List<string>> _failures = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, int> _objects = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The type names the report reads (without the WeChatNet. prefix).</summary>
        public static readonly IReadOnlyList<string> Kinds = new[] { "Finding", "RouteHop", "ConnectionTest", "DnsAnswer", "DnsComparison", "Dispatch", "Flow", "HeartbeatReport" };

        /// <summary>Objects of types the report does not read, by type name.</summary>
        public IReadOnlyDictionary<string, int> Ignored => _ignored;
        public int Objects { get; private set; }

        /// <summary>The sites in the order first seen.</summary>
        /// <summary>The sites in the order first seen; objects without a site label are one unnamed site ("", "(local)" among others).</summary>
        public IReadOnlyList<ReportSite> Sites => _order.Select(n =>
        {
            var r = _sites[n];
            r.Findings = FindingEngine.Sort(r.Findings); // errors first, once, however many findings came
            return new ReportSite(n.Length == 0 && _order.Count > 1 ? "(local)" : n, r,
                _failures.TryGetValue(n, out var failed) ? failed : null, _objects.TryGetValue(n, out int count) ? count : 0);
        }).ToList();

        /// <summary>
        /// Records that <paramref name="site"/> failed or was not reached (an error remoting or the site's script gave), so the
        /// report names the site and why instead of leaving it out or calling it clean. The site gets a column even with no objects.
        /// </summary>
        public void AddFailure(string site, string message)
        {
            Site(site);
            string key = site?.Trim() ?? "";
            if (!_failures.TryGetValue(key, out var list)) _failures[key] = list = new List<string>();
            string text = string.IsNullOrWhiteSpace(message) ? "(the error gave no message)" : message.Trim();
            if (!list.Contains(text)) list.Add(text);
        }

        /// <summary>The report kind of a type name ("WeChatNet.Finding", "Deserialized.WeChatNet.Finding"), or null.</summary>
        public static string? KindOf(string typeName)
        {
            const string deserialized = "Deserialized.", prefix = "WeChatNet.";
            string t = typeName.StartsWith(deserialized, StringComparison.Ordinal) ? typeName.Substring(deserialized.Length) : typeName;
            if (!t.StartsWith(prefix, StringComparison.Ordinal)) return null;
            string kind = t.Substring(prefix.Length);
            return Kinds.Contains(kind) ? kind : null;
        }

        /// <summary>An empty site (so a site that returned nothing still gets a column).</summary>
        public DiagnosticResult Site(string site)
        {
            site = site?.Trim() ?? "";
            if (!_sites.TryGetValue(site, out var r))
            {
                // Flows piped in are the ones the user chose to report (Get-WeChatFlow -All included): all of them are listed.
                r = new DiagnosticResult { StartedAt = DateTimeOffset.Now, AllTraffic = true };
                _sites[site] = r;
                _order.Add(site);
            }
            return r;
        }

        /// <summary>
        /// Adds one object to <paramref name="site"/>. <paramref name="typeNames"/> are the object's type names, most derived
        /// first (PSObject.TypeNames); returns false (and counts it) for an object of no report type.
        /// </summary>
        public bool Add(string site, object item, IEnumerable<string> typeNames, Func<object?, string, object?> property)
        {
            if (item is null) throw new ArgumentNullException(nameof(item));
            var names = typeNames.ToList();
            string? kind = names.Select(KindOf).FirstOrDefault(k => k != null);
            if (kind == null)
            {
                string t = names.FirstOrDefault() ?? item.GetType().FullName ?? "?";
                _ignored[t] = _ignored.TryGetValue(t, out int n) ? n + 1 : 1;
                return false;
            }
            var r = Site(site);
            Objects++;
            string siteKey = site?.Trim() ?? "";
            _objects[siteKey] = _objects.TryGetValue(siteKey, out int seen) ? seen + 1 : 1;
            object? P(string name) => property(item, name);
            switch (kind)
            {
                case "Finding":
                    r.Findings.Add(item as Finding ?? new Finding
                    {
                        Severity = S(P("Severity")) ?? "Info", Area = S(P("Area")) ?? "", Title = S(P("Title")) ?? "", Evidence = S(P("Evidence")) ?? "",
                        Recommendation = S(P("Recommendation")) ?? "", RuleId = S(P("RuleId")) ?? "", FlowIds = Ints(P("FlowIds")),
                    });
                    break;
                case "RouteHop":
                    var hop = item as RouteHop ?? new RouteHop
                    {
                        Target = S(P("Target")) ?? "", TargetAddress = S(P("TargetAddress")) ?? "", Protocol = S(P("Protocol")) ?? "", Port = I(P("Port")) ?? 0,
                        Hop = I(P("Hop")) ?? 0, Address = S(P("Address")), Addresses = Strings(P("Addresses")), HostName = S(P("HostName")), Region = S(P("Region")),
                        Owner = S(P("Owner")), Asn = I(P("Asn")), Sent = I(P("Sent")) ?? 0, Received = I(P("Received")) ?? 0, LossPercent = D(P("LossPercent")) ?? 0,
                        LastMs = D(P("LastMs")), AvgMs = D(P("AvgMs")), BestMs = D(P("BestMs")), WorstMs = D(P("WorstMs")), StDevMs = D(P("StDevMs")),
                        Reply = S(P("Reply")), IsDestination = B(P("IsDestination")), StepMs = D(P("StepMs")), IsBiggestStep = B(P("IsBiggestStep")), Note = S(P("Note")),
                    };
                    r.Route.Add(hop);
                    r.Route.Sort((a, b) => a.Hop.CompareTo(b.Hop));
                    r.RouteTarget ??= string.IsNullOrEmpty(hop.Target) ? hop.TargetAddress : hop.Target;
                    break;
                case "ConnectionTest":
                    r.Connections.Add(item as ConnectionTest ?? new ConnectionTest(S(P("Test")) ?? "Tcp", S(P("Host")) ?? "", S(P("Role")), S(P("Address")),
                        S(P("ResolvedBy")) ?? "", I(P("Port")) ?? 0, B(P("Succeeded")), I(P("Attempts")) ?? 0, I(P("Successes")) ?? 0, D(P("ConnectMs")),
                        Doubles(P("ConnectTimesMs")), S(P("Error")), S(P("ErrorMessage")), I(P("HttpStatus")), D(P("FirstByteMs")), S(P("Region")), S(P("Owner"))));
                    break;
                case "DnsAnswer":
                    DnsAnswer answer;
                    if (item is DnsAnswer live) answer = live;
                    else
                    {
                        var addresses = Strings(P("Addresses"));
                        answer = new DnsAnswer(S(P("Name")) ?? "", S(P("Type")) ?? "A", S(P("Server")) ?? "", S(P("Region")) ?? "", S(P("Source")) ?? "Dns",
                            S(P("Protocol")) ?? "", S(P("Status")) ?? "", Strings(P("CnameChain")), addresses, Strings(P("Data")), I(P("Ttl")) ?? 0,
                            D(P("ElapsedMs")) ?? 0, S(P("ClientSubnet")) ?? "", I(P("Scope")) ?? 0, S(P("ResponseCode")) ?? "", I(P("Tries")) ?? 0,
                            I(P("DroppedResponses")) ?? 0, S(P("Error")) ?? "");
                        // Where the site placed its answers, not where the controller would.
                        var regions = Strings(P("AddressRegions"));
                        if (regions.Length == addresses.Length) answer.AddressRegions = regions;
                        var owners = Strings(P("AddressOwners"));
                        if (owners.Length == addresses.Length) answer.AddressOwners = owners;
                    }
                    r.DnsAnswers.Add(answer);
                    r.Live = true;
                    break;
                case "DnsComparison":
                    if (item is DnsComparison cmp) r.DnsComparisons.Add(cmp);
                    else r.DnsComparisons.Add(new DnsComparison(S(P("Name")) ?? "", S(P("Type")) ?? "A", B(P("Differs")), B(P("MainlandDiffers")), I(P("AnswerSets")) ?? 0,
                        Strings(P("Servers")), Strings(P("Common")), Strings(P("Differences")), Strings(P("Failed"))));
                    break;
                case "Dispatch":
                    var dispatch = item as Dispatch ?? new Dispatch(S(P("Source")) ?? "", I(P("RetCode")) ?? 0, S(P("ClientIp")) ?? "", S(P("IspId")) ?? "",
                        null, S(P("NextIpv6")) ?? "", Domains(P("Domains"), property), Strings(P("Builtin")), B(P("Signed")), B(P("HasFunctionList")),
                        S(P("Compression")) ?? "", I(P("DocumentBytes")) ?? 0, D(P("ElapsedMs")) ?? 0, Strings(P("Warnings")));
                    Uri.TryCreate(dispatch.Source, UriKind.Absolute, out var uri);
                    r.Dispatch = new DispatchResult(dispatch, DispatchFailure.None, "", uri ?? new Uri("about:blank"));
                    break;
                case "Flow":
                    r.Capture ??= new CaptureAnalysisResult();
                    r.Capture.Flows.Add(item as Flow ?? new Flow
                    {
                        Id = I(P("Id")) ?? 0, Protocol = S(P("Protocol")) ?? "", Client = S(P("Client")) ?? "", Server = S(P("Server")) ?? "",
                        ServerAddress = S(P("ServerAddress")) ?? "", ServerPort = I(P("ServerPort")) ?? 0, Host = S(P("Host")), Role = S(P("Role")),
                        Kind = S(P("Kind")) ?? "Other", Region = S(P("Region")), Owner = S(P("Owner")), Packets = L(P("Packets")) ?? 0, Bytes = L(P("Bytes")) ?? 0,
                        HandshakeMs = D(P("HandshakeMs")), Retransmissions = I(P("Retransmissions")) ?? 0, Resets = I(P("Resets")) ?? 0, ResetBy = S(P("ResetBy")) ?? "None",
                        DurationMs = D(P("DurationMs")) ?? 0, MaxIdleMs = D(P("MaxIdleMs")) ?? 0,
                    });
                    break;
                case "HeartbeatReport":
                    if (item is HeartbeatReport hb) { r.Capture ??= new CaptureAnalysisResult(); r.Capture.Heartbeats.Add(hb); }
                    else { Objects--; _objects[siteKey]--; _ignored["Deserialized.WeChatNet.HeartbeatReport"] = _ignored.TryGetValue("Deserialized.WeChatNet.HeartbeatReport", out int h) ? h + 1 : 1; }
                    break;
            }
            return true;
        }

        private static DispatchDomain[] Domains(object? value, Func<object?, string, object?> property)
        {
            var list = new List<DispatchDomain>();
            foreach (var d in Items(value))
            {
                if (d is DispatchDomain real) { list.Add(real); continue; }
                var addresses = Items(property(d, "Addresses"))
                    .Select(a => a is DispatchAddress da ? da : new DispatchAddress(S(property(a, "Address")) ?? S(a) ?? "", S(property(a, "Property")) ?? ""))
                    .ToArray();
                list.Add(new DispatchDomain(S(property(d, "Name")) ?? "", I(property(d, "Ttl")) ?? 0, addresses));
            }
            return list.ToArray();
        }

        private static IEnumerable<object> Items(object? value)
        {
            if (value is null || value is string) yield break;
            if (value is IEnumerable e) foreach (var x in e) if (x != null) yield return x;
        }

        private static string? S(object? v) => v?.ToString();
        private static int? I(object? v) => v is null ? (int?)null : int.TryParse(Convert.ToString(v, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : (int?)null;
        private static long? L(object? v) => v is null ? (long?)null : long.TryParse(Convert.ToString(v, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out long i) ? i : (long?)null;
        private static double? D(object? v) => v is null ? (double?)null : double.TryParse(Convert.ToString(v, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : (double?)null;
        private static bool B(object? v) => v is bool b ? b : bool.TryParse(Convert.ToString(v, CultureInfo.InvariantCulture), out bool p) && p;
        private static string[] Strings(object? v) => v is string s ? new[] { s } : Items(v).Select(x => x.ToString() ?? "").ToArray();
        private static double[] Doubles(object? v) => Items(v).Select(D).Where(x => x.HasValue).Select(x => x!.Value).ToArray();
        private static int[] Ints(object? v) => Items(v).Select(I).Where(x => x.HasValue).Select(x => x!.Value).ToArray();
    }

    /// <summary>
    /// The report of one site or many, as a self-contained HTML page or Markdown. One site: the page Invoke-WeChatDiagnostic
    /// -Report has always written. Several: a site-by-finding matrix with severities, what differs between the sites
    /// (resolver answers and their regions, dispatch answers, long-link connect times, the hop where latency jumps), then
    /// each site's details with the same sections as the one-site page.
    /// </summary>
    internal static class FleetReport
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
        private const string MatrixCss =
            "td.cell{text-align:center;font-weight:600}td.cell.Error{background:#fde2e1;color:#9b1c1c}td.cell.Warning{background:#fff1d6;color:#8a5300}\n" +
            "td.cell.Info{background:#e4effc;color:#1f4f8a}td.cell.none{color:#adb5bd}tr.differs td.diff{background:#fff6e0}h2.site{border-color:#4c6ef5}\n";

        public static string Html(IReadOnlyList<ReportSite> sites)
        {
            var sb = new StringBuilder();
            if (sites.Count == 1 && sites[0].Name.Length == 0)
            {
                // One site, unnamed: the page Invoke-WeChatDiagnostic -Report writes.
                DiagnosticReport.AppendHead(sb, "WeChat network diagnostic");
                DiagnosticReport.AppendOneSiteHeader(sb, sites[0].Result);
                AppendSiteHtml(sb, sites[0], 2);
                return sb.Append("</body>\n</html>\n").ToString();
            }
            string title = sites.Count == 1 ? "WeChat network diagnostic: " + sites[0].Name : $"WeChat network diagnostic: {sites.Count} sites";
            DiagnosticReport.AppendHead(sb, title, MatrixCss);
            sb.Append("<h1>").Append(E(title)).Append("</h1>\n<p class=\"meta\">").Append(E(DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm:ss zzz", Inv)))
              .Append(" &middot; WeChatNet ").Append(E(typeof(FleetReport).Assembly.GetName().Version?.ToString() ?? "")).Append("</p>\n");
            if (sites.Count == 0) sb.Append("<p class=\"bad\">No report objects were given.</p>\n");
            if (sites.Count > 1)
            {
                sb.Append("<h2>Findings by site</h2>\n");
                AppendMatrixHtml(sb, sites);
                sb.Append("<h2>What differs between sites</h2>\n");
                AppendDifferencesHtml(sb, sites);
            }
            foreach (var s in sites)
            {
                sb.Append("<h2 class=\"site\" id=\"site-").Append(E(Anchor(s.Name))).Append("\">Site ").Append(E(s.Name)).Append("</h2>\n");
                AppendSiteHtml(sb, s, sites.Count > 1 ? 3 : 2);
            }
            sb.Append("</body>\n</html>\n");
            return sb.ToString();
        }

        public static string Markdown(IReadOnlyList<ReportSite> sites)
        {
            var sb = new StringBuilder();
            if (sites.Count == 1 && sites[0].Name.Length == 0)
            {
                DiagnosticReport.AppendOneSiteMarkdownHeader(sb, sites[0].Result);
                AppendSiteMarkdown(sb, sites[0], 2);
                return sb.ToString();
            }
            sb.Append("# WeChat network diagnostic: ").Append(sites.Count == 1 ? M(sites[0].Name) : sites.Count.ToString(Inv) + " sites").Append("\n\n")
              .Append(DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm:ss zzz", Inv)).Append(".\n");
            if (sites.Count > 1)
            {
                var rows = MatrixRows(sites);
                bool anyFailed = sites.Any(s => s.Failures.Count > 0);
                sb.Append("\n## Findings by site\n\n");
                if (rows.Count == 0 && !anyFailed) sb.Append("No findings at any site.\n");   // as the HTML matrix says; not an empty table
                else
                {
                    sb.Append("| Finding | ").Append(string.Join(" | ", sites.Select(s => M(s.Name)))).Append(" |\n|---|")
                      .Append(string.Concat(sites.Select(_ => "---|"))).Append('\n');
                    if (anyFailed)
                        sb.Append("| **").Append(SiteFailedTitle).Append("** | ").Append(string.Join(" | ", sites.Select(s => s.Failures.Count > 0 ? "**Failed**" : "-"))).Append(" |\n");
                    foreach (var row in rows)
                        sb.Append("| **").Append(M(row.Title)).Append("** (`").Append(row.RuleId).Append("`) | ")
                          .Append(string.Join(" | ", row.Cells.Select(c => c ?? "-"))).Append(" |\n");
                    if (rows.Count == 0) sb.Append("\nNo findings at any site that answered.\n");
                }
                sb.Append("\n## What differs between sites\n");
                var tables = Differences(sites);
                if (tables.Count == 0) sb.Append('\n').Append(NothingToCompare).Append('\n');
                foreach (var table in tables)
                {
                    sb.Append("\n### ").Append(M(table.Title)).Append(table.Differs ? " (differs)" : " (same everywhere)").Append("\n\n| Site | ")
                      .Append(string.Join(" | ", table.Columns.Select(M))).Append(" |\n|---|").Append(string.Concat(table.Columns.Select(_ => "---|"))).Append('\n');
                    foreach (var row in table.Rows)
                        sb.Append("| ").Append(M(row.Site)).Append(" | ").Append(string.Join(" | ", row.Values.Select(M))).Append(" |\n");
                }
            }
            foreach (var s in sites)
            {
                sb.Append("\n## Site ").Append(M(s.Name)).Append("\n\n");
                AppendSiteMarkdown(sb, s, 3);
            }
            return sb.ToString();
        }

        private const string SiteFailedTitle = "Site failed or not reached";

        // A site's part: why it failed (if it did), then what it returned; a failed site that returned nothing is not called clean.
        private static void AppendSiteHtml(StringBuilder sb, ReportSite s, int level)
        {
            foreach (var f in s.Failures) sb.Append("<p class=\"bad\"><b>This site failed:</b> ").Append(E(f)).Append("</p>\n");
            if (s.Failures.Count > 0 && s.Objects == 0) { sb.Append("<p>It returned nothing to report.</p>\n"); return; }
            if (s.Failures.Count > 0) sb.Append("<p>What it returned before it failed:</p>\n");
            DiagnosticReport.AppendSiteHtml(sb, s.Result, level);
        }

        private static void AppendSiteMarkdown(StringBuilder sb, ReportSite s, int level)
        {
            foreach (var f in s.Failures) sb.Append("**This site failed:** ").Append(M(f)).Append("\n\n");
            if (s.Failures.Count > 0 && s.Objects == 0) { sb.Append("It returned nothing to report.\n"); return; }
            if (s.Failures.Count > 0) sb.Append("What it returned before it failed:\n\n");
            DiagnosticReport.AppendSiteMarkdown(sb, s.Result, level);
        }

        /// <summary>Writes the report (format by extension) through a temporary file renamed over the target.</summary>
        public static void Write(IReadOnlyList<ReportSite> sites, string path, bool overwrite) =>
            DiagnosticReport.WriteText(path, overwrite, format => format == DiagnosticReportFormat.Html ? Html(sites) : Markdown(sites));

        // ---------- the site-by-finding matrix ----------

        private sealed class MatrixRow
        {
            public string RuleId = "", Title = "", Area = "";
            public string?[] Cells = Array.Empty<string>();
            public int Rank;
        }

        private static int Rank(string severity) => severity == "Error" ? 0 : severity == "Warning" ? 1 : 2;

        private static List<MatrixRow> MatrixRows(IReadOnlyList<ReportSite> sites)
        {
            var rows = new Dictionary<string, MatrixRow>(StringComparer.Ordinal);
            for (int i = 0; i < sites.Count; i++)
                foreach (var f in sites[i].Result.Findings)
                {
                    string key = f.RuleId.Length > 0 ? f.RuleId : f.Title;
                    if (!rows.TryGetValue(key, out var row))
                        rows[key] = row = new MatrixRow { RuleId = f.RuleId, Title = f.Title, Area = f.Area, Cells = new string?[sites.Count], Rank = 3 };
                    string? have = row.Cells[i];
                    if (have == null || Rank(f.Severity) < Rank(have)) row.Cells[i] = f.Severity;
                    row.Rank = Math.Min(row.Rank, Rank(f.Severity));
                }
            return rows.Values.OrderBy(r => r.Rank).ThenByDescending(r => r.Cells.Count(c => c != null)).ThenBy(r => r.RuleId, StringComparer.Ordinal).ToList();
        }

        private static void AppendMatrixHtml(StringBuilder sb, IReadOnlyList<ReportSite> sites)
        {
            sb.Append("<table class=\"matrix\"><tr><th>Finding</th><th>Area</th>");
            foreach (var s in sites) sb.Append("<th><a href=\"#site-").Append(E(Anchor(s.Name))).Append("\">").Append(E(s.Name)).Append("</a></th>");
            sb.Append("</tr>\n<tr><td><i>Errors / warnings / info</i></td><td></td>");
            foreach (var s in sites)
                sb.Append("<td class=\"num\">").Append(Count(s, "Error")).Append(" / ").Append(Count(s, "Warning")).Append(" / ").Append(Count(s, "Info")).Append("</td>");
            sb.Append("</tr>\n");
            if (sites.Any(s => s.Failures.Count > 0))
            {
                sb.Append("<tr><td><b>").Append(SiteFailedTitle).Append("</b><br><small>the error is under the site</small></td><td>Remoting</td>");
                foreach (var s in sites) sb.Append(s.Failures.Count > 0 ? "<td class=\"cell Error\">Failed</td>" : "<td class=\"cell none\">&ndash;</td>");
                sb.Append("</tr>\n");
            }
            var rows = MatrixRows(sites);
            foreach (var row in rows)
            {
                sb.Append("<tr><td><b>").Append(E(row.Title)).Append("</b><br><small>").Append(E(row.RuleId)).Append("</small></td><td>").Append(E(row.Area)).Append("</td>");
                foreach (var c in row.Cells) sb.Append("<td class=\"cell ").Append(c ?? "none").Append("\">").Append(c ?? "&ndash;").Append("</td>");
                sb.Append("</tr>\n");
            }
            if (rows.Count == 0) sb.Append("<tr><td colspan=\"").Append(sites.Count + 2).Append("\" class=\"ok\">No findings at any site").Append(sites.Any(s => s.Failures.Count > 0) ? " that answered" : "").Append(".</td></tr>\n");
            sb.Append("</table>\n");
        }

        private static string Count(ReportSite s, string severity) => s.Result.Findings.Count(f => f.Severity == severity).ToString(Inv);

        // ---------- what differs ----------

        /// <summary>One comparison across sites: a row per site, and whether the rows differ.</summary>
        internal sealed class DifferenceTable
        {
            public string Title = "";
            public string[] Columns = Array.Empty<string>();
            public List<(string Site, string[] Values)> Rows = new List<(string, string[])>();
            /// <summary>Which column is compared across sites (the others are context).</summary>
            public int KeyColumn;
            public bool Differs => Rows.Select(r => r.Values[KeyColumn]).Distinct(StringComparer.Ordinal).Count() > 1;
        }

        internal static List<DifferenceTable> Differences(IReadOnlyList<ReportSite> sites)
        {
            // A site that failed and returned nothing has nothing to compare (the matrix and its section say it failed).
            sites = sites.Where(s => s.Failures.Count == 0 || s.Objects > 0).ToList();
            var tables = new List<DifferenceTable>();
            // Resolver answers: per name, the regions (and addresses) each site's resolvers handed out.
            var names = sites.SelectMany(s => s.Result.DnsAnswers).Where(a => a.Source != "Dispatch").Select(a => a.Name).Distinct(StringComparer.OrdinalIgnoreCase)
                             .OrderBy(n => n, StringComparer.OrdinalIgnoreCase).Take(20).ToList();
            foreach (var name in names)
            {
                var t = new DifferenceTable { Title = "Resolver answers for " + name, Columns = new[] { "Regions", "Addresses", "Resolvers" } };
                foreach (var s in sites)
                {
                    var answers = s.Result.DnsAnswers.Where(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase) && a.Source != "Dispatch").ToList();
                    string regions = answers.Count == 0 ? "(not asked)" : string.Join(", ", answers.SelectMany(a => a.Addresses.Length == 0 ? new[] { a.Status } : a.AddressRegions)
                        .Distinct(StringComparer.Ordinal).OrderBy(x => x, StringComparer.Ordinal));
                    t.Rows.Add((s.Name, new[] { regions, string.Join(", ", answers.SelectMany(a => a.Addresses).Distinct().OrderBy(x => x, StringComparer.Ordinal)),
                        string.Join(", ", answers.Select(a => a.Server).Distinct()) }));
                }
                tables.Add(t);
            }
            // Dispatch answers: the long-link domain's addresses (or the whole answer's domains).
            if (sites.Any(s => s.Result.Dispatch?.Dispatch != null))
            {
                var t = new DifferenceTable { Title = "Dispatch answers", Columns = new[] { "Long-link addresses", "Domains", "Retcode" } };
                foreach (var s in sites)
                {
                    var d = s.Result.Dispatch?.Dispatch;
                    if (d == null) { t.Rows.Add((s.Name, new[] { "(not asked)", "", "" })); continue; }
                    var longLink = d.Domains.Where(x => x.Name.IndexOf("long", StringComparison.OrdinalIgnoreCase) >= 0).SelectMany(x => x.Addresses).Select(a => a.Address);
                    t.Rows.Add((s.Name, new[] { string.Join(", ", longLink.Distinct().OrderBy(x => x, StringComparer.Ordinal)),
                        string.Join("; ", d.Domains.Take(6).Select(x => x.Name + ": " + string.Join(", ", x.Addresses.Select(a => a.Address)))), d.RetCode.ToString(Inv) }));
                }
                tables.Add(t);
            }
            // Long-link connect times.
            if (sites.Any(s => s.Result.Connections.Count > 0))
            {
                var t = new DifferenceTable { Title = "Long-link connects", Columns = new[] { "Result", "Connect ms (median)", "Targets" } };
                foreach (var s in sites)
                {
                    var tests = s.Result.Connections.Where(c => c.Role == null || c.Role.IndexOf("long", StringComparison.OrdinalIgnoreCase) >= 0).ToList();
                    if (tests.Count == 0) tests = s.Result.Connections;
                    if (tests.Count == 0) { t.Rows.Add((s.Name, new[] { "(not tested)", "", "" })); continue; }
                    int ok = tests.Count(c => c.Succeeded);
                    var times = tests.Where(c => c.ConnectMs.HasValue).Select(c => c.ConnectMs!.Value).OrderBy(x => x).ToList();
                    string result = ok == tests.Count ? "all connected" : ok == 0 ? "none connected (" + string.Join(", ", tests.Select(c => c.Error ?? "failed").Distinct()) + ")"
                        : $"{ok} of {tests.Count} connected";
                    t.Rows.Add((s.Name, new[] { result, times.Count == 0 ? "" : Num(times[times.Count / 2]),
                        string.Join(", ", tests.Select(c => (c.Address ?? c.Host) + ":" + c.Port.ToString(Inv)).Distinct().Take(6)) }));
                }
                tables.Add(t);
            }
            // Where latency jumps on the path.
            if (sites.Any(s => s.Result.Route.Count > 0))
            {
                var t = new DifferenceTable { Title = "Hop where latency jumps", Columns = new[] { "Hop", "Address", "Step ms", "Target" } };
                foreach (var s in sites)
                {
                    var jump = s.Result.Route.FirstOrDefault(h => h.IsBiggestStep)
                               ?? s.Result.Route.Where(h => h.StepMs.HasValue).OrderByDescending(h => h.StepMs).FirstOrDefault();
                    if (jump == null) { t.Rows.Add((s.Name, new[] { s.Result.Route.Count == 0 ? "(not traced)" : "(no step)", "", "", s.Result.RouteTarget ?? "" })); continue; }
                    t.Rows.Add((s.Name, new[] { jump.Hop.ToString(Inv), jump.Address ?? "*", Num(jump.StepMs), s.Result.RouteTarget ?? "" }));
                }
                t.KeyColumn = 1;
                tables.Add(t);
            }
            return tables;
        }

        private const string NothingToCompare = "Nothing to compare: no DNS answers, dispatch answers, connects or routes were given.";

        private static void AppendDifferencesHtml(StringBuilder sb, IReadOnlyList<ReportSite> sites)
        {
            var tables = Differences(sites);
            if (tables.Count == 0) { sb.Append("<p><small>").Append(NothingToCompare).Append("</small></p>\n"); return; }
            foreach (var t in tables)
            {
                sb.Append("<h3>").Append(E(t.Title)).Append(t.Differs ? " <span class=\"bad\">differs</span>" : " <span class=\"ok\">same everywhere</span>").Append("</h3>\n");
                sb.Append("<table><tr><th>Site</th>");
                foreach (var c in t.Columns) sb.Append("<th>").Append(E(c)).Append("</th>");
                sb.Append("</tr>\n");
                string? majority = t.Rows.GroupBy(r => r.Values[t.KeyColumn], StringComparer.Ordinal).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();
                foreach (var row in t.Rows)
                {
                    bool odd = t.Differs && row.Values[t.KeyColumn] != majority;
                    sb.Append("<tr").Append(odd ? " class=\"differs\"" : "").Append("><td>").Append(E(row.Site)).Append("</td>");
                    for (int i = 0; i < row.Values.Length; i++)
                        sb.Append("<td").Append(i == t.KeyColumn ? " class=\"diff\"" : "").Append('>').Append(E(row.Values[i])).Append("</td>");
                    sb.Append("</tr>\n");
                }
                sb.Append("</table>\n");
            }
        }

        private static string Anchor(string site) => new string(site.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
        private static string E(string? s) => WebUtility.HtmlEncode(s ?? string.Empty);
        private static string M(string? s) => (s ?? string.Empty).Replace("\\", "\\\\").Replace("|", "\\|").Replace("\r", " ").Replace("\n", " ").Replace("<", "&lt;");
        private static string Num(double? v) => v.HasValue ? (Math.Abs(v.Value) < 0.005 ? 0 : v.Value).ToString("0.##", Inv) : "";
    }
}
