namespace WeChatNet
{
    /// <summary>Who holds an address and where it is (output of Get-WeChatIpInfo). Plain data only.</summary>
    public sealed class IpInfo
    {
        public IpInfo(string address, string region, string range, string? country, string? city, int? asn, string? asName,
            string? owner, string? prefix, string source)
        {
            Address = address;
            Region = region;
            Range = range;
            Country = country;
            City = city;
            Asn = asn;
            AsName = asName;
            Owner = owner;
            Prefix = prefix;
            Source = source;
        }

        /// <summary>The address as written canonically (IPv6 compressed, lower case).</summary>
        public string Address { get; }

        /// <summary>MainlandChina, HongKong, Overseas, Private, Special or Unknown (an <see cref="IpRegion"/> name).</summary>
        public string Region { get; }

        /// <summary>
        /// Public, or the special-purpose block: Private, Cgnat, UniqueLocal, Loopback, LinkLocal, Documentation,
        /// Benchmarking, Multicast, Reserved, ...
        /// </summary>
        public string Range { get; }

        /// <summary>ISO 3166-1 country code where a table or database knows it.</summary>
        public string? Country { get; }

        /// <summary>City name (English) from a City database.</summary>
        public string? City { get; }

        /// <summary>Autonomous system number (from an ASN database, or Tencent's prefix list).</summary>
        public int? Asn { get; }

        public string? AsName { get; }

        /// <summary>"Tencent" when the address is in a Tencent autonomous system; otherwise empty.</summary>
        public string? Owner { get; }

        /// <summary>The most specific prefix that answered (table prefix or database network).</summary>
        public string? Prefix { get; }

        /// <summary>Which tables or databases answered, comma-separated (e.g. "chnroutes2, tencent-asn-prefixes").</summary>
        public string Source { get; }

        public override string ToString() => Address;
    }
}
