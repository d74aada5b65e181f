using System;
using System.Collections.Generic;
using System.Linq;
using WeChatNet.Packets;
using WeChatNet.Streams;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.WeChat
{
    /// <summary>Mutated and truncated streams never throw, never hang and never hold more memory than the limits allow.</summary>
    public sealed class DecoderFuzzTests
    {
        private static IEnumerable<byte[]> Seeds()
        {
            foreach (var name in SampleCaptureGenerator.Names)
            {
                // every TCP payload stream of each sample, as the client sent it
                var sample = SampleCaptureGenerator.Generate(name);
                var collected = new List<byte[]>();
                var decoder = new WeChatTrafficDecoder(new WeChatDecodeOptions(), _ => { });
                using var reader = WeChatNet.Capture.CaptureFileReader.Open(new System.IO.MemoryStream(sample.File), name);
                while (reader.ReadNext(out var rec) == WeChatNet.Capture.CaptureReadResult.Packet)
                {
                    var p = rec.Decode();
                    if (p.PayloadLength > 0 && p.Transport == WeChatNet.Packets.TransportKind.Tcp) collected.Add(p.Payload.ToArray());
                }
                yield return collected.SelectMany(b => b).Take(6000).ToArray();
            }
        }

        [Fact]
        public void MutatedStreamsNeverThrowAndRespectTheMemoryBounds()
        {
            var options = new WeChatDecodeOptions
            {
                Reassembly = new TcpReassemblyOptions { MaxBufferedBytesPerStream = 4096, MaxBufferedBytesTotal = 16384, MaxBufferedSegmentsPerStream = 16, MaxConnections = 8 },
                Http = new HttpLimits { MaxBodyBytes = 2048, MaxHeaderBytes = 1024, MaxDecodedBytes = 8192 },
            };
            var rnd = new Random(20261122);
            var seeds = Seeds().ToList();
            for (int round = 0; round < 400; round++)
            {
                var data = seeds[round % seeds.Count].ToArray();
                int mutations = rnd.Next(1, 20);
                for (int m = 0; m < mutations && data.Length > 0; m++)
                {
                    int at = rnd.Next(data.Length);
                    switch (rnd.Next(4))
                    {
                        case 0: data[at] = (byte)rnd.Next(256); break;
                        case 1: data[at] ^= (byte)(1 << rnd.Next(8)); break;
                        case 2: data = data.Take(at).ToArray(); break; // truncate
                        default: data[at] = 0xFF; break;
                    }
                }
                var h = new TrafficHarness(options);
                ushort port = (ushort)(rnd.Next(3) switch { 0 => 80, 1 => 8080, _ => 53 });
                var c = h.Connect("10.0.0.2", (ushort)(40000 + round), "10.9.9.9", port);
                int off = 0;
                while (off < data.Length)
                {
                    int len = Math.Min(rnd.Next(1, 700), data.Length - off);
                    // random sequence jumps, duplicates and reordering
                    uint seq = c.ClientSeq + (uint)off + (uint)(rnd.Next(10) == 0 ? rnd.Next(-50, 5000) : 0);
                    c.Raw(rnd.Next(2) == 0, seq, (TcpFlags)(rnd.Next(8) == 0 ? rnd.Next(32) : 0x18), data, off, len);
                    Assert.True(h.Decoder.Budget.Used <= options.Reassembly.MaxBufferedBytesTotal);
                    off += len;
                }
                h.Decoder.AddPayload(data, 0);
                h.Udp("10.0.0.2", 5353, "10.0.0.53", 53, data.Take(512).ToArray());
                h.Decoder.Complete();
                Assert.Equal(0, h.Decoder.Budget.Used);
                foreach (var o in h.Output) Assert.NotNull(o.ToString()); // summaries of odd values never throw
            }
        }

        [Fact]
        public void HandshakeReaderNeverReadsPastTheBody()
        {
            // Distinct bytes everywhere, so a field read from the wrong place cannot equal the right one by chance.
            var random = Enumerable.Range(0x40, 32).Select(i => (byte)i).ToArray();
            var extension = Enumerable.Range(0x90, 70).Select(i => (byte)i).ToArray();
            var hello = WeChatWireBuilder.ClientHello(new ushort[] { 0xC02B, 0x00A8 }, random, 0x5F5E1001, new[] { ((ushort)0x10, extension) });
            var full = MmtlsHandshake.Read(hello);
            Assert.Null(full.Problem);
            Assert.Equal("ClientHello", full.MessageType);
            Assert.Equal(new ushort[] { 0xC02B, 0x00A8 }, full.CipherSuites);
            Assert.Equal(random, full.Random);
            Assert.Equal(0x5F5E1001u, full.Timestamp);
            Assert.Equal(new ushort[] { 0x10 }, full.ExtensionTypes);

            // Every cut: a field is there exactly when all its bytes are (4-byte length, type, version, count, two suites
            // end at 12; the random at 44; the timestamp at 48), equals the whole message's, and the cut is a Problem
            // whose offset lies inside what was given.
            for (int cut = 8; cut < hello.Length; cut++)
            {
                var p = MmtlsHandshake.Read(hello.AsSpan(0, cut));
                string at = $"cut at {cut}";
                Assert.True(p.MessageType == "ClientHello", at);
                Assert.True(p.Problem != null, $"{at}: a cut message read without a problem");
                Assert.True(p.CipherSuites.Length > 0 == cut >= 12, $"{at}: {p.CipherSuites.Length} suites");
                if (p.CipherSuites.Length > 0) Assert.Equal(full.CipherSuites, p.CipherSuites);
                Assert.True(p.Random != null == cut >= 44, $"{at}: random {(p.Random == null ? "missing" : "read")}");
                if (p.Random != null) Assert.Equal(random, p.Random);
                Assert.True(p.Timestamp.HasValue == cut >= 48, $"{at}: timestamp {p.Timestamp}");
                if (p.Timestamp.HasValue) Assert.Equal(full.Timestamp, p.Timestamp);
                Assert.Empty(p.ExtensionTypes); // the only extension ends where the message does
                AssertOffsetsInside(p.Problem, cut);
            }

            // Random damage to random cuts: whatever is reported comes from the bytes given.
            var rnd = new Random(7);
            for (int i = 0; i < 5000; i++)
            {
                var b = hello.Take(rnd.Next(hello.Length + 1)).ToArray();
                if (b.Length > 0 && rnd.Next(2) == 0) b[rnd.Next(b.Length)] = (byte)rnd.Next(256);
                var info = MmtlsHandshake.Read(b);
                Assert.NotNull(info.MessageType);
                Assert.True(info.CipherSuites.Length <= 255);
                // type, version and at least two bytes per suite precede the end of the bytes given
                if (info.CipherSuites.Length > 0) Assert.True(3 + 2 * info.CipherSuites.Length <= b.Length, $"{info.CipherSuites.Length} suites from {b.Length} bytes");
                if (info.Random != null) Assert.True(IndexOf(b, info.Random) >= 0, "a random that is not in the bytes given");
                Assert.True(info.ExtensionTypes.Length * 6 <= b.Length);
                AssertOffsetsInside(info.Problem, b.Length);
            }
        }

        private static void AssertOffsetsInside(string? problem, int length)
        {
            if (problem == null) return;
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(problem, @"at offset (\d+)"))
                Assert.True(int.Parse(m.Groups[1].Value) <= length, $"'{problem}' points past the {length} bytes given");
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
                if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
            return -1;
        }

        [Fact]
        public void LegacyHeaderReaderNeverThrows()
        {
            var rnd = new Random(11);
            for (int i = 0; i < 20000; i++)
            {
                var b = new byte[rnd.Next(0, 40)];
                rnd.NextBytes(b);
                if (b.Length > 0) b[0] = 0xBF;
                if (LegacyBusinessHeader.TryRead(b, out var h, out var problem))
                {
                    Assert.InRange(h.HeaderLength, LegacyBusinessHeader.FixedLength + h.CookieLength, b.Length);
                    Assert.Null(problem);
                }
                else Assert.NotNull(problem);
            }
        }

        [Fact]
        public void HugeDeclaredLengthsAreBoundedNotAllocated()
        {
            // a frame header declaring 16 MiB, then nothing: nothing buffered, no allocation of the declared size
            var h = new TrafficHarness();
            var c = h.Connect("10.0.0.2", 50000, "10.9.9.9", 8080);
            c.Client("01000000 0010 0001 00000079 00000001");
            h.Decoder.Complete();
            var stop = Assert.Single(h.Of<StreamEvent>());
            Assert.Contains("16777200 bytes short", stop.Reason);
            // a chunked body declaring an enormous chunk is counted, not kept beyond the limit
            var h2 = new TrafficHarness(new WeChatDecodeOptions { Http = new HttpLimits { MaxBodyBytes = 100 } });
            var c2 = h2.Connect("10.0.0.2", 50000, "10.9.9.9", 80);
            c2.Client(System.Text.Encoding.ASCII.GetBytes("POST /mmtls/0000000a HTTP/1.1\r\nHost: short.weixin.qq.com\r\nContent-Length: 3\r\n\r\nabc"));
            c2.Server(System.Text.Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFF\r\n").Concat(new byte[5000]).ToArray());
            c2.Fin();
            var x = Assert.Single(h2.Of<ShortLinkExchange>());
            Assert.Equal(5000, x.ResponseBodyLength);
            Assert.Contains("incomplete", x.Problem);
        }
    }
}
