using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace WeChatNet.Dns
{
    /// <summary>How a query travels.</summary>
    public enum DnsProtocol
    {
        Udp,
        Tcp,
        Https,
    }

    /// <summary>
    /// One resolver to ask: an address and port (UDP/TCP) or a DNS-over-HTTPS URL, with the region label it came from
    /// (Mainland, Overseas, System, or Custom for servers given by hand).
    /// </summary>
    public sealed class DnsServer
    {
        private DnsServer(IPEndPoint? endPoint, Uri? url, string region, string @operator)
        {
            EndPoint = endPoint;
            Url = url;
            Region = region;
            Operator = @operator;
        }

        public IPEndPoint? EndPoint { get; }
        /// <summary>The DoH URL (RFC 8484), for a server that only speaks HTTPS.</summary>
        public Uri? Url { get; }
        public bool IsHttps => Url != null;
        public string Region { get; }
        public string Operator { get; }

        /// <summary>"1.2.3.4", "1.2.3.4:5353", "[::1]:53", or the URL.</summary>
        public override string ToString()
        {
            if (Url != null) return Url.ToString();
            var ep = EndPoint!;
            string addr = ep.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + ep.Address + "]" : ep.Address.ToString();
            if (ep.Port == 53) return ep.AddressFamily == AddressFamily.InterNetworkV6 ? ep.Address.ToString() : addr;
            return addr + ":" + ep.Port.ToString(CultureInfo.InvariantCulture);
        }

        public static DnsServer FromEndPoint(IPEndPoint endPoint, string region = "Custom", string @operator = "") => new DnsServer(endPoint, null, region, @operator);

        /// <summary>Parses "1.2.3.4", "1.2.3.4:5353", "::1", "[::1]:53" or an https:// URL.</summary>
        public static bool TryParse(string? text, out DnsServer? server, out string? error, string region = "Custom", string @operator = "")
        {
            server = null;
            error = null;
            if (string.IsNullOrWhiteSpace(text)) { error = "the server is empty"; return false; }
            string t = text!.Trim();
            if (t.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || t.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            {
                if (!Uri.TryCreate(t, UriKind.Absolute, out Uri? uri) || uri is null) { error = $"'{t}' is not a valid URL"; return false; }
                if (uri.Scheme != Uri.UriSchemeHttps) { error = $"DNS over HTTPS needs an https:// URL, not '{t}'"; return false; }
                server = new DnsServer(null, uri, region, @operator);
                return true;
            }
            int port = 53;
            string host = t;
            if (t.StartsWith("[", StringComparison.Ordinal))
            {
                int close = t.IndexOf(']');
                if (close < 0) { error = $"'{t}' has '[' without ']'"; return false; }
                host = t.Substring(1, close - 1);
                string rest = t.Substring(close + 1);
                if (rest.Length > 0 && (rest[0] != ':' || !TryPort(rest.Substring(1), out port))) { error = $"'{rest}' is not ':port' (1 to 65535)"; return false; }
            }
            else if (t.IndexOf(':') >= 0 && t.IndexOf(':') == t.LastIndexOf(':'))
            {
                int colon = t.IndexOf(':');
                host = t.Substring(0, colon);
                if (!TryPort(t.Substring(colon + 1), out port)) { error = $"'{t.Substring(colon + 1)}' is not a port (1 to 65535)"; return false; }
            }
            if (!IPAddress.TryParse(host, out IPAddress? address) || address is null)
            { error = $"'{host}' is not an IP address (give resolvers by address, e.g. 223.5.5.5, [::1]:53, or a DoH URL)"; return false; }
            server = new DnsServer(new IPEndPoint(address, port), null, region, @operator);
            return true;
        }

        private static bool TryPort(string s, out int port) =>
            int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port >= 1 && port <= 65535;
    }

    /// <summary>One row of the preset table.</summary>
    public sealed class ResolverPreset
    {
        public ResolverPreset(string region, string server, string @operator)
        {
            Region = region;
            Server = server;
            Operator = @operator;
        }

        public string Region { get; }
        public string Server { get; }
        public string Operator { get; }
    }

    /// <summary>
    /// The resolver presets: Mainland and Overseas from the embedded ResolverPresets.txt, System from the machine.
    /// </summary>
    public static class ResolverPresets
    {
        private static readonly Lazy<IReadOnlyList<ResolverPreset>> s_table = new Lazy<IReadOnlyList<ResolverPreset>>(Load);

        public static IReadOnlyList<ResolverPreset> Table => s_table.Value;

        private static IReadOnlyList<ResolverPreset> Load()
        {
            using var stream = typeof(ResolverPresets).Assembly.GetManifestResourceStream("WeChatNet.ResolverPresets.txt")
                ?? throw new InvalidOperationException("The embedded resolver presets (WeChatNet.ResolverPresets.txt) are missing from WeChatNet.Core.");
            using var reader = new StreamReader(stream);
            return Parse(reader.ReadToEnd());
        }

        public static IReadOnlyList<ResolverPreset> Parse(string text)
        {
            var rows = new List<ResolverPreset>();
            foreach (var raw in text.Replace("\r\n", "\n").Split('\n'))
            {
                string line = raw.Trim();
                if (line.Length == 0 || line[0] == '#') continue;
                var cols = line.Split('|');
                if (cols.Length != 3) throw new FormatException($"Resolver preset line '{line}' needs 3 columns separated by '|'.");
                rows.Add(new ResolverPreset(cols[0].Trim(), cols[1].Trim(), cols[2].Trim()));
            }
            return rows;
        }

        /// <summary>
        /// The servers of a region. For "System" the machine's resolvers; otherwise the table's rows, plain servers
        /// when <paramref name="https"/> is false and DoH URLs when it is true.
        /// </summary>
        public static List<DnsServer> Servers(string region, bool https, string? resolvConfPath = null)
        {
            var list = new List<DnsServer>();
            if (string.Equals(region, "System", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var ep in SystemResolvers(resolvConfPath)) list.Add(DnsServer.FromEndPoint(ep, "System", "system resolver"));
                return list;
            }
            foreach (var row in Table)
            {
                if (!string.Equals(row.Region, region, StringComparison.OrdinalIgnoreCase)) continue;
                if (!DnsServer.TryParse(row.Server, out var s, out string? error, row.Region, row.Operator))
                    throw new FormatException($"Resolver preset '{row.Server}' is not valid: {error}.");
                if (s!.IsHttps == https) list.Add(s);
            }
            return list;
        }

        /// <summary>The machine's resolvers: the adapters' DNS servers on Windows, resolv.conf elsewhere.</summary>
        public static List<IPEndPoint> SystemResolvers(string? resolvConfPath = null)
        {
            if (resolvConfPath == null && RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                var list = new List<IPEndPoint>();
                foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
                {
                    if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback) continue;
                    foreach (var a in nic.GetIPProperties().DnsAddresses)
                    {
                        var ep = new IPEndPoint(a, 53);
                        if (!list.Exists(x => x.Equals(ep))) list.Add(ep);
                    }
                }
                return list;
            }
            string path = resolvConfPath ?? "/etc/resolv.conf";
            return File.Exists(path) ? ParseResolvConf(File.ReadAllText(path)) : new List<IPEndPoint>();
        }

        /// <summary>"nameserver" lines of resolv.conf (IPv6 zone ids kept), in order, duplicates removed.</summary>
        public static List<IPEndPoint> ParseResolvConf(string text)
        {
            var list = new List<IPEndPoint>();
            foreach (var raw in text.Replace("\r\n", "\n").Split('\n'))
            {
                string line = raw.Trim();
                int hash = line.IndexOfAny(new[] { '#', ';' });
                if (hash >= 0) line = line.Substring(0, hash);
                var parts = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 2 || parts[0] != "nameserver") continue;
                if (!IPAddress.TryParse(parts[1], out IPAddress? a) || a is null) continue;
                var ep = new IPEndPoint(a, 53);
                if (!list.Exists(x => x.Equals(ep))) list.Add(ep);
            }
            return list;
        }
    }
}
