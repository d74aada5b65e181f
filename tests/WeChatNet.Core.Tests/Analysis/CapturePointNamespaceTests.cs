using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using WeChatNet.Analysis;
using WeChatNet.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace WeChatNet.Tests.Analysis
{
    /// <summary>
    /// The same session seen from three places gives the same findings, on real traffic: a phone, a home router (IP
    /// forwarding, NAT when asked) and WeChat's servers in network namespaces, with a user-space relay on each side of the
    /// router adding 40 and 50 ms each way (this kernel has no netem): a 180 ms path. tcpdump captures at the phone, at the
    /// router's phone-side interface and at the server at once; each capture is analysed on its own and must say where it
    /// was taken, measure the same path, and give the same findings with the same severities.
    /// Needs root, iproute2, iptables, tcpdump and python3 (the peers: tests/.../fixtures/capture-points/peers.py).
    /// </summary>
    public sealed class CapturePointNamespaceTests
    {
        private readonly ITestOutputHelper _output;
        public CapturePointNamespaceTests(ITestOutputHelper output) { _output = output; }

        private static string Peers => Path.Combine(ExternalTool.RepoRoot, "tests", "WeChatNet.Core.Tests", "Analysis", "fixtures", "capture-points", "peers.py");

        [Theory]
        [InlineData("healthy", null, null)]
        [InlineData("slow-server", "SlowShortLink", "Warning")]
        [InlineData("syn-loss", "SlowHandshake", "Warning")]
        [InlineData("nat-idle", "LongLinkIdleTimeout", "Error")]
        public void TheSameSessionGivesTheSameFindingsAtThePhoneTheRouterAndTheServer(string scenario, string? rule, string? severity)
        {
            using var net = new Topology(scenario == "nat-idle");
            using var dir = new TempDirectory("capture-points-" + scenario);
            if (scenario == "syn-loss")
                // Every other SYN to the short-link port dropped by the server's firewall, after the capture saw it.
                net.Server.Exec("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "80", "--syn", "-m", "statistic", "--mode", "nth", "--every", "2", "--packet", "0", "-j", "DROP");
            var files = new Dictionary<CapturePoint, string>
            {
                [CapturePoint.Client] = dir.File("phone.pcapng"), [CapturePoint.InBetween] = dir.File("router.pcapng"), [CapturePoint.Server] = dir.File("server.pcapng"),
            };
            var captures = new List<Peer>
            {
                Peer.Capture(net.Client, net.ClientIf, files[CapturePoint.Client]),
                Peer.Capture(net.Router, net.RouterClientIf, files[CapturePoint.InBetween]),
                Peer.Capture(net.Server, net.ServerIf, files[CapturePoint.Server]),
            };
            try
            {
                string[] args = scenario == "nat-idle" ? new[] { "nat-idle", "10.1.0.1", "2", "40" } : new[] { scenario == "syn-loss" ? "healthy" : scenario, "10.1.0.1", "8" };
                var client = ExternalTool.Run("ip", new[] { "netns", "exec", net.Client.Name, Python, Peers, "client" }.Concat(args), TimeSpan.FromMinutes(4));
                Assert.True(client.ExitCode == 0, $"the phone's script failed ({client.ExitCode}): {client.StandardError}");
                System.Threading.Thread.Sleep(500);
            }
            finally
            {
                foreach (var c in captures) c.Interrupt();
            }

            var results = new Dictionary<CapturePoint, CaptureAnalysisResult>();
            foreach (var (point, file) in files)
            {
                var analyzer = new CaptureAnalyzer();
                analyzer.AddFile(file);
                var r = results[point] = analyzer.Complete();
                Assert.Empty(r.Errors);
                foreach (var f in r.Flows.Where(f => f.Protocol == "Tcp"))
                    _output.WriteLine($"{point} flow {f.Id} {f.Client} -> {f.Server} {f.Kind}: {f.CapturePoint}, client side {f.ClientSideRttMs:0.#} ms, server side {f.ServerSideRttMs:0.#} ms, path {f.PathRttMs:0.#} ms, SYN retries {f.SynRetries}");
                foreach (var f in r.Findings) _output.WriteLine($"{point}: {f.Severity} {f.RuleId}: {f.Title} | {f.Evidence}");
            }

            foreach (var (point, r) in results)
            {
                // Each capture says where it was taken and measures the whole path from there (180 ms, give or take load).
                var timed = r.Flows.Where(f => f.Protocol == "Tcp" && f.ClientSideRttMs.HasValue && f.ServerSideRttMs.HasValue).ToList();
                Assert.NotEmpty(timed);
                Assert.All(timed, f => Assert.Equal(point, f.CapturePoint));
                Assert.All(timed, f => Assert.InRange(f.PathRttMs!.Value, 175, 400));
                var serious = r.Findings.Where(f => f.Severity != "Info").ToList();
                if (rule is null) Assert.Empty(serious);
                else
                {
                    var one = Assert.Single(serious);
                    Assert.Equal(rule, one.RuleId);
                    Assert.Equal(severity, one.Severity);
                }
            }
            string Shape(CaptureAnalysisResult r) => string.Join("; ", r.Findings.Select(f => $"{f.Severity} {f.RuleId} on {f.FlowIds.Length} flow(s)").OrderBy(x => x, StringComparer.Ordinal));
            Assert.Equal(Shape(results[CapturePoint.Client]), Shape(results[CapturePoint.InBetween]));
            Assert.Equal(Shape(results[CapturePoint.Client]), Shape(results[CapturePoint.Server]));
            if (scenario == "nat-idle")
                Assert.All(results.Values, r => Assert.Matches("^Long links do not survive 4[0-9] s of silence", r.Findings.Single(f => f.RuleId == rule).Title));
            // The long link is named from the phone's DNS where the lookup was seen; the short links by their Host header everywhere.
            Assert.All(results.Values, r => Assert.All(r.Flows.Where(f => f.ServerPort == 80), f => Assert.Equal("sgshort.wechat.com", f.Host)));
            Assert.All(new[] { CapturePoint.Client, CapturePoint.InBetween }, p => Assert.All(results[p].Flows.Where(f => f.ServerPort == 8080), f => Assert.Equal("sglong.wechat.com", f.Host)));
        }

        private static string Python => ExternalTool.Require("python3", "python3");

        /// <summary>A process started in a namespace that runs until it is stopped (a capture, a relay, a server).</summary>
        private sealed class Peer : IDisposable
        {
            private readonly Process _process;
            private readonly List<string> _errors = new List<string>();

            private Peer(NetNamespace ns, string readyText, bool readyOnError, params string[] command)
            {
                var psi = new ProcessStartInfo(ExternalTool.Require("ip", "iproute2")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in new[] { "netns", "exec", ns.Name }.Concat(command)) psi.ArgumentList.Add(a);
                var ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {command[0]} in {ns.Name}");
                _process.OutputDataReceived += (_, e) => { if (e.Data != null && !readyOnError && e.Data.Contains(readyText)) ready.TrySetResult(true); };
                _process.ErrorDataReceived += (_, e) =>
                {
                    if (e.Data is null) return;
                    lock (_errors) _errors.Add(e.Data);
                    if (readyOnError && e.Data.Contains(readyText)) ready.TrySetResult(true);
                };
                _process.EnableRaisingEvents = true;
                _process.Exited += (_, _) => ready.TrySetResult(false);
                _process.BeginOutputReadLine();
                _process.BeginErrorReadLine();
                if (!ready.Task.Wait(TimeSpan.FromSeconds(30)) || !ready.Task.Result)
                {
                    Dispose();
                    throw new InvalidOperationException($"{string.Join(" ", command)} in {ns.Name} did not start: {Errors}");
                }
            }

            public string Errors { get { lock (_errors) return string.Join("\n", _errors); } }

            public static Peer Python(NetNamespace ns, params string[] args) =>
                new Peer(ns, "ready", false, new[] { CapturePointNamespaceTests.Python, Peers }.Concat(args).ToArray());

            public static Peer Capture(NetNamespace ns, string iface, string file) =>
                new Peer(ns, "listening on", true, ExternalTool.Require("tcpdump", "tcpdump"), "-i", iface, "-n", "-s", "0", "-U", "--time-stamp-precision=nano", "-w", file, "tcp or udp");

            /// <summary>Stops a capture as Ctrl+C would, so tcpdump writes out what it holds.</summary>
            public void Interrupt()
            {
                if (_process.HasExited) return;
                ExternalTool.Run("kill", "-INT", _process.Id.ToString());
                if (!_process.WaitForExit(15_000)) _process.Kill();
            }

            public void Dispose()
            {
                try { if (!_process.HasExited) { _process.Kill(); _process.WaitForExit(5000); } }
                catch (InvalidOperationException) { }
                _process.Dispose();
            }
        }

        /// <summary>
        /// phone (10.1.0.2) -- relay 40 ms -- router (10.1.0.1 | 10.2.0.1) -- relay 50 ms -- server (10.2.0.2 long link,
        /// 10.2.0.3 short links). The relay
        /// namespaces have no addresses: a frame in one side is the same frame out the other, later. The router resolves
        /// WeChat's names for the phone; with <c>nat</c> it masquerades the phone and forgets idle connections after 30 s.
        /// </summary>
        private sealed class Topology : IDisposable
        {
            private readonly List<NetNamespace> _namespaces = new List<NetNamespace>();
            private readonly List<Peer> _peers = new List<Peer>();

            public Topology(bool nat)
            {
                ExternalTool.Require("iptables", "iptables");
                try
                {
                    Client = Add("p");
                    var left = Add("x");
                    Router = Add("r");
                    var right = Add("y");
                    Server = Add("s");
                    string tag = Client.Name.Substring(3, Math.Min(6, Client.Name.Length - 3));
                    ClientIf = "c" + tag; RouterClientIf = "rc" + tag; ServerIf = "s" + tag;
                    string leftA = "la" + tag, leftB = "lb" + tag, rightA = "ra" + tag, rightB = "rb" + tag, routerServerIf = "rs" + tag;
                    Veth(Client, ClientIf, left, leftA);
                    Veth(left, leftB, Router, RouterClientIf);
                    Veth(Router, routerServerIf, right, rightA);
                    Veth(right, rightB, Server, ServerIf);
                    Address(Client, ClientIf, "10.1.0.2/24", "10.1.0.1");
                    Address(Router, RouterClientIf, "10.1.0.1/24", null);
                    Address(Router, routerServerIf, "10.2.0.1/24", null);
                    Address(Server, ServerIf, "10.2.0.2/24", "10.2.0.1");
                    Server.Exec("ip", "addr", "add", "10.2.0.3/24", "dev", ServerIf);
                    foreach (var (ns, a, b) in new[] { (left, leftA, leftB), (right, rightA, rightB) })
                        foreach (var i in new[] { a, b }) ns.Exec("ip", "link", "set", i, "promisc", "on", "up");
                    Router.Exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
                    if (nat)
                    {
                        Router.Exec("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", routerServerIf, "-j", "MASQUERADE");
                        Router.Exec("iptables", "-A", "FORWARD", "-m", "conntrack", "--ctstate", "INVALID", "-j", "DROP");
                        // A home router that forgets idle TCP mappings after 30 s and does not pick up a connection mid-stream.
                        Router.Exec("sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_timeout_established=30");
                        Router.Exec("sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_loose=0");
                    }
                    _peers.Add(Peer.Python(left, "relay", leftA, leftB, "40"));
                    _peers.Add(Peer.Python(right, "relay", rightA, rightB, "50"));
                    _peers.Add(Peer.Python(Router, "dns", "10.1.0.1", "sglong.wechat.com=10.2.0.2", "sgshort.wechat.com=10.2.0.3"));
                    _peers.Add(Peer.Python(Server, "server", "0.0.0.0"));
                }
                catch
                {
                    Dispose();
                    throw;
                }
            }

            public NetNamespace Client { get; } = null!;
            public NetNamespace Router { get; } = null!;
            public NetNamespace Server { get; } = null!;
            public string ClientIf { get; } = "";
            public string RouterClientIf { get; } = "";
            public string ServerIf { get; } = "";

            private NetNamespace Add(string role)
            {
                var ns = new NetNamespace(role);
                _namespaces.Add(ns);
                // No IPv6 chatter (router solicitations, MLD) on the wire: the captures hold the session only.
                ns.Exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
                ns.Exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
                return ns;
            }

            private static void Veth(NetNamespace a, string aIf, NetNamespace b, string bIf)
            {
                ExternalTool.Run(ExternalTool.Require("ip", "iproute2"), "link", "add", aIf, "netns", a.Name, "type", "veth", "peer", "name", bIf, "netns", b.Name)
                    .EnsureSuccess($"veth {aIf}<->{bIf}");
            }

            private static void Address(NetNamespace ns, string iface, string cidr, string? gateway)
            {
                ns.Exec("ip", "addr", "add", cidr, "dev", iface);
                ns.Exec("ip", "link", "set", iface, "up");
                if (gateway != null) ns.Exec("ip", "route", "add", "default", "via", gateway);
            }

            public void Dispose()
            {
                foreach (var p in _peers) p.Dispose();
                foreach (var ns in _namespaces) ns.Dispose();
            }
        }
    }
}
