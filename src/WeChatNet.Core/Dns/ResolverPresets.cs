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
    /// <summary>
    /// The resolver presets: Mainland and Overseas from the embedded ResolverPresets.txt, System from the machine.
    /// </summary>
    internal static class ResolverPresets
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
