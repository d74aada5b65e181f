using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace WeChatNet.Connectivity
{

    /// <summary>What Test-WeChatConnection tests.</summary>
    internal sealed class ConnectionTestRequest
    {
        /// <summary>WeChat's dispatch, long-link and short-link hosts (facts section 1).</summary>
        public static readonly IReadOnlyList<string> DefaultHosts = new[] { "dns.weixin.qq.com", "long.weixin.qq.com", "short.weixin.qq.com" };
        /// <summary>The long link's ports (8080, 443, 80) cover the short link and dispatch too.</summary>
        public static readonly IReadOnlyList<int> DefaultPorts = new[] { 80, 443, 8080 };
        public const string DefaultDispatchHost = "dns.weixin.qq.com";
        /// <summary>The dispatch path, without the query that would identify a user.</summary>
        public const string DefaultDispatchPath = "/cgi-bin/micromsg-bin/newgetdns";
        public const int MaxCount = 100;
        public const int MaxTimeoutMs = 120_000;

        /// <summary>Host names; empty means <see cref="DefaultHosts"/> unless <see cref="Addresses"/> are given.</summary>
        public IList<string> Hosts { get; set; } = new List<string>();

        /// <summary>Addresses to test instead of resolving: each host at each address, or the addresses alone.</summary>
        public IList<IPAddress> Addresses { get; set; } = new List<IPAddress>();

        /// <summary>
        /// Addresses already known for some hosts (Resolve-WeChatDomain's answers piped in): such a host is tested at these,
        /// never resolved again; an empty list (a failed answer) is a DnsFailed result. <see cref="Addresses"/> wins.
        /// </summary>
        public IDictionary<string, IList<IPAddress>> HostAddresses { get; set; } = new Dictionary<string, IList<IPAddress>>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Ports to test; empty means <see cref="DefaultPorts"/>.</summary>
        public IList<int> Ports { get; set; } = new List<int>();
        public int TimeoutMs { get; set; } = 3000;

        /// <summary>Connect attempts per (host, address, port), one after another.</summary>
        public int Count { get; set; } = 1;

        /// <summary>How many connects may be in flight at once.</summary>
        public int MaxParallel { get; set; } = 16;

        /// <summary>Whether to send the plain HTTP request to the dispatch host.</summary>
        public bool Http { get; set; } = true;
        public string DispatchHost { get; set; } = DefaultDispatchHost;

        /// <summary>The dispatch address; when null, the first of <see cref="Addresses"/>, else the system resolver's first answer.</summary>
        public IPAddress? DispatchAddress { get; set; }
        public int DispatchPort { get; set; } = 80;
        public string DispatchPath { get; set; } = DefaultDispatchPath;

        internal IReadOnlyList<int> EffectivePorts => Ports.Count == 0 ? DefaultPorts : Ports.Distinct().ToList();

        /// <summary>Throws ArgumentException naming the first bad value.</summary>
        public void Validate()
        {
            foreach (int p in Ports.Concat(new[] { DispatchPort }))
                if (p < 1 || p > 65535) throw new ArgumentException($"Port {p} is not 1..65535.");
            if (TimeoutMs < 1 || TimeoutMs > MaxTimeoutMs) throw new ArgumentException($"TimeoutMs {TimeoutMs} is not 1..{MaxTimeoutMs}.");
            if (Count < 1 || Count > MaxCount) throw new ArgumentException($"Count {Count} is not 1..{MaxCount}.");
            if (MaxParallel < 1) throw new ArgumentException("MaxParallel must be at least 1.");
            if (string.IsNullOrWhiteSpace(DispatchHost) || DispatchHost.IndexOfAny(new[] { '\r', '\n', ' ' }) >= 0)
                throw new ArgumentException($"'{DispatchHost}' is not a host name for the HTTP request.");
            if (!DispatchPath.StartsWith("/", StringComparison.Ordinal) || DispatchPath.IndexOfAny(new[] { '\r', '\n', ' ' }) >= 0)
                throw new ArgumentException($"'{DispatchPath}' is not an HTTP path.");
            foreach (var h in Hosts)
                if (string.IsNullOrWhiteSpace(h)) throw new ArgumentException("A host name is empty.");
        }
    }

    /// <summary>Progress of a run: tests finished, tests known so far, and what just finished.</summary>
    internal readonly struct ConnectionTestProgress
    {
        public ConnectionTestProgress(int completed, int known, string current)
        {
            Completed = completed;
            Known = known;
            Current = current;
        }

        public int Completed { get; }
        public int Known { get; }
        public string Current { get; }
    }
}
