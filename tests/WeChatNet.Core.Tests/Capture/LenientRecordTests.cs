using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using WeChatNet.Capture;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.Capture
{
    /// <summary>
    /// Record headers libpcap and tshark read although they are odd: a captured length above the original length, and a
    /// sub-second field out of range. The reader keeps such records (flagged as a Problem) instead of ending the file.
    /// </summary>
    public sealed class LenientRecordTests
    {
        private static byte[] Pcap(params (uint Sec, uint Usec, byte[] Frame, uint Orig)[] records)
        {
            var ms = new MemoryStream();
            var h = new byte[24];
            BinaryPrimitives.WriteUInt32LittleEndian(h, 0xA1B2C3D4);
            BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(4), 2);
            BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(6), 4);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(16), 65535);
            BinaryPrimitives.WriteUInt32LittleEndian(h.AsSpan(20), 1);
            ms.Write(h);
            foreach (var r in records)
            {
                var rh = new byte[16];
                BinaryPrimitives.WriteUInt32LittleEndian(rh, r.Sec);
                BinaryPrimitives.WriteUInt32LittleEndian(rh.AsSpan(4), r.Usec);
                BinaryPrimitives.WriteUInt32LittleEndian(rh.AsSpan(8), (uint)r.Frame.Length);
                BinaryPrimitives.WriteUInt32LittleEndian(rh.AsSpan(12), r.Orig);
                ms.Write(rh);
                ms.Write(r.Frame);
            }
            return ms.ToArray();
        }

        private static byte[] Udp(int n) => TestPackets.Ethernet(0x0800, TestPackets.Ipv4(17, TestPackets.V4("10.0.0.1"), TestPackets.V4("10.0.0.2"),
            TestPackets.Udp(40000, 9000, TestPackets.Bytes(n))));

        private static byte[] OddFile()
        {
            var a = Udp(10); var b = Udp(20); var c = Udp(30); var d = Udp(40);
            return Pcap((1_700_000_000, 1, a, (uint)a.Length),
                (1_700_000_001, 2, b, (uint)b.Length - 8),          // captured length above the original length
                (1_700_000_002, 1_500_000, c, (uint)c.Length),      // sub-second field out of range
                (1_700_000_003, 4, d, (uint)d.Length));
        }

        [Fact]
        public void OddRecordHeadersAreKeptAndFlaggedNotTheEndOfTheFile()
        {
            using var tmp = new TempDirectory(nameof(OddRecordHeadersAreKeptAndFlaggedNotTheEndOfTheFile));
            string path = tmp.File("odd.pcap");
            File.WriteAllBytes(path, OddFile());
            var ours = new List<(long Number, int CapLen, string? Problem)>();
            var errors = new List<string>();
            using (var reader = CaptureFileReader.Open(path))
            {
                while (true)
                {
                    var r = reader.ReadNext(out CaptureRecord rec);
                    if (r == CaptureReadResult.EndOfFile) break;
                    if (r == CaptureReadResult.Error) { errors.Add(reader.LastError!.Message); continue; }
                    ours.Add((rec.Number, rec.CapturedLength, rec.HeaderProblem));
                    var packet = PacketFactory.Create(rec, path);
                    if (rec.HeaderProblem != null) Assert.Contains(rec.HeaderProblem, packet.Problem);
                }
            }
            Assert.Empty(errors);
            Assert.Equal(4, ours.Count);
            Assert.Null(ours[0].Problem);
            Assert.Contains("captured length 62 exceeds its original length 54", ours[1].Problem);
            Assert.Contains("sub-second timestamp 1500000 is out of range", ours[2].Problem);
            Assert.Null(ours[3].Problem);

            // tshark reads the same records with the same captured lengths.
            string tshark = ExternalTool.Require("tshark", "tshark");
            var result = ExternalTool.Run(tshark, "-n", "-r", path, "-T", "fields", "-e", "frame.number", "-e", "frame.cap_len").EnsureSuccess("tshark");
            var theirs = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split('\t')).Select(c => (long.Parse(c[0]), int.Parse(c[1]))).ToList();
            Assert.Equal(theirs, ours.Select(o => (o.Number, o.CapLen)).ToList());
        }

        [Fact]
        public void AnalysisCountsEveryPacketOfTheOddFile()
        {
            using var tmp = new TempDirectory(nameof(AnalysisCountsEveryPacketOfTheOddFile));
            string path = tmp.File("odd.pcap");
            File.WriteAllBytes(path, OddFile());
            var analyzer = new WeChatNet.Analysis.CaptureAnalyzer();
            analyzer.AddFile(path);
            var result = analyzer.Complete();
            Assert.Empty(result.Errors);
            Assert.Equal(4, result.Packets);
        }
    }
}
