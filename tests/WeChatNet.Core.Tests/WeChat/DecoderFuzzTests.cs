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
            var rnd = new Random(7);
            var hello = WeChatWireBuilder.ClientHello(new ushort[] { 0xC02B, 0x00A8 }, new byte[32], 1, new[] { ((ushort)0x10, new byte[70]) });
            for (int i = 0; i < 5000; i++)
            {
                var b = hello.Take(rnd.Next(hello.Length + 1)).ToArray();
                if (b.Length > 0 && rnd.Next(2) == 0) b[rnd.Next(b.Length)] = (byte)rnd.Next(256);
                var info = MmtlsHandshake.Read(b);
                Assert.NotNull(info.MessageType);
                Assert.True(info.CipherSuites.Length <= 255);
            }
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
