using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using WeChatNet.Analysis;
using WeChatNet.Route;
using WeChatNet.Tests.Connectivity;
using WeChatNet.Tests.Dns;
using WeChatNet.Tests.Infrastructure;
using WeChatNet.Tests.Route;
using Xunit;
using WeChatNet.Diagnostics;

namespace WeChatNet.Tests.Diagnostics
{
    /// <summary>
    /// The report: well-formed, self-contained, escaped, written through a temporary file, and rendered by headless
    /// Chromium (Debian's chromium package) into a screenshot whose pixels show the findings and the latency chart.
    /// Set WECHATNET_SCREENSHOT to a path to keep the screenshot (docs/images/diagnostic-report.png comes from it).
    /// </summary>
    [Collection(DnsServersFixture.Collection)]
    public sealed class DiagnosticReportTests
    {
        private readonly DnsServersFixture _dns;

        public DiagnosticReportTests(DnsServersFixture dns) { _dns = dns; }

        private static DiagnosticResult CaptureOnly(string sample) =>
            DiagnosticRunner.Run(new DiagnosticRequest { CapturePaths = new[] { DiagnosticCaptureTests.Sample(sample) } });

        [Fact]
        public void TheHtmlIsWellFormedSelfContainedAndEscaped()
        {
            var r = CaptureOnly("dead-link");
            r.Findings.Insert(0, new Finding { Severity = "Error", Area = "Path", Title = "<script>alert(1)</script> & \"x\"", Evidence = "a|b", RuleId = "Test" });
            string html = DiagnosticReport.Html(r);
            Assert.StartsWith("<!DOCTYPE html>", html);
            Assert.DoesNotContain("<script", html);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;", html);
            // No external assets: no URL of any kind is referenced by the page (the SVG namespace is not a fetch).
            Assert.Empty(Regex.Matches(html, "(src|href)\\s*=", RegexOptions.IgnoreCase));
            Assert.Empty(Regex.Matches(html, "https?://(?!www\\.w3\\.org/2000/svg)", RegexOptions.IgnoreCase));
            // Parses as XML once the doctype is dropped (every tag closed, entities escaped).
            XDocument.Parse(html.Substring(html.IndexOf("<html", StringComparison.Ordinal)).Replace("&nbsp;", " ").Replace("&middot;", "-").Replace("<br>", "<br/>").Replace("<meta charset=\"utf-8\">", ""));
            Assert.Contains("LongLinkDied", html);
            Assert.Contains("sglong.wechat.com", html);

            string md = DiagnosticReport.Markdown(r);
            Assert.Contains("| Error | Path | **&lt;script>alert(1)&lt;/script> & \"x\"** (`Test`) | a\\|b |", md);
            // Every table row of the findings has the header's five columns.
            foreach (var line in md.Split('\n').Where(l => l.StartsWith("| Error |") || l.StartsWith("| Warning |")))
                Assert.Equal(6, Regex.Split(line, "(?<!\\\\)\\|").Length - 1);
        }

        [Fact]
        public void AFloodOfFindingsIsCappedAndTheRestCountedByRule()
        {
            var r = CaptureOnly("retransmissions");
            r.Findings.Clear();
            for (int i = 0; i < DiagnosticReport.MaxFindings + 7; i++)
                r.Findings.Add(new Finding { Severity = "Info", Area = "Path", Title = "t" + i, RuleId = i % 2 == 0 ? "SlowHandshake" : "Retransmissions" });
            string html = DiagnosticReport.Html(r);
            Assert.Contains(">t" + (DiagnosticReport.MaxFindings - 1) + "<", html);
            Assert.DoesNotContain(">t" + DiagnosticReport.MaxFindings + "<", html);
            Assert.Contains("7 more findings not shown (SlowHandshake x4, Retransmissions x3)", html);
            Assert.Contains("7 more findings not shown", DiagnosticReport.Markdown(r));
        }

        [Fact]
        public void TheFlowTableListsWeChatsFlowsWithTheirRoleItsDnsLookupsIncludedAndOnlyCountsTheOthers()
        {
            using var dir = new TempDirectory("diag-report-flows");
            string path = dir.File("mixed.pcapng");
            File.WriteAllBytes(path, WeChatNet.WeChat.SampleCaptureGenerator.Generate("mixed-traffic").File);
            var r = DiagnosticRunner.Run(new DiagnosticRequest { CapturePaths = new[] { path } });
            int others = r.Capture!.Flows.Count(f => !FlowSelection.IsWeChat(f));
            Assert.True(others > 0, "the mixed capture holds other applications' flows");
            string md = DiagnosticReport.Markdown(r), html = DiagnosticReport.Html(r);
            foreach (var text in new[] { md, html })
            {
                Assert.Contains("sglong.wechat.com", text);
                Assert.DoesNotContain("www.google.com", text);
                Assert.Contains($"{others} flow(s) of other applications left out (Invoke-WeChatDiagnostic -All lists and judges them).", text);
            }
            Assert.Matches(@"\| sglong\.wechat\.com \| Dns \| Dns \|", md);
            Assert.Matches(@"\| sgshort\.wechat\.com \| ShortLink \| ShortLink \|", md);
            var all = DiagnosticRunner.Run(new DiagnosticRequest { CapturePaths = new[] { path }, AllTraffic = true });
            Assert.Contains("www.google.com", DiagnosticReport.Markdown(all));
            Assert.DoesNotContain("left out", DiagnosticReport.Markdown(all));
        }

        [Fact]
        public void WritingGoesThroughATemporaryFileAndNeverOverwritesUnlessAllowed()
        {
            var r = CaptureOnly("nat-timeout");
            using var dir = new TempDirectory("diag-report-write");
            string path = dir.File("report.md");
            DiagnosticReport.Write(r, path, overwrite: false);
            string first = File.ReadAllText(path);
            Assert.Contains("LongLinkIdleTimeout", first);
            Assert.Throws<ReportExistsException>(() => DiagnosticReport.Write(CaptureOnly("dead-link"), path, overwrite: false));
            Assert.Equal(first, File.ReadAllText(path));
            DiagnosticReport.Write(CaptureOnly("dead-link"), path, overwrite: true);
            Assert.Contains("LongLinkDied", File.ReadAllText(path));
            Assert.Equal(new[] { "report.md" }, Directory.GetFiles(dir.Path).Select(Path.GetFileName)); // no temporary file left
            Assert.Throws<ArgumentException>(() => DiagnosticReport.Write(r, dir.File("report.txt"), overwrite: false));
            Assert.Throws<DirectoryNotFoundException>(() => DiagnosticReport.Write(r, dir.File("missing/report.html"), overwrite: false));
            Assert.Equal(DiagnosticReportFormat.Html, DiagnosticReport.FormatOf("x.HTM"));
            Assert.Equal(DiagnosticReportFormat.Markdown, DiagnosticReport.FormatOf("x.markdown"));
        }

        [Fact]
        public void HeadlessChromiumRendersTheReportWithFindingsAndTheLatencyChart()
        {
            string chromium = ExternalTool.Require("chromium", "chromium");
            // A real run: the NAT-timeout sample and live checks against the local resolvers and namespace routers.
            using var overseas = new KnotView("diag-report-overseas", "long A 43.130.1.1\nshort A 129.226.9.9\ndns A 101.227.1.1\n");
            using var topo = new RouteTopology("diagreport");
            using var sockets = new NamespaceSockets(topo.Client);
            var request = new DiagnosticRequest
            {
                CapturePaths = new[] { DiagnosticCaptureTests.Sample("nat-timeout") },
                Live = true,
                Names = new[] { "long.weixin.qq.com", "short.weixin.qq.com", "dns.weixin.qq.com" },
                Servers = new[] { $"Mainland=127.0.0.1:{_dns.KnotPort}", "Overseas=" + overseas.Address },
                SkipDispatch = true,
                Targets = new[] { RouteTopology.Server4.ToString() },
                Ports = new[] { RouteTopology.OpenPort, RouteTopology.ClosedPort },
                TraceTimeoutMs = 5000, // hops answer at once; the exact hop count must not depend on load
                SocketFactory = sockets.Create,
                Tracer = (rr, ct) => NamespaceThread.Run(topo.Client, () => RouteTracer.Trace(rr, null, ct).ToList()),
            };
            var r = DiagnosticRunner.Run(request);
            Assert.Equal(5, r.Route.Count);

            using var dir = new TempDirectory("diag-report-chromium");
            string html = dir.File("report.html");
            DiagnosticReport.Write(r, html, overwrite: false);
            string png = dir.File("report.png");
            var run = ExternalTool.Run(chromium, new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--no-pings", "--hide-scrollbars", "--user-data-dir=" + dir.File("profile"), "--window-size=1280,1500",
                "--screenshot=" + png, new Uri(html).AbsoluteUri,
            }, TimeSpan.FromMinutes(2));
            Assert.True(File.Exists(png), $"chromium wrote no screenshot (exit {run.ExitCode}):\n{run.StandardError}");

            var image = Png.Read(File.ReadAllBytes(png));
            Assert.Equal((1280, 1500), (image.Width, image.Height));
            // The severity pills and table cells (their background colours) and the chart's bars are on the page.
            Assert.True(image.Count(0xfd, 0xe2, 0xe1) > 500, "no error-red cells rendered");
            Assert.True(image.Count(0xff, 0xf1, 0xd6) > 500, "no warning cells rendered");
            Assert.True(image.Count(0x2f, 0x9e, 0x44) + image.Count(0x4c, 0x6e, 0xf5) + image.Count(0xe8, 0x59, 0x0c) > 50, "no latency bars rendered");

            string? keep = Environment.GetEnvironmentVariable("WECHATNET_SCREENSHOT");
            if (!string.IsNullOrEmpty(keep)) File.Copy(png, keep, overwrite: true);
        }

        /// <summary>A minimal PNG decoder (8-bit RGB/RGBA, non-interlaced: what Chromium writes) for pixel checks.</summary>
        private sealed class Png
        {
            public int Width, Height;
            private byte[] _pixels = Array.Empty<byte>();
            private int _channels;

            public static Png Read(byte[] file)
            {
                Assert.True(file.Length > 8 && file.AsSpan(0, 8).SequenceEqual(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }), "not a PNG");
                var png = new Png();
                var idat = new MemoryStream();
                int colorType = 0, depth = 0, interlace = 0;
                for (int i = 8; i + 8 <= file.Length;)
                {
                    int len = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(i));
                    string type = Encoding.ASCII.GetString(file, i + 4, 4);
                    var data = file.AsSpan(i + 8, len);
                    if (type == "IHDR")
                    {
                        png.Width = BinaryPrimitives.ReadInt32BigEndian(data);
                        png.Height = BinaryPrimitives.ReadInt32BigEndian(data.Slice(4));
                        depth = data[8];
                        colorType = data[9];
                        interlace = data[12];
                    }
                    else if (type == "IDAT") idat.Write(data);
                    else if (type == "IEND") break;
                    i += 12 + len;
                }
                Assert.True(depth == 8 && (colorType == 2 || colorType == 6) && interlace == 0, $"unexpected PNG layout: depth {depth}, colour type {colorType}, interlace {interlace}");
                png._channels = colorType == 6 ? 4 : 3;
                idat.Position = 0;
                using var z = new ZLibStream(idat, CompressionMode.Decompress);
                var raw = new MemoryStream();
                z.CopyTo(raw);
                png._pixels = Unfilter(raw.ToArray(), png.Width, png.Height, png._channels);
                return png;
            }

            private static byte[] Unfilter(byte[] raw, int width, int height, int bpp)
            {
                int stride = width * bpp;
                var output = new byte[stride * height];
                for (int y = 0; y < height; y++)
                {
                    int filter = raw[y * (stride + 1)];
                    int src = y * (stride + 1) + 1, dst = y * stride;
                    for (int x = 0; x < stride; x++)
                    {
                        int a = x >= bpp ? output[dst + x - bpp] : 0;
                        int b = y > 0 ? output[dst - stride + x] : 0;
                        int c = x >= bpp && y > 0 ? output[dst - stride + x - bpp] : 0;
                        int v = raw[src + x];
                        output[dst + x] = (byte)(filter switch
                        {
                            0 => v,
                            1 => v + a,
                            2 => v + b,
                            3 => v + ((a + b) >> 1),
                            4 => v + Paeth(a, b, c),
                            _ => throw new InvalidDataException($"PNG filter {filter}"),
                        });
                    }
                }
                return output;
            }

            private static int Paeth(int a, int b, int c)
            {
                int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            }

            /// <summary>Pixels within 3 of the colour on every channel.</summary>
            public int Count(int r, int g, int b)
            {
                int n = 0;
                for (int i = 0; i + 2 < _pixels.Length; i += _channels)
                    if (Math.Abs(_pixels[i] - r) <= 3 && Math.Abs(_pixels[i + 1] - g) <= 3 && Math.Abs(_pixels[i + 2] - b) <= 3) n++;
                return n;
            }
        }
    }
}
