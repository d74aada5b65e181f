using System;
using System.IO;
using System.Linq;
using WeChatNet.Diagnostics;
using WeChatNet.Analysis;
using WeChatNet.Tests.Infrastructure;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.Analysis
{
    /// <summary>Heartbeat analysis, findings and the diagnostic report on the shipped mmtls-keylog sample, with and without its key log.</summary>
    public sealed class DecryptedHeartbeatTests
    {
        private static string SamplePath(string ext) => Path.Combine(ExternalTool.RepoRoot, "samples", "mmtls-keylog" + ext);

        private static CaptureAnalysisResult Analyze(MmtlsKeyLog? log)
        {
            var options = new CaptureAnalysisOptions();
            options.Decoding.KeyLog = log;
            var a = new CaptureAnalyzer(options);
            a.AddFile(SamplePath(".pcapng"));
            return a.Complete();
        }

        [Fact]
        public void WithTheKeyLogHeartbeatsAreTheRealCommands()
        {
            var r = Analyze(MmtlsKeyLog.Load(new[] { SamplePath(".keys") }));
            var hb = Assert.Single(r.Heartbeats);
            Assert.Equal("Decrypted", hb.Method);
            Assert.Equal(3, hb.Count);
            Assert.Equal(3, hb.Replies);
            Assert.Equal(0, hb.Missed);
            Assert.Equal(new[] { 210.0, 270.0, 330.0 }, hb.IntervalsSec.Select(x => Math.Round(x)));
            Assert.InRange(hb.ReplyLatencyP50Ms!.Value, 40, 60);
            Assert.NotNull(r.Decryption);
            Assert.Equal(r.Decryption!.Records, r.Decryption.Decrypted);
            var flow = r.Flows.Single(f => f.Id == hb.FlowId);
            Assert.Contains("Heartbeat=3", flow.LongLinkCommands);
            Assert.Contains("SyncReply=1", flow.LongLinkCommands);
        }

        [Fact]
        public void TheMethodSaysWhatTheHeartbeatsRestOn()
        {
            var frame = LongLinkObservation.Frame(1, true, 6, 0xFFFFFFFF);
            var decrypted = LongLinkObservation.DecryptedFrame(2, true, 6, 0xFFFFFFFF);
            var record = LongLinkObservation.Record(3, true, 0x20);
            Assert.Equal("Plaintext", HeartbeatAnalyzer.MethodOf(new[] { frame }));
            Assert.Equal("Plaintext", HeartbeatAnalyzer.MethodOf(Array.Empty<LongLinkObservation>()));
            Assert.Equal("SizeAndTiming", HeartbeatAnalyzer.MethodOf(new[] { record }));
            Assert.Equal("Decrypted", HeartbeatAnalyzer.MethodOf(new[] { decrypted }));
            Assert.Equal("Mixed", HeartbeatAnalyzer.MethodOf(new[] { decrypted, record }));
        }

        [Fact]
        public void AKeyLogMissingTheServerSideGivesMixedEvidence()
        {
            // only the client's entries: server records stay encrypted and their replies are told by size and timing
            var keys = string.Join("\n", File.ReadAllLines(SamplePath(".keys")).Where(l => !l.Contains("\"encrypt\": false")));
            var r = Analyze(MmtlsKeyLog.Parse(keys));
            var hb = Assert.Single(r.Heartbeats);
            Assert.Equal("Mixed", hb.Method);
            Assert.Equal(3, hb.Count);
            Assert.Equal(3, hb.Replies);
        }

        [Fact]
        public void WithoutItHeartbeatsAreGuessedBySizeAndTiming()
        {
            var r = Analyze(null);
            var hb = Assert.Single(r.Heartbeats);
            Assert.Equal("SizeAndTiming", hb.Method);
            Assert.Equal(3, hb.Count);
            Assert.Null(r.Decryption);
            Assert.Empty(r.Flows.Single(f => f.Id == hb.FlowId).LongLinkCommands);
        }

        [Fact]
        public void AWrongKeyLogFallsBackToSizeAndTimingWithoutErrors()
        {
            string text = File.ReadAllText(SamplePath(".keys")).Replace("\"key\": \"", "\"key\": \"f").Replace("\", \"nonce\"", "\", \"nonce\"");
            text = System.Text.RegularExpressions.Regex.Replace(text, "\"key\": \"f([0-9a-f]{31})[0-9a-f]", "\"key\": \"f$1");
            var r = Analyze(MmtlsKeyLog.Parse(text));
            Assert.Equal(0, r.Decryption!.Decrypted);
            Assert.Equal(r.Decryption.Records, r.Decryption.TagMismatches);
            Assert.Equal("SizeAndTiming", Assert.Single(r.Heartbeats).Method);
        }

        [Fact]
        public void FindingsOnDecryptedLinksSaySoAndTheReportHoldsOneLineAndNoKeys()
        {
            string keys = File.ReadAllText(SamplePath(".keys"));
            var result = DiagnosticRunner.Run(new DiagnosticRequest
            {
                CapturePaths = new[] { SamplePath(".pcapng") },
                KeyLog = MmtlsKeyLog.Parse(keys),
            });
            Assert.Empty(result.Problems);
            int entries = keys.Split('\n').Count(l => l.Contains("\"OUTER\""));
            string line = $"{entries} of {entries} MMTLS records decrypted with a key log";
            Assert.Contains("Capture: " + line, result.Checks);
            var secrets = System.Text.RegularExpressions.Regex.Matches(keys, "\"(?:key|nonce|iv|metadata|tag|tail)\": \"([0-9a-f]{16,})\"").Select(m => m.Groups[1].Value).Distinct().ToList();
            Assert.NotEmpty(secrets);
            foreach (var text in new[] { DiagnosticReport.Html(result), DiagnosticReport.Markdown(result) })
            {
                Assert.Contains(line, text);
                Assert.DoesNotContain("mmtls-keylog.keys", text);
                foreach (var s in secrets) Assert.DoesNotContain(s, text, StringComparison.OrdinalIgnoreCase);
                foreach (var s in secrets) Assert.DoesNotContain(s.Substring(0, 16), text, StringComparison.OrdinalIgnoreCase);
            }
        }

        [Fact]
        public void AFindingOnADecryptedLinkNamesItsEvidence()
        {
            // the key-log sample's long link is healthy; a synthetic missed heartbeat on it shows the note
            var hb = new HeartbeatReport { FlowId = 1, Client = "a", Server = "b", Method = "Decrypted", Count = 3, Replies = 1, Missed = 2 };
            var findings = FindingEngine.Default.Evaluate(new AnalysisFacts { Heartbeats = new[] { hb } });
            Assert.Contains(findings, f => f.RuleId == "HeartbeatMissed");
            CaptureAnalyzer.NoteDecryptedEvidence(findings, new System.Collections.Generic.List<HeartbeatReport> { hb });
            Assert.Contains("rests on decrypted evidence", findings.Single(f => f.RuleId == "HeartbeatMissed").Evidence);
        }
    }
}
