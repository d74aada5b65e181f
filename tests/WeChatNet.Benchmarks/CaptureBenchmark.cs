using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using WeChatNet.Capture;
using WeChatNet.Packets;
using static WeChatNet.Benchmarks.BenchmarkSupport;

namespace WeChatNet.Benchmarks
{
    /// <summary>
    /// capture-read: generates a 1,000,000-packet (~150 MB) pcap of TCP traffic to ports 80/443/8080 under /tmp, then
    /// measures, in the same run: WeChatNet's single-threaded read + full decode (packets/s, allocated bytes per packet,
    /// peak memory of a child process doing only that), the object path Import-WeChatCapture uses, and the peers
    /// `tshark -r F -q -z conv,tcp` and `tcpdump -nn -r F > /dev/null`. Then the same read on a file ten times larger
    /// for peak memory. Files are deleted afterwards.
    /// Options: --packets N (default 1000000), --no-10x, --keep.
    /// </summary>
    public sealed class CaptureBenchmark : IBenchmark
    {
        public string Name => "capture-read";
        public string Description => "pcap read+decode rate, allocations and peak memory vs tshark -z conv,tcp and tcpdump -nn -r";

        public string Run(string[] args)
        {
            if (args.Length >= 2 && args[0] == "--child") return Child(args[1], args.Length > 2 ? args[2] : "decode");
            long packets = 1_000_000;
            int i = Array.IndexOf(args, "--packets");
            if (i >= 0 && i + 1 < args.Length) packets = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
            bool tenX = !args.Contains("--no-10x");
            bool keep = args.Contains("--keep");

            string dir = Path.Combine(Path.GetTempPath(), "wechatnet-capture-bench-" + Environment.ProcessId);
            Directory.CreateDirectory(dir);
            try
            {
                string file = Path.Combine(dir, "tcp-1x.pcap");
                Console.Error.WriteLine($"generating {packets:N0} packets into {file}...");
                Generate(file, packets);
                long size = new FileInfo(file).Length;

                // Warm the page cache so every reader starts equal.
                using (var fs = File.OpenRead(file)) fs.CopyTo(Stream.Null);

                var ours = Best(2, () => RunChild(file, "decode"), c => c.Seconds);
                var objects = RunChild(file, "objects");
                string tshark = FindTool("tshark");
                string tcpdump = FindTool("tcpdump");
                double tsharkSeconds = Math.Min(TimeTool(tshark, $"-r {file} -q -z conv,tcp"), TimeTool(tshark, $"-r {file} -q -z conv,tcp"));
                double tcpdumpSeconds = Math.Min(TimeTool(tcpdump, $"-nn -r {file}"), TimeTool(tcpdump, $"-nn -r {file}"));

                ChildResult? big = null;
                long bigSize = 0;
                if (tenX)
                {
                    string bigFile = Path.Combine(dir, "tcp-10x.pcap");
                    Console.Error.WriteLine($"generating {packets * 10:N0} packets into {bigFile}...");
                    Generate(bigFile, packets * 10);
                    bigSize = new FileInfo(bigFile).Length;
                    big = RunChild(bigFile, "decode");
                    if (!keep) File.Delete(bigFile);
                }

                var sb = new StringBuilder();
                sb.AppendLine("## Capture");
                sb.AppendLine();
                sb.AppendLine($"`dotnet run --project tests/WeChatNet.Benchmarks -c Release -- capture-read` on {DateTime.UtcNow:yyyy-MM-dd} " +
                              $"({Environment.ProcessorCount} cores, {RuntimeInfo}, tshark {ToolVersion(tshark, "-v")}, tcpdump {ToolVersion(tcpdump, "--version")}).");
                sb.AppendLine();
                sb.AppendLine($"Input: generated classic pcap (nanosecond), {ours.Packets:N0} Ethernet/IPv4/TCP packets (timestamps option, 0-136 bytes of payload) " +
                              $"between 2,000 clients and servers on ports 80/443/8080, {size / 1e6:N0} MB, read from the page cache.");
                sb.AppendLine();
                sb.AppendLine("| Reader | Work | Time (s) | Packets/s | Ratio (WeChatNet faster by) | Alloc/packet | Peak RSS |");
                sb.AppendLine("|---|---|---:|---:|---:|---:|---:|");
                sb.AppendLine($"| WeChatNet `CaptureFileReader` + `PacketDecoder` | read + decode every layer, one thread | {ours.Seconds:F2} | {ours.Packets / ours.Seconds:N0} | 1.0 | {ours.AllocatedPerPacket:F3} B | {ours.PeakRssMb:N0} MB |");
                sb.AppendLine($"| WeChatNet object path (`Import-WeChatCapture` core) | + one `WeChatNet.Packet` per packet | {objects.Seconds:F2} | {objects.Packets / objects.Seconds:N0} | {objects.Seconds / ours.Seconds:F1}x slower | {objects.AllocatedPerPacket:N0} B | {objects.PeakRssMb:N0} MB |");
                sb.AppendLine($"| `tshark -r F -q -z conv,tcp` | dissect + TCP conversations | {tsharkSeconds:F2} | {ours.Packets / tsharkSeconds:N0} | {tsharkSeconds / ours.Seconds:F1}x | | |");
                sb.AppendLine($"| `tcpdump -nn -r F > /dev/null` | decode + print one line per packet | {tcpdumpSeconds:F2} | {ours.Packets / tcpdumpSeconds:N0} | {tcpdumpSeconds / ours.Seconds:F1}x | | |");
                if (big != null)
                    sb.AppendLine($"| WeChatNet, file ten times larger ({bigSize / 1e6:N0} MB, {big.Packets:N0} packets) | read + decode | {big.Seconds:F2} | {big.Packets / big.Seconds:N0} | | {big.AllocatedPerPacket:F3} B | {big.PeakRssMb:N0} MB |");
                sb.AppendLine();
                sb.AppendLine($"Bars (issue 3): at least 2,000,000 packets/s single-threaded — {(ours.Packets / ours.Seconds >= 2_000_000 ? "met" : "NOT met")}; " +
                              $"allocations per packet near zero — {ours.AllocatedPerPacket:F3} B; peak memory under 100 MB — {ours.PeakRssMb:N0} MB" +
                              (big != null ? $" and {big.PeakRssMb:N0} MB for the 10x file" : "") + ". " +
                              "Peak RSS is the child process's VmHWM (it includes the .NET runtime itself). Best of two runs for the 1x timings.");
                return sb.ToString();
            }
            finally
            {
                if (!keep) Directory.Delete(dir, recursive: true);
            }
        }

        private sealed record ChildResult(long Packets, double Seconds, double AllocatedPerPacket, double PeakRssMb);

        private static T Best<T>(int runs, Func<T> run, Func<T, double> seconds)
        {
            T best = run();
            for (int r = 1; r < runs; r++) { var x = run(); if (seconds(x) < seconds(best)) best = x; }
            return best;
        }

        private static ChildResult RunChild(string file, string mode)
        {
            var f = BenchmarkSupport.RunChild("capture-read", file, mode);
            return new ChildResult(long.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture),
                double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture));
        }

        /// <summary>Runs in the child process: one pass over the file; prints packets, seconds, bytes allocated per packet, VmHWM MB.</summary>
        private static string Child(string file, string mode)
        {
            long packets = 0, checksum = 0;
            long before = GC.GetAllocatedBytesForCurrentThread();
            var sw = Stopwatch.StartNew();
            if (mode == "objects")
            {
                foreach (var item in CaptureImport.Read(file))
                {
                    if (item.Packet == null) throw new InvalidDataException(item.Error!.ToString());
                    packets++;
                    checksum += item.Packet.PayloadLength + (item.Packet.DestinationPort ?? 0);
                }
            }
            else
            {
                using var reader = CaptureFileReader.Open(file);
                while (true)
                {
                    var r = reader.ReadNext(out var record);
                    if (r == CaptureReadResult.EndOfFile) break;
                    if (r == CaptureReadResult.Error) throw new InvalidDataException(reader.LastError!.ToString());
                    var d = record.Decode();
                    packets++;
                    checksum += d.PayloadLength + d.DestinationPort + (int)d.TcpFlags + (d.SourceAddress.Length > 0 ? d.SourceAddress[3] : 0);
                }
            }
            sw.Stop();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            double hwm = PeakRssMb();
            return string.Create(CultureInfo.InvariantCulture, $"RESULT {packets} {sw.Elapsed.TotalSeconds:R} {(double)allocated / Math.Max(1, packets):R} {hwm:R} checksum={checksum}");
        }

        /// <summary>Writes <paramref name="count"/> Ethernet/IPv4/TCP packets with our pcap writer (streaming, constant memory).</summary>
        internal static void Generate(string path, long count)
        {
            var rng = new Random(20261122);
            ushort[] serverPorts = { 80, 443, 8080 };
            const int flows = 2000;
            var seq = new uint[flows];
            var frame = new byte[14 + 20 + 32 + 200];
            using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
            using var w = CaptureFileWriter.Create(fs, CaptureFileFormat.Pcap);
            int id = w.AddInterface((ushort)LinkType.Ethernet, 262144);
            long ns = 1_763_800_000_000_000_000L;
            for (long n = 0; n < count; n++)
            {
                int flow = rng.Next(flows);
                bool toServer = rng.Next(2) == 0;
                int payload = rng.Next(0, 137);
                uint client = 0x0A000000u | (uint)(flow + 1);
                uint server = 0x2B821E00u | (uint)(flow % 200);
                ushort cport = (ushort)(30000 + flow);
                ushort sport = serverPorts[flow % 3];
                // Ethernet
                frame[0] = 0x00; frame[1] = 0x11; frame[2] = 0x22; frame[3] = 0x33; frame[4] = 0x44; frame[5] = 0x55;
                frame[6] = 0x66; frame[7] = 0x77; frame[8] = 0x88; frame[9] = 0x99; frame[10] = 0xaa; frame[11] = 0xbb;
                frame[12] = 0x08; frame[13] = 0x00;
                // IPv4
                var ip = frame.AsSpan(14);
                ip[0] = 0x45; ip[1] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(2), (ushort)(20 + 32 + payload));
                BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(4), (ushort)n);
                BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(6), 0x4000);
                ip[8] = 64; ip[9] = 6;
                BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(10), 0);
                BinaryPrimitives.WriteUInt32BigEndian(ip.Slice(12), toServer ? client : server);
                BinaryPrimitives.WriteUInt32BigEndian(ip.Slice(16), toServer ? server : client);
                // TCP with NOP NOP timestamps
                var tcp = frame.AsSpan(34);
                BinaryPrimitives.WriteUInt16BigEndian(tcp, toServer ? cport : sport);
                BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(2), toServer ? sport : cport);
                BinaryPrimitives.WriteUInt32BigEndian(tcp.Slice(4), seq[flow]);
                BinaryPrimitives.WriteUInt32BigEndian(tcp.Slice(8), seq[flow] ^ 0x5555);
                seq[flow] += (uint)payload;
                int r = rng.Next(100);
                ushort flags = (ushort)(r == 0 ? 0x002 : r == 1 ? 0x011 : r == 2 ? 0x004 : payload > 0 ? 0x018 : 0x010);
                BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(12), (ushort)(8 << 12 | flags));
                BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(14), 502);
                BinaryPrimitives.WriteUInt32BigEndian(tcp.Slice(16), 0);
                tcp[20] = 1; tcp[21] = 1; tcp[22] = 8; tcp[23] = 10;
                BinaryPrimitives.WriteUInt32BigEndian(tcp.Slice(24), (uint)(n / 10));
                BinaryPrimitives.WriteUInt32BigEndian(tcp.Slice(28), (uint)(n / 10 - 3));
                for (int k = 0; k < payload; k++) tcp[32 + k] = (byte)(k * 7 + n);
                int length = 14 + 20 + 32 + payload;
                ns += 1000 + rng.Next(50_000);
                w.WritePacket(id, ns, frame.AsSpan(0, length), length);
            }
        }
    }
}
