using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using WeChatNet.Capture;
using WeChatNet.Capture.Live;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.Capture.Live
{
    /// <summary>Live capture to pcapng files, read back by the core's reader and by tshark.</summary>
    public sealed class LiveCaptureFileTests
    {
        /// <summary>Every packet of a file through the core's reader: (number, timestamp, bytes); a damaged file fails the test.</summary>
        internal static List<(long Number, long TimestampNs, byte[] Data, int LinkType)> ReadBack(string path)
        {
            var list = new List<(long, long, byte[], int)>();
            using var reader = CaptureFileReader.Open(path);
            while (true)
            {
                var r = reader.ReadNext(out CaptureRecord rec);
                if (r == CaptureReadResult.EndOfFile) break;
                Assert.True(r == CaptureReadResult.Packet, $"{path}: {reader.LastError}");
                list.Add((rec.Number, rec.TimestampNanoseconds, rec.Data.ToArray(), rec.LinkType));
            }
            return list;
        }

        /// <summary>tshark's view of a file: one line per frame (number, epoch time, captured length); fails on any complaint.</summary>
        internal static List<string[]> Tshark(string path)
        {
            string tshark = ExternalTool.Require("tshark", "tshark");
            var r = ExternalTool.Run(tshark, "-n", "-r", path, "-T", "fields", "-E", "separator=|", "-e", "frame.number", "-e", "frame.time_epoch", "-e", "frame.cap_len")
                .EnsureSuccess($"tshark -r {path}");
            Assert.DoesNotContain("cut short", r.StandardError);
            Assert.DoesNotContain("appears to be damaged", r.StandardError);
            return r.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('|')).ToList();
        }

        /// <summary>Runs a capture with a Count while DNS-sized datagrams flood its port, until the Count stops it.</summary>
        private static CaptureSummary CaptureWhileFlooding(LoopbackTraffic t, LiveCaptureOptions options)
        {
            var stop = new ManualResetEventSlim();
            using var capture = LiveCapture.Start(options);
            var flood = Worker.Run(() => t.Flood(stop));
            try
            {
                var summary = capture.Wait();
                Assert.Equal("Count", summary.StopReason);
                Assert.Equal(options.Count, summary.PacketsCaptured);
                return summary;
            }
            finally
            {
                stop.Set();
                flood.Join();
            }
        }

        [Fact]
        public void TheFileHoldsExactlyWhatWasSentAndTsharkAgrees()
        {
            LiveCaptureTests.RequireCapture();
            using var dir = new TempDirectory("live-file");
            var t = new LoopbackTraffic();
            var options = LiveCaptureTests.Options(t);
            options.OutFile = dir.File("wechat.pcapng");
            var seen = new ManualResetEventSlim();
            var emitted = new List<CapturedFrame>();
            var live = new CapturedStreams();
            CaptureSummary summary;
            using (var capture = LiveCapture.Start(options))
            {
                var driver = LiveCaptureTests.Drive(() => { t.RunLongLink(300); t.RunShortLink(); t.RunDns("long.weixin.qq.com", "hkshort.weixin.qq.com"); }, t, seen, capture);
                foreach (var f in capture.ReadFrames())
                {
                    emitted.Add(f);
                    live.Add(f.Data, f.LinkType);
                    Assert.Equal(options.OutFile, f.File);
                    if (!seen.IsSet && LiveCaptureTests.IsMarker(live, t)) { seen.Set(); capture.Stop(); }
                }
                driver.Join();
                summary = capture.Summary!;
            }
            Assert.Equal(new[] { options.OutFile }, summary.Files);
            Assert.Equal(1, summary.FilesWritten);

            var file = ReadBack(options.OutFile);
            Assert.Equal(summary.PacketsCaptured, file.Count);
            Assert.Equal(emitted.Count, file.Count);
            for (int i = 0; i < file.Count; i++)
            {
                Assert.Equal(i + 1, file[i].Number);
                Assert.Equal(emitted[i].TimestampNs, file[i].TimestampNs); // nanoseconds survive the file
                Assert.Equal(emitted[i].Data, file[i].Data);
                Assert.Equal(1, file[i].LinkType);
            }
            var streams = new CapturedStreams();
            foreach (var p in file) streams.Add(p.Data, p.LinkType);
            Assert.Empty(streams.Problems);
            Assert.Equal(t.LongClientSent, streams.Connection(t.LongPort).ToServer);
            Assert.Equal(t.LongServerSent, streams.Connection(t.LongPort).FromServer);
            Assert.Equal(t.ShortClientSent, streams.Connection(t.ShortPort).ToServer);
            Assert.Equal(t.ShortServerSent, streams.Connection(t.ShortPort).FromServer);
            Assert.Equal(t.DnsQueries.Zip(t.DnsAnswers, (q, a) => new[] { q, a }).SelectMany(x => x).ToList(),
                streams.Udp.Where(u => u.Dst == t.DnsPort || u.Src == t.DnsPort).Select(u => u.Payload).ToList());

            var tshark = Tshark(options.OutFile);
            Assert.Equal(file.Count, tshark.Count);
            for (int i = 0; i < file.Count; i++)
            {
                Assert.Equal((i + 1).ToString(CultureInfo.InvariantCulture), tshark[i][0]);
                long ns = file[i].TimestampNs;
                Assert.Equal($"{ns / 1_000_000_000}.{ns % 1_000_000_000:D9}", tshark[i][1]);
                Assert.Equal(file[i].Data.Length.ToString(CultureInfo.InvariantCulture), tshark[i][2]);
            }
        }

        [Fact]
        public void CancellingInHeavyTrafficLeavesAValidFileWithTheSummarysCount()
        {
            LiveCaptureTests.RequireCapture();
            using var dir = new TempDirectory("live-cancel");
            var t = new LoopbackTraffic();
            var options = LiveCaptureTests.Options(t);
            options.OutFile = dir.File("cancelled.pcapng");
            options.EmitFrames = false; // file only, as Start-WeChatCapture -OutFile without -PassThru
            options.Open.ImmediateMode = false;
            using var cts = new CancellationTokenSource();
            CaptureSummary summary;
            var stopFlood = new ManualResetEventSlim();
            using (var capture = LiveCapture.Start(options, cts.Token))
            {
                // Heavy traffic that keeps flowing; cancel (as Ctrl+C does) once a good part of it has been captured.
                var flood = Worker.Run(() => t.Flood(stopFlood));
                var canceller = Worker.Run(() =>
                {
                    for (int i = 0; i < 12000 && capture.Progress().Packets < 5000; i++) Thread.Sleep(5);
                    cts.Cancel();
                });
                try
                {
                    summary = capture.Wait();
                }
                finally
                {
                    stopFlood.Set();
                    canceller.Join();
                    flood.Join();
                }
            }
            Assert.Equal("Stopped", summary.StopReason);
            Assert.True(summary.PacketsCaptured >= 5000, $"only {summary.PacketsCaptured} packets captured");
            Assert.Equal(0, summary.ObjectsEmitted);
            var file = ReadBack(options.OutFile);
            Assert.Equal(summary.PacketsCaptured, file.Count);
            Assert.Equal(summary.Bytes, file.Sum(p => (long)p.Data.Length));
            Assert.Equal(file.Count, Tshark(options.OutFile).Count);
            // The file ends with its statistics block: the packets it holds (every one the capture counted), the kernel's counters.
            using (var reader = CaptureFileReader.Open(options.OutFile))
            {
                while (reader.ReadNext(out _) != CaptureReadResult.EndOfFile) { }
                var isb = Assert.Single(reader.Statistics);
                Assert.Equal((ulong)summary.PacketsCaptured, isb.Delivered);
                Assert.Equal((ulong)summary.PacketsReceivedByFilter, isb.Received);
                Assert.Equal((ulong)summary.PacketsDroppedByKernel, isb.OsDropped);
            }
        }

        [Fact]
        public void ASizeLimitRollsOverToNumberedFilesEachCompleteAndValid()
        {
            LiveCaptureTests.RequireCapture();
            using var dir = new TempDirectory("live-rotate");
            var t = new LoopbackTraffic();
            var options = LiveCaptureTests.Options(t);
            options.OutFile = dir.File("ring.pcapng");
            options.MaxFileBytes = 20_000;
            options.Open.SnapLength = 1000;
            options.Count = 1000; // ~110 bytes a block: several files, a known number of packets, whatever the machine's speed
            var summary = CaptureWhileFlooding(t, options);
            Assert.True(summary.FilesWritten >= 3, $"only {summary.FilesWritten} files for {summary.Bytes} bytes");
            Assert.Equal(summary.FilesWritten, summary.Files.Length);
            Assert.Equal(Enumerable.Range(1, summary.FilesWritten).Select(n => dir.File($"ring_{n:D5}.pcapng")), summary.Files);
            Assert.False(File.Exists(options.OutFile), "with rotation only numbered files are written");
            long total = 0;
            foreach (var path in summary.Files)
            {
                Assert.InRange(new FileInfo(path).Length, 1, 20_000);
                var packets = ReadBack(path);
                Assert.NotEmpty(packets);
                Assert.Equal(packets.Count, Tshark(path).Count);
                total += packets.Count;
            }
            Assert.Equal(summary.PacketsCaptured, total);
        }

        [Fact]
        public void MaxFilesKeepsARingOfTheNewestFiles()
        {
            LiveCaptureTests.RequireCapture();
            using var dir = new TempDirectory("live-ring");
            var t = new LoopbackTraffic();
            var options = LiveCaptureTests.Options(t);
            options.OutFile = dir.File("ring.pcapng");
            options.MaxFileBytes = 15_000;
            options.MaxFiles = 3;
            options.Open.SnapLength = 1000;
            options.EmitFrames = false;
            options.Count = 1000;
            var summary = CaptureWhileFlooding(t, options);
            Assert.True(summary.FilesWritten > 3, $"only {summary.FilesWritten} files");
            Assert.Equal(3, summary.Files.Length);
            Assert.Equal(Enumerable.Range(summary.FilesWritten - 2, 3).Select(n => dir.File($"ring_{n:D5}.pcapng")), summary.Files);
            Assert.Equal(summary.Files.OrderBy(f => f, StringComparer.Ordinal), Directory.GetFiles(dir.Path).OrderBy(f => f, StringComparer.Ordinal));
            foreach (var path in summary.Files)
            {
                Assert.InRange(new FileInfo(path).Length, 1, 15_000);
                var packets = ReadBack(path);
                Assert.NotEmpty(packets);
                Assert.Equal(packets.Count, Tshark(path).Count);
            }
        }

        [Fact]
        public void DurationEndsAnIdleFileOnlyCaptureInBufferedMode()
        {
            // File-only captures use libpcap's buffered mode (TPACKET_V3), where an idle interface never wakes the reader;
            // the stop must come through pcap_breakloop.
            LiveCaptureTests.RequireCapture();
            using var dir = new TempDirectory("live-idle");
            var t = new LoopbackTraffic();
            var options = LiveCaptureTests.Options(t);
            options.OutFile = dir.File("idle.pcapng");
            options.EmitFrames = false;
            options.Open.ImmediateMode = false;
            options.Duration = TimeSpan.FromMilliseconds(200);
            using var capture = LiveCapture.Start(options);
            var summary = capture.Wait();
            Assert.Equal("Duration", summary.StopReason);
            Assert.Equal(0, summary.PacketsCaptured);
            Assert.Empty(ReadBack(options.OutFile));
            Assert.Empty(Tshark(options.OutFile));
        }

        [Fact]
        public void ABurstThenSilenceIsOnDiskWhileTheBufferedCaptureRuns()
        {
            // WeChat's long link: a few packets, then minutes of silence. In libpcap's buffered mode (TPACKET_V3, file-only
            // captures) an idle interface never wakes the reader, so the burst's tail stayed in memory until the next packet:
            // a copy of the running capture (a fleet collecting the newest file) or a kill -9 lost it, however long the silence.
            LiveCaptureTests.RequireCapture();
            using var dir = new TempDirectory("live-burst");
            var t = new LoopbackTraffic();
            var options = LiveCaptureTests.Options(t);
            options.OutFile = dir.File("burst.pcapng");
            options.EmitFrames = false;
            options.Open.ImmediateMode = false;
            using var capture = LiveCapture.Start(options);
            using (var udp = new System.Net.Sockets.UdpClient())
                for (int i = 0; i < 5; i++)
                {
                    udp.Send(LoopbackTraffic.Marker, LoopbackTraffic.Marker.Length, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, t.MarkerPort));
                    Thread.Sleep(20);
                }
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (capture.Progress().Packets < 5 && DateTime.UtcNow < deadline) Thread.Sleep(50);
            Assert.Equal(5, capture.Progress().Packets);
            // Silence now: the documented bound is about a second; a loaded machine gets half a minute.
            int onDisk = 0;
            deadline = DateTime.UtcNow.AddSeconds(30);
            while ((onDisk = ReadBack(options.OutFile).Count) < 5 && DateTime.UtcNow < deadline) Thread.Sleep(200);
            Assert.Equal(5, onDisk);
            Assert.Equal(5, Tshark(options.OutFile).Count);
            capture.Stop();
            Assert.Equal(5, capture.Wait().PacketsCaptured);
        }

        [Fact]
        public void AFileInAMissingFolderFailsBeforeCapturing()
        {
            LiveCaptureTests.RequireCapture();
            using var dir = new TempDirectory("live-nofolder");
            string path = Path.Combine(dir.Path, "no", "such", "folder", "x.pcapng");
            var e = Assert.Throws<LiveCaptureException>(() => LiveCapture.Start(new LiveCaptureOptions { Interface = "lo", CaptureAll = true, OutFile = path }));
            Assert.Equal(LiveCaptureErrorKind.FileWriteFailed, e.Kind);
            Assert.Equal("CaptureFileWriteError", e.ErrorId);
            Assert.Contains("does not exist", e.Message);
        }

        [Fact]
        public void PacketsAreTheSameTypeImportWeChatCaptureEmits()
        {
            LiveCaptureTests.RequireCapture();
            var t = new LoopbackTraffic();
            var options = LiveCaptureTests.Options(t);
            options.Count = 3; // SYN, SYN-ACK, ACK of the long link
            using var capture = LiveCapture.Start(options);
            var traffic = Worker.Run(() => t.RunLongLink(5));
            var packets = capture.ReadPackets().ToList();
            traffic.Join();
            Assert.Equal(3, packets.Count);
            Assert.All(packets, p => Assert.IsType<Packet>(p));
            Assert.Equal(new long[] { 1, 2, 3 }, packets.Select(p => p.Number));
            Assert.Equal("Tcp", packets[0].Protocol);
            Assert.Equal("127.0.0.1", packets[0].Source);
            Assert.Equal(t.LongPort, packets[0].DestinationPort);
            Assert.Equal("SYN", packets[0].TcpFlags);
            Assert.Equal("lo", packets[0].Interface);
            Assert.Equal("Ethernet", packets[0].LinkType);
            Assert.Null(packets[0].File);
            Assert.Equal(packets[0].TimestampNanoseconds / 100, (packets[0].Timestamp - DateTimeOffset.UnixEpoch).Ticks);
        }
    }
}
