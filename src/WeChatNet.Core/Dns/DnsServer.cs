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
    internal sealed class DnsServer
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
            int scheme = t.IndexOf("://", StringComparison.Ordinal);
            if (scheme > 0) { error = $"'{t}' is a {t.Substring(0, scheme)} URL; DNS over HTTPS needs an https:// URL"; return false; }
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
}
