using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using WeChatNet.Tests.Infrastructure;

namespace WeChatNet.Tests.Dns
{
    /// <summary>A daemon started by a test, killed (with its children) on dispose; its output is kept for failure messages.</summary>
    public sealed class Daemon : IDisposable
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _log = new System.Text.StringBuilder();

        public Daemon(string program, params string[] args)
        {
            var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            _process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {program}.");
            _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
            _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Log { get { lock (_log) return _log.ToString(); } }

        /// <summary>Waits until a TCP connect to the port succeeds (or the daemon dies, or 15 s pass).</summary>
        public void WaitForTcp(int port, string what)
        {
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < TimeSpan.FromSeconds(15))
            {
                if (_process.HasExited) throw new InvalidOperationException($"{what} exited with {_process.ExitCode}:\n{Log}");
                try
                {
                    using var c = new TcpClient();
                    c.Connect(IPAddress.Loopback, port);
                    return;
                }
                catch (SocketException) { Thread.Sleep(50); }
            }
            throw new TimeoutException($"{what} did not listen on TCP port {port} within 15 s:\n{Log}");
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException) { }
            _process.Dispose();
        }
    }

    /// <summary>
    /// Knot DNS (authoritative, with the geoip module answering by EDNS Client Subnet) and Unbound (recursive, forwarding
    /// to Knot, DNS over HTTPS with a certificate generated for the run) on random loopback ports; also a UDP port that
    /// never answers. Shared by the tests of one class; everything is removed on dispose.
    /// </summary>
    public sealed class DnsServersFixture : IDisposable
    {
        public const string Collection = "Knot and Unbound";
        public const int BigRecordCount = 120;
        private readonly TempDirectory _dir;
        private readonly List<IDisposable> _owned = new List<IDisposable>();

        public int KnotPort { get; }
        public int UnboundPort { get; }
        public int DohPort { get; }
        public string CertificatePath { get; }
        public X509Certificate2 Certificate { get; }
        /// <summary>A certificate of another, unrelated CA (to prove that trust is not blanket).</summary>
        public X509Certificate2 OtherCertificate { get; }
        public int SilentPort { get; }
        public string Dir => _dir.Path;
        public string KnotLog => _knot.Log;
        private readonly Daemon _knot;
        private readonly Daemon _unbound;
        private readonly Socket _silent;

        public IPEndPoint Knot => new IPEndPoint(IPAddress.Loopback, KnotPort);
        public IPEndPoint Unbound => new IPEndPoint(IPAddress.Loopback, UnboundPort);
        public IPEndPoint Silent => new IPEndPoint(IPAddress.Loopback, SilentPort);
        public string DohUrl => $"https://127.0.0.1:{DohPort}/dns-query";

        public DnsServersFixture()
        {
            string knotd = ExternalTool.Require("knotd", "knot");
            RequireKnotGeoip();
            string unbound = ExternalTool.Require("unbound", "unbound");
            string openssl = ExternalTool.Require("openssl", "openssl");
            _dir = new TempDirectory("dns-servers");
            try
            {
                KnotPort = FreePort.UdpAndTcp();
                WriteZones();
                File.WriteAllText(_dir.File("knot.conf"), $@"server:
    rundir: ""{_dir.Path}""
    listen: [ 127.0.0.1@{KnotPort}, ::1@{KnotPort} ]
    edns-client-subnet: on
database:
    storage: ""{_dir.Path}""
log:
  - target: stderr
    any: warning
mod-geoip:
  - id: geo
    config-file: ""{_dir.File("geo.conf")}""
    mode: subnet
    ttl: 60
template:
  - id: default
    storage: ""{_dir.Path}""
    file: ""%s.zone""
zone:
  - domain: weixin.qq.com
    module: mod-geoip/geo
  - domain: wechat.com
  - domain: qpic.cn
");
                _knot = new Daemon(knotd, "-c", _dir.File("knot.conf"));
                _owned.Add(_knot);
                _knot.WaitForTcp(KnotPort, "knotd");

                ExternalTool.Run(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", _dir.File("key.pem"),
                    "-out", _dir.File("cert.pem"), "-days", "2", "-subj", "/CN=wechatnet-test-doh", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost")
                    .EnsureSuccess("openssl req (DoH certificate)");
                ExternalTool.Run(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", _dir.File("other-key.pem"),
                    "-out", _dir.File("other.pem"), "-days", "2", "-subj", "/CN=wechatnet-test-other", "-addext", "subjectAltName=IP:127.0.0.1")
                    .EnsureSuccess("openssl req (other certificate)");
                CertificatePath = _dir.File("cert.pem");
                Certificate = WeChatNet.Dns.CertificateValidation.Load(CertificatePath);
                OtherCertificate = WeChatNet.Dns.CertificateValidation.Load(_dir.File("other.pem"));

                UnboundPort = FreePort.UdpAndTcp();
                DohPort = FreePort.Tcp();
                string forwards = string.Concat(new[] { "weixin.qq.com", "wechat.com", "qpic.cn" }.Select(z =>
                    $"forward-zone:\n    name: \"{z}\"\n    forward-addr: 127.0.0.1@{KnotPort}\n"));
                File.WriteAllText(_dir.File("unbound.conf"), $@"server:
    interface: 127.0.0.1@{UnboundPort}
    interface: 127.0.0.1@{DohPort}
    https-port: {DohPort}
    tls-service-key: ""{_dir.File("key.pem")}""
    tls-service-pem: ""{_dir.File("cert.pem")}""
    do-daemonize: no
    username: """"
    chroot: """"
    directory: ""{_dir.Path}""
    pidfile: ""{_dir.File("unbound.pid")}""
    use-syslog: no
    logfile: """"
    verbosity: 1
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    module-config: ""iterator""
    qname-minimisation: no
    num-threads: 1
{forwards}");
                _unbound = new Daemon(unbound, "-d", "-c", _dir.File("unbound.conf"));
                _owned.Add(_unbound);
                _unbound.WaitForTcp(UnboundPort, "unbound");
                _unbound.WaitForTcp(DohPort, "unbound (DoH)");

                _silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                _silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                SilentPort = ((IPEndPoint)_silent.LocalEndPoint!).Port;
                _owned.Add(_silent);
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        private static void RequireKnotGeoip()
        {
            // Debian: /usr/lib/<triplet>/knot/modules-<version>/geoip.so
            foreach (var lib in new[] { "/usr/lib", "/usr/lib64", "/usr/local/lib" })
            {
                if (!Directory.Exists(lib)) continue;
                var knotDirs = Directory.EnumerateDirectories(lib, "knot").Concat(Directory.EnumerateDirectories(lib).SelectMany(d => Directory.EnumerateDirectories(d, "knot")));
                if (knotDirs.Any(k => Directory.EnumerateFiles(k, "geoip.so", SearchOption.AllDirectories).Any())) return;
            }
            throw new InvalidOperationException("This test needs Knot's geoip module (geoip.so), which is not installed: apt-get install -y knot-module-geoip (.ci/run installs it).");
        }

        private void WriteZones()
        {
            var big = string.Concat(Enumerable.Range(1, BigRecordCount).Select(i => $"big A 10.1.{i / 250}.{i % 250 + 1}\n"));
            File.WriteAllText(_dir.File("weixin.qq.com.zone"), @"$ORIGIN weixin.qq.com.
$TTL 300
@ SOA ns1 admin 2026112201 3600 600 86400 60
@ NS ns1
@ MX 10 long
ns1 A 127.0.0.1
long A 101.226.5.4
long A 180.163.10.11
long AAAA 240e:e1:a800::4
szlong 120 CNAME long
minorshort 200 CNAME extshort
extshort CNAME short
short 100 A 14.215.1.2
dns A 101.227.1.1
txt TXT ""v=wechatnet test"" ""second""
loop CNAME loop2
loop2 CNAME loop
" + big);
            File.WriteAllText(_dir.File("wechat.com.zone"), @"$ORIGIN wechat.com.
$TTL 300
@ SOA ns1 admin 1 3600 600 86400 60
@ NS ns1
ns1 A 127.0.0.1
sglong A 101.32.104.4
sgshort A 43.130.1.1
long CNAME sglong
");
            File.WriteAllText(_dir.File("qpic.cn.zone"), @"$ORIGIN qpic.cn.
$TTL 300
@ SOA ns1 admin 1 3600 600 86400 60
@ NS ns1
ns1 A 127.0.0.1
mmsns CNAME szmmsns
szmmsns A 183.3.1.1
");
            // Answers by EDNS Client Subnet: a mainland subnet gets a mainland address, an overseas one an overseas address.
            File.WriteAllText(_dir.File("geo.conf"), @"szshort.weixin.qq.com:
  - net: 101.226.0.0/16
    A: 183.3.1.1
  - net: 8.8.0.0/16
    A: 43.130.1.1
  - net: 240e::/20
    A: 183.3.2.2
  - net: 0.0.0.0/0
    A: 129.226.9.9
");
        }

        public void Dispose()
        {
            for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
            _dir.Dispose();
        }
    }

    /// <summary>One Knot + Unbound for every test class that needs them (started once per test run).</summary>
    [Xunit.CollectionDefinition(DnsServersFixture.Collection)]
    public sealed class DnsServersCollection : Xunit.ICollectionFixture<DnsServersFixture>
    {
    }

    /// <summary>
    /// A UDP "DNS server" written for validation tests: for each query it sends the datagrams <see cref="Reply"/> returns,
    /// each from the listening socket or from a second socket (another source port).
    /// </summary>
    public sealed class ScriptedUdpServer : IDisposable
    {
        private readonly Socket _socket;
        private readonly Socket _other;
        private readonly CancellationTokenSource _cts = new CancellationTokenSource();
        private readonly Task _loop;

        public ScriptedUdpServer(Func<byte[], IEnumerable<(byte[] Datagram, bool FromOtherPort)>> reply)
        {
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _other = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _other.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _loop = Task.Run(async () =>
            {
                var buffer = new byte[4096];
                while (!_cts.IsCancellationRequested)
                {
                    SocketReceiveFromResult r;
                    try { r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _cts.Token); }
                    catch (Exception) { return; }
                    Interlocked.Increment(ref _queries);
                    foreach (var (datagram, fromOther) in reply(buffer.AsSpan(0, r.ReceivedBytes).ToArray()))
                        (fromOther ? _other : _socket).SendTo(datagram, r.RemoteEndPoint);
                }
            });
        }

        private int _queries;
        public int Queries => Volatile.Read(ref _queries);
        public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

        public void Dispose()
        {
            _cts.Cancel();
            _socket.Dispose();
            _other.Dispose();
            try { _loop.Wait(2000); } catch (AggregateException) { }
            _cts.Dispose();
        }
    }
}
