using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using WeChatNet.Analysis;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.Analysis
{
    /// <summary>tshark's view of each TCP conversation of a file: frames and bytes each way and its expert flags.</summary>
    internal static class TsharkConversations
    {
        public sealed class Stream
        {
            public string FirstSource = "", FirstDestination = "";
            /// <summary>The two endpoints, "address:port" ("[v6]:port"), in ordinal order: the key that finds our flow.</summary>
            public string Endpoints => EndpointKey(FirstSource, FirstDestination);
            public long[] Frames = new long[2];
            public long[] Bytes = new long[2];
            public int Retransmissions, OutOfOrder, DuplicateAcks, ZeroWindows, Resets, Spurious, KeepAlives;
        }

        public static List<Stream> Read(string path)
        {
            string tshark = ExternalTool.Require("tshark", "tshark");
            var run = ExternalTool.Run(tshark, "-n", "-r", path, "-Y", "tcp", "-T", "fields", "-E", "separator=\t",
                "-e", "tcp.stream", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "frame.len",
                "-e", "tcp.analysis.retransmission", "-e", "tcp.analysis.out_of_order", "-e", "tcp.analysis.duplicate_ack",
                "-e", "tcp.analysis.zero_window", "-e", "tcp.flags.reset", "-e", "tcp.analysis.spurious_retransmission",
                "-e", "tcp.analysis.keep_alive", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport").EnsureSuccess("tshark");
            var streams = new SortedDictionary<int, Stream>();
            foreach (var line in run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var c = line.Split('\t');
                int id = int.Parse(c[0], CultureInfo.InvariantCulture);
                string src = (c[1].Length > 0 ? c[1] : "[" + c[2] + "]") + ":" + c[3];
                string dst = (c[12].Length > 0 ? c[12] : "[" + c[13] + "]") + ":" + c[14];
                if (!streams.TryGetValue(id, out var s)) streams[id] = s = new Stream { FirstSource = src, FirstDestination = dst };
                int dir = src == s.FirstSource ? 0 : 1;
                s.Frames[dir]++;
                s.Bytes[dir] += long.Parse(c[4], CultureInfo.InvariantCulture);
                bool Set(int i) => c.Length > i && c[i].Length > 0 && c[i] != "0" && c[i] != "False";
                if (Set(5)) s.Retransmissions++;
                if (Set(6)) s.OutOfOrder++;
                if (Set(7)) s.DuplicateAcks++;
                if (Set(8)) s.ZeroWindows++;
                if (Set(9)) s.Resets++;
                if (Set(10)) s.Spurious++;
                if (Set(11)) s.KeepAlives++;
            }
            return streams.Values.ToList();
        }

        public static string EndpointKey(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? a + " " + b : b + " " + a;

        /// <summary>Our flows of the file equal tshark's conversations, counter by counter.</summary>
        public static void AssertFlowsMatch(string path)
        {
            var theirs = Read(path);
            var analyzer = new CaptureAnalyzer();
            analyzer.AddFile(path);
            var ours = analyzer.Complete().Flows.Where(f => f.Protocol == "Tcp").ToList();
            // Two empty lists would agree: every file read here holds TCP conversations.
            Assert.NotEmpty(theirs);
            Assert.Equal(theirs.Count, ours.Count);
            foreach (var (s, f) in theirs.Zip(ours))
            {
                // tshark's first source is the SYN sender in these files, so its direction 0 is client to server.
                Assert.Equal(s.FirstSource, f.Client);
                Assert.Equal(s.Frames[0], f.PacketsToServer);
                Assert.Equal(s.Frames[1], f.PacketsToClient);
                Assert.Equal(s.Bytes[0], f.BytesToServer);
                Assert.Equal(s.Bytes[1], f.BytesToClient);
                Assert.Equal(s.Retransmissions, f.Retransmissions);
                Assert.Equal(s.OutOfOrder, f.OutOfOrder);
                Assert.Equal(s.DuplicateAcks, f.DuplicateAcks);
                Assert.Equal(s.ZeroWindows, f.ZeroWindows);
                Assert.Equal(s.Resets, f.Resets);
                Assert.Equal(s.Spurious, f.SpuriousRetransmissions);
                Assert.Equal(s.KeepAlives, f.KeepAlives);
            }
        }
    }
}
