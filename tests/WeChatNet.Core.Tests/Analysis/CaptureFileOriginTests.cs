using System;
using System.IO;
using System.Linq;
using WeChatNet.Analysis;
using WeChatNet.Capture;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.Analysis
{
    /// <summary>Which file each result came from, and joining files that continue one another (Get-WeChatFlow -Join).</summary>
    public sealed class CaptureFileOriginTests
    {
        private static string Sample(string name) => Path.GetFullPath(Path.Combine(ExternalTool.RepoRoot, "samples", name + ".pcapng"));

        [Fact]
        public void EveryFlowHeartbeatAndFindingCarriesItsFile()
        {
            var a = new CaptureAnalyzer();
            a.AddFile(Sample("dead-link"));
            var r = a.Complete();
            Assert.All(r.Flows, f => Assert.Equal(Sample("dead-link"), f.File));
            Assert.All(r.Heartbeats, h => Assert.Equal(Sample("dead-link"), h.File));
            Assert.NotEmpty(r.Findings);
            Assert.All(r.Findings, f => Assert.Equal(Sample("dead-link"), f.File));
            Assert.Empty(r.Warnings);
        }

        [Fact]
        public void AJoinedFileThatStartsBeforeThePreviousEndedIsAWarningAndFlowsKeepTheFileTheyStartedIn()
        {
            var a = new CaptureAnalyzer();
            a.AddFile(Sample("dead-link"));
            int first = a.Complete().Flows.Count;
            var b = new CaptureAnalyzer();
            b.AddFile(Sample("dead-link"));
            b.AddFile(Sample("mmtls-longlink"));
            var r = b.Complete();
            // Both samples start at the same capture time: the second does not continue the first.
            var warning = Assert.Single(r.Warnings);
            Assert.Contains(Sample("mmtls-longlink") + " starts", warning);
            Assert.Contains("before " + Sample("dead-link") + " ends", warning);
            Assert.All(r.Flows.Take(first), f => Assert.Equal(Sample("dead-link"), f.File));
            Assert.Contains(r.Flows.Skip(first), f => f.File == Sample("mmtls-longlink"));
        }

        [Fact]
        public void PacketsCarryTheirFileIntoTheFlows()
        {
            var a = new CaptureAnalyzer();
            foreach (var item in CaptureImport.Read(Sample("shortlink-burst")))
                if (item.Packet != null) a.AddPacket(item.Packet);
            Assert.All(a.Complete().Flows, f => Assert.Equal(Sample("shortlink-burst"), f.File));
        }

        [Fact]
        public void ProgressIsOneCallbackShapeWithTheFileAndItsLength()
        {
            var a = new CaptureAnalyzer();
            CaptureProgress last = default;
            a.AddFile(Sample("nat-timeout"), p => last = p);
            Assert.Equal(Sample("nat-timeout"), last.File);
            Assert.Equal(new FileInfo(Sample("nat-timeout")).Length, last.TotalBytes);
            Assert.Equal(100, last.Percent);
            Assert.True(last.PacketsRead > 0);
        }

        [Fact]
        public void MergedResultsKeepEveryPartInOrder()
        {
            CaptureAnalysisResult One(string name)
            {
                var a = new CaptureAnalyzer();
                a.AddFile(Sample(name));
                return a.Complete();
            }
            var dead = One("dead-link");
            var nat = One("nat-timeout");
            var all = CaptureAnalysisResult.Merge(new[] { dead, nat });
            Assert.Equal(dead.Flows.Concat(nat.Flows), all.Flows);
            Assert.Equal(dead.Findings.Concat(nat.Findings), all.Findings);
            Assert.Equal(dead.Packets + nat.Packets, all.Packets);
        }
    }
}
