namespace WeChatNet
{
    /// <summary>
    /// What one resolver (or WeChat's HTTP dispatch) said about one name: output of Resolve-WeChatDomain. Plain data.
    /// </summary>
    public sealed class DnsAnswer
    {
        public DnsAnswer(string name, string type, string server, string region, string source, string protocol, string status,
            string[] cnameChain, string[] addresses, string[] data, int ttl, double elapsedMs, string clientSubnet, int scope,
            string responseCode, int tries, int droppedResponses, string error)
        {
            Name = name;
            Type = type;
            Server = server;
            Region = region;
            Source = source;
            Protocol = protocol;
            Status = status;
            CnameChain = cnameChain;
            Addresses = addresses;
            Data = data;
            Ttl = ttl;
            ElapsedMs = elapsedMs;
            ClientSubnet = clientSubnet;
            Scope = scope;
            ResponseCode = responseCode;
            Tries = tries;
            DroppedResponses = droppedResponses;
            Error = error;
            var regions = new string[addresses.Length];
            var owners = new string[addresses.Length];
            for (int i = 0; i < addresses.Length; i++)
            {
                var info = IpIntel.IpIntelligence.TryLookup(addresses[i]);
                regions[i] = info?.Region ?? "Unknown";
                owners[i] = info?.Owner ?? "";
            }
            AddressRegions = regions;
            AddressOwners = owners;
        }

        /// <summary>The name asked for.</summary>
        public string Name { get; }
        /// <summary>The record type asked for (A, AAAA, ...).</summary>
        public string Type { get; }
        /// <summary>The resolver ("223.5.5.5", "[::1]:5353", a DoH URL) or the dispatch URI.</summary>
        public string Server { get; }
        /// <summary>Where the server came from: Mainland, Overseas, System, Custom, or Dispatch.</summary>
        public string Region { get; }
        /// <summary>Dns or Dispatch.</summary>
        public string Source { get; }
        /// <summary>The transport that produced the answer: Udp, Tcp (also after a truncated UDP answer), Https, or Http (dispatch).</summary>
        public string Protocol { get; }
        /// <summary>Ok, NxDomain, ServFail, Refused, Timeout, Truncated or Error.</summary>
        public string Status { get; }
        /// <summary>The CNAME targets followed from Name, in order.</summary>
        public string[] CnameChain { get; }
        /// <summary>A and AAAA addresses of the final name.</summary>
        public string[] Addresses { get; }
        /// <summary>Region of each address, in the order of <see cref="Addresses"/> (MainlandChina, HongKong, Overseas, Private, Special, Unknown).</summary>
        public string[] AddressRegions { get; internal set; }
        /// <summary>Owner of each address (Tencent when in a Tencent AS; empty when unknown), in the order of <see cref="Addresses"/>.</summary>
        public string[] AddressOwners { get; internal set; }
        /// <summary>The answer records of the requested type in text form (for TXT, SOA, HTTPS... as well as addresses).</summary>
        public string[] Data { get; }
        /// <summary>Smallest TTL along the chain, in seconds; -1 when there was no answer.</summary>
        public int Ttl { get; }
        public double ElapsedMs { get; }
        /// <summary>The EDNS Client Subnet sent ("101.226.5.0/24"), empty when none.</summary>
        public string ClientSubnet { get; }
        /// <summary>The scope prefix length the server returned for the subnet; -1 when it returned no Client Subnet option.</summary>
        public int Scope { get; }
        /// <summary>The DNS response code (NoError, NxDomain, ...), empty when no response arrived.</summary>
        public string ResponseCode { get; }
        public int Tries { get; }
        /// <summary>Responses that arrived but were not trusted (wrong source, id or question) and were dropped.</summary>
        public int DroppedResponses { get; }
        /// <summary>What went wrong; for an Ok answer empty, or a note on how it was obtained (e.g. asked again without EDNS).</summary>
        public string Error { get; }

        public override string ToString() => $"{Name} @{Server}: {Status} {string.Join(",", Addresses)}";
    }
}
