using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using WeChatNet.Capture;
using WeChatNet.Packets;
using WeChatNet.Streams;
using WeChatNet.Tests.Infrastructure;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.Streams
{
    /// <summary>Our reassembled TCP byte streams against tshark's "follow tcp raw" on the same captures.</summary>
    public sealed class TsharkFollowDifferentialTests
    {
        public static IEnumerable<object[]> Samples => SampleCaptureGenerator.Names.Select(n => new object[] { n });

        [Theory]
        [MemberData(nameof(Samples))]
        public void ReassembledStreamsMatchTsharkFollow(string name)
        {
            string tshark = ExternalTool.Require("tshark", "tshark");
            var sample = SampleCaptureGenerator.Generate(name);
            using var temp = new TempDirectory("wire-follow-" + name);
            string path = temp.File(sample.FileName);
            File.WriteAllBytes(path, sample.File);

            // ours: one reassembler per direction, keyed "src:port>dst:port"
            var streams = new Dictionary<string, (TcpStreamReassembler R, TcpStreamReassemblerTests.Recorder Sink)>();
            var budget = new TcpMemoryBudget(1 << 26);
            using (var reader = CaptureFileReader.Open(path))
            {
                while (reader.ReadNext(out CaptureRecord rec) == CaptureReadResult.Packet)
                {
                    var p = rec.Decode();
                    if (p.Transport != TransportKind.Tcp) continue;
                    string key = new IPAddress(p.SourceAddress.ToArray()) + ":" + p.SourcePort + ">" + new IPAddress(p.DestinationAddress.ToArray()) + ":" + p.DestinationPort;
                    if (!streams.TryGetValue(key, out var s))
                    {
                        var sink = new TcpStreamReassemblerTests.Recorder();
                        streams[key] = s = (new TcpStreamReassembler(sink, new TcpReassemblyOptions(), budget), sink);
                    }
                    s.R.Add(new StreamSegment(p.Sequence, p.TcpFlags, p.Payload, 0));
                }
            }
            foreach (var s in streams.Values) s.R.Release(TcpStreamEnd.EndOfInput, 0);

            // tshark: every TCP stream of the file followed in one run
            var count = ExternalTool.Run(tshark, new[] { "-r", path, "-n", "-T", "fields", "-e", "tcp.stream" }, TimeSpan.FromSeconds(60)).EnsureSuccess("tshark");
            int streamCount = count.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).DefaultIfEmpty(-1).Max() + 1;
            Assert.True(streamCount > 0);
            var args = new List<string> { "-r", path, "-n", "-q" };
            for (int i = 0; i < streamCount; i++) { args.Add("-z"); args.Add($"follow,tcp,raw,{i}"); }
            var follow = ExternalTool.Run(tshark, args, TimeSpan.FromSeconds(120)).EnsureSuccess("tshark follow");

            int compared = 0;
            foreach (var block in follow.StandardOutput.Split(new[] { "===================================================================" }, StringSplitOptions.RemoveEmptyEntries))
            {
                var lines = block.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
                string? node0 = lines.FirstOrDefault(l => l.StartsWith("Node 0: "))?.Substring(8);
                string? node1 = lines.FirstOrDefault(l => l.StartsWith("Node 1: "))?.Substring(8);
                if (node0 is null || node1 is null) continue;
                var forward = new StringBuilder();
                var backward = new StringBuilder();
                foreach (var l in lines.SkipWhile(l => !l.StartsWith("Node 1: ")).Skip(1))
                {
                    if (l.Length == 0) continue;
                    if (l.StartsWith("\t")) backward.Append(l.Trim()); else forward.Append(l.Trim());
                }
                Assert.Equal(forward.ToString(), Hex(streams.TryGetValue(node0 + ">" + node1, out var f) ? f.Sink.Data.ToArray() : Array.Empty<byte>()));
                Assert.Equal(backward.ToString(), Hex(streams.TryGetValue(node1 + ">" + node0, out var b) ? b.Sink.Data.ToArray() : Array.Empty<byte>()));
                compared++;
            }
            Assert.Equal(streamCount, compared);
            Assert.All(streams.Values, s => Assert.Empty(s.Sink.Gaps));
        }

        private static string Hex(byte[] data) => string.Concat(data.Select(b => b.ToString("x2")));
    }
}
