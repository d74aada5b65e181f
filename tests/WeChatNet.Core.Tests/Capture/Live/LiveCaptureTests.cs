using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;
using WeChatNet.Capture.Live;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.Capture.Live
{
    /// <summary>Real libpcap capture on the loopback device while the test makes WeChat-shaped traffic on 127.0.0.1.</summary>
    public sealed class LiveCaptureTests
    {
        internal static LiveCaptureOptions Options(LoopbackTraffic t) => new LiveCaptureOptions
        {
            Interface = "lo",
            Filter = t.Filter,
            // Loopback frames are up to 64 KiB and immediate mode gives each a full slot: a roomy ring keeps a busy,
            // shared CI machine from dropping any (the tests assert nothing is lost).
            Open = new PcapOpenOptions { BufferSize = 64 * 1024 * 1024 },
        };

        internal static void RequireCapture()
        {
            ExternalTool.RequireRoot("live capture opens a packet socket");
            if (!System.IO.File.Exists("/usr/lib/x86_64-linux-gnu/libpcap.so.0.8") && !System.IO.File.Exists("/usr/lib/aarch64-linux-gnu/libpcap.so.0.8"))
                ExternalTool.Require("tcpdump", "libpcap0.8 tcpdump"); // names the packages when libpcap is absent
        }

        /// <summary>
        /// Runs <paramref name="traffic"/> on a worker, then keeps sending the marker datagram until <paramref name="markerSeen"/> is set
        /// (markers can be skipped by a deliberately slow consumer). A guard stops the capture if nothing arrives for a minute.
        /// </summary>
        internal static Worker Drive(Action traffic, LoopbackTraffic t, ManualResetEventSlim markerSeen, LiveCapture capture) => Worker.Run(() =>
        {
            try { traffic(); }
            finally
            {
                for (int i = 0; i < 1200 && !markerSeen.Wait(50); i++) t.SendMarker();
                if (!markerSeen.IsSet) capture.Stop();
            }
        });

        internal static bool IsMarker(CapturedStreams s, LoopbackTraffic t) =>
            s.Udp.Count > 0 && s.Udp[^1].Dst == t.MarkerPort && s.Udp[^1].Payload.AsSpan().SequenceEqual(LoopbackTraffic.Marker);

        [Fact]
        public void EveryPacketOfWeChatTrafficIsStreamedInOrderWithNothingLost()
        {
            RequireCapture();
            var t = new LoopbackTraffic();
            var streams = new CapturedStreams();
            var seen = new ManualResetEventSlim();
            var frames = new List<CapturedFrame>();
            CaptureSummary summary;
            using (var capture = LiveCapture.Start(Options(t)))
            {
                Assert.Equal(1, capture.LinkType);
                var driver = Drive(() => { t.RunLongLink(300); t.RunShortLink(); t.RunDns("long.weixin.qq.com", "szshort.weixin.qq.com", "dns.weixin.qq.com"); }, t, seen, capture);
                foreach (var f in capture.ReadFrames())
                {
                    frames.Add(f);
                    streams.Add(f.Data, f.LinkType);
                    if (!seen.IsSet && IsMarker(streams, t)) { seen.Set(); capture.Stop(); }
                }
                driver.Join();
                summary = capture.Summary!;
            }
            Assert.True(seen.IsSet, "the marker datagram was never captured");
            Assert.Empty(streams.Problems);
            var longLink = streams.Connection(t.LongPort);
            Assert.Equal(t.LongClientSent, longLink.ToServer);
            Assert.Equal(t.LongServerSent, longLink.FromServer);
            var shortLink = streams.Connection(t.ShortPort);
            Assert.Equal(t.ShortClientSent, shortLink.ToServer);
            Assert.Equal(t.ShortServerSent, shortLink.FromServer);
            var dns = streams.Udp.Where(u => u.Dst == t.DnsPort || u.Src == t.DnsPort).Select(u => u.Payload).ToList();
            var expectedDns = t.DnsQueries.Zip(t.DnsAnswers, (q, a) => new[] { q, a }).SelectMany(x => x).ToList();
            Assert.Equal(expectedDns, dns);

            // The summary accounts for every packet: all emitted, none skipped, none dropped, numbers 1..N in order.
            Assert.Equal(frames.Count, summary.PacketsCaptured);
            Assert.Equal(frames.Count, summary.ObjectsEmitted);
            Assert.Equal(0, summary.ObjectsSkipped);
            Assert.Equal(0, summary.PacketsDroppedByKernel);
            Assert.Equal(Enumerable.Range(1, frames.Count).Select(i => (long)i), frames.Select(f => f.Number));
            Assert.Equal(frames.Sum(f => (long)f.Data.Length), summary.Bytes);
            Assert.Equal("Stopped", summary.StopReason);
            Assert.Equal("Ethernet", summary.LinkType);
            Assert.Equal("Nanosecond", summary.TimestampPrecision);
            Assert.Equal(t.Filter, summary.Filter);
            Assert.Empty(summary.Files);
            Assert.Contains("libpcap", summary.LibraryVersion);
            // Timestamps are nanoseconds since 1970, in the order the kernel delivered the packets. On loopback the kernel
            // stamps each packet on the CPU that queued it, so with two cores busy a packet can carry a stamp a little older
            // than the one delivered before it (tcpdump shows the same); a step back of more than 200 ms would be ours
            // (batches reordered, a unit wrong), so that is what is checked.
            for (int i = 1; i < frames.Count; i++)
                Assert.True(frames[i].TimestampNs >= frames[i - 1].TimestampNs - 200_000_000L,
                    $"frame {i + 1} is stamped {(frames[i - 1].TimestampNs - frames[i].TimestampNs) / 1e6:0.###} ms before frame {i}");
            Assert.InRange(frames[0].TimestampNs, summary.StartTime.ToUnixTimeMilliseconds() * 1_000_000L - 1_000_000_000L, summary.EndTime.ToUnixTimeMilliseconds() * 1_000_000L + 1_000_000_000L);
        }

        [Fact]
        public void CountStopsAfterExactlyThatManyPackets()
        {
            RequireCapture();
            var t = new LoopbackTraffic();
            var options = Options(t);
            options.Count = 25;
            var stop = new ManualResetEventSlim();
            using var capture = LiveCapture.Start(options);
            var flood = Worker.Run(() => t.Flood(stop)); // endless traffic: the count, not the traffic, ends the capture
            List<CapturedFrame> frames;
            try { frames = capture.ReadFrames().ToList(); }
            finally { stop.Set(); flood.Join(); }
            Assert.Equal(25, frames.Count);
            Assert.Equal(25, capture.Summary!.PacketsCaptured);
            Assert.Equal("Count", capture.Summary.StopReason);
            Assert.True(capture.Summary.PacketsReceivedByFilter >= 25);
        }

        [Fact]
        public void DurationEndsAnIdleCapture()
        {
            RequireCapture();
            var t = new LoopbackTraffic();
            var options = Options(t);
            options.Duration = TimeSpan.FromMilliseconds(300);
            using var capture = LiveCapture.Start(options);
            var progress = new List<CaptureProgress>();
            var summary = capture.Wait(progress.Add, TimeSpan.FromMilliseconds(50));
            Assert.Equal("Duration", summary.StopReason);
            Assert.Equal(0, summary.PacketsCaptured);
            Assert.True(summary.DurationMs > 0);
            Assert.All(progress, p => Assert.Equal(300, p.DurationMs));
        }

        [Fact]
        public void CancellationStopsTheCaptureFromAnotherThread()
        {
            RequireCapture();
            var t = new LoopbackTraffic();
            using var cts = new CancellationTokenSource();
            using var capture = LiveCapture.Start(Options(t), cts.Token);
            var stop = new ManualResetEventSlim();
            var flood = Worker.Run(() => t.Flood(stop)); // traffic that goes on until the capture has ended
            long n = 0;
            try
            {
                foreach (var f in capture.ReadFrames())
                {
                    if (++n == 50) cts.Cancel(); // mid-traffic, as Ctrl+C would
                }
            }
            finally { stop.Set(); flood.Join(); }
            Assert.Equal("Stopped", capture.Summary!.StopReason);
            Assert.True(capture.Summary.PacketsCaptured >= 50);
            Assert.Equal(capture.Summary.PacketsCaptured, capture.Summary.ObjectsEmitted + capture.Summary.ObjectsSkipped);
            Assert.Equal(capture.Summary.ObjectsEmitted, n);
        }

        [Fact]
        public void ASlowConsumerGetsFewerObjectsAndTheSummaryCountsEverySkippedOne()
        {
            RequireCapture();
            var t = new LoopbackTraffic();
            var options = Options(t);
            const int queueCapacity = 4;
            options.QueueCapacity = queueCapacity;
            var seen = new ManualResetEventSlim();
            var frames = new List<CapturedFrame>();
            using var capture = LiveCapture.Start(options);
            var driver = Drive(() => t.RunLongLink(400), t, seen, capture);
            foreach (var f in capture.ReadFrames())
            {
                frames.Add(f);
                // A pipeline slower than the traffic, by construction rather than by pace: the first frame is held until
                // the capture has counted more packets than the queue can hold (a 2 ms sleep per frame assumed the traffic
                // outran it, which a loaded machine does not promise).
                if (frames.Count == 1)
                    Assert.True(SpinWait.SpinUntil(() => capture.Progress().Packets > 1 + queueCapacity + 16, TimeSpan.FromSeconds(60)),
                        $"the traffic brought only {capture.Progress().Packets} packets in 60 s");
                if (f.Data.Length > 42 + 8 && f.Data.AsSpan(42).SequenceEqual(LoopbackTraffic.Marker)) { seen.Set(); capture.Stop(); }
            }
            driver.Join();
            var s = capture.Summary!;
            Assert.True(s.ObjectsSkipped > 0, "the queue of 4 never overflowed");
            Assert.Equal(s.PacketsCaptured, s.ObjectsEmitted + s.ObjectsSkipped);
            Assert.Equal(frames.Count, s.ObjectsEmitted);
            for (int i = 1; i < frames.Count; i++) Assert.True(frames[i].Number > frames[i - 1].Number);
        }

        [Fact]
        public void ABadFilterIsReportedWithLibpcapsText()
        {
            RequireCapture();
            var e = Assert.Throws<LiveCaptureException>(() => LiveCapture.Start(new LiveCaptureOptions { Interface = "lo", Filter = "tcp port 80 or and" }));
            Assert.Equal(LiveCaptureErrorKind.FilterInvalid, e.Kind);
            Assert.Equal("CaptureFilterInvalid", e.ErrorId);
            Assert.Contains("syntax error", e.Message, StringComparison.Ordinal); // libpcap: "syntax error in filter expression: ..."
            Assert.Contains("tcp port 80 or and", e.Message);
        }

        [Fact]
        public void AnUnknownInterfaceIsReportedByName()
        {
            RequireCapture();
            var e = Assert.Throws<LiveCaptureException>(() => LiveCapture.Start(new LiveCaptureOptions { Interface = "wcnnosuch0", CaptureAll = true }));
            Assert.Equal(LiveCaptureErrorKind.InterfaceNotFound, e.Kind);
            Assert.Equal("CaptureInterfaceNotFound", e.ErrorId);
            Assert.Contains("'wcnnosuch0'", e.Message);
            Assert.Contains("Get-WeChatCaptureDevice", e.Message);
        }

        [Fact]
        public void AnInterfaceThatIsDownIsReportedAsDown()
        {
            RequireCapture();
            string ip = ExternalTool.Require("ip", "iproute2");
            // A veth pair is created down; named after this test and run, removed even on failure.
            string name = $"wcn{Environment.ProcessId % 0xFFFFF:x}dn", peer = $"wcn{Environment.ProcessId % 0xFFFFF:x}dp";
            ExternalTool.Run(ip, "link", "add", name, "type", "veth", "peer", "name", peer).EnsureSuccess("ip link add veth");
            try
            {
                var e = Assert.Throws<LiveCaptureException>(() => LiveCapture.Start(new LiveCaptureOptions { Interface = name, CaptureAll = true }));
                Assert.Equal(LiveCaptureErrorKind.InterfaceNotUp, e.Kind);
                Assert.Equal("CaptureInterfaceNotUp", e.ErrorId);
                Assert.Contains($"'{name}' is down", e.Message);
                var listed = Assert.Single(CaptureDevices.List(), d => d.Name == name);
                Assert.False(listed.IsUp);
            }
            finally
            {
                ExternalTool.Run(ip, "link", "del", name);
            }
        }

        [Fact]
        public void AMissingLibrarySaysHowToInstallIt()
        {
            using var dir = new TempDirectory("pcap-missing");
            string wrong = dir.File("libpcap.so.1");
            var e = Assert.Throws<LiveCaptureException>(() => LiveCapture.Start(new LiveCaptureOptions { Interface = "lo", LibraryPath = wrong }));
            Assert.Equal(LiveCaptureErrorKind.LibraryMissing, e.Kind);
            Assert.Equal("CaptureLibraryMissing", e.ErrorId);
            Assert.Contains(wrong, e.Message);
            Assert.Contains("apt-get install libpcap0.8", e.Message);
            var e2 = Assert.Throws<LiveCaptureException>(() => CaptureDevices.List(wrong));
            Assert.Equal(LiveCaptureErrorKind.LibraryMissing, e2.Kind);
        }

        [Fact]
        public void AnExplicitLibraryPathIsUsed()
        {
            RequireCapture();
            string? path = new[] { "/usr/lib/x86_64-linux-gnu/libpcap.so.0.8", "/usr/lib/aarch64-linux-gnu/libpcap.so.0.8" }.FirstOrDefault(System.IO.File.Exists);
            Assert.True(path != null, "libpcap.so.0.8 (package libpcap0.8) is needed for this test");
            Assert.Contains(CaptureDevices.List(path), d => d.Name == "lo");
            using var capture = LiveCapture.Start(new LiveCaptureOptions { Interface = "lo", Filter = "udp port 9", LibraryPath = path, Duration = TimeSpan.FromMilliseconds(50) });
            Assert.StartsWith("libpcap version", capture.Wait().LibraryVersion);
        }

        [Fact]
        public void ALibraryWithoutPcapFunctionsIsReportedAsMissing()
        {
            // libz is a real shared library but not libpcap: loading succeeds, resolving pcap_findalldevs fails.
            string? libz = new[] { "/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/aarch64-linux-gnu/libz.so.1" }.FirstOrDefault(System.IO.File.Exists);
            Assert.True(libz != null, "libz.so.1 (package zlib1g) is needed for this test");
            var e = Assert.Throws<LiveCaptureException>(() => CaptureDevices.List(libz));
            Assert.Equal(LiveCaptureErrorKind.LibraryMissing, e.Kind);
            Assert.Contains("pcap_findalldevs", e.Message);
        }

        [Fact]
        public void MissingCaptureRightsGiveThePermissionRemedy()
        {
            RequireCapture();
            // Drop CAP_NET_RAW and CAP_NET_ADMIN from this thread's effective set (capabilities are per thread on Linux),
            // so pcap_activate meets the same EPERM an unprivileged user does; restore them afterwards.
            var saved = Capabilities.Get();
            try
            {
                Capabilities.Set(saved.WithoutEffective(Capabilities.NetRaw, Capabilities.NetAdmin));
                var e = Assert.Throws<LiveCaptureException>(() => LiveCapture.Start(new LiveCaptureOptions { Interface = "lo", CaptureAll = true }));
                Assert.Equal(LiveCaptureErrorKind.PermissionDenied, e.Kind);
                Assert.Equal("CapturePermissionDenied", e.ErrorId);
                Assert.Contains("sudo pwsh", e.Message);
                Assert.Contains("setcap cap_net_raw,cap_net_admin+eip", e.Message);
            }
            finally
            {
                Capabilities.Set(saved);
            }
        }

        [Fact]
        public void TheDefaultWeChatFilterCompilesAndSelectsWeChatTraffic()
        {
            RequireCapture();
            string prefixFile = System.IO.Path.Combine(ExternalTool.RepoRoot, "data", "tencent-asn-prefixes.txt");
            string filter = CaptureFilter.WeChatDefaultFromFile(prefixFile);
            Assert.StartsWith("tcp port 80 or tcp port 443 or tcp port 8080 or udp port 53 or (ip and (net 1.12.0.0/14 or ", filter);
            Assert.Contains("(ip6 and (net 2402:4e00::/32", filter);
            Assert.Equal(CaptureFilter.ReadPrefixes(prefixFile).Count, System.Text.RegularExpressions.Regex.Matches(filter, @"\bnet ").Count);

            int otherPort = FreePort.UdpAndTcp();
            using var capture = LiveCapture.Start(new LiveCaptureOptions { Interface = "lo", Filter = filter });
            byte[] mine = System.Text.Encoding.ASCII.GetBytes("wechatnet-default-filter-" + Guid.NewGuid());
            var frames = new List<CapturedFrame>();
            var seen = new ManualResetEventSlim();
            var driver = Worker.Run(() =>
            {
                using var u = new UdpClient();
                for (int i = 0; i < 1200 && !seen.IsSet; i++)
                {
                    u.Send(mine, mine.Length, new IPEndPoint(IPAddress.Loopback, otherPort)); // not WeChat: filtered out
                    u.Send(mine, mine.Length, new IPEndPoint(IPAddress.Loopback, 53));        // DNS: captured
                    seen.Wait(50);
                }
                capture.Stop();
            });
            foreach (var f in capture.ReadFrames())
            {
                frames.Add(f);
                if (f.Data.AsSpan().IndexOf(mine) >= 0) { seen.Set(); capture.Stop(); }
            }
            driver.Join();
            Assert.True(seen.IsSet, "the datagram to 127.0.0.1:53 was not captured by the default filter");
            var streams = new CapturedStreams();
            foreach (var f in frames) streams.Add(f.Data, f.LinkType);
            Assert.DoesNotContain(streams.Udp, u => u.Dst == otherPort);
        }

        [Fact]
        public void WithoutAnInterfaceTheDefaultDeviceIsCapturedWithTheWeChatFilter()
        {
            RequireCapture();
            var expected = CaptureDevices.Default(CaptureDevices.List());
            Assert.True(expected != null, "this machine has no usable interface besides loopback");
            string prefixFile = System.IO.Path.Combine(ExternalTool.RepoRoot, "data", "tencent-asn-prefixes.txt");
            using var capture = LiveCapture.Start(new LiveCaptureOptions { PrefixFile = prefixFile, Duration = TimeSpan.FromMilliseconds(100) });
            Assert.Equal(expected!.Name, capture.Interface);
            Assert.Equal(CaptureFilter.WeChatDefaultFromFile(prefixFile), capture.Filter);
            var summary = capture.Wait();
            Assert.Equal(expected.Name, summary.Interface);
            Assert.Equal(capture.Filter, summary.Filter);
        }

        [Theory]
        [InlineData(1000L, 0, false, 0)]   // size limit without a file
        [InlineData(0L, 3, true, 0)]       // ring without a size limit
        [InlineData(0L, 0, false, -1)]     // negative duration
        public void InconsistentOptionsAreRefusedBeforeAnythingOpens(long maxBytes, int maxFiles, bool file, int durationMs)
        {
            var options = new LiveCaptureOptions { Interface = "lo", CaptureAll = true, MaxFileBytes = maxBytes, MaxFiles = maxFiles,
                OutFile = file ? "x.pcapng" : null, Duration = durationMs != 0 ? TimeSpan.FromMilliseconds(durationMs) : null };
            Assert.Throws<ArgumentException>(() => LiveCapture.Start(options));
            Assert.False(System.IO.File.Exists("x.pcapng"));
        }

        [Fact]
        public void PrefixLinesAreReadAndBadOnesIgnored()
        {
            using var dir = new TempDirectory("prefixes");
            System.IO.File.WriteAllText(dir.File("p.txt"), "# comment\n45090\tTENCENT\t1.12.0.0/14\n\n1\tX\tnot-a-prefix\n1\tX\t10.0.0.0/33\n2\tY\t2402:4e00::/32\n");
            Assert.Equal(new[] { "1.12.0.0/14", "2402:4e00::/32" }, CaptureFilter.ReadPrefixes(dir.File("p.txt")));
            Assert.Equal(CaptureFilter.WeChatPorts, CaptureFilter.WeChatDefault(Array.Empty<string>()));
            var e = Assert.Throws<LiveCaptureException>(() => CaptureFilter.WeChatDefaultFromFile(dir.File("absent.txt")));
            Assert.Equal(LiveCaptureErrorKind.FilterInvalid, e.Kind);
        }
    }

    /// <summary>capget/capset for the calling thread (Linux), to test the missing-rights error without another user.</summary>
    internal static class Capabilities
    {
        public const int NetAdmin = 12, NetRaw = 13;
        private const uint Version3 = 0x20080522;

        [StructLayout(LayoutKind.Sequential)]
        private struct Header { public uint Version; public int Pid; }

        [StructLayout(LayoutKind.Sequential)]
        public struct Data { public uint Effective, Permitted, Inheritable; }

        public sealed class Set2
        {
            public Data[] D = new Data[2];
            public Set2 WithoutEffective(params int[] caps)
            {
                var copy = new Set2 { D = (Data[])D.Clone() };
                foreach (int c in caps) copy.D[c / 32].Effective &= ~(1u << (c % 32));
                return copy;
            }
        }

        [DllImport("libc.so.6", SetLastError = true)] private static extern int capget(ref Header h, [Out] Data[] d);
        [DllImport("libc.so.6", SetLastError = true)] private static extern int capset(ref Header h, Data[] d);

        public static Set2 Get()
        {
            var h = new Header { Version = Version3, Pid = 0 };
            var s = new Set2();
            if (capget(ref h, s.D) != 0) throw new InvalidOperationException($"capget failed: errno {Marshal.GetLastWin32Error()}");
            return s;
        }

        public static void Set(Set2 s)
        {
            var h = new Header { Version = Version3, Pid = 0 };
            if (capset(ref h, s.D) != 0) throw new InvalidOperationException($"capset failed: errno {Marshal.GetLastWin32Error()}");
        }
    }
}
