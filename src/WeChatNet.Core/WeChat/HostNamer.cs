using System;
using System.Collections.Generic;
using WeChatNet.Packets;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// Names server addresses from what the capture showed earlier: DNS answers and dispatch documents first, HTTP
    /// Host headers second. Bounded: beyond <see cref="MaxEntries"/> new names are not remembered.
    /// </summary>
    public sealed class HostNamer
    {
        public const int MaxEntries = 100_000;
        private readonly Dictionary<IpKey, string> _resolved = new Dictionary<IpKey, string>();
        private readonly Dictionary<IpKey, string> _httpHosts = new Dictionary<IpKey, string>();

        public int Count => _resolved.Count + _httpHosts.Count;

        /// <summary>An address a DNS answer or dispatch document gave for <paramref name="host"/>; the latest answer wins.</summary>
        public void AddResolved(IpKey address, string host)
        {
            host = Normalize(host);
            if (host.Length == 0) return;
            if (_resolved.Count < MaxEntries || _resolved.ContainsKey(address)) _resolved[address] = host;
        }

        public void AddResolved(string address, string host)
        {
            if (IpKey.TryParse(address, out var key)) AddResolved(key, host);
        }

        /// <summary>A Host header sent to this address.</summary>
        public void AddHttpHost(IpKey address, string host)
        {
            host = Normalize(host);
            int colon = host.LastIndexOf(':');
            if (colon > 0 && host.IndexOf(']') < colon && host.IndexOf(':') == colon) host = host.Substring(0, colon);
            if (host.Length == 0) return;
            if (_httpHosts.Count < MaxEntries || _httpHosts.ContainsKey(address)) _httpHosts[address] = host;
        }

        /// <summary>The name for an address, or null when the capture never named it.</summary>
        public string? Lookup(IpKey address)
        {
            if (_resolved.TryGetValue(address, out var name)) return name;
            return _httpHosts.TryGetValue(address, out name) ? name : null;
        }

        /// <summary>True when DNS or dispatch named the address (stronger than a Host header).</summary>
        public bool IsResolved(IpKey address) => _resolved.ContainsKey(address);

        private static string Normalize(string host) => (host ?? "").Trim().TrimEnd('.').ToLowerInvariant();
    }
}
