using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using WeChatNet.Tests.Infrastructure;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.WeChat
{
    public sealed class SampleCaptureTests
    {
        public static IEnumerable<object[]> Samples => SampleCaptureGenerator.Names.Select(n => new object[] { n });

        /// <summary>The decoder's output in the generator's terms (see <see cref="ExpectedMessage.Key"/>), written independently here.</summary>
        internal static string Describe(object o) => o switch
        {
            LongLinkFrame f => $"LongLinkFrame {f.Direction} {f.Command}/{f.Sequence} @{f.Host}",
            MmtlsRecord r => $"MmtlsRecord {r.Direction} {r.ContentType}/{r.HandshakeType}/{r.Length}/{r.Carrier} @{r.Host}",
            ShortLinkExchange x => $"ShortLinkExchange {x.Direction} {x.Method} {x.Path.Split('?')[0]} {x.StatusCode} @{x.Host}",
            Dispatch d => $"Dispatch {d.Direction} retcode {d.RetCode} domains {d.Domains.Length} @{d.Host}",
            DnsMessage m => $"DnsMessage {m.Direction} {(m.IsResponse ? "R" : "Q")} {m.QueryName} {m.QueryType} @{m.Host}",
            StreamEvent e => $"StreamEvent {e.Direction} {e.Event} @{e.Host}",
            _ => o.GetType().Name,
        };

        internal static List<object> Decode(byte[] file, WeChatDecodeOptions? options = null)
        {
            var session = new WeChatDecodeSession(options ?? new WeChatDecodeOptions());
            using var temp = new TempDirectory("wire-sample");
            string path = Path.Combine(temp.Path, "s.pcapng");
            File.WriteAllBytes(path, file);
            var output = session.ReadFile(path, null, CancellationToken.None).ToList();
            output.AddRange(session.Complete());
            return output;
        }

        [Theory]
        [MemberData(nameof(Samples))]
        public void SampleDecodesToExactlyWhatTheGeneratorWrote(string name)
        {
            var sample = SampleCaptureGenerator.Generate(name);
            var output = Decode(sample.File);
            Assert.DoesNotContain(output, o => o is WeChatNet.Capture.CaptureFileError);
            var expected = sample.Expected.Select(e => e.ToString()).OrderBy(s => s, StringComparer.Ordinal).ToList();
            var actual = output.Select(Describe).OrderBy(s => s, StringComparer.Ordinal).ToList();
            Assert.Equal(expected, actual);
            Assert.DoesNotContain(output.OfType<StreamEvent>(), e => e.Event == "Gap" || e.Event == "DecodingStopped");
        }

        [Fact]
        public void GenerationIsDeterministic()
        {
            foreach (var name in SampleCaptureGenerator.Names)
                Assert.Equal(SampleCaptureGenerator.Generate(name).File, SampleCaptureGenerator.Generate(name).File);
        }

        [Fact]
        public void ShippedSamplesAreExactlyTheGeneratorsOutput()
        {
            string dir = Path.Combine(ExternalTool.RepoRoot, "samples");
            foreach (var name in SampleCaptureGenerator.Names)
            {
                var s = SampleCaptureGenerator.Generate(name);
                string file = Path.Combine(dir, s.FileName);
                Assert.True(File.Exists(file), $"{file} is missing: regenerate the samples (see samples/README.md).");
                Assert.True(s.File.SequenceEqual(File.ReadAllBytes(file)), $"{file} differs from the generator's output: regenerate, never edit by hand.");
                Assert.Equal(SampleCaptureGenerator.ExpectedText(s), File.ReadAllText(Path.Combine(dir, s.Name + ".expected.txt")));
            }
        }

        [Fact]
        public void SamplesAreReadableByTsharkWithTheSameTcpPayloads()
        {
            string tshark = ExternalTool.Require("tshark", "tshark");
            using var temp = new TempDirectory("wire-sample-tshark");
            long payloadBytes = 0;
            foreach (var name in SampleCaptureGenerator.Names)
            {
                var s = SampleCaptureGenerator.Generate(name);
                string path = Path.Combine(temp.Path, s.FileName);
                File.WriteAllBytes(path, s.File);
                var r = ExternalTool.Run(tshark, new[] { "-r", path, "-n", "-T", "fields", "-E", "separator=/t", "-e", "frame.number", "-e", "tcp.checksum.status", "-e", "ip.checksum.status",
                    "-e", "tcp.payload", "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE" }, TimeSpan.FromSeconds(60)).EnsureSuccess("tshark");
                var lines = r.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal(s.Packets, lines.Length);
                Assert.DoesNotContain(lines, l => l.Split('\t')[1] == "0" || l.Split('\t')[2] == "0"); // 0 = bad checksum

                // Frame by frame, the TCP payload tshark dissects equals the one our reader and decoder give.
                var theirs = lines.Select(l => l.Split('\t')).ToDictionary(c => long.Parse(c[0], System.Globalization.CultureInfo.InvariantCulture), c => c[3].Replace(":", "").ToUpperInvariant());
                using var reader = WeChatNet.Capture.CaptureFileReader.Open(path);
                int frames = 0;
                while (reader.ReadNext(out var rec) is var result && result != WeChatNet.Capture.CaptureReadResult.EndOfFile)
                {
                    Assert.Equal(WeChatNet.Capture.CaptureReadResult.Packet, result);
                    frames++;
                    var p = rec.Decode();
                    string ours = p.Transport == WeChatNet.Packets.TransportKind.Tcp ? Convert.ToHexString(p.Payload) : "";
                    Assert.True(theirs.TryGetValue(rec.Number, out var t), $"{name}: tshark has no frame {rec.Number}");
                    Assert.True(ours == t, $"{name} frame {rec.Number}: TCP payload ours {ours.Length / 2} bytes, tshark {t.Length / 2} bytes, or they differ");
                    payloadBytes += ours.Length / 2;
                }
                Assert.Equal(s.Packets, frames);
            }
            Assert.True(payloadBytes > 0, "no sample carried a TCP payload: equal payloads proved nothing");
        }

        [Fact]
        public void TsharkSeesTheSameDnsAndHttpRequestsInTheLoginSample()
        {
            string tshark = ExternalTool.Require("tshark", "tshark");
            using var temp = new TempDirectory("wire-sample-tshark-http");
            var s = SampleCaptureGenerator.Generate("login-dispatch");
            string path = Path.Combine(temp.Path, s.FileName);
            File.WriteAllBytes(path, s.File);
            var decoded = Decode(s.File);
            var r = ExternalTool.Run(tshark, new[] { "-r", path, "-n", "-Y", "http.request", "-T", "fields", "-e", "http.request.method", "-e", "http.host" }, TimeSpan.FromSeconds(60)).EnsureSuccess("tshark");
            var requests = r.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
            var ours = decoded.OfType<ShortLinkExchange>().Select(x => x.Method + "\t" + x.RequestHost).ToList();
            Assert.NotEmpty(requests); // two empty lists would agree
            Assert.Equal(ours.OrderBy(x => x), requests.OrderBy(x => x));

            var q = ExternalTool.Run(tshark, new[] { "-r", path, "-n", "-Y", "dns.flags.response == 0", "-T", "fields", "-e", "dns.qry.name" }, TimeSpan.FromSeconds(60)).EnsureSuccess("tshark");
            var theirQueries = q.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).ToList();
            var ourQueries = decoded.OfType<DnsMessage>().Where(m => !m.IsResponse).Select(m => m.QueryName).ToList();
            Assert.NotEmpty(theirQueries);
            Assert.Equal(ourQueries.OrderBy(x => x, StringComparer.Ordinal), theirQueries.OrderBy(x => x, StringComparer.Ordinal));
        }

        [Fact]
        public void ShortIdleTimeoutReleasesTheHeartbeatLinkBetweenBeatsAndPicksItUpAgain()
        {
            var sample = SampleCaptureGenerator.Generate("mmtls-longlink");
            var options = new WeChatDecodeOptions();
            options.Reassembly.IdleTimeout = TimeSpan.FromMinutes(1);
            var output = Decode(sample.File, options);
            var idle = output.OfType<StreamEvent>().Where(e => e.Reason.StartsWith("idle for 60 s")).ToList();
            Assert.Equal(8, idle.Count); // released before each of the 8 heartbeats (210 s to 600 s apart)
            // every heartbeat record is still decoded: the link is picked up again at the next record
            Assert.Equal(16, output.OfType<MmtlsRecord>().Count(r => r.Interpretation == "ProbableHeartbeat"));
        }
    }
}
