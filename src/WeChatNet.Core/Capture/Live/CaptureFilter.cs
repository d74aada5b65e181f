using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;

namespace WeChatNet.Capture.Live
{
    /// <summary>The BPF filters Start-WeChatCapture uses: WeChat's traffic by default, everything with -All.</summary>
    internal static class CaptureFilter
    {
        public const string PrefixFileName = "tencent-asn-prefixes.txt";

        /// <summary>WeChat's ports: long and short links on TCP 80, 443 and 8080, DNS on UDP 53.</summary>
        public const string WeChatPorts = "tcp port 80 or tcp port 443 or tcp port 8080 or udp port 53";

        /// <summary>
        /// The default filter: WeChat's ports, plus any traffic to or from the prefixes Tencent's autonomous systems
        /// announce (which catches UDP voice relays on undocumented ports). Mainland servers often sit in carrier space,
        /// so the ports are not restricted to Tencent's prefixes.
        /// </summary>
        public static string WeChatDefault(IEnumerable<string> prefixes)
        {
            var v4 = new List<string>();
            var v6 = new List<string>();
            foreach (var p in prefixes)
            {
                if (!TryParsePrefix(p, out var address, out int length)) continue;
                (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? v6 : v4).Add($"net {address}/{length}");
            }
            var sb = new StringBuilder(WeChatPorts);
            if (v4.Count > 0) sb.Append(" or (ip and (").Append(string.Join(" or ", v4)).Append("))");
            if (v6.Count > 0) sb.Append(" or (ip6 and (").Append(string.Join(" or ", v6)).Append("))");
            return sb.ToString();
        }

        /// <summary>Reads the CIDR column of data/tencent-asn-prefixes.txt (ASN, name, prefix; tab-separated; # comments).</summary>
        public static IReadOnlyList<string> ReadPrefixes(string path)
        {
            var list = new List<string>();
            foreach (var raw in File.ReadLines(path))
            {
                string line = raw.Trim();
                if (line.Length == 0 || line[0] == '#') continue;
                string cidr = line.Split('\t').Last().Trim();
                if (TryParsePrefix(cidr, out _, out _)) list.Add(cidr);
            }
            return list;
        }

        /// <summary>The prefix file shipped in the module's data folder (next to the assembly).</summary>
        public static string DefaultPrefixFile()
        {
            string dir = Path.GetDirectoryName(typeof(CaptureFilter).Assembly.Location) ?? ".";
            return Path.Combine(dir, "data", PrefixFileName);
        }

        /// <summary>The default WeChat filter built from <paramref name="prefixFile"/> (or the module's copy).</summary>
        public static string WeChatDefaultFromFile(string? prefixFile = null)
        {
            string path = prefixFile ?? DefaultPrefixFile();
            if (!File.Exists(path))
                throw new LiveCaptureException(LiveCaptureErrorKind.FilterInvalid,
                    $"The Tencent prefix list '{path}' that the default WeChat filter is built from is missing; reinstall the module, or use -Filter or -All.");
            return WeChatDefault(ReadPrefixes(path));
        }

        internal static bool TryParsePrefix(string text, out IPAddress address, out int length)
        {
            address = IPAddress.None;
            length = 0;
            int slash = text.IndexOf('/');
            if (slash <= 0) return false;
            if (!IPAddress.TryParse(text.Substring(0, slash), out var a) || a is null) return false;
            if (!int.TryParse(text.Substring(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out length)) return false;
            int max = a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
            if (length < 0 || length > max) return false;
            address = a;
            return true;
        }
    }
}
