using System;
using System.Collections.Generic;
using WeChatNet.Packets;

namespace WeChatNet.WeChat
{
    /// <summary>Where a flow's or message's host name came from, best evidence first.</summary>
    internal static class HostSources
    {
        /// <summary>The TLS ClientHello's server name on this connection.</summary>
        public const string Sni = "Sni";
        /// <summary>The HTTP Host header of a request on this connection (or, failing that, an earlier one to the same address).</summary>
        public const string HttpHost = "HttpHost";
        /// <summary>A DNS answer for the server's address, the latest before the connection opened.</summary>
        public const string Dns = "Dns";
        /// <summary>A dispatch (newgetdns) entry for the server's address, the latest before the connection opened.</summary>
        public const string Dispatch = "Dispatch";
        /// <summary>The name a DNS flow asked for.</summary>
        public const string DnsQuery = "DnsQuery";

        /// <summary>Rank of the evidence: lower is better.</summary>
        public static int Rank(string? source) => source switch
        {
            Sni => 0,
            HttpHost => 1,
            Dns => 2,
            Dispatch => 2,
            DnsQuery => 3,
            _ => 9,
        };
    }

    /// <summary>
    /// Names server addresses from what the capture showed: DNS answers and dispatch entries, each with the time it was
    /// seen, so that a connection is named by the answer its client used most recently before connecting; when one
    /// answer gave the address several names, the name the catalog knows wins. HTTP Host headers seen on other
    /// connections to the address are the fallback. Bounded: at most <see cref="MaxEntries"/> addresses and
    /// <see cref="MaxSightingsPerAddress"/> sightings an address (an answer repeating the one before it is folded into it) are
    /// remembered.
    /// </summary>
    internal sealed class HostNamer
    {
        public const int MaxEntries = 100_000;
        public const int MaxSightingsPerAddress = 32;
        private readonly Dictionary<IpKey, List<Entry>> _resolved = new Dictionary<IpKey, List<Entry>>();
        private readonly Dictionary<IpKey, string> _httpHosts = new Dictionary<IpKey, string>();

        public int Count => _resolved.Count + _httpHosts.Count;

        /// <summary>An address a DNS answer (<see cref="HostSources.Dns"/>) or dispatch entry (<see cref="HostSources.Dispatch"/>)
        /// gave <paramref name="host"/>, seen at <paramref name="ticks"/> (UTC ticks).</summary>
        public void AddResolved(IpKey address, string host, string source, long ticks)
        {
            host = Normalize(host);
            if (host.Length == 0) return;
            if (!_resolved.TryGetValue(address, out var list))
            {
                if (_resolved.Count >= MaxEntries) return;
                _resolved[address] = list = new List<Entry>(2);
            }
            // Every sighting is kept in order, since a connection takes the answer seen last before it: dropping an earlier
            // sighting of a name seen again would hand the connections in between to whatever name came before it. An answer
            // that repeats the one before it (the same names, later) adds nothing and is folded into it.
            int last = list.Count - 1;
            if (last >= 0 && list[last].Ticks != ticks) FoldRepeatedAnswer(list);
            for (int i = list.Count - 1; i >= 0 && list[i].Ticks == ticks; i--)
                if (list[i].Host == host) return; // the same name twice in one answer
            if (list.Count >= MaxSightingsPerAddress) list.RemoveAt(0);
            list.Add(new Entry(host, source, ticks));
        }

        /// <summary>
        /// Removes the latest answer (the entries sharing the last time) when it names exactly what the answer before it named,
        /// in the same order and from the same source, and came later: lookups give the same name either way.
        /// </summary>
        private static void FoldRepeatedAnswer(List<Entry> list)
        {
            int end = list.Count;
            int start = end - 1;
            while (start > 0 && list[start - 1].Ticks == list[end - 1].Ticks) start--;
            int size = end - start;
            int prevStart = start - size;
            if (prevStart < 0 || list[prevStart].Ticks >= list[start].Ticks) return;
            for (int i = 0; i < size; i++)
            {
                Entry a = list[prevStart + i], b = list[start + i];
                if (a.Ticks != list[prevStart].Ticks || a.Host != b.Host || a.Source != b.Source) return;
            }
            if (prevStart > 0 && list[prevStart - 1].Ticks == list[prevStart].Ticks) return; // the earlier answer is larger
            list.RemoveRange(start, size);
        }

        public void AddResolved(string address, string host, string source, long ticks)
        {
            if (IpKey.TryParse(address, out var key)) AddResolved(key, host, source, ticks);
        }

        /// <summary>A Host header sent to this address.</summary>
        public void AddHttpHost(IpKey address, string host)
        {
            host = HttpHostName(host);
            if (host.Length == 0) return;
            if (_httpHosts.Count < MaxEntries || _httpHosts.ContainsKey(address)) _httpHosts[address] = host;
        }

        /// <summary>The host part of a Host header, normalised; empty when it is an address literal (it names nothing).</summary>
        public static string HttpHostName(string? header)
        {
            string host = Normalize(header ?? "");
            if (host.StartsWith("[", StringComparison.Ordinal)) return "";
            int colon = host.LastIndexOf(':');
            if (colon > 0 && host.IndexOf(':') == colon) host = host.Substring(0, colon);
            if (System.Net.IPAddress.TryParse(host, out _)) return "";
            return host;
        }

        /// <summary>The latest name for an address whatever the time, or null when the capture never named it.</summary>
        public string? Lookup(IpKey address) => Lookup(address, long.MaxValue, out _);

        /// <summary>
        /// The name a connection opened at <paramref name="atTicks"/> used: the DNS answer or dispatch entry seen most recently
        /// before it (ties: the name the catalog knows), else a Host header sent to the address, else any later answer.
        /// Null when the capture never named the address.
        /// </summary>
        public string? Lookup(IpKey address, long atTicks, out string? source)
        {
            source = null;
            if (_resolved.TryGetValue(address, out var list))
            {
                Entry? best = null;
                foreach (var e in list)
                {
                    if (e.Ticks > atTicks) continue;
                    if (best is null || e.Ticks > best.Ticks || (e.Ticks == best.Ticks && e.Known && !best.Known)) best = e;
                }
                if (best != null) { source = best.Source; return best.Host; }
            }
            if (_httpHosts.TryGetValue(address, out var name)) { source = HostSources.HttpHost; return name; }
            if (list != null && list.Count > 0)
            {
                // Named only after the connection opened (the capture missed the answer it used): the earliest later name.
                Entry first = list[0];
                foreach (var e in list) if (e.Ticks < first.Ticks || (e.Ticks == first.Ticks && e.Known && !first.Known)) first = e;
                source = first.Source;
                return first.Host;
            }
            return null;
        }

        /// <summary>True when DNS or dispatch named the address.</summary>
        public bool IsResolved(IpKey address) => _resolved.ContainsKey(address);

        private static string Normalize(string host) => (host ?? "").Trim().TrimEnd('.').ToLowerInvariant();

        private sealed class Entry
        {
            public Entry(string host, string source, long ticks)
            {
                Host = host;
                Source = source;
                Ticks = ticks;
                Known = EndpointCatalog.Default.Classify(host) != null;
            }

            public string Host { get; }
            public string Source { get; }
            public long Ticks { get; }
            public bool Known { get; }
        }
    }
}
