using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using WeChatNet.Capture;
using WeChatNet.Packets;

namespace WeChatNet.Benchmarks
{
    /// <summary>
    /// Our PacketDecoder against PacketDotNet 1.4.8 (the design card's package, the tests' oracle) on the same packets
    /// held in memory: every packet of the shipped samples and of the captures Debian's golang-github-google-gopacket-dev
    /// ships. Both decode to the transport header and read the ports (PacketDotNet parses lazily, so its TCP/UDP layer is
    /// asked for). Packets per CPU second (best of 5) and bytes allocated per packet.
    /// Usage: packet-decode [passes=2000]
    /// </summary>
    public sealed class PacketDecodeBenchmark : IBenchmark
    {
        public string Name => "packet-decode";
        public string Description => "PacketDecoder vs PacketDotNet 1.4.8 on the samples and gopacket's captures: packets/s, bytes/packet";

        private const string Gopacket = "/usr/share/gocode/src/github.com/google/gopacket";

        public string Run(string[] args)
        {
            int passes = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
            string repo = BenchmarkSupport.RepoRoot();
            if (!Directory.Exists(Gopacket)) throw new InvalidOperationException($"{Gopacket} is missing: apt-get install -y golang-github-google-gopacket-dev");
            var files = Directory.GetFiles(Path.Combine(repo, "samples"), "*.pcapng")
                .Concat(Directory.GetFiles(Gopacket, "*.pcap*", SearchOption.AllDirectories)).OrderBy(f => f, StringComparer.Ordinal).ToList();
            var packets = new List<(ushort LinkType, byte[] Data)>();
            foreach (var f in files)
            {
                using var reader = CaptureFileReader.Open(f);
                while (true)
                {
                    CaptureReadResult r;
                    try { r = reader.ReadNext(out var rec); if (r == CaptureReadResult.Packet) packets.Add((rec.LinkType, rec.Data.ToArray())); }
                    catch (InvalidDataException) { break; }
                    if (r == CaptureReadResult.EndOfFile) break;
                }
            }
            int threw = 0;
            foreach (var (lt, d) in packets)
            {
                try { PacketDotNet.Packet.ParsePacket((PacketDotNet.LinkLayers)lt, d).Extract<PacketDotNet.TransportPacket>(); }
                catch (Exception) { threw++; }
            }

            var ours = Rate(() =>
            {
                int s = 0;
                foreach (var (lt, d) in packets)
                {
                    var p = PacketDecoder.Decode(lt, d);
                    s += p.SourcePort + p.DestinationPort;
                }
                return s;
            }, passes, packets.Count);
            var theirs = Rate(() =>
            {
                int s = 0;
                foreach (var (lt, d) in packets)
                {
                    try
                    {
                        var t = PacketDotNet.Packet.ParsePacket((PacketDotNet.LinkLayers)lt, d).Extract<PacketDotNet.TransportPacket>();
                        if (t != null) s += t.SourcePort + t.DestinationPort;
                    }
                    catch (Exception) { s--; }
                }
                return s;
            }, passes, packets.Count);

            var md = new StringBuilder();
            md.AppendLine("## Packet decoding: PacketDecoder vs PacketDotNet 1.4.8");
            md.AppendLine();
            md.AppendLine($"`dotnet run --project tests/WeChatNet.Benchmarks -c Release -- packet-decode {passes}`, {DateTime.UtcNow:yyyy-MM-dd}, " +
                $"{Environment.ProcessorCount} cores (shared, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}), .NET {Environment.Version}, single thread. " +
                $"{packets.Count} packets from {files.Count} files (the shipped samples and gopacket's test captures) held in memory, decoded {passes} times; " +
                "both sides decode to the transport header and read the ports. Best of 5 rounds per CPU second.");
            md.AppendLine();
            md.AppendLine("| Decoder | Packets per CPU second | Bytes allocated per packet | Threw |");
            md.AppendLine("|---|---:|---:|---:|");
            md.AppendLine($"| WeChatNet PacketDecoder | {ours.Rate / 1e6:F2} M | {ours.Bytes:F0} | 0 |");
            md.AppendLine($"| PacketDotNet 1.4.8 (ParsePacket + Extract<TransportPacket>) | {theirs.Rate / 1e6:F2} M | {theirs.Bytes:F0} | {threw} of {packets.Count} |");
            md.AppendLine();
            md.AppendLine($"Ratio: ours {ours.Rate / theirs.Rate:F1}x the packets per CPU second.");
            return md.ToString();
        }

        private static (double Rate, double Bytes) Rate(Func<int> pass, int passes, int perPass)
        {
            for (int i = 0; i < Math.Max(1, passes / 20); i++) pass();
            double best = 0, bytes = 0;
            var self = Process.GetCurrentProcess();
            for (int round = 0; round < 5; round++)
            {
                self.Refresh();
                var cpu0 = self.TotalProcessorTime;
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                int sink = 0;
                for (int i = 0; i < passes; i++) sink += pass();
                long used = GC.GetAllocatedBytesForCurrentThread() - allocated;
                self.Refresh();
                double cpu = (self.TotalProcessorTime - cpu0).TotalSeconds;
                if (sink == int.MinValue) Console.WriteLine();
                best = Math.Max(best, (double)passes * perPass / Math.Max(cpu, 1e-6));
                bytes = used / ((double)passes * perPass);
            }
            return (best, bytes);
        }
    }
}
