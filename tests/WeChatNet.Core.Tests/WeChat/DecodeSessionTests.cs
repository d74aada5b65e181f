using System;
using System.IO;
using System.Linq;
using System.Threading;
using WeChatNet.Capture;
using WeChatNet.Tests.Infrastructure;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.WeChat
{
    public sealed class DecodeSessionTests
    {
        [Fact]
        public void PacketObjectsFromTheCaptureReaderDecodeLikeTheFile()
        {
            // the pipeline path: Import-WeChatCapture's Packet objects, one ProcessRecord each
            var sample = SampleCaptureGenerator.Generate("legacy-longlink");
            using var temp = new TempDirectory("wire-session-packets");
            string path = temp.File("s.pcapng");
            File.WriteAllBytes(path, sample.File);
            var session = new WeChatDecodeSession(new WeChatDecodeOptions());
            var output = new System.Collections.Generic.List<object>();
            using (var reader = CaptureFileReader.Open(path))
            {
                while (reader.ReadNext(out CaptureRecord rec) == CaptureReadResult.Packet)
                    output.AddRange(session.AddPacket(PacketFactory.Create(in rec, path)));
            }
            output.AddRange(session.Complete());
            var fromFile = SampleCaptureTests.Decode(sample.File);
            Assert.Equal(fromFile.Select(SampleCaptureTests.Describe), output.Select(SampleCaptureTests.Describe));
            Assert.Equal(sample.Packets, session.PacketsSeen);
        }

        [Fact]
        public void DamagedFileYieldsTheReadersErrorAndKeepsDecoding()
        {
            var sample = SampleCaptureGenerator.Generate("legacy-longlink");
            var damaged = sample.File.ToArray();
            // walk the pcapng blocks (type, total length) and give the 12th block an impossible length
            int offset = 0;
            for (int block = 0; block < 12; block++) offset += BitConverter.ToInt32(damaged, offset + 4);
            BitConverter.GetBytes(0x7FFFFFF0).CopyTo(damaged, offset + 4);
            using var temp = new TempDirectory("wire-session-damaged");
            string path = temp.File("d.pcapng");
            File.WriteAllBytes(path, damaged);
            var session = new WeChatDecodeSession(new WeChatDecodeOptions());
            var output = session.ReadFile(path, null, CancellationToken.None).ToList();
            output.AddRange(session.Complete());
            Assert.Contains(output, o => o is CaptureFileError);
            Assert.Contains(output, o => o is LongLinkFrame);
        }

        [Fact]
        public void ReadingStopsWhenCancelled()
        {
            var sample = SampleCaptureGenerator.Generate("shortlink-burst");
            using var temp = new TempDirectory("wire-session-cancel");
            string path = temp.File("c.pcapng");
            File.WriteAllBytes(path, sample.File);
            using var cts = new CancellationTokenSource();
            var session = new WeChatDecodeSession(new WeChatDecodeOptions());
            int seen = 0;
            Assert.Throws<OperationCanceledException>(() =>
            {
                foreach (var _ in session.ReadFile(path, null, cts.Token)) { if (++seen == 3) cts.Cancel(); }
            });
            Assert.Equal(3, seen);
        }

        [Fact]
        public void ProgressReportsPositionAndLength()
        {
            var sample = SampleCaptureGenerator.Generate("shortlink-burst");
            using var temp = new TempDirectory("wire-session-progress");
            string path = temp.File("p.pcapng");
            File.WriteAllBytes(path, sample.File);
            long lastPos = -1, lastLen = -1;
            var session = new WeChatDecodeSession(new WeChatDecodeOptions());
            session.ReadFile(path, p => { lastPos = p.BytesRead; lastLen = p.TotalBytes; }, CancellationToken.None).ToList();
            Assert.Equal(sample.File.Length, lastLen);
            Assert.Equal(sample.File.Length, lastPos);
        }

        [Theory]
        [InlineData("0x00000010 0010 0001", 8)]
        [InlineData("00:00:00:10", 4)]
        [InlineData("00-00-00-10", 4)]
        public void HexParsingAcceptsCommonSeparators(string hex, int length)
        {
            Assert.True(WeChatDecodeSession.TryParseHex(hex, out var bytes, out _));
            Assert.Equal(length, bytes.Length);
        }

        [Theory]
        [InlineData("", "empty")]
        [InlineData("abc", "odd number")]
        [InlineData("00zz", "'z' at position 2")]
        public void BadHexSaysWhy(string hex, string reason)
        {
            Assert.False(WeChatDecodeSession.TryParseHex(hex, out _, out var error));
            Assert.Contains(reason, error);
        }

        [Fact]
        public void SampleCatalogReadsTheShippedManifests()
        {
            var all = SampleCatalog.List(Path.Combine(ExternalTool.RepoRoot, "samples"), null, out var none);
            Assert.Empty(none);
            Assert.Equal(SampleCaptureGenerator.Names.OrderBy(n => n, StringComparer.Ordinal), all.Select(s => s.Name));
            var legacy = all.Single(s => s.Name == "legacy-longlink");
            var generated = SampleCaptureGenerator.Generate("legacy-longlink");
            Assert.Equal((generated.Packets, (long)generated.Expected.Count, generated.Description), (legacy.Packets, legacy.Messages, legacy.Description));
            var some = SampleCatalog.List(Path.Combine(ExternalTool.RepoRoot, "samples"), new[] { "*link*", "nope" }, out var unmatched);
            Assert.Equal(new[] { "dead-link", "legacy-longlink", "mmtls-longlink", "shortlink-burst" }, some.Select(x => x.Name));
            Assert.Equal(new[] { "nope" }, unmatched);
        }
    }
}
