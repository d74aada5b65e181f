using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using WeChatNet.Analysis;
using WeChatNet.Diagnostics;

namespace WeChatNet.Benchmarks
{
    /// <summary>
    /// Invoke-WeChatDiagnostic -Path: the whole capture diagnosis (flows, heartbeats, findings) plus the HTML report,
    /// against the closest one-command peer, <c>tshark -r F -q -z conv,tcp -z expert</c> (TCP conversations and the expert
    /// analysis that flags retransmissions, resets and zero windows), on the same generated pcap, in one run.
    /// </summary>
    public sealed class DiagnosticBenchmark : IBenchmark
    {
        public string Name => "diagnostic";
        public string Description => "Invoke-WeChatDiagnostic -Path (+ HTML report) vs tshark -q -z conv,tcp -z expert on the same pcap";

        public string Run(string[] args)
        {
            long packets = 1_000_000;
            int i = Array.IndexOf(args, "--packets");
            if (i >= 0 && i + 1 < args.Length) packets = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
            string dir = Path.Combine(Path.GetTempPath(), "wechatnet-diagnostic-bench-" + Environment.ProcessId);
            Directory.CreateDirectory(dir);
            try
            {
                string file = Path.Combine(dir, "tcp.pcap");
                Console.Error.WriteLine($"generating {packets:N0} packets into {file}...");
                CaptureBenchmark.Generate(file, packets);
                using (var fs = File.OpenRead(file)) fs.CopyTo(Stream.Null);

                double ours = double.MaxValue, report = 0;
                int findings = 0, flows = 0;
                for (int run = 0; run < 2; run++)
                {
                    var sw = Stopwatch.StartNew();
                    var result = DiagnosticRunner.Run(new DiagnosticRequest { CapturePaths = new[] { file } });
                    double analysed = sw.Elapsed.TotalSeconds;
                    string html = DiagnosticReport.Html(result);
                    double total = sw.Elapsed.TotalSeconds;
                    if (total < ours) { ours = total; report = total - analysed; findings = result.Findings.Count; flows = result.Capture!.Flows.Count; }
                    GC.KeepAlive(html);
                }
                string tshark = BenchmarkSupport.FindTool("tshark");
                double peer = Enumerable.Range(0, 2).Min(run => BenchmarkSupport.TimeTool(tshark, $"-r {file} -q -z conv,tcp -z expert"));

                // The shipped samples, all seven in one diagnostic.
                string samples = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "samples");
                var sampleFiles = Directory.Exists(samples) ? Directory.GetFiles(samples, "*.pcapng") : Array.Empty<string>();
                double sampleSeconds = 0;
                int sampleFindings = 0;
                if (sampleFiles.Length > 0)
                {
                    var sw = Stopwatch.StartNew();
                    sampleFindings = DiagnosticRunner.Run(new DiagnosticRequest { CapturePaths = sampleFiles }).Findings.Count;
                    sampleSeconds = sw.Elapsed.TotalSeconds;
                }

                var sb = new StringBuilder();
                sb.AppendLine($"Measured {DateTime.UtcNow:yyyy-MM-dd} with `dotnet run --project tests/WeChatNet.Benchmarks -c Release -- diagnostic --packets {packets}` " +
                              $"({Environment.ProcessorCount} cores, {BenchmarkSupport.RuntimeInfo}, tshark {BenchmarkSupport.ToolVersion(tshark, "-v")}).");
                sb.AppendLine();
                sb.AppendLine($"Input: the capture benchmark's generated pcap, {packets:N0} packets, {flows} flows ({new FileInfo(file).Length / 1e6:F0} MB). Best of 2 runs each.");
                sb.AppendLine();
                sb.AppendLine("| Command | Does | Seconds | Packets/s | tshark / ours |");
                sb.AppendLine("|---|---|---:|---:|---:|");
                sb.AppendLine($"| `Invoke-WeChatDiagnostic -Path F -Report r.html` (core) | flows, heartbeats, WeChat decoding, {findings} findings, HTML report ({report * 1000:F0} ms of it) | {ours:F2} | {packets / ours:N0} | 1.0x |");
                sb.AppendLine($"| `tshark -r F -q -z conv,tcp -z expert` | dissection, TCP conversations, expert info | {peer:F2} | {packets / peer:N0} | {peer / ours:F1}x |");
                if (sampleFiles.Length > 0)
                {
                    sb.AppendLine();
                    sb.AppendLine($"All {sampleFiles.Length} shipped samples in one diagnostic: {sampleSeconds * 1000:F0} ms, {sampleFindings} findings.");
                }
                return sb.ToString();
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
