using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using WeChatNet.Capture;
using WeChatNet.Packets;
using WeChatNet.Tests.Packets;
using Xunit;

namespace WeChatNet.Tests.Capture
{
    public class CaptureFileReaderTests
    {
        internal sealed record Rec(long Number, long Ns, int Interface, ushort LinkType, byte[] Data, int Orig, long Offset, string? Comment);

        internal static (List<Rec> Packets, List<CaptureFileError> Errors, CaptureFileReader Reader) ReadAll(byte[] file, string name = "test.pcap")
        {
            var reader = CaptureFileReader.Open(new MemoryStream(file), name);
            var packets = new List<Rec>();
            var errors = new List<CaptureFileError>();
            for (int guard = 0; guard < 1_000_000; guard++)
            {
                var r = reader.ReadNext(out var rec);
                if (r == CaptureReadResult.EndOfFile) return (packets, errors, reader);
                if (r == CaptureReadResult.Error) { errors.Add(reader.LastError!); continue; }
                var c = rec.CommentUtf8;
                packets.Add(new Rec(rec.Number, rec.TimestampNanoseconds, rec.Interface.Index, rec.LinkType, rec.Data.ToArray(), rec.OriginalLength, rec.FileOffset,
                    c.IsEmpty ? null : System.Text.Encoding.UTF8.GetString(c.ToArray())));
            }
            throw new InvalidOperationException("reader did not finish");
        }

        // Classic pcap, little-endian, microseconds: one 4-byte raw-IP record.
        private static readonly byte[] PcapLittleMicro = Hex.Bytes(@"
            d4 c3 b2 a1        # 0  magic a1b2c3d4 written little-endian (microseconds)
            02 00 04 00        # 4  version 2.4
            00 00 00 00        # 8  thiszone
            00 00 00 00        # 12 sigfigs
            ff ff 00 00        # 16 snaplen 65535
            65 00 00 00        # 20 link type 101 (raw IP)
            10 00 00 00        # 24 ts_sec 16
            40 e2 01 00        # 28 ts_usec 123456
            04 00 00 00        # 32 incl_len 4
            3c 00 00 00        # 36 orig_len 60
            de ad be ef        # 40 data
        ");

        // The same, big-endian with nanosecond magic.
        private static readonly byte[] PcapBigNano = Hex.Bytes(@"
            a1 b2 3c 4d        # 0  magic a1b23c4d big-endian (nanoseconds)
            00 02 00 04        # 4  version 2.4
            00 00 00 00 00 00 00 00
            00 00 ff ff        # 16 snaplen
            00 00 00 01        # 20 Ethernet
            00 00 00 10        # 24 ts_sec 16
            07 5b cd 15        # 28 ts_nsec 123456789
            00 00 00 02        # 32 incl_len 2
            00 00 00 02        # 36 orig_len 2
            ca fe              # 40 data
        ");

        [Fact]
        public void PcapLittleEndianMicroseconds()
        {
            var (packets, errors, reader) = ReadAll(PcapLittleMicro);
            Assert.Empty(errors);
            Assert.Equal(CaptureFileFormat.Pcap, reader.Format);
            var p = Assert.Single(packets);
            Assert.Equal(1, p.Number);
            Assert.Equal(16_123_456_000L, p.Ns);
            Assert.Equal((ushort)LinkType.Raw, p.LinkType);
            Assert.Equal(60, p.Orig);
            Assert.Equal(new byte[] { 0xde, 0xad, 0xbe, 0xef }, p.Data);
            Assert.Equal(24, p.Offset);
            Assert.Equal(65535u, reader.Interfaces[0].SnapLength);
        }

        [Fact]
        public void PcapBigEndianNanoseconds()
        {
            var (packets, errors, _) = ReadAll(PcapBigNano);
            Assert.Empty(errors);
            var p = Assert.Single(packets);
            Assert.Equal(16_123_456_789L, p.Ns);
            Assert.Equal((ushort)LinkType.Ethernet, p.LinkType);
        }

        [Fact]
        public void PcapTruncatedLastRecordKeepsEarlierPackets()
        {
            var two = PcapLittleMicro.Concat(PcapLittleMicro.Skip(24)).ToArray();
            var cut = two.Take(two.Length - 2).ToArray();
            var (packets, errors, _) = ReadAll(cut, "cut.pcap");
            Assert.Single(packets);
            var e = Assert.Single(errors);
            Assert.Equal(CaptureErrorKind.Truncated, e.Kind);
            Assert.Equal(44, e.Offset);
            Assert.Equal("cut.pcap", e.File);
            Assert.Contains("offset 44", e.Message);
            Assert.Null(e.ResumedAt);
        }

        [Fact]
        public void PcapImpossibleLengthResynchronises()
        {
            var rec = PcapLittleMicro.Skip(24).ToArray();
            var file = PcapLittleMicro.Take(24).Concat(rec).Concat(rec).Concat(rec).ToArray();
            // Second record (offset 44): incl_len = 0x7fffffff.
            file[44 + 8] = 0xff; file[44 + 9] = 0xff; file[44 + 10] = 0xff; file[44 + 11] = 0x7f;
            var (packets, errors, _) = ReadAll(file);
            var e = Assert.Single(errors);
            Assert.Equal(CaptureErrorKind.CorruptBlock, e.Kind);
            Assert.Equal(44, e.Offset);
            Assert.Equal(64, e.ResumedAt);
            Assert.Equal(2, packets.Count);
            Assert.Equal(2, packets[1].Number);
            Assert.Equal(64, packets[1].Offset);
        }

        [Fact]
        public void NotACaptureFileNamesTheBytes()
        {
            var (packets, errors, reader) = ReadAll(System.Text.Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n\r\n"), "page.pcap");
            Assert.Empty(packets);
            var e = Assert.Single(errors);
            Assert.Equal(CaptureErrorKind.NotACaptureFile, e.Kind);
            Assert.Equal("NotACaptureFile", e.ErrorId);
            Assert.Contains("47 45 54 20", e.Message);
            Assert.Equal(0, e.Offset);
            Assert.Equal(CaptureFileFormat.Unknown, reader.Format);
            var (_, emptyErrors, _) = ReadAll(Array.Empty<byte>());
            Assert.Contains("empty", Assert.Single(emptyErrors).Message);
        }

        [Fact]
        public void PcapUnsupportedVersion()
        {
            var f = (byte[])PcapLittleMicro.Clone();
            f[4] = 3;
            var (_, errors, _) = ReadAll(f);
            Assert.Equal(CaptureErrorKind.UnsupportedVersion, Assert.Single(errors).Kind);
        }

        [Fact]
        public void GzipIsDetectedByContent()
        {
            var ms = new MemoryStream();
            using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(PcapBigNano, 0, PcapBigNano.Length);
            var (packets, errors, reader) = ReadAll(ms.ToArray(), "x.pcapng");
            Assert.Empty(errors);
            Assert.True(reader.IsCompressed);
            Assert.Single(packets);
            // A damaged gzip stream is reported, not thrown.
            var bad = ms.ToArray();
            for (int i = 12; i < bad.Length - 8; i++) bad[i] ^= 0x5a;
            var (_, badErrors, _) = ReadAll(bad);
            Assert.NotEmpty(badErrors);
        }

        [Fact]
        public void AGzipFileCutShortAtARecordBoundaryIsReportedTruncated()
        {
            // .NET's GZipStream ends quietly where a cut file ends. When the cut falls where the decompressed data ends
            // between records (seen on a real capture: 3000 of its 6153 gzip bytes gave 106 whole packets), nothing in the
            // capture format shows it, and the analysis went on with part of the file and no error. The gzip trailer's size
            // field tells.
            byte[] record = PcapLittleMicro.AsSpan(24).ToArray();
            var ms = new MemoryStream();
            long cut;
            using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            {
                gz.Write(PcapLittleMicro, 0, PcapLittleMicro.Length);
                gz.Flush(); // a sync flush: the bytes so far decompress to exactly the header and the first record
                cut = ms.Length;
                gz.Write(record, 0, record.Length);
            }
            var (whole, wholeErrors, _) = ReadAll(ms.ToArray(), "whole.pcap.gz");
            Assert.Empty(wholeErrors);
            Assert.Equal(2, whole.Count);
            var (packets, errors, reader) = ReadAll(ms.ToArray().AsSpan(0, (int)cut).ToArray(), "cut.pcap.gz");
            Assert.Single(packets);
            var e = Assert.Single(errors);
            Assert.Equal(CaptureErrorKind.Truncated, e.Kind);
            Assert.Contains("cut short", e.Message);
            Assert.True(reader.IsCompressed);
        }

        [Fact]
        public void GzipFilesJoinedEndToEndAtSectionsAreWhole()
        {
            // Two pcapng files, each compressed on its own, joined (cat a.pcapng.gz b.pcapng.gz): a valid two-section capture
            // that tshark reads whole. The trailer's size field is the last member's only, so it must not read as a cut.
            var one = new MemoryStream();
            using (var w = CaptureFileWriter.Create(one, CaptureFileFormat.PcapNg))
            {
                int id = w.AddInterface(1, 65535, "eth0");
                w.WritePacket(id, 1_700_000_000_000_000_000, new byte[60], 0);
            }
            var file = one.ToArray();
            var joined = new MemoryStream();
            for (int i = 0; i < 2; i++)
                using (var gz = new GZipStream(joined, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(file, 0, file.Length);
            var (packets, errors, _) = ReadAll(joined.ToArray(), "joined.pcapng.gz");
            Assert.Empty(errors);
            Assert.Equal(2, packets.Count);
        }

        [Fact]
        public void PcapNgLiteralLittleEndianBlocks()
        {
            var file = Hex.Bytes(@"
                0a 0d 0d 0a  1c 00 00 00     # 0  SHB, length 28
                4d 3c 2b 1a  01 00 00 00     # 8  byte-order magic (little-endian), version 1.0
                ff ff ff ff ff ff ff ff      # 16 section length unknown
                1c 00 00 00                  # 24 trailing length
                01 00 00 00  20 00 00 00     # 28 IDB, length 32
                65 00 00 00  ff ff 00 00     # 36 link type 101, snaplen 65535
                09 00 01 00  03 00 00 00     # 44 if_tsresol = 3 (milliseconds), padded
                00 00 00 00                  # 52 opt_endofopt
                20 00 00 00                  # 56 trailing length
                06 00 00 00  24 00 00 00     # 60 EPB, length 36
                00 00 00 00                  # 68 interface 0
                00 00 00 00  e8 03 00 00     # 72 timestamp 1000 ms
                04 00 00 00  04 00 00 00     # 80 captured 4, original 4
                45 00 00 14                  # 88 data
                24 00 00 00                  # 92 trailing length
            ");
            var (packets, errors, reader) = ReadAll(file);
            Assert.Empty(errors);
            Assert.Equal(CaptureFileFormat.PcapNg, reader.Format);
            var p = Assert.Single(packets);
            Assert.Equal(1_000_000_000L, p.Ns);
            Assert.Equal(60, p.Offset);
            Assert.Equal((ushort)LinkType.Raw, p.LinkType);
            Assert.Equal(3, reader.Interfaces[0].TimestampResolution);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void PcapNgEveryBlockTypeBothByteOrders(bool bigEndian)
        {
            var b = new PcapNgBuilder { BigEndian = bigEndian };
            b.SectionHeader();
            b.Interface(1, 262144, b.Option(2, System.Text.Encoding.UTF8.GetBytes("eth0")), b.Option(9, new byte[] { 9 }));
            b.Interface(101, 65535, b.Option(9, new byte[] { 0x80 | 20 }), b.Int64Option(14, 100)); // 2^-20 s, +100 s offset
            b.Names(new byte[] { 192, 0, 2, 1 }, "long.weixin.qq.com");
            b.Block(0x0BAD, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });       // custom block: skipped
            b.Block(0x12345678, new byte[16]);                              // unknown block: skipped
            b.Enhanced(0, 1_700_000_000_123_456_789UL, new byte[] { 1, 2, 3 }, 1500, b.Option(1, System.Text.Encoding.UTF8.GetBytes("hello")));
            b.Enhanced(1, (1UL << 20) * 5 + (1UL << 19), new byte[] { 0x45 });   // 5.5 s at 2^-20 resolution
            b.Simple(new byte[] { 9, 9, 9, 9, 9 }, 5);
            b.Obsolete(1, 1UL << 20, new byte[] { 0x60 });
            b.Statistics(0, 1_700_000_001_000_000_000UL, 42, 3);
            // A second section with its own interface numbering.
            b.SectionHeader();
            b.Interface(113, 0);
            b.Enhanced(0, 2_000_000, new byte[] { 7 });   // default resolution: microseconds
            var (packets, errors, reader) = ReadAll(b.ToArray(), "multi.pcapng");
            Assert.Empty(errors);
            Assert.Equal(5, packets.Count);
            Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, packets.Select(p => p.Number));
            Assert.Equal(1_700_000_000_123_456_789L, packets[0].Ns);
            Assert.Equal(1500, packets[0].Orig);
            Assert.Equal("hello", packets[0].Comment);
            Assert.Equal(105_500_000_000L, packets[1].Ns);
            Assert.Equal(1, packets[1].Interface);
            Assert.Equal(new byte[] { 9, 9, 9, 9, 9 }, packets[2].Data);
            Assert.Equal(0, packets[2].Interface);
            Assert.Equal(101_000_000_000L, packets[3].Ns);
            Assert.Equal(2, packets[4].Interface);
            Assert.Equal((ushort)LinkType.LinuxSll, packets[4].LinkType);
            Assert.Equal(2_000_000_000L, packets[4].Ns);
            Assert.Equal(3, reader.Interfaces.Count);
            Assert.Equal("eth0", reader.Interfaces[0].Name);
            Assert.Equal(1, reader.Interfaces[2].Section);
            Assert.Equal(100, reader.Interfaces[1].TimestampOffsetSeconds);
            var s = Assert.Single(reader.Statistics);
            Assert.Equal(42UL, s.Received);
            Assert.Equal(3UL, s.InterfaceDropped);
            var n = Assert.Single(reader.NameResolutions);
            Assert.Equal("192.0.2.1", n.Address);
            Assert.Equal("long.weixin.qq.com", Assert.Single(n.Names));
        }

        [Fact]
        public void PcapNgSectionsOfDifferentByteOrdersInOneFile()
        {
            var le = new PcapNgBuilder { BigEndian = false };
            le.SectionHeader();
            le.Interface(1, 100);
            le.Enhanced(0, 1_000_000, new byte[] { 1 });
            var be = new PcapNgBuilder { BigEndian = true };
            be.SectionHeader();
            be.Interface(101, 200);
            be.Interface(113, 300);
            be.Enhanced(1, 2_000_000, new byte[] { 2, 2 });
            var (packets, errors, reader) = ReadAll(le.ToArray().Concat(be.ToArray()).ToArray());
            Assert.Empty(errors);
            Assert.Equal(2, packets.Count);
            Assert.Equal(1_000_000_000L, packets[0].Ns);
            Assert.Equal(2_000_000_000L, packets[1].Ns);
            Assert.Equal((ushort)LinkType.LinuxSll, packets[1].LinkType);
            Assert.Equal(2, packets[1].Interface);
            Assert.Equal(new uint[] { 100, 200, 300 }, reader.Interfaces.Select(i => i.SnapLength));
            Assert.Equal(new[] { 0, 1, 1 }, reader.Interfaces.Select(i => i.Section));
        }

        [Fact]
        public void PcapNgUnknownInterfaceIsReportedAndSkipped()
        {
            var b = new PcapNgBuilder();
            b.SectionHeader();
            b.Interface(1);
            long bad = b.Enhanced(5, 0, new byte[] { 1 });
            b.Enhanced(0, 0, new byte[] { 2 });
            var (packets, errors, _) = ReadAll(b.ToArray());
            var e = Assert.Single(errors);
            Assert.Equal(CaptureErrorKind.UnknownInterface, e.Kind);
            Assert.Equal(bad, e.Offset);
            Assert.Equal(new byte[] { 2 }, Assert.Single(packets).Data);
        }

        /// <summary>SHB, IDB and three one-byte packets 1, 2, 3; <paramref name="bad"/> is the second packet block.</summary>
        private static byte[] ThreePacketBlocks(out long bad, out long good)
        {
            var b = new PcapNgBuilder();
            b.SectionHeader();
            b.Interface(1);
            b.Enhanced(0, 0, new byte[] { 1 });
            bad = b.Enhanced(0, 0, new byte[] { 2 });
            good = b.Enhanced(0, 0, new byte[] { 3 });
            return b.ToArray();
        }

        [Fact]
        public void PcapNgDamagedTrailingLengthStillReadsTheBlock()
        {
            var file = ThreePacketBlocks(out long bad, out long good);
            file[good - 4] ^= 0x40; // trailing length of the second packet block; its leading length is right
            var (packets, errors, _) = ReadAll(file);
            var e = Assert.Single(errors);
            Assert.Equal(CaptureErrorKind.CorruptBlock, e.Kind);
            Assert.Equal(bad, e.Offset);
            Assert.Equal(bad, e.ResumedAt);
            Assert.Equal(new byte[][] { new byte[] { 1 }, new byte[] { 2 }, new byte[] { 3 } }, packets.Select(p => p.Data));
        }

        [Fact]
        public void PcapNgDamagedLeadingLengthResynchronises()
        {
            var file = ThreePacketBlocks(out long bad, out long good);
            file[bad + 4] += 4; // leading length 4 too big: the trailers disagree and no block starts there
            var (packets, errors, _) = ReadAll(file);
            var e = Assert.Single(errors);
            Assert.Equal(bad, e.Offset);
            Assert.Equal(good, e.ResumedAt);
            Assert.Contains($"resumed at offset {good}", e.Message);
            Assert.Equal(new byte[][] { new byte[] { 1 }, new byte[] { 3 } }, packets.Select(p => p.Data));
            Assert.Equal(2, packets[1].Number);
        }

        [Fact]
        public void PcapNgTruncatedBlock()
        {
            var b = new PcapNgBuilder();
            b.SectionHeader();
            b.Interface(1);
            b.Enhanced(0, 0, new byte[] { 1 });
            long last = b.Enhanced(0, 0, new byte[100]);
            var file = b.ToArray().Take((int)last + 50).ToArray();
            var (packets, errors, _) = ReadAll(file);
            Assert.Single(packets);
            var e = Assert.Single(errors);
            Assert.Equal(CaptureErrorKind.Truncated, e.Kind);
            Assert.Equal(last, e.Offset);
        }

        [Fact]
        public void PcapNgWithoutSectionHeaderIsNotACapture()
        {
            var b = new PcapNgBuilder();
            b.SectionHeader();
            var file = b.ToArray();
            file[8] = 0; // destroy the byte-order magic
            var (_, errors, _) = ReadAll(file);
            Assert.Equal(CaptureErrorKind.NotACaptureFile, Assert.Single(errors).Kind);
        }

        [Fact]
        public void TimestampResolutions()
        {
            Assert.Equal(1_500_000_000L, TimestampMath.ToNanoseconds(1_500_000, 6));
            Assert.Equal(1_000_000_000L, TimestampMath.ToNanoseconds(1_000_000_000_000, 12));
            Assert.Equal(2_500_000_000L, TimestampMath.ToNanoseconds(5, 0x81));
            Assert.Equal(1_000_000_000L, TimestampMath.ToNanoseconds(1UL << 40, 0x80 | 40));
            Assert.Equal(0L, TimestampMath.ToNanoseconds(12345, 0x80 | 70));
        }
    }
}
