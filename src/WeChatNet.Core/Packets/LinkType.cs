namespace WeChatNet.Packets
{
    /// <summary>
    /// Link-layer header types (LINKTYPE_ values from tcpdump.org/linktypes.html) that the decoders understand.
    /// Any other value passes through: the packet keeps its raw bytes and is reported as link type "Unknown(N)".
    /// </summary>
    public enum LinkType : ushort
    {
        /// <summary>BSD loopback: a 4-byte protocol family in the capturing host's byte order.</summary>
        Null = 0,
        /// <summary>IEEE 802.3 Ethernet, with optional 802.1Q / 802.1ad VLAN tags.</summary>
        Ethernet = 1,
        /// <summary>Raw IP on some BSDs (DLT_RAW = 12 on OpenBSD and others).</summary>
        RawBsd12 = 12,
        /// <summary>Raw IP on OpenBSD (DLT_RAW = 14).</summary>
        RawBsd14 = 14,
        /// <summary>Raw IPv4 or IPv6, version taken from the first nibble.</summary>
        Raw = 101,
        /// <summary>OpenBSD loopback: a 4-byte protocol family in network byte order.</summary>
        Loop = 108,
        /// <summary>Linux "cooked" capture, version 1 (16-byte header).</summary>
        LinuxSll = 113,
        /// <summary>Raw IPv4 only.</summary>
        Ipv4 = 228,
        /// <summary>Raw IPv6 only.</summary>
        Ipv6 = 229,
        /// <summary>Linux "cooked" capture, version 2 (20-byte header).</summary>
        LinuxSll2 = 276,
    }

    /// <summary>Well-known EtherType values.</summary>
    public static class EtherTypes
    {
        public const ushort Ipv4 = 0x0800;
        public const ushort Arp = 0x0806;
        public const ushort Vlan = 0x8100;
        public const ushort Ipv6 = 0x86DD;
        public const ushort QinQ = 0x88A8;
        public const ushort QinQLegacy = 0x9100;
    }

    /// <summary>IP protocol numbers (also IPv6 next-header values).</summary>
    public static class IpProtocols
    {
        public const byte HopByHop = 0;
        public const byte Icmp = 1;
        public const byte Tcp = 6;
        public const byte Udp = 17;
        public const byte Ipv6Routing = 43;
        public const byte Ipv6Fragment = 44;
        public const byte Esp = 50;
        public const byte Ah = 51;
        public const byte Icmpv6 = 58;
        public const byte NoNextHeader = 59;
        public const byte Ipv6DestinationOptions = 60;
        public const byte Mobility = 135;
    }
}
