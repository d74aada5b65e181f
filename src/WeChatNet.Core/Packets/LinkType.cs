namespace WeChatNet.Packets
{
    /// <summary>
    /// Link-layer header types (LINKTYPE_ values from tcpdump.org/linktypes.html) that the decoders understand.
    /// Any other value passes through: the packet keeps its raw bytes and is reported as link type "Unknown(N)".
    /// </summary>
    internal enum LinkType : ushort
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
}
