using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using WeChatNet.Analysis;
using WeChatNet.Tests.Infrastructure;
using WeChatNet.WeChat;
using Xunit;
using Xunit.Abstractions;

namespace WeChatNet.Tests.Analysis
{
    /// <summary>
    /// The precision suite: realistic captures from the generator, one situation each, judged both ways: the healthy ones
    /// give no Warning or Error at all, the faulty ones exactly the finding that names their fault. TCP facts are checked
    /// against tshark where it has an opinion (SYN retransmissions, analysis flags).
    /// </summary>
    public sealed class PrecisionSuiteTests
    {
        private readonly ITestOutputHelper _output;
        public PrecisionSuiteTests(ITestOutputHelper output) { _output = output; }

        private sealed class Run : IDisposable
        {
            public Run(string name, bool all = false, CapturePoint point = CapturePoint.Client)
            {
                Dir = new TempDirectory("precision-" + name + "-" + point);
                Path = Dir.File(name + ".pcapng");
                File.WriteAllBytes(Path, SampleCaptureGenerator.Generate(name, point).File);
                var analyzer = new CaptureAnalyzer(new CaptureAnalysisOptions { ClientRegion = "Overseas", AllTraffic = all });
                analyzer.AddFile(Path);
                Result = analyzer.Complete();
                Shown = FlowSelection.Select(Result.Flows, null, null, all: false).ToList();
            }

            public TempDirectory Dir { get; }
            public string Path { get; }
            public CaptureAnalysisResult Result { get; }
            public List<Flow> Shown { get; }
            public List<Finding> Serious => Result.Findings.Where(f => f.Severity != "Info").ToList();
            public void Dispose() => Dir.Dispose();
        }

        /// <summary>Every message of a capture, in order, the open streams' last ones included.</summary>
        private static List<object> Messages(string path)
        {
            var session = new WeChatDecodeSession(new WeChatDecodeOptions());
            var list = session.ReadFile(path, null, default).ToList();
            list.AddRange(session.Complete());
            return list;
        }

        private void Show(Run r)
        {
            foreach (var f in r.Result.Findings) _output.WriteLine($"{f.Severity} {f.RuleId}: {f.Title} | {f.Evidence}");
        }

        public static readonly string[] Healthy = { "phone-abroad", "long-rtt-healthy", "aaaa-servfail", "shared-address", "web-wechat", "mixed-traffic", "truncated-response", "moments-download" };

        /// <summary>Each faulty situation and the one finding (its rule) that names its cause.</summary>
        public static readonly (string Name, string Rule, string Severity)[] Faulty =
        {
            ("syn-retries", "SlowHandshake", "Warning"),
            ("many-slow-connects", "SlowHandshake", "Warning"),
            ("slow-server", "SlowShortLink", "Warning"),
            ("lossy-path", "HighRetransmission", "Warning"),
            ("nat-idle", "LongLinkIdleTimeout", "Error"),
        };

        private static readonly CapturePoint[] Points = { CapturePoint.Client, CapturePoint.InBetween, CapturePoint.Server };

        public static IEnumerable<object[]> HealthyEverywhere() => Healthy.SelectMany(n => Points.Select(p => new object[] { n, p }));

        public static IEnumerable<object[]> FaultyEverywhere() => Faulty.SelectMany(f => Points.Select(p => new object[] { f.Name, p }));

        [Theory]
        [MemberData(nameof(HealthyEverywhere))]
        public void HealthySituationsGiveNoWarningOrErrorWhereverCaptured(string name, CapturePoint point)
        {
            using var r = new Run(name, point: point);
            Show(r);
            Assert.Empty(r.Result.Errors);
            Assert.Empty(r.Serious);
        }

        [Theory]
        [MemberData(nameof(FaultyEverywhere))]
        public void EachFaultIsExactlyOneFindingWhereverCaptured(string name, CapturePoint point)
        {
            var (_, rule, severity) = Faulty.Single(f => f.Name == name);
            using var r = new Run(name, point: point);
            Show(r);
            var serious = Assert.Single(r.Serious);
            Assert.Equal(rule, serious.RuleId);
            Assert.Equal(severity, serious.Severity);
        }

        [Theory]
        [InlineData("phone-abroad")]
        [InlineData("slow-server")]
        [InlineData("lossy-path")]
        [InlineData("nat-idle")]
        [InlineData("syn-retries")]
        [InlineData("mixed-traffic")]
        public void TheSameSessionGivesTheSameFindingsFromEveryPoint(string name)
        {
            string Shape(Run r) => string.Join("; ", r.Result.Findings.Select(f => $"{f.Severity} {f.RuleId} on {f.FlowIds.Length} flow(s)").OrderBy(x => x, StringComparer.Ordinal));
            using var client = new Run(name, point: CapturePoint.Client);
            string expected = Shape(client);
            _output.WriteLine("client: " + expected);
            Assert.NotEmpty(client.Result.Flows);
            foreach (var point in new[] { CapturePoint.InBetween, CapturePoint.Server })
            {
                using var r = new Run(name, point: point);
                _output.WriteLine($"{point}: {Shape(r)}");
                Assert.Equal(expected, Shape(r));
            }
        }

        [Theory]
        [InlineData(CapturePoint.Client, 0, 11)]
        [InlineData(CapturePoint.InBetween, 85, 105)]
        [InlineData(CapturePoint.Server, 175, 200)]
        public void EveryFlowSaysWhereItWasCapturedAndThePathIsTheSameFromThere(CapturePoint point, double clientSideMin, double clientSideMax)
        {
            using var r = new Run("phone-abroad", point: point);
            var tcp = r.Result.Flows.Where(f => f.Protocol == "Tcp").ToList();
            Assert.Equal(26, tcp.Count);
            Assert.All(tcp, f =>
            {
                Assert.Equal(point, f.CapturePoint);
                Assert.InRange(f.PathRttMs!.Value, 180, 190);
                Assert.InRange(f.ClientSideRttMs!.Value, clientSideMin, clientSideMax);
                Assert.InRange(f.ServerSideRttMs!.Value + f.ClientSideRttMs!.Value, 180, 190);
            });
            Assert.All(r.Result.Flows.Where(f => f.Protocol == "Udp"), f =>
            {
                Assert.Equal(CapturePoint.Unknown, f.CapturePoint);
                Assert.Null(f.PathRttMs);
                Assert.Null(f.ClientSideRttMs);
            });
        }

        [Fact]
        public void APhoneAbroadCapturedOnThePhoneRaisesNoWarning()
        {
            // The case: at the phone, the servers' data is acknowledged within 0-10 ms (the phone's own delay), which
            // once passed for the path's round trip and made 12 of 26 healthy 183 ms connects "slow".
            using var r = new Run("phone-abroad");
            Show(r);
            var shorts = r.Result.Flows.Where(f => f.Host == "sgshort.wechat.com" && f.Protocol == "Tcp").ToList();
            Assert.Equal(25, shorts.Count);
            Assert.All(shorts, f => Assert.InRange(f.ClientSideRttMs!.Value, 0, 10.5));
            Assert.All(shorts, f => Assert.InRange(f.SynAckDelayMs!.Value, 181, 186));
            Assert.Empty(r.Serious);
            var info = Assert.Single(r.Result.Findings, f => f.RuleId == "LongRoundTrip" && f.Title.Contains("sgshort.wechat.com"));
            Assert.Contains("captured at the client", info.Evidence);
        }

        [Fact]
        public void ALossyPathIsOneFindingThatExplainsItsSlowConnects()
        {
            using var r = new Run("lossy-path");
            var loss = Assert.Single(r.Serious);
            Assert.Equal("HighRetransmission", loss.RuleId);
            Assert.Contains("it explains SlowHandshake (Warning)", loss.Evidence);
            var retried = r.Result.Flows.Where(f => f.SynRetries > 0).Select(f => f.Id).ToList();
            Assert.Equal(4, retried.Count);
            Assert.All(retried, id => Assert.Contains(id, loss.FlowIds));
            Assert.DoesNotContain(r.Result.Findings, f => f.RuleId == "SlowHandshake" || f.RuleId == "Retransmissions");
        }

        [Theory]
        [InlineData(CapturePoint.Client, "ResetByClient")]
        [InlineData(CapturePoint.InBetween, "Replaced")]
        [InlineData(CapturePoint.Server, "Replaced")]
        public void ANatIdleTimeoutIsOneErrorNamingTheTimeoutAndTheReconnects(CapturePoint point, string ending)
        {
            using var r = new Run("nat-idle", point: point);
            Show(r);
            var f = Assert.Single(r.Result.Findings);
            Assert.Equal("LongLinkIdleTimeout", f.RuleId);
            Assert.Equal("Error", f.Severity);
            Assert.Equal("Long links do not survive 210 s of silence: a NAT or carrier idle timeout (3 reconnect(s))", f.Title);
            Assert.Contains("it explains LongLinkDied (Error)", f.Evidence);
            Assert.Equal(4, f.FlowIds.Length);
            var died = r.Result.Heartbeats.Where(h => h.Died).ToList();
            Assert.Equal(3, died.Count);
            Assert.All(died, h => Assert.Equal(ending, h.Ending));
            Assert.All(died, h => Assert.InRange(h.IdleBeforeEndSec!.Value, 209.5, 210.9));
        }

        [Fact]
        public void ALongSteadyPathIsOneInfoWithTheRegionPair()
        {
            using var r = new Run("long-rtt-healthy");
            var info = Assert.Single(r.Result.Findings, f => f.RuleId == "LongRoundTrip" && f.Title.Contains("sgshort.wechat.com"));
            Assert.Equal("Info", info.Severity);
            Assert.Contains("Overseas to Overseas", info.Title);
            Assert.Equal(15, info.FlowIds.Length);
            Assert.DoesNotContain(r.Result.Findings, f => f.RuleId == "SlowHandshake");
            Assert.All(r.Result.Flows.Where(f => f.Host == "sgshort.wechat.com" && f.Protocol == "Tcp"), f => Assert.InRange(f.DataRttMs!.Value, 180, 186));
        }

        [Fact]
        public void AaaaServfailIsAnInfoNamingTheRecordType()
        {
            using var r = new Run("aaaa-servfail");
            var info = Assert.Single(r.Result.Findings, f => f.RuleId.StartsWith("Dns", StringComparison.Ordinal));
            Assert.Equal("DnsOptionalLookupFailure", info.RuleId);
            Assert.Equal("The resolver fails AAAA lookups for sglong.wechat.com, sgshort.wechat.com while their A lookups succeed", info.Title);
            // DNS flows carry the name they asked.
            Assert.All(r.Result.Flows.Where(f => f.Kind == "Dns"), f => Assert.Equal("DnsQuery", f.HostSource));
        }

        [Fact]
        public void SeveralNamesOnOneAddressTheRequestsHostWins()
        {
            using var r = new Run("shared-address");
            var shorts = r.Result.Flows.Where(f => f.ServerAddress == "43.130.30.241").ToList();
            Assert.Equal(4, shorts.Count);
            Assert.All(shorts, f =>
            {
                Assert.Equal("sgshort.wechat.com", f.Host);
                Assert.Equal("HttpHost", f.HostSource);
                Assert.Equal("ShortLink", f.Role);
            });
            Assert.Equal("Dispatch", r.Result.Flows.Single(f => f.ServerAddress == "43.130.30.240").HostSource);

            // The messages agree with the flows.
            var messages = Messages(r.Path).OfType<WeChatMessage>().ToList();
            var exchanges = messages.OfType<ShortLinkExchange>().Where(x => x.Connection.Contains("43.130.30.241")).ToList();
            Assert.Equal(4, exchanges.Count);
            Assert.All(exchanges, x => { Assert.Equal("sgshort.wechat.com", x.Host); Assert.Equal("ShortLink", x.Role); });
            // The dispatch answer carries the packet's time, not the document's <timestamp>.
            var d = Messages(r.Path).OfType<Dispatch>().Single();
            Assert.Equal(d.CapturedAt, d.Timestamp);
            Assert.InRange(d.Timestamp!.Value, new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 22, 8, 0, 1, TimeSpan.Zero));
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795334400), d.ServerTime);
        }

        [Fact]
        public void SynRetriesAreTheOneWarningAndANewIsnIsNoGap()
        {
            using var r = new Run("syn-retries");
            Show(r);
            var slow = Assert.Single(r.Serious);
            Assert.Equal("SlowHandshake", slow.RuleId);
            var retried = r.Result.Flows.Single(f => f.SynRetries > 0);
            Assert.Equal(2, retried.SynRetries);
            Assert.InRange(retried.HandshakeMs!.Value, 2430, 2432);     // first SYN to SYN/ACK: the retries count
            Assert.InRange(retried.SynAckDelayMs!.Value, 30.9, 31.1);   // the last SYN to SYN/ACK: the path
            Assert.Equal(new[] { retried.Id }, slow.FlowIds);
            Assert.Contains("1 connect(s) needed SYN retries (2 each; 2 in all)", slow.Evidence);

            var renewed = r.Result.Flows.Single(f => f.ServerAddress == "43.130.30.240" && f.Protocol == "Tcp");
            Assert.Equal(0, renewed.CaptureGaps);
            Assert.Equal(0, renewed.CaptureGapBytes);
            Assert.Equal(0, renewed.DataRetransmissions);
            Assert.Equal(0.0, renewed.RetransmissionRate);
            Assert.DoesNotContain(r.Result.Findings, f => f.RuleId == "CaptureGaps" || f.RuleId.Contains("Retransmission"));

            // tshark counts the same SYN retransmissions.
            string tshark = ExternalTool.Require("tshark", "tshark");
            var synRetrans = ExternalTool.Run(tshark, "-n", "-r", r.Path, "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.analysis.retransmission", "-T", "fields", "-e", "tcp.srcport")
                .EnsureSuccess("tshark").StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(r.Result.Flows.Sum(f => f.SynRetries), synRetrans.Length);
            Assert.All(synRetrans, port => Assert.Equal(retried.ClientPort.ToString(), port.Trim()));
        }

        [Fact]
        public void FiftySlowConnectsToOneServerAreOneFinding()
        {
            using var r = new Run("many-slow-connects");
            var slow = Assert.Single(r.Serious);
            Assert.Equal("SlowHandshake", slow.RuleId);
            Assert.Equal(50, slow.FlowIds.Length);
            Assert.StartsWith("Slow TCP connects to sgshort.wechat.com (43.130.30.241, 43.130.30.242)", slow.Title);
            Assert.Contains("50 connect(s) needed SYN retries (1 each; 50 in all)", slow.Evidence);
        }

        [Fact]
        public void WebWeChatIsNamedFromTheSniAndShownWhateverThePrefixTable()
        {
            using var r = new Run("web-wechat");
            var tls = r.Result.Flows.Where(f => f.Protocol == "Tcp").ToList();
            Assert.Equal(29, tls.Count);
            Assert.All(tls, f => Assert.Equal("Sni", f.HostSource));
            Assert.All(tls, f => Assert.NotEqual("Tencent", f.Owner));
            Assert.Equal(new[] { "Static", "Web", "WebLogin", "WebPush" }, tls.Select(f => f.Role).Distinct().OrderBy(x => x));
            Assert.All(tls, f => Assert.Equal("Web", f.Kind));
            Assert.All(tls, f => Assert.Contains(f, r.Shown));
            Assert.Equal("Static", tls.First(f => f.Host == "res.wx.qq.com").Role);
        }

        [Fact]
        public void OtherTrafficIsNotJudgedUnlessAll()
        {
            using var r = new Run("mixed-traffic");
            Assert.DoesNotContain(r.Result.Findings, f => f.RuleId == "ServerResets" || f.RuleId == "HighRetransmission" || f.RuleId == "DnsFailure");
            // Not in the default view: Google, Kakao, the DNS flows of other names.
            Assert.DoesNotContain(r.Shown, f => f.Host == "www.google.com" || f.Host == "talk-pilsner.kakao.com" || f.Host == "ntp.ubuntu.com");
            Assert.Contains(r.Shown, f => f.Kind == "Dns" && f.Host == "sglong.wechat.com");
            // The racing connect that carried nothing is no long link.
            Assert.Single(r.Result.Heartbeats);

            using var everything = new Run("mixed-traffic", all: true);
            var all = everything.Result.Findings;
            var resets = Assert.Single(all, f => f.RuleId == "ServerResets");
            Assert.Equal(6, resets.FlowIds.Length);
            Assert.Contains("6 of 6 connection(s) to www.google.com", resets.Evidence);
            Assert.Single(all, f => f.RuleId == "HighRetransmission" && f.Title.Contains("talk-pilsner.kakao.com"));
            var dns = Assert.Single(all, f => f.RuleId == "DnsFailure");
            Assert.Equal("DNS failed for ntp.ubuntu.com A, teams.microsoft.com A, www.gstatic.com A", dns.Title);

            // ConvertFrom-WeChatPacket: no Gap or Reset events for connections that are not WeChat's.
            var events = Messages(r.Path).OfType<StreamEvent>().ToList();
            Assert.DoesNotContain(events, e => e.Connection.Contains("142.250.") || e.Connection.Contains("211.249."));
        }

        [Fact]
        public void AResponseWhoseStartWasNotCapturedIsSaidSoAndIsACaptureGap()
        {
            using var r = new Run("truncated-response");
            Show(r);
            Assert.Empty(r.Serious);
            var gaps = Assert.Single(r.Result.Findings, f => f.RuleId == "CaptureGaps");
            Assert.Contains("1400 bytes", gaps.Title);
            var exchanges = Messages(r.Path).OfType<ShortLinkExchange>().ToList();
            Assert.Equal(3, exchanges.Count);
            Assert.Single(exchanges, x => x.Problem == "response not decodable: its first 1400 bytes were not captured");
            Assert.DoesNotContain(exchanges, x => x.Problem.Contains("no response"));
        }

        [Fact]
        public void TcpAnalysisAgreesWithTsharkOnThePrecisionCaptures()
        {
            // Flow by flow (tshark's TCP streams found by their two endpoints), not a total per file: two flows that
            // err in opposite directions would cancel out in a sum. At every capture point the generator places.
            int flowsWithRetransmissions = 0, compared = 0;
            var mismatches = new List<string>();
            foreach (var (name, point) in SampleCaptureGenerator.PrecisionNames.SelectMany(n => Points.Select(p => (n, p))))
            {
                using var r = new Run(name, all: true, point: point);
                var theirs = TsharkConversations.Read(r.Path);
                var ours = r.Result.Flows.Where(f => f.Protocol == "Tcp").ToList();
                Assert.True(theirs.Count > 0, $"{name} at {point}: tshark found no TCP stream");
                var oursByEndpoints = ours.GroupBy(f => TsharkConversations.EndpointKey(f.Client, f.Server)).ToDictionary(g => g.Key, g => g.ToList());
                foreach (var s in theirs.GroupBy(s => s.Endpoints))
                {
                    compared++;
                    int expected = s.Sum(x => x.Retransmissions);
                    if (expected > 0) flowsWithRetransmissions++;
                    if (!oursByEndpoints.TryGetValue(s.Key, out var flows)) { mismatches.Add($"{name} at {point} {s.Key}: no flow of ours (tshark: {expected} retransmissions)"); continue; }
                    int got = flows.Sum(f => f.Retransmissions);
                    _output.WriteLine($"{name} at {point} {s.Key}: retransmissions ours {got}, tshark {expected}");
                    if (got != expected) mismatches.Add($"{name} at {point} {s.Key}: retransmissions ours {got}, tshark {expected}");
                }
                foreach (var key in oursByEndpoints.Keys.Where(k => !theirs.Any(s => s.Endpoints == k)))
                    mismatches.Add($"{name} at {point} {key}: a TCP flow of ours tshark does not have");
            }
            TestReport.Line($"TCP analysis vs tshark over the precision captures: {compared} conversations compared, {flowsWithRetransmissions} with retransmissions.");
            Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
            // Both sides at zero everywhere would agree too: the suite holds retransmitting flows.
            Assert.True(flowsWithRetransmissions > 0, "no precision capture has a retransmission: the comparison proved nothing");
        }

        [Theory]
        [InlineData("legacy-longlink")]
        [InlineData("mmtls-longlink")]
        public void ACaptureOfTheClientsDirectionOnlyIsACaptureGapNotADeadLongLink(string sample)
        {
            // Seen on a real capture filtered to the client's packets (as a router or mirror port with asymmetric routing
            // sees a session): every heartbeat looked unanswered, and healthy long links gave LongLinkDied and
            // LongLinkIdleTimeout Errors. The client's acknowledgments show the server's data arrived; the capture missed it.
            string tshark = ExternalTool.Require("tshark", "tshark");
            using var dir = new TempDirectory("precision-one-way-" + sample);
            string full = dir.File("full.pcapng"), oneWay = dir.File("one-way.pcapng");
            File.WriteAllBytes(full, SampleCaptureGenerator.Generate(sample).File);
            ExternalTool.Run(tshark, "-r", full, "-Y", "ip.src==" + SampleNetwork.Phone, "-w", oneWay).EnsureSuccess("tshark");
            var analyzer = new CaptureAnalyzer(new CaptureAnalysisOptions());
            analyzer.AddFile(oneWay);
            var r = analyzer.Complete();
            foreach (var f in r.Findings) _output.WriteLine($"{f.Severity} {f.RuleId}: {f.Title} | {f.Evidence}");
            var link = Assert.Single(r.Flows, f => f.Kind == "LongLink" && f.PayloadToServer > 0);
            Assert.Equal(0, link.PacketsToClient);
            Assert.True(link.CaptureGapBytes > 0, "the server's bytes the client acknowledged are bytes the capture missed");
            var hb = Assert.Single(r.Heartbeats, h => h.FlowId == link.Id);
            Assert.Equal(0, hb.Missed);
            Assert.False(hb.Died);
            Assert.DoesNotContain(r.Findings, f => f.Area == "LongLink");
            Assert.Contains(r.Findings, f => f.RuleId == "CaptureGaps" && f.FlowIds.Contains(link.Id));
        }

        [Fact]
        public void DnsAnswersCutByTheSnapLengthAreAnsweredLookupsNotFailures()
        {
            // Seen on a real capture cut to 96 bytes: the answer to szshort.weixin.qq.com A lost its last byte to the snap
            // length, the cut message was dropped whole, its query counted as never answered and DnsFailure warned "DNS
            // failed for szshort.weixin.qq.com A" although the resolver answered NOERROR. Here 92 bytes cut every answer of
            // the generated session (sgshort.wechat.com's by one byte).
            string editcap = ExternalTool.Require("editcap", "wireshark-common");
            using var dir = new TempDirectory("precision-dns-snap");
            string full = dir.File("full.pcapng"), cut = dir.File("cut.pcapng");
            File.WriteAllBytes(full, SampleCaptureGenerator.Generate("long-rtt-healthy").File);
            ExternalTool.Run(editcap, "-s", "92", full, cut).EnsureSuccess("editcap");
            var analyzer = new CaptureAnalyzer(new CaptureAnalysisOptions { ClientRegion = "Overseas" });
            analyzer.AddFile(cut);
            var r = analyzer.Complete();
            foreach (var f in r.Findings) _output.WriteLine($"{f.Severity} {f.RuleId}: {f.Title} | {f.Evidence}");
            Assert.DoesNotContain(r.Findings, f => f.RuleId == "DnsFailure");
            Assert.DoesNotContain(r.Findings, f => f.Severity != "Info");
        }

        [Theory]
        [InlineData("snap-length", new[] { "-s", "96" })]     // every packet cut to 96 bytes: headers only
        [InlineData("mid-stream", new[] { "-r", "$", "60-100000" })]  // the capture starts inside the long link and a short link
        public void CapturesCutBySnapLengthOrStartedMidStreamRaiseNoFalseFindings(string what, string[] editcapArguments)
        {
            string editcap = ExternalTool.Require("editcap", "wireshark-common");
            string tshark = ExternalTool.Require("tshark", "tshark");
            using var dir = new TempDirectory("precision-" + what);
            string full = dir.File("full.pcapng"), cut = dir.File(what + ".pcapng");
            File.WriteAllBytes(full, SampleCaptureGenerator.Generate("long-rtt-healthy").File);
            var args = editcapArguments.SelectMany(a => a == "$" ? new[] { full, cut } : new[] { a }).ToList();
            if (!args.Contains(full)) { args.Add(full); args.Add(cut); }
            ExternalTool.Run(editcap, args).EnsureSuccess("editcap");
            var analyzer = new CaptureAnalyzer(new CaptureAnalysisOptions { ClientRegion = "Overseas" });
            analyzer.AddFile(cut);
            var r = analyzer.Complete();
            foreach (var f in r.Findings) _output.WriteLine($"{f.Severity} {f.RuleId}: {f.Title} | {f.Evidence}");
            Assert.Empty(r.Errors);
            Assert.DoesNotContain(r.Findings, f => f.Severity != "Info");
            Assert.DoesNotContain(r.Findings, f => f.RuleId == "CaptureGaps");
            Assert.All(r.Flows.Where(f => f.Protocol == "Tcp"), f => Assert.Equal(0, f.CaptureGapBytes));
            // The short links are still named (DNS answer, or the Host header when the answer was before the capture began).
            Assert.Contains(r.Flows, f => f.Kind == "ShortLink" && f.Host == "sgshort.wechat.com");
            int theirs = ExternalTool.Run(tshark, "-n", "-r", cut, "-Y", "tcp.analysis.retransmission", "-T", "fields", "-e", "frame.number")
                .EnsureSuccess("tshark").StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            Assert.Equal(theirs, r.Flows.Sum(f => f.Retransmissions));
        }
    }
}
