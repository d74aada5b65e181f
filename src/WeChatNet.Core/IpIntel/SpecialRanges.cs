using System.Collections.Generic;

namespace WeChatNet.IpIntel
{
    /// <summary>A special-purpose address block: its name and whether it is a private network or otherwise special.</summary>
    internal sealed class SpecialRange
    {
        internal SpecialRange(string name, IpRegion region, string reference)
        {
            Name = name;
            Region = region;
            Reference = reference;
        }

        /// <summary>Short stable name: Private, Cgnat, UniqueLocal, Loopback, LinkLocal, Documentation, Benchmarking, ...</summary>
        public string Name { get; }

        /// <summary><see cref="IpRegion.Private"/> for private networks (RFC 1918, CGNAT, ULA), else <see cref="IpRegion.Special"/>.</summary>
        public IpRegion Region { get; }

        /// <summary>The RFC that defines the block.</summary>
        public string Reference { get; }
    }

    /// <summary>
    /// IANA's IPv4 and IPv6 special-purpose address registries (RFC 6890 and successors): blocks that are not
    /// ordinary public unicast. Private networks (RFC 1918, shared CGNAT space, IPv6 unique-local) are
    /// <see cref="IpRegion.Private"/>; loopback, link-local, documentation, benchmarking, multicast, reserved and the
    /// rest are <see cref="IpRegion.Special"/>. IPv6 space outside 2000::/3 that no other entry names is Reserved.
    /// </summary>
    internal static class SpecialRanges
    {
        private static readonly (string Prefix, string Name, IpRegion Region, string Reference)[] Entries =
        {
            ("0.0.0.0/8", "ThisNetwork", IpRegion.Special, "RFC 791"),
            ("10.0.0.0/8", "Private", IpRegion.Private, "RFC 1918"),
            ("100.64.0.0/10", "Cgnat", IpRegion.Private, "RFC 6598"),
            ("127.0.0.0/8", "Loopback", IpRegion.Special, "RFC 1122"),
            ("169.254.0.0/16", "LinkLocal", IpRegion.Special, "RFC 3927"),
            ("172.16.0.0/12", "Private", IpRegion.Private, "RFC 1918"),
            ("192.0.0.0/24", "ProtocolAssignments", IpRegion.Special, "RFC 6890"),
            ("192.0.2.0/24", "Documentation", IpRegion.Special, "RFC 5737"),
            ("192.88.99.0/24", "SixToFourRelay", IpRegion.Special, "RFC 7526"),
            ("192.168.0.0/16", "Private", IpRegion.Private, "RFC 1918"),
            ("198.18.0.0/15", "Benchmarking", IpRegion.Special, "RFC 2544"),
            ("198.51.100.0/24", "Documentation", IpRegion.Special, "RFC 5737"),
            ("203.0.113.0/24", "Documentation", IpRegion.Special, "RFC 5737"),
            ("224.0.0.0/4", "Multicast", IpRegion.Special, "RFC 5771"),
            ("240.0.0.0/4", "Reserved", IpRegion.Special, "RFC 1112"),
            ("255.255.255.255/32", "Broadcast", IpRegion.Special, "RFC 919"),

            ("::/3", "Reserved", IpRegion.Special, "RFC 4291"),
            ("::/128", "Unspecified", IpRegion.Special, "RFC 4291"),
            ("::1/128", "Loopback", IpRegion.Special, "RFC 4291"),
            ("64:ff9b:1::/48", "Nat64Local", IpRegion.Special, "RFC 8215"),
            ("100::/64", "DiscardOnly", IpRegion.Special, "RFC 6666"),
            ("2001::/23", "ProtocolAssignments", IpRegion.Special, "RFC 2928"),
            ("2001:db8::/32", "Documentation", IpRegion.Special, "RFC 3849"),
            ("2002::/16", "SixToFour", IpRegion.Special, "RFC 3056"),
            ("3fff::/20", "Documentation", IpRegion.Special, "RFC 9637"),
            ("5f00::/16", "Srv6", IpRegion.Special, "RFC 9602"),
            ("4000::/2", "Reserved", IpRegion.Special, "RFC 4291"),
            ("8000::/1", "Reserved", IpRegion.Special, "RFC 4291"),
            ("fc00::/7", "UniqueLocal", IpRegion.Private, "RFC 4193"),
            ("fe80::/10", "LinkLocal", IpRegion.Special, "RFC 4291"),
            ("fec0::/10", "SiteLocal", IpRegion.Special, "RFC 3879"),
            ("ff00::/8", "Multicast", IpRegion.Special, "RFC 4291"),
        };

        /// <summary>The registry as a prefix table (IPv4-mapped and NAT64 addresses are unwrapped by the caller).</summary>
        public static PrefixTable<SpecialRange> Table { get; } = Build();

        private static PrefixTable<SpecialRange> Build()
        {
            var list = new List<KeyValuePair<IpPrefix, SpecialRange>>();
            foreach (var e in Entries)
                list.Add(new KeyValuePair<IpPrefix, SpecialRange>(IpPrefix.Parse(e.Prefix), new SpecialRange(e.Name, e.Region, e.Reference)));
            return PrefixTable<SpecialRange>.Build(list);
        }
    }
}
