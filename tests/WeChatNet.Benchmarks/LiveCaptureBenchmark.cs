using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using WeChatNet.Capture;
using WeChatNet.Capture.Live;

namespace WeChatNet.Benchmarks
{
    /// <summary>
    /// Live capture to a file, WeChatNet against tcpdump -w, on loopback UDP traffic at rising packet rates, in one run.
    /// Both capture in their own process (ours: this program re-run with --child), same interface, filter, snap length and
    /// kernel buffer (8 MiB), both in libpcap's buffered (non-immediate) mode as Start-WeChatCapture -OutFile uses. The
    /// sender is this process. For each rate: packets sent, packets in the file, kernel drops, CPU of the capturing process
    /// per packet (from /proc/PID/stat, between "ready" and the end of the traffic). Needs root, tcpdump and libpcap.
    /// With --sharppcap a third capturer runs at each rate: SharpPcap 6.3.1 (the design card's package) in the same kind
    /// of child, same settings, writing with its CaptureFileWriterDevice (docs/dependencies.md).
    /// </summary>
    public sealed class LiveCaptureBenchmark : IBenchmark
    {
        public string Name => "live-capture";
        public string Description => "live capture to file at rising loopback packet rates: WeChatNet vs tcpdump -w [--sharppcap: and SharpPcap] (root)";

        private enum Capturer { WeChatNet, Tcpdump, SharpPcap }

        private const int PayloadBytes = 100;
        private const int WarmUpRate = 20_000;
        private const int SettleMs = 2_000;
        private const double WarmUpSeconds = 3.0;

        public string Run(string[] args)
        {
            if (args.Length > 0 && args[0] == "--child") return Child(args);
            if (args.Length > 0 && args[0] == "--child-sharppcap") return SharpPcapChild.Run(args);
            bool sharp = args.Contains("--sharppcap");
            args = args.Where(a => a != "--sharppcap").ToArray();
            double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 2.0;
            int[] rates = args.Length > 1 ? args[1].Split(',').Select(int.Parse).ToArray() : new[] { 10_000, 25_000, 50_000, 100_000, 200_000, 400_000, 0 };
            string tcpdump = Require("tcpdump");
            LoadAtStart = LoadAverage();
            string work = Directory.CreateTempSubdirectory("wechatnet-bench-live-").FullName;
            var rows = new List<(int Rate, Result Ours, Result Peer)>();
            var sharpRows = new List<Result>();
            try
            {
                int i = 0;
                foreach (int rate in rates)
                {
                    Result ours, peer;
                    // Alternate who goes first so neither always meets a warmer or colder machine.
                    if (i++ % 2 == 0) { ours = Measure(Capturer.WeChatNet, rate, seconds, work, tcpdump); peer = Measure(Capturer.Tcpdump, rate, seconds, work, tcpdump); }
                    else { peer = Measure(Capturer.Tcpdump, rate, seconds, work, tcpdump); ours = Measure(Capturer.WeChatNet, rate, seconds, work, tcpdump); }
                    Console.Error.WriteLine($"{rate} pps: ours {ours}; tcpdump {peer}");
                    rows.Add((rate, ours, peer));
                    if (sharp)
                    {
                        var sp = Measure(Capturer.SharpPcap, rate, seconds, work, tcpdump);
                        Console.Error.WriteLine($"{rate} pps: SharpPcap {sp}");
                        sharpRows.Add(sp);
                    }
                }
            }
            finally
            {
                Directory.Delete(work, recursive: true);
            }
            return Report(rows, seconds) + (sharp ? SharpPcapReport(rows, sharpRows) : "");
        }

        private sealed class Result
        {
            public long Sent, InFile, Dropped, Measured;
            /// <summary>On-CPU time of the capturing process's threads (schedstat, nanoseconds), the figure the table shows.</summary>
            public double CpuSeconds;
            /// <summary>The same from utime+stime (10 ms ticks; counts threads that ended in between), as a cross-check.</summary>
            public double TickSeconds;
            public double AchievedRate;
            public bool Lossless => InFile == Sent && Dropped == 0;
            public double CpuMicrosPerPacket => Measured > 0 ? CpuSeconds * 1e6 / Math.Min(Measured, InFile) : double.NaN;
            public string Cpu => CpuMicrosPerPacket.ToString("F3", CultureInfo.InvariantCulture);
            public override string ToString() => $"sent {Sent} file {InFile} dropped {Dropped} cpu {CpuSeconds:F4}s (ticks {TickSeconds:F2}s) rate {AchievedRate:F0}";
        }

        private static Result Measure(Capturer who, int rate, double seconds, string work, string tcpdump)
        {
            bool ours = who != Capturer.Tcpdump; // a .NET child of this program, stopped by "stop" on stdin
            int port = FreeUdpPort();
            string filter = $"udp dst port {port}";
            string file = Path.Combine(work, who.ToString().ToLowerInvariant() + $"-{rate}.pcapng");
            var psi = who == Capturer.WeChatNet ? Self("--child", "lo", filter, file)
                : who == Capturer.SharpPcap ? Self("--child-sharppcap", "lo", filter, file)
                : new ProcessStartInfo(tcpdump);
            if (!ours)
                foreach (var a in new[] { "-i", "lo", "-n", "-s", "262144", "-B", "8192", "-Z", "root", "-w", file, filter }) psi.ArgumentList.Add(a);
            psi.RedirectStandardError = true;
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardInput = true;
            psi.UseShellExecute = false;
            using var p = Process.Start(psi)!;
            var stderr = new StringBuilder();
            var ready = new ManualResetEventSlim();
            p.ErrorDataReceived += (_, e) => { if (e.Data == null) return; lock (stderr) stderr.AppendLine(e.Data); if (e.Data.Contains("listening on")) ready.Set(); };
            var stdout = new StringBuilder();
            p.OutputDataReceived += (_, e) => { if (e.Data == null) return; lock (stdout) stdout.AppendLine(e.Data); if (e.Data == "ready") ready.Set(); };
            p.BeginErrorReadLine();
            p.BeginOutputReadLine();
            if (!ready.Wait(TimeSpan.FromSeconds(30))) throw new InvalidOperationException($"capture did not start: {stderr}{stdout}");

            var r = new Result();
            // Warm-up (counted in Sent, not in the CPU figure): the .NET child compiles its hot path to optimised code here,
            // as a long-running Start-WeChatCapture would in its first seconds (the runtime recompiles the file-write path it
            // calls once per 64 KiB only after it has run often enough: 3 s at 20,000 pps).
            // The runtime promotes its own start-up code (tiered compilation) in the background some time after the last new
            // method ran; on a loaded machine that lands late, so the measured part starts only after the warm-up has settled.
            (long warm, _) = Send(port, WarmUpRate, WarmUpSeconds);
            Thread.Sleep(SettleMs);
            double cpu0 = CpuSeconds(p.Id);
            var run0 = ThreadRunNs(p.Id);
            (r.Sent, r.AchievedRate) = Send(port, rate, seconds);
            r.Sent += warm;
            r.Measured = r.Sent - warm;
            Thread.Sleep(1000); // let the capture drain its buffer
            r.TickSeconds = CpuSeconds(p.Id) - cpu0;
            var run1 = ThreadRunNs(p.Id);
            r.CpuSeconds = RunNsBetween(run0, run1) / 1e9;
            // Where the process's time went, thread by thread (stderr only: the capture thread should hold nearly all of it).
            Console.Error.WriteLine($"  {who} {rate} pps threads: " + string.Join(", ", run1
                .Select(kv => (Name: ThreadName(p.Id, kv.Key), Ns: kv.Value - (run0.TryGetValue(kv.Key, out long b0) ? b0 : 0)))
                .Where(t => t.Ns > 0).OrderByDescending(t => t.Ns).Select(t => FormattableString.Invariant($"{t.Name} {t.Ns / 1e6:F2} ms"))));
            if (ours) p.StandardInput.WriteLine("stop");
            else Process.Start("kill", new[] { "-INT", p.Id.ToString(CultureInfo.InvariantCulture) })!.WaitForExit();
            if (!p.WaitForExit(60_000)) { p.Kill(); throw new InvalidOperationException("capture did not stop"); }
            p.WaitForExit();
            string text = ours ? stdout.ToString() : stderr.ToString();
            var m = Regex.Match(text, @"(\d+) packets dropped by kernel");
            if (!m.Success) throw new InvalidOperationException($"no statistics from the capture: {text}");
            r.Dropped = long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            r.InFile = CountPackets(file);
            File.Delete(file);
            return r;
        }

        /// <summary>The capturing child: Start-WeChatCapture -OutFile's path (file only, buffered mode), until "stop" on stdin.</summary>
        private static string Child(string[] args)
        {
            var options = new LiveCaptureOptions
            {
                Interface = args[1],
                Filter = args[2],
                OutFile = args[3],
                EmitFrames = false,
                Open = new PcapOpenOptions { ImmediateMode = false, BufferSize = 8 * 1024 * 1024 },
            };
            using var capture = LiveCapture.Start(options);
            Console.WriteLine("ready");
            Console.In.ReadLine();
            capture.Stop();
            var s = capture.Wait();
            return $"{s.PacketsCaptured} packets captured\n{s.PacketsReceivedByFilter} packets received by filter\n{s.PacketsDroppedByKernel} packets dropped by kernel";
        }

        private static ProcessStartInfo Self(params string[] args)
        {
            string exe = Environment.ProcessPath!;
            var psi = new ProcessStartInfo(exe);
            if (Path.GetFileNameWithoutExtension(exe) == "dotnet") psi.ArgumentList.Add(typeof(LiveCaptureBenchmark).Assembly.Location);
            psi.ArgumentList.Add("live-capture");
            foreach (var a in args) psi.ArgumentList.Add(a);
            return psi;
        }

        /// <summary>Paced UDP datagrams to 127.0.0.1:port (a bound socket takes them, so no ICMP errors).</summary>
        private static (long Sent, double Rate) Send(int port, int rate, double seconds)
        {
            if (rate == 0) return Flood(port, seconds, 2);
            using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            sink.Bind(new IPEndPoint(IPAddress.Loopback, port));
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Connect(new IPEndPoint(IPAddress.Loopback, port));
            var payload = new byte[PayloadBytes];
            long total = (long)(rate * seconds), sent = 0;
            var clock = Stopwatch.StartNew();
            while (sent < total)
            {
                long due = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * rate) + 1);
                if (sent >= due) { Thread.SpinWait(50); continue; }
                while (sent < due) { s.Send(payload); sent++; }
            }
            return (sent, sent / clock.Elapsed.TotalSeconds);
        }

        /// <summary>Rate 0: <paramref name="threads"/> unpaced senders for <paramref name="seconds"/>, to find where drops begin.</summary>
        private static (long Sent, double Rate) Flood(int port, double seconds, int threads)
        {
            using var sink = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            sink.Bind(new IPEndPoint(IPAddress.Loopback, port));
            long total = 0;
            var clock = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
            {
                using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                s.Connect(new IPEndPoint(IPAddress.Loopback, port));
                var payload = new byte[PayloadBytes];
                long n = 0;
                while (clock.Elapsed.TotalSeconds < seconds)
                    for (int i = 0; i < 256; i++, n++) s.Send(payload);
                Interlocked.Add(ref total, n);
            })).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
            return (total, total / clock.Elapsed.TotalSeconds);
        }

        private static long CountPackets(string file)
        {
            long n = 0;
            using var reader = CaptureFileReader.Open(file);
            while (true)
            {
                var r = reader.ReadNext(out CaptureRecord _);
                if (r == CaptureReadResult.EndOfFile) return n;
                if (r == CaptureReadResult.Error) throw new InvalidDataException($"{file}: {reader.LastError}");
                n++;
            }
        }

        /// <summary>
        /// Nanoseconds each thread of <paramref name="pid"/> has run (first field of /proc/PID/task/TID/schedstat: user and
        /// system time together, at nanosecond resolution where utime/stime count 10 ms ticks).
        /// </summary>
        private static Dictionary<int, long> ThreadRunNs(int pid)
        {
            var run = new Dictionary<int, long>();
            foreach (var dir in Directory.GetDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    string text = File.ReadAllText(Path.Combine(dir, "schedstat"));
                    run[int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture)] = long.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
                }
                catch (IOException) { } // the thread ended between the listing and the read
            }
            return run;
        }

        private static string ThreadName(int pid, int tid)
        {
            try { return File.ReadAllText($"/proc/{pid}/task/{tid}/comm").Trim(); }
            catch (IOException) { return tid.ToString(CultureInfo.InvariantCulture); }
        }

        /// <summary>Run time between two snapshots: threads alive at both, plus threads started in between (from zero).</summary>
        private static long RunNsBetween(Dictionary<int, long> before, Dictionary<int, long> after) =>
            after.Sum(kv => kv.Value - (before.TryGetValue(kv.Key, out long b) ? b : 0));

        private static string LoadAtStart = "";

        private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

        private static double CpuSeconds(int pid)
        {
            // /proc/PID/stat: fields after the command name "(...)"; utime and stime are the 14th and 15th fields, in clock ticks.
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            var f = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
            return (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / 100.0;
        }

        private static int FreeUdpPort()
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return ((IPEndPoint)s.LocalEndPoint!).Port;
        }

        private static string Require(string program)
        {
            foreach (var dir in new[] { "/usr/bin", "/usr/sbin", "/bin", "/sbin" })
                if (File.Exists(Path.Combine(dir, program))) return Path.Combine(dir, program);
            throw new InvalidOperationException($"{program} is needed: apt-get install -y {program}");
        }

        private static string SharpPcapReport(List<(int Rate, Result Ours, Result Peer)> rows, List<Result> sharp)
        {
            var sb = new StringBuilder();
            sb.AppendLine();
            sb.AppendLine("### SharpPcap 6.3.1, same runs (`--sharppcap`)");
            sb.AppendLine();
            sb.AppendLine("SharpPcap's `LibPcapLiveDevice` (buffered mode, `BufferSize` 8 MiB, snap length 262144, same filter) writing through its " +
                          "`CaptureFileWriterDevice` from `OnPacketArrival`, in a child process like ours.");
            sb.AppendLine();
            sb.AppendLine("| Rate (pps) | SharpPcap sent | SharpPcap in file | SharpPcap kernel drops | SharpPcap µs CPU/pkt | WeChatNet µs CPU/pkt | CPU ratio (ours/SharpPcap) |");
            sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
            for (int i = 0; i < sharp.Count; i++)
            {
                var (rate, o, _) = rows[i];
                var s = sharp[i];
                sb.AppendLine(FormattableString.Invariant(
                    $"| {(rate == 0 ? "flat out, 2 senders" : rate.ToString("N0", CultureInfo.InvariantCulture))} ({s.AchievedRate:N0} achieved) | {s.Sent:N0} | {s.InFile:N0} | {s.Dropped:N0} | {s.Cpu} | {o.Cpu} | {(o.CpuMicrosPerPacket / s.CpuMicrosPerPacket).ToString("F2", CultureInfo.InvariantCulture)} |"));
            }
            double sAll = sharp.Sum(r => r.CpuSeconds) * 1e6 / sharp.Sum(r => Math.Min(r.Measured, r.InFile));
            double oAll = rows.Sum(r => r.Ours.CpuSeconds) * 1e6 / rows.Sum(r => Math.Min(r.Ours.Measured, r.Ours.InFile));
            string best = sharp.Where(r => r.Lossless).Select(r => r.AchievedRate).DefaultIfEmpty(0).Max().ToString("N0", CultureInfo.InvariantCulture);
            sb.AppendLine();
            sb.AppendLine(FormattableString.Invariant($"CPU over all rows: SharpPcap {sAll:F2} µs per packet, WeChatNet {oAll:F2}, ratio (ours/SharpPcap) {oAll / sAll:F2}. Highest lossless rate, SharpPcap: {best} pps."));
            return sb.ToString();
        }

        private static string Report(List<(int Rate, Result Ours, Result Peer)> rows, double seconds)
        {
            var sb = new StringBuilder();
            sb.AppendLine("## Live capture");
            sb.AppendLine();
            sb.AppendLine($"`dotnet run --project tests/WeChatNet.Benchmarks -c Release -- live-capture {seconds.ToString(CultureInfo.InvariantCulture)}` " +
                          $"({DateTime.UtcNow:yyyy-MM-dd}, as root). Loopback UDP datagrams of {PayloadBytes} bytes at each rate for {seconds} s, captured to a file " +
                          "by WeChatNet (`LiveCapture`, the code behind `Start-WeChatCapture -OutFile`, in its own process) and by `tcpdump -w` " +
                          "(`-B 8192 -s 262144`), same filter, one after the other; the sender shares the machine's 2 cores with both. " +
                          "Each run starts with a 3 s warm-up at 20,000 pps and a 2 s pause (in the counts, not in the CPU figure). " +
                          "CPU is the capturing process's on-CPU time (user+system, all its threads, from /proc/PID/task/*/schedstat in nanoseconds) " +
                          "per packet of the measured part; the 10 ms-tick utime+stime of the same interval is printed to stderr as a cross-check.");
            sb.AppendLine();
            sb.AppendLine("| Rate (pps) | Sent | WeChatNet in file | WeChatNet kernel drops | tcpdump in file | tcpdump kernel drops | WeChatNet µs CPU/pkt | tcpdump µs CPU/pkt | CPU ratio (ours/tcpdump) |");
            sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (rate, o, p) in rows)
                sb.AppendLine(FormattableString.Invariant(
                    $"| {(rate == 0 ? "flat out, 2 senders" : rate.ToString("N0", CultureInfo.InvariantCulture))} ({o.AchievedRate:N0} / {p.AchievedRate:N0} achieved) | {o.Sent:N0} / {p.Sent:N0} | {o.InFile:N0} | {o.Dropped:N0} | {p.InFile:N0} | {p.Dropped:N0} | {o.Cpu} | {p.Cpu} | {(o.CpuMicrosPerPacket / p.CpuMicrosPerPacket).ToString("F2", CultureInfo.InvariantCulture)} |"));
            string best(Func<(int Rate, Result Ours, Result Peer), Result> pick) =>
                rows.Where(r => pick(r).Lossless).Select(r => pick(r).AchievedRate).DefaultIfEmpty(0).Max().ToString("N0", CultureInfo.InvariantCulture);
            double oursAll = rows.Sum(r => r.Ours.CpuSeconds) * 1e6 / rows.Sum(r => Math.Min(r.Ours.Measured, r.Ours.InFile));
            double peerAll = rows.Sum(r => r.Peer.CpuSeconds) * 1e6 / rows.Sum(r => Math.Min(r.Peer.Measured, r.Peer.InFile));
            sb.AppendLine();
            sb.AppendLine(FormattableString.Invariant($"CPU over all rows: WeChatNet {oursAll:F2} µs per packet, tcpdump {peerAll:F2} µs per packet, ratio {oursAll / peerAll:F2}."));
            int atOrBelow = rows.Count(r => r.Ours.CpuMicrosPerPacket <= r.Peer.CpuMicrosPerPacket);
            sb.AppendLine(FormattableString.Invariant($"Rows where WeChatNet's CPU per packet is at or below tcpdump's: {atOrBelow} of {rows.Count}."));
            sb.AppendLine();
            sb.AppendLine($"Highest achieved rate with every packet in the file and zero kernel drops: WeChatNet {best(r => r.Ours)} pps, tcpdump {best(r => r.Peer)} pps " +
                          "(rate 0 = two unpaced senders, as fast as loopback takes them).");
            sb.AppendLine();
            sb.AppendLine($"Load average (1 min) at the start and the end of the run: {LoadAtStart} and {LoadAverage()}.");
            return sb.ToString();
        }
    }
}
