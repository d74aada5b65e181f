using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WeChatNet.Dns;
using WeChatNet.Resolution;

namespace WeChatNet.Benchmarks
{
    /// <summary>
    /// 25 names x 6 servers = 150 queries. The six "servers" are delaying UDP/TCP relays (50 ms added to each query)
    /// in front of one local Knot DNS, because this kernel has no netem. WeChatNet's concurrent resolver against a
    /// sequential loop of dig and against 150 kdig processes started at once.
    /// </summary>
    public sealed class DnsResolveBenchmark : IBenchmark
    {
        public string Name => "dns-resolve";
        public string Description => "Resolve-WeChatDomain core: 25 names x 6 delayed servers vs a dig loop and concurrent kdig";

        private const int DelayMs = 50;
        private const int ServerCount = 6;
        private const int NameCount = 25;

        public string Run(string[] args)
        {
            int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
            string knotd = Tool("knotd"), dig = Tool("dig"), kdig = Tool("kdig");
            string dir = Directory.CreateTempSubdirectory("wechatnet-bench-dns-").FullName;
            Process? knot = null;
            var relays = new List<DelayRelay>();
            try
            {
                var names = DomainResolver.DefaultNames().Where(n => n.EndsWith(".weixin.qq.com") || n.EndsWith(".wechat.com")).Take(NameCount).ToList();
                if (names.Count < NameCount) throw new InvalidOperationException("The catalog has fewer than 25 default names.");
                int knotPort = FreeUdpTcpPort();
                WriteZone(dir, "weixin.qq.com", names);
                WriteZone(dir, "wechat.com", names);
                File.WriteAllText(Path.Combine(dir, "knot.conf"),
                    $"server:\n    rundir: \"{dir}\"\n    listen: 127.0.0.1@{knotPort}\ndatabase:\n    storage: \"{dir}\"\nlog:\n  - target: stderr\n    any: error\n" +
                    $"template:\n  - id: default\n    storage: \"{dir}\"\n    file: \"%s.zone\"\nzone:\n  - domain: weixin.qq.com\n  - domain: wechat.com\n");
                knot = Process.Start(new ProcessStartInfo(knotd) { ArgumentList = { "-c", Path.Combine(dir, "knot.conf") }, UseShellExecute = false, RedirectStandardError = true })!;
                WaitTcp(knotPort);
                var upstream = new IPEndPoint(IPAddress.Loopback, knotPort);
                for (int i = 0; i < ServerCount; i++) relays.Add(new DelayRelay(upstream, TimeSpan.FromMilliseconds(DelayMs)));
                var servers = relays.Select(r => $"127.0.0.1:{r.Port}").ToArray();

                // Warm-up (JIT, Knot's caches, process start paths), not measured.
                RunOurs(names, servers, 150);
                RunDigLoop(dig, names.Take(2).ToList(), relays.Take(1).ToList());

                var ours150 = new List<double>(); var ours128 = new List<double>(); var ours32 = new List<double>(); var digLoop = new List<double>(); var kdigPar = new List<double>();
                int okOurs = 0, okDig = 0, okKdig = 0;
                for (int r = 0; r < rounds; r++)
                {
                    (double t, int ok) = RunOurs(names, servers, 150); ours150.Add(t); okOurs = ok;
                    (t, _) = RunOurs(names, servers, 128); ours128.Add(t);
                    (t, _) = RunOurs(names, servers, 32); ours32.Add(t);
                    (t, ok) = RunDigLoop(dig, names, relays); digLoop.Add(t); okDig = ok;
                    (t, ok) = RunKdigConcurrent(kdig, names, relays); kdigPar.Add(t); okKdig = ok;
                }
                double m150 = Median(ours150), m128 = Median(ours128), m32 = Median(ours32), mDig = Median(digLoop), mKdig = Median(kdigPar);
                var sb = new StringBuilder();
                sb.AppendLine("## DNS resolution (Resolve-WeChatDomain)");
                sb.AppendLine();
                sb.AppendLine($"`dotnet run --project tests/WeChatNet.Benchmarks -c Release -- dns-resolve {rounds}`, {DateTime.UtcNow:yyyy-MM-dd} (UTC).");
                sb.AppendLine($"{NameCount} names x {ServerCount} servers = {NameCount * ServerCount} A queries over UDP. Each server is a delaying UDP/TCP relay of the");
                sb.AppendLine($"benchmark's own ({DelayMs} ms added to every query) in front of one local Knot DNS {KnotVersion(knotd)}. Median of {rounds} rounds, wall time.");
                sb.AppendLine();
                sb.AppendLine("| Client | Wall time | Answered | Ratio to WeChatNet (150 in flight) |");
                sb.AppendLine("|---|---|---|---|");
                sb.AppendLine($"| WeChatNet, `-ThrottleLimit 150` | {m150:N0} ms | {okOurs}/150 | 1.0 |");
                sb.AppendLine($"| WeChatNet, default `-ThrottleLimit 128` | {m128:N0} ms | {okOurs}/150 | {m128 / m150:N1} |");
                sb.AppendLine($"| WeChatNet, `-ThrottleLimit 32` | {m32:N0} ms | {okOurs}/150 | {m32 / m150:N1} |");
                sb.AppendLine($"| `dig` in a loop (one process per query) | {mDig:N0} ms | {okDig}/150 | {mDig / m150:N1} |");
                sb.AppendLine($"| `kdig`, 150 processes started at once | {mKdig:N0} ms | {okKdig}/150 | {mKdig / m150:N1} |");
                sb.AppendLine();
                sb.AppendLine($"One round trip through a relay is at least {DelayMs} ms, so {m150 / DelayMs:N1} round trips' worth of time for all 150 queries with 150 in flight;");
                sb.AppendLine($"the default of 128 in flight needs two waves ({2 * DelayMs} ms of delay at least), 32 in flight five ({5 * DelayMs} ms).");
                return sb.ToString();
            }
            finally
            {
                foreach (var r in relays) r.Dispose();
                if (knot != null && !knot.HasExited) { knot.Kill(true); knot.WaitForExit(5000); }
                try { Directory.Delete(dir, true); } catch (IOException) { }
            }
        }

        private static (double Ms, int Ok) RunOurs(List<string> names, string[] servers, int throttle)
        {
            var plan = ResolvePlan.Create(new ResolveSettings { Names = names.ToArray(), Servers = servers, ThrottleLimit = throttle, TimeoutSec = 2, Retries = 0 });
            if (plan.Problems.Count > 0) throw new InvalidOperationException(plan.Problems[0].Message);
            var sw = Stopwatch.StartNew();
            var answers = DomainResolver.Resolve(plan.Request, null, CancellationToken.None).ToList();
            sw.Stop();
            return (sw.Elapsed.TotalMilliseconds, answers.Count(a => a.Status == "Ok" && a.Addresses.Length == 1));
        }

        private static (double Ms, int Ok) RunDigLoop(string dig, List<string> names, List<DelayRelay> relays)
        {
            int ok = 0;
            var sw = Stopwatch.StartNew();
            foreach (var name in names)
                foreach (var relay in relays)
                    if (RunTool(dig, "@127.0.0.1", "-p", relay.Port.ToString(CultureInfo.InvariantCulture), "+short", "+tries=1", "+time=2", name).Trim().Length > 0) ok++;
            return (sw.Elapsed.TotalMilliseconds, ok);
        }

        private static (double Ms, int Ok) RunKdigConcurrent(string kdig, List<string> names, List<DelayRelay> relays)
        {
            // All processes are started first and read asynchronously: no thread is blocked per process, so the relays
            // (in this process) are not starved.
            var sw = Stopwatch.StartNew();
            var running = new List<(Process P, Task<string> Out, Task<string> Err)>();
            foreach (var n in names)
                foreach (var r in relays)
                {
                    var psi = new ProcessStartInfo(kdig) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                    foreach (var a in new[] { "@127.0.0.1", "-p", r.Port.ToString(CultureInfo.InvariantCulture), "+short", "+retry=0", "+time=2", n }) psi.ArgumentList.Add(a);
                    var p = Process.Start(psi)!;
                    running.Add((p, p.StandardOutput.ReadToEndAsync(), p.StandardError.ReadToEndAsync()));
                }
            Task.WaitAll(running.SelectMany(x => new Task[] { x.Out, x.Err, x.P.WaitForExitAsync() }).ToArray());
            double ms = sw.Elapsed.TotalMilliseconds;
            int ok = running.Count(x => x.Out.Result.Trim().Length > 0);
            foreach (var x in running) x.P.Dispose();
            return (ms, ok);
        }

        private static string RunTool(string program, params string[] args)
        {
            var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return output;
        }

        private static void WriteZone(string dir, string zone, List<string> names)
        {
            var sb = new StringBuilder($"$ORIGIN {zone}.\n$TTL 300\n@ SOA ns1 admin 1 3600 600 86400 60\n@ NS ns1\nns1 A 127.0.0.1\n");
            int i = 0;
            foreach (var n in names.Where(n => n.EndsWith("." + zone)))
                sb.Append(n).Append(". A 198.18.").Append(i / 200).Append('.').Append(i++ % 200 + 1).Append('\n');
            File.WriteAllText(Path.Combine(dir, zone + ".zone"), sb.ToString());
        }

        private static string KnotVersion(string knotd)
        {
            try { return RunTool(knotd, "--version").Trim().Split(' ').LastOrDefault() ?? ""; }
            catch (Exception) { return ""; }
        }

        private static double Median(List<double> xs)
        {
            var s = xs.OrderBy(x => x).ToList();
            return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
        }

        private static string Tool(string name)
        {
            foreach (var d in new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin" })
                if (File.Exists(Path.Combine(d, name))) return Path.Combine(d, name);
            throw new InvalidOperationException($"The benchmark needs {name} (apt-get install -y knot knot-dnsutils bind9-dnsutils).");
        }

        private static int FreeUdpTcpPort()
        {
            for (int i = 0; i < 50; i++)
            {
                var l = new TcpListener(IPAddress.Loopback, 0);
                l.Start();
                int port = ((IPEndPoint)l.LocalEndpoint).Port;
                l.Stop();
                try { using var u = new UdpClient(new IPEndPoint(IPAddress.Loopback, port)); return port; }
                catch (SocketException) { }
            }
            throw new InvalidOperationException("No free port.");
        }

        private static void WaitTcp(int port)
        {
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < TimeSpan.FromSeconds(15))
            {
                try { using var c = new TcpClient(); c.Connect(IPAddress.Loopback, port); return; }
                catch (SocketException) { Thread.Sleep(50); }
            }
            throw new TimeoutException("knotd did not start.");
        }
    }

    /// <summary>
    /// A userspace delay line for DNS: each UDP datagram or TCP connection arriving on its port is forwarded to the
    /// upstream server after a fixed delay (the kernel here has no netem). UDP answers go back from the relay's port.
    /// </summary>
    public sealed class DelayRelay : IDisposable
    {
        private readonly Socket _udp;
        private readonly TcpListener _tcp;
        private readonly IPEndPoint _upstream;
        private readonly TimeSpan _delay;
        private readonly CancellationTokenSource _cts = new CancellationTokenSource();

        public DelayRelay(IPEndPoint upstream, TimeSpan delay)
        {
            _upstream = upstream;
            _delay = delay;
            for (int attempt = 0; ; attempt++)
            {
                _tcp = new TcpListener(IPAddress.Loopback, 0);
                _tcp.Start();
                Port = ((IPEndPoint)_tcp.LocalEndpoint).Port;
                _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                try { _udp.Bind(new IPEndPoint(IPAddress.Loopback, Port)); break; }
                catch (SocketException) when (attempt < 50) { _udp.Dispose(); _tcp.Stop(); }
            }
            _ = Task.Run(UdpLoop);
            _ = Task.Run(TcpLoop);
        }

        public int Port { get; }

        private async Task UdpLoop()
        {
            var buffer = new byte[65535];
            while (!_cts.IsCancellationRequested)
            {
                SocketReceiveFromResult r;
                try { r = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _cts.Token); }
                catch (Exception) { return; }
                byte[] query = buffer.AsSpan(0, r.ReceivedBytes).ToArray();
                var client = r.RemoteEndPoint;
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await Task.Delay(_delay, _cts.Token);
                        using var up = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                        up.Connect(_upstream);
                        await up.SendAsync(query, SocketFlags.None, _cts.Token);
                        var answer = new byte[65535];
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token);
                        timeout.CancelAfter(5000);
                        int n = await up.ReceiveAsync(answer, SocketFlags.None, timeout.Token);
                        await _udp.SendToAsync(answer.AsMemory(0, n), SocketFlags.None, client, _cts.Token);
                    }
                    catch (Exception) { }
                });
            }
        }

        private async Task TcpLoop()
        {
            while (!_cts.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _tcp.AcceptTcpClientAsync(_cts.Token); }
                catch (Exception) { return; }
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            await Task.Delay(_delay, _cts.Token);
                            using var up = new TcpClient();
                            await up.ConnectAsync(_upstream.Address, _upstream.Port, _cts.Token);
                            var a = client.GetStream().CopyToAsync(up.GetStream(), _cts.Token);
                            var b = up.GetStream().CopyToAsync(client.GetStream(), _cts.Token);
                            await Task.WhenAny(a, b);
                        }
                        catch (Exception) { }
                    }
                });
            }
        }

        public void Dispose()
        {
            _cts.Cancel();
            _udp.Dispose();
            _tcp.Stop();
        }
    }
}
