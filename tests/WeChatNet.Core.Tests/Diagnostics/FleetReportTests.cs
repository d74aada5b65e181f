using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using WeChatNet.Diagnostics;
using WeChatNet.Analysis;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.Diagnostics
{
    /// <summary>
    /// The cross-site report from property bags shaped like deserialised objects (what remoting delivers): the builder
    /// reads every report type by name, the matrix puts each site's severity in its column, the differences name what
    /// differs, and the one-site case is exactly Invoke-WeChatDiagnostic's report.
    /// </summary>
    public sealed class FleetReportTests
    {
        // A deserialised object: a property bag, with nested bags and lists, read by name.
        private static object? Prop(object? o, string name) => o is IDictionary<string, object?> d && d.TryGetValue(name, out var v) ? v : null;

        private static Dictionary<string, object?> Bag(params (string, object?)[] p) => p.ToDictionary(x => x.Item1, x => x.Item2);

        private static void Add(FleetReportBuilder b, string site, string type, Dictionary<string, object?> bag) =>
            Assert.True(b.Add(site, bag, new[] { "Deserialized.WeChatNet." + type, "Deserialized.System.Object" }, Prop));

        private static FleetReportBuilder ThreeSites()
        {
            var b = new FleetReportBuilder();
            foreach (var (site, address, region, connected) in new[] { ("shop-a", "101.226.5.4", "MainlandChina", true), ("shop-b", "129.226.1.1", "Overseas", true), ("depot", "101.226.5.4", "MainlandChina", false) })
            {
                Add(b, site, "DnsAnswer", Bag(("Name", "long.weixin.qq.com"), ("Type", "A"), ("Server", "10.0.0.53:53"), ("Region", "Custom"), ("Source", "Dns"),
                    ("Status", "Ok"), ("Addresses", new ArrayList { address }), ("AddressRegions", new ArrayList { region }), ("AddressOwners", new ArrayList { "" }), ("ElapsedMs", "1.5")));
                Add(b, site, "ConnectionTest", Bag(("Test", "Tcp"), ("Host", "long.weixin.qq.com"), ("Role", "LongLink"), ("Address", "10.0.0.8"), ("Port", 8080),
                    ("Succeeded", connected), ("ConnectMs", connected ? (object)12.5 : null), ("Error", connected ? null : "TimedOut"), ("ConnectTimesMs", new ArrayList { 12.5 })));
                Add(b, site, "Dispatch", Bag(("Source", "http://10.0.0.80/cgi-bin/micromsg-bin/newgetdns"), ("RetCode", 0), ("Domains", new ArrayList
                {
                    Bag(("Name", "long.weixin.qq.com"), ("Ttl", 600), ("Addresses", new ArrayList { Bag(("Address", address), ("Property", "")) })),
                })));
                Add(b, site, "RouteHop", Bag(("Target", "long.weixin.qq.com"), ("Hop", 2), ("Address", site == "depot" ? "10.9.9.9" : "10.1.1.1"), ("AvgMs", 80.0), ("StepMs", 70.0), ("IsBiggestStep", true)));
                Add(b, site, "RouteHop", Bag(("Target", "long.weixin.qq.com"), ("Hop", 1), ("Address", "10.0.0.1"), ("AvgMs", 10.0), ("StepMs", 10.0)));
            }
            Add(b, "shop-b", "Finding", Bag(("Severity", "Warning"), ("Area", "Dns"), ("Title", "MainlandChina client sent to Overseas addresses"), ("RuleId", "ResolverRegionMismatch"), ("Evidence", "a|b <x>")));
            Add(b, "depot", "Finding", Bag(("Severity", "Error"), ("Area", "Path"), ("Title", "No TCP connection to long.weixin.qq.com succeeded"), ("RuleId", "HostUnreachable")));
            return b;
        }

        private static string[] Cells(string html, string rule) =>
            Regex.Matches(Regex.Match(html, "<tr><td><b>[^<]*</b><br><small>" + rule + "</small></td>.*?</tr>").Value, "class=\"cell (\\w+)\"").Select(m => m.Groups[1].Value).ToArray();

        [Fact]
        public void DeserialisedBagsBecomeSitesInOrderWithNestedDispatchAnswers()
        {
            var b = ThreeSites();
            Assert.Equal(new[] { "shop-a", "shop-b", "depot" }, b.Sites.Select(s => s.Name));
            Assert.Equal(17, b.Objects);
            var depot = b.Sites[2].Result;
            Assert.Equal(new[] { 1, 2 }, depot.Route.Select(h => h.Hop)); // sorted by hop
            Assert.Equal("101.226.5.4", depot.Dispatch!.Dispatch!.Domains[0].Addresses[0].Address);
            Assert.Equal("Overseas", b.Sites[1].Result.DnsAnswers[0].AddressRegions[0]); // the site's region, not the controller's
            Assert.False(depot.Connections[0].Succeeded);
            Assert.False(b.Add("x", Bag(), new[] { "Deserialized.WeChatNet.Endpoint" }, Prop));
            Assert.Equal(1, b.Ignored["Deserialized.WeChatNet.Endpoint"]);
        }

        [Fact]
        public void TheMatrixAndTheDifferencesNameEachSite()
        {
            string html = FleetReport.Html(ThreeSites().Sites);
            Assert.Equal(new[] { "none", "Warning", "none" }, Cells(html, "ResolverRegionMismatch"));
            Assert.Equal(new[] { "none", "none", "Error" }, Cells(html, "HostUnreachable"));
            Assert.Contains("Resolver answers for long.weixin.qq.com <span class=\"bad\">differs", html);
            Assert.Contains("Dispatch answers <span class=\"bad\">differs", html);
            Assert.Contains("Long-link connects <span class=\"bad\">differs", html);
            Assert.Contains("Hop where latency jumps <span class=\"bad\">differs", html);
            Assert.Contains("none connected (TimedOut)", html);
            Assert.Contains("a|b &lt;x&gt;", html);
            Assert.DoesNotContain("<script", html);
            Assert.Empty(Regex.Matches(html, "(src|href)\\s*=\\s*\"(?!#)", RegexOptions.IgnoreCase));
            foreach (var site in new[] { "shop-a", "shop-b", "depot" }) Assert.Contains("<h2 class=\"site\" id=\"site-" + site + "\">Site " + site + "</h2>", html);
        }

        [Fact]
        public void MarkdownTablesKeepTheirColumns()
        {
            string md = FleetReport.Markdown(ThreeSites().Sites);
            Assert.Contains("| Finding | shop-a | shop-b | depot |", md);
            Assert.Contains("| **MainlandChina client sent to Overseas addresses** (`ResolverRegionMismatch`) | - | Warning | - |", md);
            Assert.Contains("### Resolver answers for long.weixin.qq.com (differs)", md);
            foreach (var line in md.Split('\n').Where(l => l.StartsWith("| **", StringComparison.Ordinal)))
                Assert.Equal(5, Regex.Split(line, "(?<!\\\\)\\|").Length - 1);
        }

        [Fact]
        public void OneUnnamedSiteIsInvokeWeChatDiagnosticsOwnReport()
        {
            var r = DiagnosticRunner.Run(new DiagnosticRequest { CapturePaths = new[] { DiagnosticCaptureTests.Sample("dead-link") } });
            var b = new FleetReportBuilder();
            foreach (var f in r.Findings) b.Add("", f, new[] { "WeChatNet.Finding" }, (o, n) => o?.GetType().GetProperty(n)?.GetValue(o));
            string viaBuilder = FleetReport.Html(b.Sites);
            string own = DiagnosticReport.Html(r);
            Assert.Equal(Regex.Matches(own, "<tr class=\"(Error|Warning|Info)\">.*?</tr>").Select(m => m.Value), Regex.Matches(viaBuilder, "<tr class=\"(Error|Warning|Info)\">.*?</tr>").Select(m => m.Value));
            Assert.StartsWith("<!DOCTYPE html>", viaBuilder);
            Assert.Contains("<h1>WeChat network diagnostic</h1>", viaBuilder);
            Assert.DoesNotContain("Findings by site", viaBuilder);
        }

        [Fact]
        public void WritingReplacesOnlyWithOverwriteAndLeavesNoTemporaryFile()
        {
            using var dir = new TempDirectory("fleet-report");
            string path = dir.File("fleet.html");
            var sites = ThreeSites().Sites;
            FleetReport.Write(sites, path, overwrite: false);
            Assert.Throws<ReportExistsException>(() => FleetReport.Write(sites, path, overwrite: false));
            FleetReport.Write(sites, path, overwrite: true);
            Assert.Equal(new[] { "fleet.html" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        }
    }
}
