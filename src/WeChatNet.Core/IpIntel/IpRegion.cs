namespace WeChatNet
{
    /// <summary>Where an address is, as WeChat troubleshooting needs it.</summary>
    internal enum IpRegion
    {
        /// <summary>Routed in mainland China (chnroutes2, or a database's country CN).</summary>
        MainlandChina,
        /// <summary>Hong Kong (only a GeoLite2/DB-IP database can say so).</summary>
        HongKong,
        /// <summary>Public, and not in mainland China.</summary>
        Overseas,
        /// <summary>A private network: RFC 1918, CGNAT shared space (100.64.0.0/10), IPv6 unique-local.</summary>
        Private,
        /// <summary>Loopback, link-local, documentation, benchmarking, multicast, reserved and other special blocks.</summary>
        Special,
        /// <summary>No table or database knows (e.g. a public IPv6 address without a database).</summary>
        Unknown,
    }
}
