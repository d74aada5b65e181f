using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using WeChatNet.Tests.Infrastructure;

namespace WeChatNet.Tests.Route
{
    /// <summary>
    /// Real routers in network namespaces, dual-stack, addresses from 198.18.0.0/15 and 2001:db8::/32:
    /// <code>
    ///                               +-- r3a (198.18.3.2) --+
    /// client -- r1 (198.18.1.1) -- r2 (198.18.2.2)          r4 (198.18.5.2) -- server (198.18.7.2)
    ///                               +-- r3b (198.18.4.2) --+
    /// </code>
    /// r2 splits traffic to the server over r3a and r3b by flow (ECMP, L3+L4 hash) when <c>ecmp</c> is on, else uses r3a.
    /// Optional: a silent router (its ICMP time-exceeded dropped by iptables), a router that rate-limits ICMP errors, and a
    /// server that drops everything (a target that never answers).
    /// The server listens on TCP <see cref="OpenPort"/> (from a socket the test owns) and has <see cref="ClosedPort"/> closed.
    /// Every namespace is deleted on dispose, also when building failed half-way.
    /// </summary>
    public sealed class RouteTopology : IDisposable
    {
        public const int OpenPort = 8080;
        public const int ClosedPort = 8081;
        private readonly List<NetNamespace> _all = new List<NetNamespace>();
        private Socket? _listener4, _listener6;

        public RouteTopology(string name, bool ecmp = false, int silentHop = 0, int rateLimitedHop = 0, int rateLimitMs = 20000, bool blackholeTarget = false)
        {
            try
            {
                ExternalTool.RequireRoot("route tests build routers in network namespaces and send raw packets");
                Client = Add("c");
                R1 = Add("r1");
                R2 = Add("r2");
                R3a = Add("r3a");
                R3b = Add("r3b");
                R4 = Add("r4");
                Server = Add("s");
                foreach (var r in new[] { R1, R2, R3a, R3b, R4 })
                {
                    Sysctl(r, "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
                        "net.ipv4.fib_multipath_hash_policy=1", "net.ipv6.fib_multipath_hash_policy=1");
                }
                // Linux rate-limits ICMP errors per peer (6 at once, then 1 a second): off everywhere, so only the router
                // a test chooses limits its replies.
                foreach (var r in new[] { R1, R2, R3a, R3b, R4, Server })
                    Sysctl(r, "net.ipv4.icmp_ratelimit=0", "net.ipv6.icmp.ratelimit=0");
                Link(Client, "c0", R1, "a0", 1, 2, 1);
                Link(R1, "b0", R2, "a0", 2, 1, 2);
                Link(R2, "b0", R3a, "a0", 3, 1, 2);
                Link(R2, "c0", R3b, "a0", 4, 1, 2);
                Link(R3a, "b0", R4, "a0", 5, 1, 2);
                Link(R3b, "b0", R4, "c0", 6, 1, 2);
                Link(R4, "b0", Server, "s0", 7, 1, 2);

                Route(Client, "default", "via", "198.18.1.1");
                Route6(Client, "default", "via", "2001:db8:1::1");
                Route(R1, "default", "via", "198.18.2.2");
                Route6(R1, "default", "via", "2001:db8:2::2");
                Route(R2, "198.18.1.0/24", "via", "198.18.2.1");
                Route6(R2, "2001:db8:1::/64", "via", "2001:db8:2::1");
                if (ecmp)
                {
                    Route(R2, "default", "nexthop", "via", "198.18.3.2", "dev", "b0", "nexthop", "via", "198.18.4.2", "dev", "c0");
                    Route6(R2, "default", "nexthop", "via", "2001:db8:3::2", "dev", "b0", "nexthop", "via", "2001:db8:4::2", "dev", "c0");
                }
                else
                {
                    Route(R2, "default", "via", "198.18.3.2");
                    Route6(R2, "default", "via", "2001:db8:3::2");
                }
                Route(R3a, "198.18.7.0/24", "via", "198.18.5.2");
                Route6(R3a, "2001:db8:7::/64", "via", "2001:db8:5::2");
                Route(R3a, "default", "via", "198.18.3.1");
                Route6(R3a, "default", "via", "2001:db8:3::1");
                Route(R3b, "198.18.7.0/24", "via", "198.18.6.2");
                Route6(R3b, "2001:db8:7::/64", "via", "2001:db8:6::2");
                Route(R3b, "default", "via", "198.18.4.1");
                Route6(R3b, "default", "via", "2001:db8:4::1");
                Route(R4, "default", "via", "198.18.5.1");
                Route6(R4, "default", "via", "2001:db8:5::1");
                Route(Server, "default", "via", "198.18.7.1");
                Route6(Server, "default", "via", "2001:db8:7::1");

                if (silentHop > 0)
                {
                    var silent = RouterAtHop(silentHop);
                    silent.Exec(ExternalTool.Require("iptables", "iptables"), "-A", "OUTPUT", "-p", "icmp", "--icmp-type", "time-exceeded", "-j", "DROP");
                    silent.Exec(ExternalTool.Require("ip6tables", "iptables"), "-A", "OUTPUT", "-p", "icmpv6", "--icmpv6-type", "time-exceeded", "-j", "DROP");
                }
                if (blackholeTarget)
                {
                    // The server drops everything addressed to it: the target never answers.
                    Server.Exec(ExternalTool.Require("iptables", "iptables"), "-A", "INPUT", "-j", "DROP");
                    Server.Exec(ExternalTool.Require("ip6tables", "iptables"), "-A", "INPUT", "-j", "DROP");
                }
                if (rateLimitedHop > 0)
                {
                    Sysctl(RouterAtHop(rateLimitedHop), $"net.ipv4.icmp_ratelimit={rateLimitMs}", $"net.ipv6.icmp.ratelimit={rateLimitMs}");
                }
                _listener4 = NamespaceThread.Run(Server, () => Listen(IPAddress.Any));
                _listener6 = NamespaceThread.Run(Server, () => Listen(IPAddress.IPv6Any));
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public NetNamespace Client { get; }
        public NetNamespace R1 { get; }
        public NetNamespace R2 { get; }
        public NetNamespace R3a { get; }
        public NetNamespace R3b { get; }
        public NetNamespace R4 { get; }
        public NetNamespace Server { get; }
        public IReadOnlyList<NetNamespace> Namespaces => _all;

        public static readonly IPAddress Server4 = IPAddress.Parse("198.18.7.2");
        public static readonly IPAddress Server6 = IPAddress.Parse("2001:db8:7::2");

        /// <summary>The addresses each hop answers from (hop 3 is r3a or r3b), server last.</summary>
        public static readonly string[][] Hops4 =
        {
            new[] { "198.18.1.1" }, new[] { "198.18.2.2" }, new[] { "198.18.3.2", "198.18.4.2" }, new[] { "198.18.5.2" }, new[] { "198.18.7.2" },
        };

        public static readonly string[][] Hops6 =
        {
            new[] { "2001:db8:1::1" }, new[] { "2001:db8:2::2" }, new[] { "2001:db8:3::2", "2001:db8:4::2" },
            // IPv6 routers answer from the address the probe came in on: r4 from 5::2 behind r3a, 6::2 behind r3b.
            new[] { "2001:db8:5::2", "2001:db8:6::2" }, new[] { "2001:db8:7::2" },
        };

        private NetNamespace RouterAtHop(int hop) => hop switch
        {
            1 => R1,
            2 => R2,
            4 => R4,
            _ => throw new ArgumentOutOfRangeException(nameof(hop), "hop 3 is the ECMP pair: pick 1, 2 or 4"),
        };

        private NetNamespace Add(string role)
        {
            var ns = new NetNamespace(role);
            _all.Add(ns);
            return ns;
        }

        private static void Sysctl(NetNamespace ns, params string[] settings)
        {
            foreach (var s in settings) ns.Exec("sysctl", "-q", "-w", s);
        }

        /// <summary>Link number n: 198.18.n.0/24 and 2001:db8:n::/64, host parts given.</summary>
        private static void Link(NetNamespace a, string aIf, NetNamespace b, string bIf, int n, int aHost, int bHost)
        {
            NetNamespace.Link(a, aIf, $"198.18.{n}.{aHost}/24", b, bIf, $"198.18.{n}.{bHost}/24");
            a.Exec("ip", "-6", "addr", "add", $"2001:db8:{n}::{aHost}/64", "dev", aIf, "nodad");
            b.Exec("ip", "-6", "addr", "add", $"2001:db8:{n}::{bHost}/64", "dev", bIf, "nodad");
            // Resolve neighbours now (ARP, ND) so the first probes are not queued or dropped behind address resolution.
            a.Exec("ping", "-c", "1", "-W", "2", $"198.18.{n}.{bHost}");
            a.Exec("ping", "-6", "-c", "1", "-W", "2", $"2001:db8:{n}::{bHost}");
        }

        private static void Route(NetNamespace ns, params string[] args)
        {
            var cmd = new List<string> { "ip", "route", "add" };
            cmd.AddRange(args);
            ns.Exec(cmd.ToArray());
        }

        private static void Route6(NetNamespace ns, params string[] args)
        {
            var cmd = new List<string> { "ip", "-6", "route", "add" };
            cmd.AddRange(args);
            ns.Exec(cmd.ToArray());
        }

        private static Socket Listen(IPAddress any)
        {
            var s = new Socket(any.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (any.AddressFamily == AddressFamily.InterNetworkV6) s.DualMode = false;
            s.Bind(new IPEndPoint(any, OpenPort));
            s.Listen(64);
            return s;
        }

        public void Dispose()
        {
            _listener4?.Dispose();
            _listener6?.Dispose();
            foreach (var ns in _all) ns.Dispose();
            _all.Clear();
        }
    }
}
