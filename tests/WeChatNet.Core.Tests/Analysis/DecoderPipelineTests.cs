using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using WeChatNet.Analysis;
using WeChatNet.Tests.Infrastructure;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.Analysis
{
    /// <summary>
    /// The two-thread analysis (reading beside decoding, DecoderPipeline) gives exactly what the single-threaded path
    /// gives: every public property of every flow, heartbeat report and finding, in order, on the shipped samples (one
    /// with its key log) and on generated captures large enough to cross many batch boundaries.
    /// </summary>
    public sealed class DecoderPipelineTests
    {
        private static string Sample(string name) => Path.Combine(ExternalTool.RepoRoot, "samples", name);

        private static CaptureAnalysisResult Analyze(IEnumerable<string> files, bool singleThreaded, MmtlsKeyLog? keyLog = null, bool all = false)
        {
            var options = new CaptureAnalysisOptions { SingleThreaded = singleThreaded, AllTraffic = all };
            options.Decoding.KeyLog = keyLog;
            var a = new CaptureAnalyzer(options);
            foreach (var f in files) a.AddFile(f);
            return a.Complete();
        }

        /// <summary>Every public property of each object, one line per object (arrays joined), in list order.</summary>
        private static List<string> Describe(IEnumerable items)
        {
            var lines = new List<string>();
            foreach (var item in items)
            {
                var parts = item.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .OrderBy(p => p.Name, StringComparer.Ordinal)
                    .Select(p => p.Name + "=" + Text(p.GetValue(item)));
                lines.Add(string.Join("|", parts));
            }
            return lines;
        }

        private static string Text(object? v) => v switch
        {
            null => "null",
            string s => s,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            IEnumerable e => "[" + string.Join(",", e.Cast<object?>().Select(Text)) + "]",
            _ => v.ToString() ?? "",
        };

        private static (int Flows, int Heartbeats, int Findings) AssertSame(CaptureAnalysisResult single, CaptureAnalysisResult piped)
        {
            Assert.Equal(single.Packets, piped.Packets);
            Assert.Equal(Describe(single.Flows), Describe(piped.Flows));
            Assert.Equal(Describe(single.Heartbeats), Describe(piped.Heartbeats));
            Assert.Equal(Describe(single.Findings), Describe(piped.Findings));
            Assert.Equal(single.Errors.Select(e => e.Message), piped.Errors.Select(e => e.Message));
            Assert.Equal(single.Warnings, piped.Warnings);
            Assert.Equal(single.Decryption is null, piped.Decryption is null);
            if (single.Decryption != null) Assert.Equal(Describe(new[] { single.Decryption }), Describe(new[] { piped.Decryption! }));
            return (single.Flows.Count, single.Heartbeats.Count, single.Findings.Count);
        }

        [Fact]
        public void TheShippedSamplesGiveTheSameFlowsHeartbeatsAndFindingsOnBothPaths()
        {
            var samples = Directory.GetFiles(Path.Combine(ExternalTool.RepoRoot, "samples"), "*.pcapng").OrderBy(f => f, StringComparer.Ordinal).ToList();
            Assert.True(samples.Count >= 7, $"expected the shipped samples under samples/, found {samples.Count}");
            int flows = 0, heartbeats = 0, findings = 0;
            foreach (var file in samples)
            {
                foreach (bool all in new[] { false, true })
                {
                    var (f, h, x) = AssertSame(Analyze(new[] { file }, true, all: all), Analyze(new[] { file }, false, all: all));
                    flows += f; heartbeats += h; findings += x;
                }
            }
            // All samples joined as one analysis (one pipeline per file, state carried across).
            AssertSame(Analyze(samples, true), Analyze(samples, false));
            Assert.True(flows > 0 && heartbeats > 0 && findings > 0, $"the samples gave {flows} flows, {heartbeats} heartbeats, {findings} findings");
        }

        [Fact]
        public void TheKeyLogSampleDecryptsTheSameOnBothPaths()
        {
            var keys = MmtlsKeyLog.Load(new[] { Sample("mmtls-keylog.keys") });
            var single = Analyze(new[] { Sample("mmtls-keylog.pcapng") }, true, keys);
            var piped = Analyze(new[] { Sample("mmtls-keylog.pcapng") }, false, keys);
            AssertSame(single, piped);
            Assert.NotNull(piped.Decryption);
            Assert.Contains(piped.Heartbeats, h => h.Method == "Decrypted" || h.Method == "Mixed");
        }

        [Theory]
        [InlineData(30_000, 200, 1)]
        [InlineData(60_000, 1_500, 2)]
        public void GeneratedCapturesGiveTheSameResultsOnBothPaths(int packets, int flows, int seed)
        {
            string dir = Directory.CreateTempSubdirectory("wechatnet-pipeline-").FullName;
            try
            {
                string file = Path.Combine(dir, "flows.pcap");
                LongLinkCaptures.Generate(file, packets, flows, seed, varied: true);
                var single = Analyze(new[] { file }, true);
                var piped = Analyze(new[] { file }, false);
                var (f, h, _) = AssertSame(single, piped);
                Assert.Equal(packets, single.Packets);
                Assert.True(f >= flows / 2, $"{f} flows");
                Assert.True(h > 0, "no heartbeat report: the generated long links were not decoded");
                Assert.Contains(single.Flows, x => x.Retransmissions > 0);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
