using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using WeChatNet.Analysis;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.Analysis
{
    /// <summary>The one-pass analysis on the shipped samples, whose truth the generator knows, and against tshark.</summary>
    public sealed class SampleAnalysisTests
    {
        private static string Sample(string name) => Path.Combine(ExternalTool.RepoRoot, "samples", name + ".pcapng");

        private static CaptureAnalysisResult Analyze(string name, string? clientRegion = null)
        {
            var a = new CaptureAnalyzer(new CaptureAnalysisOptions { ClientRegion = clientRegion });
            a.AddFile(Sample(name));
            return a.Complete();
        }

        [Fact]
        public void TheDeadLinkDiesOnItsUnansweredHeartbeatAndReconnectsElsewhere()
        {
            var r = Analyze("dead-link");
            var hb = r.Heartbeats.Single(h => h.Died);
            Assert.Equal("101.32.104.4:443", hb.Server);
            Assert.Equal("sglong.wechat.com", hb.Host);
            Assert.Equal(new[] { 210.0, 270.0 }, hb.IntervalsSec.Select(x => Math.Round(x)));
            Assert.Equal(1, hb.Missed);
            Assert.Equal("ResetByClient", hb.Ending);
            Assert.Equal("43.130.30.240:443", hb.ReconnectServer);
            Assert.InRange(hb.ReconnectAfterMs!.Value, 100, 1000);
            var died = Assert.Single(r.Findings, f => f.RuleId == "LongLinkDied");
            Assert.Equal("Error", died.Severity);
            Assert.Equal(new[] { hb.FlowId, hb.ReconnectFlowId!.Value }, died.FlowIds);
            Assert.DoesNotContain(r.Findings, f => f.RuleId == "LongLinkIdleTimeout"); // one death is not a pattern
            Assert.Equal("Dispatch", r.Flows.Single(f => f.Host == "dns.weixin.qq.com" && f.Protocol == "Tcp").Kind);
            Assert.Equal("Dns", r.Flows.First(f => f.Host == "dns.weixin.qq.com" && f.Protocol == "Udp").Kind);
        }

        [Fact]
        public void TheNatTimeoutSampleNamesTheIdleInterval()
        {
            var r = Analyze("nat-timeout");
            // One cause, one finding: the timeout, at the severity of the deaths it caused, naming them and their reconnects.
            var f = Assert.Single(r.Findings);
            Assert.Equal("LongLinkIdleTimeout", f.RuleId);
            Assert.Equal("Error", f.Severity);
            Assert.Equal("Long links do not survive 210 s of silence: a NAT or carrier idle timeout (3 reconnect(s))", f.Title);
            Assert.Equal(r.Heartbeats.Where(h => h.Died).SelectMany(h => new[] { h.FlowId, h.ReconnectFlowId!.Value }).Distinct().OrderBy(x => x), f.FlowIds);
            Assert.Contains("causing 3 reconnect(s): flow 2 reconnected 0.3 s later as flow 3", f.Evidence);
            Assert.Contains("it explains LongLinkDied (Error)", f.Evidence);
            Assert.Contains("szlong.weixin.qq.com", f.Evidence);
            Assert.Equal(3, r.Heartbeats.Count(h => h.Died));
            Assert.All(r.Heartbeats.Where(h => h.Died), h => Assert.Equal(h.FlowId + 1, h.ReconnectFlowId));
            Assert.Equal(4, r.Flows.Count(x => x.Kind == "LongLink"));
        }

        [Theory]
        [InlineData("login-dispatch")]
        [InlineData("mmtls-longlink")]
        [InlineData("shortlink-burst")]
        [InlineData("legacy-longlink")]
        [InlineData("mmtls-keylog")]
        public void HealthySamplesGiveNoWarnings(string name)
        {
            var r = Analyze(name);
            Assert.Empty(r.Errors);
            Assert.DoesNotContain(r.Findings, f => f.Severity != "Info");
        }

        [Fact]
        public void TheMmtlsLongLinkShowsMarsProbingUpToTheCeiling()
        {
            var hb = Assert.Single(Analyze("mmtls-longlink").Heartbeats);
            Assert.Equal("SizeAndTiming", hb.Method);
            Assert.Equal(new[] { 210.0, 270, 330, 390, 450, 510, 570, 600 }, hb.IntervalsSec.Select(x => Math.Round(x)));
            Assert.Equal(hb.Count, hb.Replies);
            Assert.Equal("Mars smart heartbeat probing up from 210 s in 60 s steps, reaching the 600 s ceiling", hb.Pattern);
        }

        [Fact]
        public void ServersCarryRegionAndOwnerFromTheAddressTables()
        {
            var r = Analyze("dead-link");
            var overseas = r.Flows.First(f => f.ServerAddress == "101.32.104.4");
            Assert.Equal("Overseas", overseas.Region);
            Assert.Equal("Tencent", overseas.Owner);
            var mainland = Analyze("retransmissions").Flows.Single(f => f.Kind == "LongLink");
            Assert.Equal("183.3.224.139", mainland.ServerAddress);
            Assert.Equal("MainlandChina", mainland.Region);
            Assert.Equal("Private", r.Flows.First(f => f.Kind == "Dns").Region);
        }

        [Fact]
        public void ShortLinksAreNamedAndTimed()
        {
            var r = Analyze("shortlink-burst");
            var shortLinks = r.Flows.Where(f => f.Kind == "ShortLink").ToList();
            Assert.Equal(6, shortLinks.Count);
            Assert.All(shortLinks, f => Assert.Equal("szshort.weixin.qq.com", f.Host));
            Assert.All(shortLinks, f => Assert.Equal("Server,Client", f.FinSequence));
            Assert.All(shortLinks, f => Assert.Equal(1, f.ShortLinkExchanges));
            // The records ConvertFrom-WeChatPacket decodes on each connection (request flight and response).
            var session = new WeChatNet.WeChat.WeChatDecodeSession(new WeChatNet.WeChat.WeChatDecodeOptions());
            var records = session.ReadFile(Sample("shortlink-burst"), null, default).Concat(session.Complete())
                .OfType<MmtlsRecord>().GroupBy(m => m.Connection).ToDictionary(g => g.Key, g => g.Count());
            Assert.All(shortLinks, f => Assert.Equal(records[f.Client + " -> " + f.Server], f.MmtlsRecords));
            Assert.All(shortLinks, f => Assert.True(f.MmtlsRecords >= 4)); // at least the 0-RTT flight: 0x19, 0x19, 0x17, 0x15
            Assert.All(shortLinks, f => Assert.Single(f.ShortLinkResponseMs));
        }

        [Fact]
        public void LongLinkFramesAreCountedByCommand()
        {
            var f = Analyze("legacy-longlink").Flows.Single(x => x.Kind == "LongLink");
            Assert.True(f.LongLinkFrames >= 10, $"{f.LongLinkFrames} frames");
            Assert.Contains("Heartbeat=1", f.LongLinkCommands);
            Assert.Contains("HeartbeatReply=1", f.LongLinkCommands);
            Assert.Contains(f.LongLinkCommands, c => c.StartsWith("PushNotify=", System.StringComparison.Ordinal));
            Assert.Equal(f.LongLinkFrames, f.LongLinkCommands.Sum(c => int.Parse(c.Split('=')[1], System.Globalization.CultureInfo.InvariantCulture)));
        }

        /// <summary>Per TCP conversation, frames and bytes each way and tshark's expert flags, against ours.</summary>
        [Theory]
        [InlineData("retransmissions")]
        [InlineData("dead-link")]
        [InlineData("nat-timeout")]
        [InlineData("legacy-longlink")]
        [InlineData("shortlink-burst")]
        public void CountersEqualTshark(string name) => TsharkConversations.AssertFlowsMatch(Sample(name));
    }
}
