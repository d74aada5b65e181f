using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using WeChatNet.Analysis;
using WeChatNet.Capture;

namespace WeChatNet.Diagnostics
{
    /// <summary>Report formats of Invoke-WeChatDiagnostic -Report.</summary>
    internal enum DiagnosticReportFormat
    {
        Html,
        Markdown,
    }

    /// <summary>The report file already exists and overwriting was not allowed.</summary>
    public sealed class ReportExistsException : IOException
    {
        public ReportExistsException(string path) : base($"'{path}' exists. Use -Force to replace it.") { Path = path; }
        public string Path { get; }
    }

    /// <summary>
    /// Renders a <see cref="DiagnosticResult"/> as a self-contained HTML page (tables, an inline SVG latency-by-hop chart,
    /// inline CSS, no scripts or external assets) or as Markdown, and writes it safely (temporary file + rename).
    /// </summary>
    internal static class DiagnosticReport
    {
        private const int MaxRows = 200;
        /// <summary>Findings listed in a report; the rest are counted by rule (the cmdlet's output holds them all).</summary>
        internal const int MaxFindings = 300;
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        /// <summary>The format a file name asks for: .html/.htm or .md/.markdown; null for anything else.</summary>
        public static DiagnosticReportFormat? FormatOf(string path)
        {
            string ext = System.IO.Path.GetExtension(path).ToLowerInvariant();
            return ext switch
            {
                ".html" => DiagnosticReportFormat.Html,
                ".htm" => DiagnosticReportFormat.Html,
                ".md" => DiagnosticReportFormat.Markdown,
                ".markdown" => DiagnosticReportFormat.Markdown,
                _ => (DiagnosticReportFormat?)null,
            };
        }

        /// <summary>
        /// Writes the report to <paramref name="path"/> through a temporary file in the same folder, renamed over the
        /// target at the end, so a reader never sees half a report and a failure leaves the old file as it was.
        /// Throws <see cref="ReportExistsException"/> when the file exists and <paramref name="overwrite"/> is false,
        /// ArgumentException for an unknown extension, IOException/UnauthorizedAccessException when writing fails.
        /// </summary>
        public static void Write(DiagnosticResult result, string path, bool overwrite) =>
            WriteText(path, overwrite, format => format == DiagnosticReportFormat.Html ? Html(result) : Markdown(result));

        /// <summary>The safe write of <see cref="Write"/> for any report text, rendered for the format the extension asks for.</summary>
        internal static void WriteText(string path, bool overwrite, Func<DiagnosticReportFormat, string> render)
        {
            var format = FormatOf(path) ?? throw new ArgumentException($"'{path}': the report format is chosen by the extension: .html, .htm, .md or .markdown.");
            string full = System.IO.Path.GetFullPath(path);
            if (!overwrite && File.Exists(full)) throw new ReportExistsException(full);
            string dir = System.IO.Path.GetDirectoryName(full) ?? ".";
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"The folder '{dir}' of the report does not exist.");
            string text = render(format);
            string temp = System.IO.Path.Combine(dir, "." + System.IO.Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".partial");
            try
            {
                File.WriteAllText(temp, text, new UTF8Encoding(false));
                bool exists = File.Exists(full);
                if (exists && !overwrite) throw new ReportExistsException(full);
                AtomicFile.MoveOver(temp, full, exists);
            }
            finally
            {
                try { if (File.Exists(temp)) File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }

        // ---------- HTML ----------

        /// <summary>The one-site report: <see cref="FleetReport.Html"/> of this result alone.</summary>
        public static string Html(DiagnosticResult r) => FleetReport.Html(new[] { new ReportSite("", r) });

        /// <summary>The header line of a one-site report: when it ran, how long it took, the module version.</summary>
        internal static void AppendOneSiteHeader(StringBuilder sb, DiagnosticResult r)
        {
            sb.Append("<h1>WeChat network diagnostic</h1>\n<p class=\"meta\">")
              .Append(E(r.StartedAt.ToString("yyyy-MM-dd HH:mm:ss zzz", Inv))).Append(" &middot; ")
              .Append(E(r.ElapsedMs.ToString("0", Inv))).Append(" ms &middot; WeChatNet ")
              .Append(E(typeof(DiagnosticReport).Assembly.GetName().Version?.ToString() ?? "")).Append("</p>\n");
        }

        /// <summary>The document head with the report's inline style sheet (plus <paramref name="extraCss"/>), up to &lt;body&gt;.</summary>
        internal static void AppendHead(StringBuilder sb, string title, string extraCss = "")
        {
            sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(title)).Append("</title>\n<style>\n")
              .Append("body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;margin:24px;color:#1d2330;background:#fff;max-width:1200px}\n")
              .Append("h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid #e3e7ee;padding-bottom:4px}\n")
              .Append(".meta{color:#5b6474;font-size:13px}table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}\n")
              .Append("th,td{border:1px solid #d9dee7;padding:4px 7px;text-align:left;vertical-align:top}th{background:#f2f4f8}\n")
              .Append("td.num{text-align:right;font-variant-numeric:tabular-nums}tr.Error td.sev{background:#fde2e1;color:#9b1c1c;font-weight:600}\n")
              .Append("tr.Warning td.sev{background:#fff1d6;color:#8a5300;font-weight:600}tr.Info td.sev{background:#e4effc;color:#1f4f8a}\n")
              .Append(".pill{display:inline-block;padding:2px 10px;border-radius:10px;margin-right:8px;font-weight:600;font-size:13px}\n")
              .Append(".pill.Error{background:#fde2e1;color:#9b1c1c}.pill.Warning{background:#fff1d6;color:#8a5300}.pill.Info{background:#e4effc;color:#1f4f8a}\n")
              .Append(".ok{color:#16794a}.bad{color:#9b1c1c}ul.checks{margin:4px 0 0 18px;padding:0;font-size:13px}small{color:#5b6474}\n")
              .Append(extraCss)
              .Append("</style>\n</head>\n<body>\n");
        }

        /// <summary>
        /// One site's part of a report: severity counts, checks, findings, problems, path, resolution, dispatch, connects
        /// and capture, with headings of the given level (2 for a one-site report, 3 under a site's heading).
        /// </summary>
        internal static void AppendSiteHtml(StringBuilder sb, DiagnosticResult r, int level = 2)
        {
            string H = "<h" + level.ToString(Inv) + ">", HE = "</h" + level.ToString(Inv) + ">";
            sb.Append("<p>");
            foreach (var sev in new[] { "Error", "Warning", "Info" })
                sb.Append("<span class=\"pill ").Append(sev).Append("\">").Append(r.Findings.Count(f => f.Severity == sev).ToString(Inv)).Append(' ').Append(sev == "Info" ? "info" : sev.ToLowerInvariant() + "s").Append("</span>");
            sb.Append("</p>\n<ul class=\"checks\">\n");
            foreach (var c in r.Checks) sb.Append("<li>").Append(E(c)).Append("</li>\n");
            sb.Append("</ul>\n");

            sb.Append(H + "Findings" + HE + "\n");
            if (r.Findings.Count == 0) sb.Append("<p class=\"ok\">No findings: nothing looked wrong in what was checked.</p>\n");
            else
            {
                sb.Append("<table><tr><th>Severity</th><th>Area</th><th>Finding</th><th>Evidence</th><th>What to do</th></tr>\n");
                foreach (var f in r.Findings.Take(MaxFindings))
                    sb.Append("<tr class=\"").Append(E(f.Severity)).Append("\"><td class=\"sev\">").Append(E(f.Severity)).Append("</td><td>").Append(E(f.Area))
                      .Append("</td><td><b>").Append(E(f.Title)).Append("</b><br><small>").Append(E(f.RuleId)).Append("</small></td><td>").Append(E(f.Evidence))
                      .Append("</td><td>").Append(E(f.Recommendation)).Append("</td></tr>\n");
                sb.Append("</table>\n");
                if (r.Findings.Count > MaxFindings) sb.Append("<p><small>").Append(MoreFindings(r)).Append("</small></p>\n");
            }
            if (r.Problems.Count > 0)
            {
                sb.Append(H + "Problems met" + HE + "\n<table><tr><th>ErrorId</th><th>Target</th><th>Message</th></tr>\n");
                foreach (var p in r.Problems) sb.Append("<tr><td>").Append(E(p.ErrorId)).Append("</td><td>").Append(E(p.Target)).Append("</td><td>").Append(E(p.Message)).Append("</td></tr>\n");
                sb.Append("</table>\n");
            }

            if (r.Route.Count > 0 || r.RouteSkipped != null)
            {
                sb.Append(H + "Path to the long link").Append(r.RouteTarget != null ? " (" + E(r.RouteTarget) + ")" : "").Append(HE + "\n");
                if (r.RouteSkipped != null) sb.Append("<p class=\"bad\">Not traced: ").Append(E(r.RouteSkipped)).Append("</p>\n");
                else
                {
                    sb.Append(LatencySvg(r)).Append('\n');
                    sb.Append("<table><tr><th>Hop</th><th>Address</th><th>Where</th><th>Loss %</th><th>Sent</th><th>Best ms</th><th>Avg ms</th><th>Worst ms</th><th>Step ms</th><th>Note</th></tr>\n");
                    for (int i = 0; i < r.Route.Count; i++)
                    {
                        var h = r.Route[i];
                        sb.Append("<tr").Append(h.IsBiggestStep ? " style=\"background:#fff6e0\"" : "").Append("><td class=\"num\">").Append(h.Hop.ToString(Inv)).Append("</td><td>")
                          .Append(E(h.Addresses.Length > 1 ? string.Join(", ", h.Addresses) : h.Address ?? "*")).Append(h.IsDestination ? " <b>(target)</b>" : "")
                          .Append("</td><td>").Append(E(Join(h.Region, h.Owner))).Append("</td><td class=\"num\">").Append(Num(h.LossPercent))
                          .Append("</td><td class=\"num\">").Append(h.Sent.ToString(Inv)).Append("</td><td class=\"num\">").Append(Num(h.BestMs))
                          .Append("</td><td class=\"num\">").Append(Num(h.AvgMs)).Append("</td><td class=\"num\">").Append(Num(h.WorstMs))
                          .Append("</td><td class=\"num\">").Append(Num(h.StepMs)).Append("</td><td>").Append(E(h.Note ?? "")).Append("</td></tr>\n");
                    }
                    sb.Append("</table>\n");
                }
            }

            if (r.Live && r.DnsAnswers.Count > 0)
            {
                sb.Append(H + "Resolution" + HE + "\n<table><tr><th>Name</th><th>Resolver</th><th>Region</th><th>Status</th><th>Addresses</th><th class=\"num\">ms</th></tr>\n");
                foreach (var a in r.DnsAnswers.OrderBy(a => a.Name, StringComparer.Ordinal).ThenBy(a => a.Region, StringComparer.Ordinal).Take(MaxRows))
                {
                    sb.Append("<tr><td>").Append(E(a.Name)).Append("</td><td>").Append(E(a.Server)).Append("</td><td>").Append(E(a.Region)).Append("</td><td class=\"")
                      .Append(a.Status == "Ok" ? "ok" : "bad").Append("\">").Append(E(a.Status)).Append("</td><td>").Append(E(AddressList(a))).Append("</td><td class=\"num\">")
                      .Append(Num(a.ElapsedMs)).Append("</td></tr>\n");
                }
                sb.Append("</table>\n");
                var differing = r.DnsComparisons.Where(c => c.Differs).ToList();
                if (differing.Count > 0)
                {
                    sb.Append("<table><tr><th>Name</th><th>Mainland differs</th><th>Common</th><th>Differences</th></tr>\n");
                    foreach (var c in differing)
                        sb.Append("<tr><td>").Append(E(c.Name)).Append("</td><td>").Append(c.MainlandDiffers ? "yes" : "no").Append("</td><td>").Append(E(string.Join(", ", c.Common)))
                          .Append("</td><td>").Append(E(string.Join("; ", c.Differences))).Append("</td></tr>\n");
                    sb.Append("</table>\n");
                }
            }
            if (r.Dispatch != null)
            {
                sb.Append(H + "Dispatch" + HE + "\n");
                if (r.Dispatch.Dispatch is null) sb.Append("<p class=\"bad\">").Append(E(r.Dispatch.Failure.ToString())).Append(": ").Append(E(r.Dispatch.Message)).Append("</p>\n");
                else
                {
                    var d = r.Dispatch.Dispatch;
                    sb.Append("<p>").Append(E(r.Dispatch.Uri.GetLeftPart(UriPartial.Path))).Append(": retcode ").Append(d.RetCode.ToString(Inv)).Append(", ")
                      .Append(Num(d.ElapsedMs)).Append(" ms</p>\n<table><tr><th>Domain</th><th>TTL</th><th>Addresses</th></tr>\n");
                    foreach (var dom in d.Domains.Take(MaxRows))
                        sb.Append("<tr><td>").Append(E(dom.Name)).Append("</td><td class=\"num\">").Append(dom.Ttl.ToString(Inv)).Append("</td><td>")
                          .Append(E(string.Join(", ", dom.Addresses.Select(x => x.Address)))).Append("</td></tr>\n");
                    sb.Append("</table>\n");
                }
            }
            if (r.Connections.Count > 0)
            {
                sb.Append(H + "TCP connects" + HE + "\n<table><tr><th>Host</th><th>Role</th><th>Address</th><th>Port</th><th>Result</th><th class=\"num\">Connect ms</th><th>Where</th></tr>\n");
                foreach (var t in r.Connections.OrderBy(t => t.Host, StringComparer.Ordinal).ThenBy(t => t.Address, StringComparer.Ordinal).ThenBy(t => t.Port).Take(MaxRows))
                    sb.Append("<tr><td>").Append(E(t.Host)).Append("</td><td>").Append(E(t.Role ?? "")).Append("</td><td>").Append(E(t.Address ?? "")).Append("</td><td class=\"num\">")
                      .Append(t.Port.ToString(Inv)).Append("</td><td class=\"").Append(t.Succeeded ? "ok\">connected" : "bad\">" + E(t.Error ?? "failed")).Append("</td><td class=\"num\">")
                      .Append(Num(t.ConnectMs)).Append("</td><td>").Append(E(Join(t.Region, t.Owner))).Append("</td></tr>\n");
                sb.Append("</table>\n");
            }
            if (r.Capture != null)
            {
                var c = r.Capture;
                sb.Append(H + "Capture" + HE + "\n<p>").Append(E(string.Join(", ", r.CaptureFiles))).Append("</p>\n");
                // Of a key log the report says this one line and nothing more: key logs are secrets.
                if (c.Decryption != null) sb.Append("<p>").Append(E(c.Decryption.Describe())).Append("</p>\n");
                if (c.Heartbeats.Count > 0)
                {
                    sb.Append("<table><tr><th>Flow</th><th>Server</th><th>Host</th><th>Heartbeats</th><th>Missed</th><th>Intervals s</th><th>Pattern</th><th>Ending</th></tr>\n");
                    foreach (var h in c.Heartbeats.Take(MaxRows))
                        sb.Append("<tr><td class=\"num\">").Append(h.FlowId.ToString(Inv)).Append("</td><td>").Append(E(h.Server)).Append("</td><td>").Append(E(h.Host ?? ""))
                          .Append("</td><td class=\"num\">").Append(h.Count.ToString(Inv)).Append("</td><td class=\"num\">").Append(h.Missed.ToString(Inv)).Append("</td><td>")
                          .Append(E(string.Join(", ", h.IntervalsSec.Select(x => x.ToString("0", Inv))))).Append("</td><td>").Append(E(h.Pattern)).Append("</td><td>")
                          .Append(E(h.Ending)).Append("</td></tr>\n");
                    sb.Append("</table>\n");
                }
                sb.Append("<table><tr><th>Flow</th><th>Client</th><th>Server</th><th>Where</th><th>Host</th><th>Kind</th><th class=\"num\">Packets</th><th class=\"num\">Bytes</th><th class=\"num\">Handshake ms</th><th class=\"num\">Retrans.</th><th>Reset by</th></tr>\n");
                foreach (var f in c.Flows.Take(MaxRows))
                    sb.Append("<tr><td class=\"num\">").Append(f.Id.ToString(Inv)).Append("</td><td>").Append(E(f.Client)).Append("</td><td>").Append(E(f.Server)).Append("</td><td>").Append(E(Join(f.Region, f.Owner))).Append("</td><td>")
                      .Append(E(f.Host ?? "")).Append("</td><td>").Append(E(f.Kind)).Append("</td><td class=\"num\">").Append(f.Packets.ToString(Inv)).Append("</td><td class=\"num\">")
                      .Append(f.Bytes.ToString(Inv)).Append("</td><td class=\"num\">").Append(Num(f.HandshakeMs)).Append("</td><td class=\"num\">").Append(f.Retransmissions.ToString(Inv))
                      .Append("</td><td>").Append(E(f.ResetBy ?? "")).Append("</td></tr>\n");
                sb.Append("</table>\n");
                if (c.Flows.Count > MaxRows) sb.Append("<p><small>").Append((c.Flows.Count - MaxRows).ToString(Inv)).Append(" more flows not shown (Get-WeChatFlow lists them all).</small></p>\n");
            }
        }

        /// <summary>
        /// Latency by hop as an inline SVG bar chart: one bar per hop (best to worst as a whisker, average as the bar),
        /// the biggest step marked, hops without replies shown as a grey "*". Scales to the worst round-trip time.
        /// </summary>
        public static string LatencySvg(DiagnosticResult r)
        {
            var hops = r.Route;
            const int width = 760, height = 260, left = 56, right = 16, top = 24, bottom = 44;
            int n = Math.Max(1, hops.Count);
            double max = hops.Select(h => h.WorstMs ?? h.AvgMs ?? 0).DefaultIfEmpty(0).Max();
            double scaleMax = NiceCeiling(Math.Max(max, 1));
            double plotW = width - left - right, plotH = height - top - bottom;
            double slot = plotW / n, bar = Math.Max(4, Math.Min(40, slot * 0.6));
            double Y(double ms) => top + plotH - plotH * Math.Min(ms, scaleMax) / scaleMax;
            var sb = new StringBuilder();
            sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(width).Append("\" height=\"").Append(height)
              .Append("\" viewBox=\"0 0 ").Append(width).Append(' ').Append(height).Append("\" role=\"img\" aria-label=\"Latency by hop\" font-family=\"sans-serif\" font-size=\"11\">\n");
            sb.Append("<title>Round-trip time by hop to ").Append(E(r.RouteTarget ?? "")).Append("</title>\n");
            sb.Append("<text x=\"").Append(left).Append("\" y=\"14\" font-size=\"12\" font-weight=\"bold\">Latency by hop (ms): bar = average, line = best to worst</text>\n");
            for (int g = 0; g <= 4; g++)
            {
                double v = scaleMax * g / 4;
                string y = F(Y(v));
                sb.Append("<line x1=\"").Append(left).Append("\" x2=\"").Append(width - right).Append("\" y1=\"").Append(y).Append("\" y2=\"").Append(y).Append("\" stroke=\"#e3e7ee\"/>");
                sb.Append("<text x=\"").Append(left - 6).Append("\" y=\"").Append(F(Y(v) + 4)).Append("\" text-anchor=\"end\" fill=\"#5b6474\">").Append(v.ToString("0.##", Inv)).Append("</text>\n");
            }
            for (int i = 0; i < hops.Count; i++)
            {
                var h = hops[i];
                double cx = left + slot * i + slot / 2;
                if (h.AvgMs.HasValue)
                {
                    string fill = h.IsBiggestStep ? "#e8590c" : h.IsDestination ? "#2f9e44" : "#4c6ef5";
                    double y = Y(h.AvgMs.Value);
                    sb.Append("<rect x=\"").Append(F(cx - bar / 2)).Append("\" y=\"").Append(F(y)).Append("\" width=\"").Append(F(bar)).Append("\" height=\"")
                      .Append(F(Math.Max(1, top + plotH - y))).Append("\" fill=\"").Append(fill).Append("\"><title>hop ").Append(h.Hop.ToString(Inv)).Append(' ')
                      .Append(E(h.Address ?? "")).Append(": avg ").Append(Num(h.AvgMs)).Append(" ms, loss ").Append(Num(h.LossPercent)).Append("%</title></rect>");
                    if (h.BestMs.HasValue && h.WorstMs.HasValue)
                        sb.Append("<line x1=\"").Append(F(cx)).Append("\" x2=\"").Append(F(cx)).Append("\" y1=\"").Append(F(Y(h.BestMs.Value))).Append("\" y2=\"").Append(F(Y(h.WorstMs.Value)))
                          .Append("\" stroke=\"#1d2330\" stroke-width=\"1.5\"/>");
                    if (h.LossPercent > 0)
                        sb.Append("<text x=\"").Append(F(cx)).Append("\" y=\"").Append(F(Y(h.WorstMs ?? h.AvgMs.Value) - 4)).Append("\" text-anchor=\"middle\" fill=\"#9b1c1c\">")
                          .Append(h.LossPercent.ToString("0", Inv)).Append("%</text>");
                }
                else
                {
                    sb.Append("<text x=\"").Append(F(cx)).Append("\" y=\"").Append(F(top + plotH - 4)).Append("\" text-anchor=\"middle\" fill=\"#868e96\" font-size=\"14\">*</text>");
                }
                sb.Append("<text x=\"").Append(F(cx)).Append("\" y=\"").Append(F(top + plotH + 14)).Append("\" text-anchor=\"middle\">").Append(h.Hop.ToString(Inv)).Append("</text>\n");
            }
            sb.Append("<line x1=\"").Append(left).Append("\" x2=\"").Append(width - right).Append("\" y1=\"").Append(F(top + plotH)).Append("\" y2=\"").Append(F(top + plotH)).Append("\" stroke=\"#5b6474\"/>\n");
            sb.Append("<text x=\"").Append(F(left + plotW / 2)).Append("\" y=\"").Append(height - 8).Append("\" text-anchor=\"middle\" fill=\"#5b6474\">hop (orange: biggest latency step, green: target)</text>\n");
            sb.Append("</svg>");
            return sb.ToString();
        }

        // ---------- Markdown ----------

        /// <summary>The one-site Markdown report: <see cref="FleetReport.Markdown"/> of this result alone.</summary>
        public static string Markdown(DiagnosticResult r) => FleetReport.Markdown(new[] { new ReportSite("", r) });

        internal static void AppendOneSiteMarkdownHeader(StringBuilder sb, DiagnosticResult r)
        {
            sb.Append("# WeChat network diagnostic\n\n")
              .Append(r.StartedAt.ToString("yyyy-MM-dd HH:mm:ss zzz", Inv)).Append(", ").Append(r.ElapsedMs.ToString("0", Inv)).Append(" ms. ")
              .Append(r.Findings.Count(f => f.Severity == "Error").ToString(Inv)).Append(" errors, ")
              .Append(r.Findings.Count(f => f.Severity == "Warning").ToString(Inv)).Append(" warnings, ")
              .Append(r.Findings.Count(f => f.Severity == "Info").ToString(Inv)).Append(" info.\n\n");
        }

        /// <summary>One site's part of a Markdown report, headings at <paramref name="level"/> (2, or 3 under a site).</summary>
        internal static void AppendSiteMarkdown(StringBuilder sb, DiagnosticResult r, int level = 2)
        {
            string H = new string('#', level);
            foreach (var c in r.Checks) sb.Append("- ").Append(M(c)).Append('\n');
            sb.Append("\n" + H + " Findings\n\n");
            if (r.Findings.Count == 0) sb.Append("No findings: nothing looked wrong in what was checked.\n");
            else
            {
                sb.Append("| Severity | Area | Finding | Evidence | What to do |\n|---|---|---|---|---|\n");
                foreach (var f in r.Findings.Take(MaxFindings))
                    sb.Append("| ").Append(M(f.Severity)).Append(" | ").Append(M(f.Area)).Append(" | **").Append(M(f.Title)).Append("** (`").Append(f.RuleId).Append("`) | ")
                      .Append(M(f.Evidence)).Append(" | ").Append(M(f.Recommendation)).Append(" |\n");
                if (r.Findings.Count > MaxFindings) sb.Append('\n').Append(MoreFindings(r)).Append('\n');
            }
            if (r.Problems.Count > 0)
            {
                sb.Append("\n" + H + " Problems met\n\n| ErrorId | Target | Message |\n|---|---|---|\n");
                foreach (var p in r.Problems) sb.Append("| ").Append(M(p.ErrorId)).Append(" | ").Append(M(p.Target)).Append(" | ").Append(M(p.Message)).Append(" |\n");
            }
            if (r.Route.Count > 0 || r.RouteSkipped != null)
            {
                sb.Append("\n" + H + " Path to the long link").Append(r.RouteTarget != null ? " (" + M(r.RouteTarget) + ")" : "").Append("\n\n");
                if (r.RouteSkipped != null) sb.Append("Not traced: ").Append(M(r.RouteSkipped)).Append('\n');
                else
                {
                    double max = r.Route.Select(h => h.AvgMs ?? 0).DefaultIfEmpty(0).Max();
                    sb.Append("| Hop | Address | Where | Loss % | Best ms | Avg ms | Worst ms | Step ms | Latency | Note |\n|---:|---|---|---:|---:|---:|---:|---:|---|---|\n");
                    for (int i = 0; i < r.Route.Count; i++)
                    {
                        var h = r.Route[i];
                        string barText = h.AvgMs.HasValue && max > 0 ? new string('#', Math.Max(1, (int)Math.Round(20 * h.AvgMs.Value / max))) : "";
                        sb.Append("| ").Append(h.Hop.ToString(Inv)).Append(" | ").Append(M(h.Address ?? "*")).Append(h.IsDestination ? " (target)" : "").Append(" | ")
                          .Append(M(Join(h.Region, h.Owner))).Append(" | ").Append(Num(h.LossPercent)).Append(" | ").Append(Num(h.BestMs)).Append(" | ")
                          .Append(Num(h.AvgMs)).Append(" | ").Append(Num(h.WorstMs)).Append(" | ").Append(Num(h.StepMs)).Append(h.IsBiggestStep ? " (biggest)" : "").Append(" | `")
                          .Append(barText).Append("` | ").Append(M(h.Note ?? "")).Append(" |\n");
                    }
                }
            }
            if (r.Live && r.DnsAnswers.Count > 0)
            {
                sb.Append("\n" + H + " Resolution\n\n| Name | Resolver | Region | Status | Addresses | ms |\n|---|---|---|---|---|---:|\n");
                foreach (var a in r.DnsAnswers.OrderBy(a => a.Name, StringComparer.Ordinal).ThenBy(a => a.Region, StringComparer.Ordinal).Take(MaxRows))
                    sb.Append("| ").Append(M(a.Name)).Append(" | ").Append(M(a.Server)).Append(" | ").Append(M(a.Region)).Append(" | ").Append(M(a.Status)).Append(" | ")
                      .Append(M(AddressList(a))).Append(" | ").Append(Num(a.ElapsedMs)).Append(" |\n");
            }
            if (r.Dispatch != null)
            {
                sb.Append("\n" + H + " Dispatch\n\n");
                if (r.Dispatch.Dispatch is null) sb.Append(M(r.Dispatch.Failure.ToString())).Append(": ").Append(M(r.Dispatch.Message)).Append('\n');
                else
                {
                    sb.Append(M(r.Dispatch.Uri.GetLeftPart(UriPartial.Path))).Append(": retcode ").Append(r.Dispatch.Dispatch.RetCode.ToString(Inv)).Append(", ")
                      .Append(Num(r.Dispatch.Dispatch.ElapsedMs)).Append(" ms\n\n| Domain | TTL | Addresses |\n|---|---:|---|\n");
                    foreach (var d in r.Dispatch.Dispatch.Domains.Take(MaxRows))
                        sb.Append("| ").Append(M(d.Name)).Append(" | ").Append(d.Ttl.ToString(Inv)).Append(" | ").Append(M(string.Join(", ", d.Addresses.Select(x => x.Address)))).Append(" |\n");
                }
            }
            if (r.Connections.Count > 0)
            {
                sb.Append("\n" + H + " TCP connects\n\n| Host | Role | Address | Port | Result | Connect ms | Where |\n|---|---|---|---:|---|---:|---|\n");
                foreach (var t in r.Connections.OrderBy(t => t.Host, StringComparer.Ordinal).ThenBy(t => t.Address, StringComparer.Ordinal).ThenBy(t => t.Port).Take(MaxRows))
                    sb.Append("| ").Append(M(t.Host)).Append(" | ").Append(M(t.Role ?? "")).Append(" | ").Append(M(t.Address ?? "")).Append(" | ").Append(t.Port.ToString(Inv)).Append(" | ")
                      .Append(t.Succeeded ? "connected" : M(t.Error ?? "failed")).Append(" | ").Append(Num(t.ConnectMs)).Append(" | ").Append(M(Join(t.Region, t.Owner))).Append(" |\n");
            }
            if (r.Capture != null)
            {
                var c = r.Capture;
                sb.Append("\n" + H + " Capture\n\n").Append(M(string.Join(", ", r.CaptureFiles))).Append("\n\n");
                // Of a key log the report says this one line and nothing more: key logs are secrets.
                if (c.Decryption != null) sb.Append(M(c.Decryption.Describe())).Append("\n\n");
                if (c.Heartbeats.Count > 0)
                {
                    sb.Append("| Flow | Server | Host | Heartbeats | Missed | Intervals s | Pattern | Ending |\n|---:|---|---|---:|---:|---|---|---|\n");
                    foreach (var h in c.Heartbeats.Take(MaxRows))
                        sb.Append("| ").Append(h.FlowId.ToString(Inv)).Append(" | ").Append(M(h.Server)).Append(" | ").Append(M(h.Host ?? "")).Append(" | ").Append(h.Count.ToString(Inv)).Append(" | ")
                          .Append(h.Missed.ToString(Inv)).Append(" | ").Append(M(string.Join(", ", h.IntervalsSec.Select(x => x.ToString("0", Inv))))).Append(" | ").Append(M(h.Pattern)).Append(" | ")
                          .Append(M(h.Ending)).Append(" |\n");
                    sb.Append('\n');
                }
                sb.Append("| Flow | Client | Server | Where | Host | Kind | Packets | Bytes | Handshake ms | Retrans. | Reset by |\n|---:|---|---|---|---|---|---:|---:|---:|---:|---|\n");
                foreach (var f in c.Flows.Take(MaxRows))
                    sb.Append("| ").Append(f.Id.ToString(Inv)).Append(" | ").Append(M(f.Client)).Append(" | ").Append(M(f.Server)).Append(" | ").Append(M(Join(f.Region, f.Owner))).Append(" | ").Append(M(f.Host ?? "")).Append(" | ")
                      .Append(M(f.Kind)).Append(" | ").Append(f.Packets.ToString(Inv)).Append(" | ").Append(f.Bytes.ToString(Inv)).Append(" | ").Append(Num(f.HandshakeMs)).Append(" | ")
                      .Append(f.Retransmissions.ToString(Inv)).Append(" | ").Append(M(f.ResetBy ?? "")).Append(" |\n");
            }
        }

        private static string MoreFindings(DiagnosticResult r) =>
            (r.Findings.Count - MaxFindings).ToString(Inv) + " more findings not shown (" +
            string.Join(", ", r.Findings.Skip(MaxFindings).GroupBy(f => f.RuleId).Select(g => g.Key + " x" + g.Count().ToString(Inv))) +
            "); Invoke-WeChatDiagnostic writes them all.";

        private static string AddressList(DnsAnswer a)
        {
            if (a.Addresses.Length == 0) return a.Error;
            return string.Join(", ", a.Addresses.Select((x, i) => i < a.AddressRegions.Length ? $"{x} ({Join(a.AddressRegions[i], i < a.AddressOwners.Length ? a.AddressOwners[i] : null)})" : x));
        }

        private static string Join(string? region, string? owner) =>
            string.IsNullOrEmpty(owner) ? region ?? "" : string.IsNullOrEmpty(region) ? owner! : region + ", " + owner;

        private static double NiceCeiling(double v)
        {
            double magnitude = Math.Pow(10, Math.Floor(Math.Log10(v)));
            foreach (double m in new[] { 1, 2, 2.5, 5, 10 })
                if (m * magnitude >= v) return m * magnitude;
            return 10 * magnitude;
        }

        private static string E(string? s) => WebUtility.HtmlEncode(s ?? string.Empty);

        /// <summary>Markdown table cell text: pipes escaped, line breaks flattened.</summary>
        private static string M(string? s) => (s ?? string.Empty).Replace("\\", "\\\\").Replace("|", "\\|").Replace("\r", " ").Replace("\n", " ").Replace("<", "&lt;");

        private static string F(double v) => v.ToString("0.#", Inv);

        /// <summary>Two decimals at most; a value that rounds to zero is "0", never "-0".</summary>
        private static string Num(double? v) => v.HasValue ? (Math.Abs(v.Value) < 0.005 ? 0 : v.Value).ToString("0.##", Inv) : "";
    }
}
