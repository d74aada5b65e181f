using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using WeChatNet.IpIntel;
using WeChatNet.Text;
using WeChatNet.WeChat;

namespace WeChatNet.Connections
{
    /// <summary>
    /// Get-WeChatConnection's core: reads the socket table (<see cref="ISocketTable"/>), keeps WeChat's connections (those of
    /// WeChat's processes, <see cref="WeChatProcesses"/>; for processes the user names, those to WeChat's servers), and names
    /// each remote end: host (<see cref="RemoteHostNames"/>), role from the catalog, region and owner from
    /// <see cref="IpIntelligence"/>. The long link comes first.
    /// </summary>
    internal sealed class ConnectionInventory
    {
        /// <summary>Ports WeChat's servers listen on (long link 8080/443/80, short link and dispatch 80/443).</summary>
        private static readonly int[] s_wechatPorts = { 80, 443, 8080 };
        private readonly ISocketTable _table;
        private readonly IpIntelligence _intel;
        private readonly RemoteHostNames _names;
        private readonly Dictionary<string, IpInfo?> _ipInfo = new Dictionary<string, IpInfo?>(StringComparer.Ordinal);

        public ConnectionInventory(ISocketTable table, IpIntelligence intel, RemoteHostNames names)
        {
            _table = table ?? throw new ArgumentNullException(nameof(table));
            _intel = intel ?? throw new ArgumentNullException(nameof(intel));
            _names = names ?? throw new ArgumentNullException(nameof(names));
        }

        public IReadOnlyList<string> Limitations => _table.Limitations;

        /// <summary>The last reading's connections that no process could be attributed to (other users' without root, ...),
        /// whether or not they were selected; TimeWait sockets, which no process holds, are left out.</summary>
        public IReadOnlyList<Connection> Unattributed { get; private set; } = Array.Empty<Connection>();

        /// <summary>The socket table for this platform: Linux and Windows; anything else is <see cref="ConnectionException.NotSupported"/>.</summary>
        public static ISocketTable PlatformTable()
        {
            if (Environment.OSVersion.Platform == PlatformID.Win32NT) return new WindowsSocketTable();
            if (System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux)) return new LinuxSocketTable();
            throw new ConnectionException(ConnectionException.NotSupported,
                $"Get-WeChatConnection does not support {System.Runtime.InteropServices.RuntimeInformation.OSDescription} yet: it reads the socket table " +
                "on Linux (sock_diag) and Windows (IP Helper). On macOS, use 'lsof -nP -iTCP' or a capture (Start-WeChatCapture) meanwhile.");
        }

        public List<Connection> Read(ConnectionQuery query)
        {
            var now = DateTimeOffset.Now;
            var result = new List<Connection>();
            var unattributed = new List<Connection>();
            foreach (var e in _table.Read())
            {
                if (e.State == TcpState.Listen) continue;
                if (e.ProcessId is null && e.State != TcpState.TimeWait) unattributed.Add(ToConnection(e, now));
                bool named = query.NamesProcesses;
                if (named && !MatchesProcess(e, query)) continue;
                var c = ToConnection(e, now);
                bool wechatProcess = WeChatProcesses.IsWeChat(e.ProcessName);
                if (wechatProcess) c.MatchedBy = "Process";
                else if (named && IsWeChatServer(c)) c.MatchedBy = "Endpoint";
                if (wechatProcess && c.Role is null && c.RemotePort == 8080 && !IsLoopback(e.RemoteAddress))
                {
                    c.Role = nameof(EndpointRole.LongLink);
                    c.RoleSource = "Port";
                }
                if (!query.All && c.MatchedBy is null) continue;
                result.Add(c);
            }
            Unattributed = unattributed;
            return Order(result);
        }

        /// <summary>Long links first, then WeChat's other connections, then the rest; by process and remote end within.</summary>
        public static List<Connection> Order(IEnumerable<Connection> connections) => connections
            .OrderBy(c => c.Role == nameof(EndpointRole.LongLink) && c.MatchedBy != null ? 0 : c.MatchedBy != null ? 1 : 2)
            .ThenBy(c => c.ProcessName ?? "\uffff", StringComparer.OrdinalIgnoreCase)
            .ThenBy(c => c.ProcessId ?? int.MaxValue)
            .ThenBy(c => c.RemoteAddress, StringComparer.Ordinal)
            .ThenBy(c => c.RemotePort).ThenBy(c => c.LocalPort)
            .ToList();

        private static bool MatchesProcess(SocketEntry e, ConnectionQuery query)
        {
            if (e.ProcessId.HasValue && query.ProcessIds.Contains(e.ProcessId.Value)) return true;
            if (e.ProcessName is null) return false;
            string name = e.ProcessName.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? e.ProcessName.Substring(0, e.ProcessName.Length - 4) : e.ProcessName;
            foreach (string pattern in query.ProcessNames)
            {
                string p = pattern.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? pattern.Substring(0, pattern.Length - 4) : pattern;
                if (Wildcard.ContainsWildcard(p) ? Wildcard.IsMatch(name.ToLowerInvariant(), p.ToLowerInvariant())
                                                 : string.Equals(name, Wildcard.Unescape(p), StringComparison.OrdinalIgnoreCase)) return true;
            }
            return false;
        }

        /// <summary>One of WeChat's servers: a host the catalog knows, or a Tencent address on one of WeChat's ports.</summary>
        public static bool IsWeChatServer(Connection c) =>
            c.Role != null || (c.Owner == IpIntelligence.TencentOwner && Array.IndexOf(s_wechatPorts, c.RemotePort) >= 0);

        private static bool IsLoopback(IPAddress a) => IPAddress.IsLoopback(a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a);

        private Connection ToConnection(SocketEntry e, DateTimeOffset now)
        {
            var c = new Connection
            {
                ProcessId = e.ProcessId,
                ProcessName = e.ProcessName,
                User = e.User,
                LocalAddress = Display(e.LocalAddress),
                LocalPort = e.LocalPort,
                RemoteAddress = Display(e.RemoteAddress),
                RemotePort = e.RemotePort,
                State = e.State.ToString(),
                RttMs = e.RttMs,
                RttVarMs = e.RttVarMs,
                Retransmissions = e.Retransmissions,
                LostSegments = e.LostSegments,
                CongestionWindow = e.CongestionWindow,
                BytesSent = e.BytesSent,
                BytesReceived = e.BytesReceived,
                LastSendMs = e.LastSendMs,
                LastReceiveMs = e.LastReceiveMs,
                AgeSec = e.AgeSec,
                Attribution = e.Attribution,
                Source = e.Source,
                Timestamp = now,
            };
            if (_names.TryName(e.RemoteAddress, out string host, out string source))
            {
                c.Host = host;
                c.HostSource = source;
                var cls = EndpointCatalog.Default.Classify(host);
                if (cls != null)
                {
                    c.Role = cls.Role.ToString();
                    c.RoleSource = "Catalog";
                }
            }
            var info = Info(e.RemoteAddress);
            c.Region = info?.Region;
            c.Owner = info?.Owner;
            return c;
        }

        /// <summary>An address as users write it: an IPv4-mapped IPv6 address (a dual-stack socket's IPv4 peer) as plain IPv4.</summary>
        private static string Display(IPAddress a) => (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).ToString();

        private IpInfo? Info(IPAddress address)
        {
            string key = address.ToString();
            if (_ipInfo.TryGetValue(key, out var cached)) return cached;
            IpInfo? info;
            try { info = _intel.Lookup(address); }
            catch (MmdbFormatException) { info = null; }
            catch (System.IO.IOException) { info = null; }
            if (_ipInfo.Count < 100_000) _ipInfo[key] = info;
            return info;
        }
    }
}
