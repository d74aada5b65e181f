using System;
using System.IO;
using System.Linq;
using System.Threading;
using WeChatNet.Capture;
using WeChatNet.Packets;
using WeChatNet.Tests.Infrastructure;
using WeChatNet.Tests.Packets;
using Xunit;

namespace WeChatNet.Tests.Capture
{
    public class CaptureImportExportTests
    {
        // The same three-packet pcap the Pester suite builds (Ethernet: TCP SYN, UDP DNS, ICMP echo).
        internal static readonly byte[] ThreePackets = Hex.Bytes(@"
            d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000
            00f15365 01000000 36000000 36000000 001122334455 66778899aabb 0800 45000028 00014000 40060000 0a000001 2b821ef0 c3501f90 000003e8 00000000 5002faf0 00000000
            01f15365 20a10700 2e000000 2e000000 001122334455 66778899aabb 0800 45000020 00020000 40110000 0a000001 0a000002 14e90035 000c0000 01020304
            02f15365 00000000 2a000000 2a000000 001122334455 66778899aabb 0800 4500001c 00030000 40010000 0a000001 0a000002 08000000 00070001
        ");

        [Fact]
        public void ImportBuildsPacketsWithEveryField()
        {
            using var dir = new TempDirectory(nameof(ImportBuildsPacketsWithEveryField));
            string file = dir.File("three.pcap");
            File.WriteAllBytes(file, ThreePackets);
            var items = CaptureImport.Read(file).ToList();
            Assert.All(items, i => Assert.Null(i.Error));
            var p = items.Select(i => i.Packet!).ToList();
            Assert.Equal(3, p.Count);
            Assert.Equal(1, p[0].Number);
            Assert.Equal("Tcp", p[0].Protocol);
            Assert.Equal("10.0.0.1", p[0].Source);
            Assert.Equal("43.130.30.240", p[0].Destination);
            Assert.Equal(50000, p[0].SourcePort);
            Assert.Equal(8080, p[0].DestinationPort);
            Assert.Equal("SYN", p[0].TcpFlags);
            Assert.Equal(1000, p[0].Sequence);
            Assert.Equal(1_700_000_000_000_001_000L, p[0].TimestampNanoseconds);
            Assert.Equal(new DateTimeOffset(2023, 11, 14, 22, 13, 20, TimeSpan.Zero).AddTicks(10), p[0].Timestamp);
            Assert.Equal("Ethernet", p[0].LinkType);
            Assert.Equal(54, p[0].Data.Length);
            Assert.Equal("if0", p[0].Interface);
            Assert.Equal(file, p[0].File);
            Assert.Equal("50000 → 8080 [SYN] Seq=1000 Win=64240 Len=0", p[0].Info);
            Assert.Null(p[0].Problem);
            Assert.Equal("Udp", p[1].Protocol);
            Assert.Equal(4, p[1].PayloadLength);
            Assert.Equal("5353 → 53 Len=4", p[1].Info);
            Assert.Null(p[1].TcpFlags);
            Assert.Equal("Icmp", p[2].Protocol);
            Assert.Equal("Echo (ping) request id=0x0007, seq=1, ttl=64", p[2].Info);
            Assert.Null(p[2].SourcePort);
        }

        [Fact]
        public void ImportFiltersBeforeBuildingObjectsAndReportsProgress()
        {
            using var dir = new TempDirectory(nameof(ImportFiltersBeforeBuildingObjectsAndReportsProgress));
            string file = dir.File("three.pcap");
            File.WriteAllBytes(file, ThreePackets);
            CaptureProgress last = default;
            var items = CaptureImport.Read(file, PacketFilter.Parse("not tcp and dst host 10.0.0.2"), p => last = p).ToList();
            Assert.Equal(new long[] { 2, 3 }, items.Select(i => i.Packet!.Number));
            Assert.Equal(ThreePackets.Length, last.BytesRead);
            Assert.Equal(ThreePackets.Length, last.TotalBytes);
            Assert.Equal(100, last.Percent);
            Assert.Equal(3, last.PacketsRead);
            Assert.Equal(2, last.PacketsMatched);
        }

        [Fact]
        public void ImportOfATruncatedFileEmitsPacketsThenTheError()
        {
            using var dir = new TempDirectory(nameof(ImportOfATruncatedFileEmitsPacketsThenTheError));
            string file = dir.File("cut.pcap");
            File.WriteAllBytes(file, ThreePackets.Take(ThreePackets.Length - 9).ToArray());
            var items = CaptureImport.Read(file).ToList();
            Assert.Equal(3, items.Count);
            Assert.NotNull(items[0].Packet);
            Assert.NotNull(items[1].Packet);
            var e = items[2].Error!;
            Assert.Equal("CaptureFileTruncated", e.ErrorId);
            Assert.Equal(156, e.Offset);
            Assert.Contains("cut.pcap", e.ToString());
            Assert.Contains("offset 156", e.ToString());
        }

        [Fact]
        public void ImportCanBeCancelled()
        {
            using var dir = new TempDirectory(nameof(ImportCanBeCancelled));
            string file = dir.File("three.pcap");
            File.WriteAllBytes(file, ThreePackets);
            using var cts = new CancellationTokenSource();
            var e = CaptureImport.Read(file, null, null, cts.Token).GetEnumerator();
            Assert.True(e.MoveNext());
            cts.Cancel();
            Assert.Throws<OperationCanceledException>(() => e.MoveNext());
            e.Dispose();
            // The file is closed again: it can be deleted.
            File.Delete(file);
        }

        [Fact]
        public void ScanRunsWithoutBuildingObjects()
        {
            using var dir = new TempDirectory(nameof(ScanRunsWithoutBuildingObjects));
            string file = dir.File("three.pcap");
            File.WriteAllBytes(file, ThreePackets);
            int count = 0, ports = 0;
            var errors = CaptureImport.Scan(file, (in CaptureRecord r, in DecodedPacket p) => { count++; ports += p.DestinationPort; }, PacketFilter.Parse("tcp or udp"));
            Assert.Empty(errors);
            Assert.Equal(2, count);
            Assert.Equal(8080 + 53, ports);
        }

        [Fact]
        public void ExportRoundTripsThroughBothFormats()
        {
            using var dir = new TempDirectory(nameof(ExportRoundTripsThroughBothFormats));
            string source = dir.File("three.pcap");
            File.WriteAllBytes(source, ThreePackets);
            var packets = CaptureImport.Read(source).Select(i => i.Packet!).ToList();
            foreach (var format in new[] { CaptureFileFormat.PcapNg, CaptureFileFormat.Pcap })
            {
                string target = dir.File("out." + format);
                using (var export = CaptureExport.Create(target, format, overwrite: false))
                {
                    foreach (var p in packets) export.Add(p);
                    var summary = export.Commit();
                    Assert.Equal(3, summary.PacketCount);
                    Assert.Equal(format.ToString(), summary.Format);
                    Assert.Equal(1, summary.InterfaceCount);
                }
                var back = CaptureImport.Read(target).Select(i => i.Packet!).ToList();
                Assert.Equal(packets.Select(p => p.TimestampNanoseconds), back.Select(p => p.TimestampNanoseconds));
                Assert.Equal(packets.Select(p => Convert.ToBase64String(p.Data)), back.Select(p => Convert.ToBase64String(p.Data)));
                Assert.Equal(packets.Select(p => p.Info), back.Select(p => p.Info));
            }
            Assert.Empty(Directory.GetFiles(dir.Path, "*.partial"));
        }

        [Fact]
        public void ExportRefusesToOverwriteAndAbandonsCleanly()
        {
            using var dir = new TempDirectory(nameof(ExportRefusesToOverwriteAndAbandonsCleanly));
            string target = dir.File("keep.pcapng");
            File.WriteAllText(target, "precious");
            Assert.Throws<CaptureFileExistsException>(() => CaptureExport.Create(target, CaptureFileFormat.PcapNg, overwrite: false));
            Assert.Equal("precious", File.ReadAllText(target));

            // Overwrite allowed, but the export is abandoned (Ctrl+C): the old file stays, no temp file remains.
            var packet = new Packet { LinkTypeNumber = 101, Data = new byte[] { 0x45 }, OriginalLength = 1 };
            using (var export = CaptureExport.Create(target, CaptureFileFormat.PcapNg, overwrite: true))
            {
                export.Add(packet);
                Assert.True(File.Exists(export.TemporaryPath));
            }
            Assert.Equal("precious", File.ReadAllText(target));
            Assert.Empty(Directory.GetFiles(dir.Path, "*.partial"));

            using (var export = CaptureExport.Create(target, CaptureFileFormat.PcapNg, overwrite: true))
            {
                export.Add(packet);
                export.Commit();
            }
            Assert.Single(CaptureImport.Read(target));
        }

        [Fact]
        public void ExportToClassicPcapRefusesMixedLinkTypes()
        {
            using var dir = new TempDirectory(nameof(ExportToClassicPcapRefusesMixedLinkTypes));
            string target = dir.File("mixed.pcap");
            using (var export = CaptureExport.Create(target, CaptureFileFormat.Pcap, overwrite: false))
            {
                export.Add(new Packet { LinkTypeNumber = 101, Data = new byte[] { 0x45 } });
                Assert.Throws<InvalidOperationException>(() => export.Add(new Packet { LinkTypeNumber = 1, Data = new byte[14] }));
            }
            Assert.False(File.Exists(target));
            Assert.Empty(Directory.GetFiles(dir.Path, "*.partial"));
        }

        [Fact]
        public void ExportIntoAMissingDirectoryFails()
        {
            using var dir = new TempDirectory(nameof(ExportIntoAMissingDirectoryFails));
            Assert.Throws<DirectoryNotFoundException>(() => CaptureExport.Create(Path.Combine(dir.Path, "no", "x.pcapng"), CaptureFileFormat.PcapNg, false));
        }

        [Fact]
        public void UnknownLinkTypesPassThroughRawWithOneWarningAndRoundTrip()
        {
            using var dir = new TempDirectory(nameof(UnknownLinkTypesPassThroughRawWithOneWarningAndRoundTrip));
            string file = dir.File("usb.pcapng");
            using (var fs = File.Create(file))
            using (var w = CaptureFileWriter.Create(fs, CaptureFileFormat.PcapNg))
            {
                int usb = w.AddInterface(189, 65535, "usbmon1"); // LINKTYPE_USB_LINUX: not decoded
                int raw = w.AddInterface((ushort)LinkType.Raw);
                w.WritePacket(usb, 1, new byte[] { 1, 2, 3, 4 }, 4);
                w.WritePacket(raw, 2, Hex.Bytes("45000014 00000000 40060000 0a000001 0a000002"), 20);
                w.WritePacket(usb, 3, new byte[] { 5, 6 }, 2);
            }
            var items = CaptureImport.Read(file).ToList();
            var warning = Assert.Single(items, i => i.Warning != null).Warning!;
            Assert.Contains("link type 189", warning);
            Assert.Contains("usbmon1", warning);
            Assert.Contains("usb.pcapng", warning);
            var packets = items.Where(i => i.Packet != null).Select(i => i.Packet!).ToList();
            Assert.Equal(3, packets.Count);
            Assert.Equal("Unknown(189)", packets[0].LinkType);
            Assert.Equal("Unknown(189)", packets[0].Protocol);
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, packets[0].Data);
            Assert.Null(packets[0].Source);
            Assert.Equal("Tcp", packets[1].Protocol);           // IPv4 says TCP, but no TCP byte follows:
            Assert.Contains("Tcp: header truncated", packets[1].Problem);

            string copy = dir.File("copy.pcapng");
            using (var export = CaptureExport.Create(copy, CaptureFileFormat.PcapNg, false))
            {
                foreach (var p in packets) export.Add(p);
                Assert.Equal(2, export.Commit().InterfaceCount);
            }
            var back = CaptureImport.Read(copy).Where(i => i.Packet != null).Select(i => i.Packet!).ToList();
            Assert.Equal(new[] { 189, 101, 189 }, back.Select(p => p.LinkTypeNumber));
            Assert.Equal(packets.Select(p => p.TimestampNanoseconds), back.Select(p => p.TimestampNanoseconds));
        }

        [Fact]
        public void DroppedPacketsInStatisticsBlocksAreWarnedAbout()
        {
            using var dir = new TempDirectory(nameof(DroppedPacketsInStatisticsBlocksAreWarnedAbout));
            var b = new PcapNgBuilder();
            b.SectionHeader();
            b.Interface(101, 65535, b.Option(2, System.Text.Encoding.UTF8.GetBytes("wlan0")));
            b.Interface(101, 65535);
            b.Enhanced(0, 1, Hex.Bytes("45000014 00000000 403b0000 0a000001 0a000002"));
            b.Statistics(0, 5, 100, 0);
            b.Statistics(0, 9, 120, 7);   // the last counters of interface 0 count 7 drops
            b.Statistics(1, 9, 50, 0);    // interface 1 dropped nothing
            string file = dir.File("drops.pcapng");
            File.WriteAllBytes(file, b.ToArray());
            var items = CaptureImport.Read(file).ToList();
            Assert.Single(items, i => i.Packet != null);
            var w = Assert.Single(items, i => i.Warning != null).Warning!;
            Assert.Contains("wlan0", w);
            Assert.Contains("7 packets dropped by the interface", w);
            Assert.IsType<CaptureImportItem>(items.Last());
            Assert.NotNull(items.Last().Warning);
        }
    }
}
