namespace WeChatNet.Packets
{
    /// <summary>The layer a decode problem was found in.</summary>
    internal enum PacketLayer : byte
    {
        None = 0,
        Link,
        Vlan,
        Arp,
        Ipv4,
        Ipv6,
        Ipv6Extension,
        Tcp,
        Udp,
        Icmp,
        Icmpv6,
        QuotedIp,
    }

    /// <summary>What was wrong with a layer. The layer's fields decoded before the problem stay readable.</summary>
    internal enum DecodeProblem : byte
    {
        None = 0,
        /// <summary>The captured bytes end before the fixed header does.</summary>
        Truncated,
        /// <summary>IP version nibble is not what the link layer said.</summary>
        BadVersion,
        /// <summary>IPv4 IHL below 5 or beyond the captured bytes; TCP data offset below 5 or beyond the segment.</summary>
        BadHeaderLength,
        /// <summary>IPv4 total length smaller than its header, UDP length below 8, and similar impossible lengths.</summary>
        BadTotalLength,
        /// <summary>An IPv4 / TCP option whose length byte is below 2 or runs past the options area.</summary>
        BadOptionLength,
        /// <summary>More IPv6 extension headers or VLAN tags than the hard cap allows.</summary>
        TooManyHeaders,
        /// <summary>An IPv6 extension header that runs past the captured bytes.</summary>
        BadExtensionHeader,
        /// <summary>An ARP packet whose address lengths do not fit.</summary>
        BadAddressLength,
        /// <summary>A link-layer protocol value the decoders do not know; the payload is left raw.</summary>
        UnknownProtocol,
    }

    /// <summary>
    /// The first problem met while decoding a packet: which layer, what, and at which byte offset of the packet.
    /// A plain value; <see cref="ToString"/> builds the message only when asked (not on the hot path).
    /// </summary>
    internal readonly struct DecodeIssue
    {
        public DecodeIssue(PacketLayer layer, DecodeProblem problem, int offset)
        {
            Layer = layer;
            Problem = problem;
            Offset = offset;
        }

        public PacketLayer Layer { get; }
        public DecodeProblem Problem { get; }
        /// <summary>Byte offset within the packet (from the start of the link-layer header) where the problem lies.</summary>
        public int Offset { get; }
        public bool IsNone => Problem == DecodeProblem.None;

        public static DecodeIssue None => default;

        /// <summary>Re-bases an issue found in a sub-view onto the packet, adding the sub-view's start offset.</summary>
        public DecodeIssue At(int baseOffset) => IsNone ? this : new DecodeIssue(Layer, Problem, Offset + baseOffset);

        public override string ToString() => IsNone ? "" : $"{Layer}: {Describe(Problem)} at byte {Offset}";

        public static string Describe(DecodeProblem p) => p switch
        {
            DecodeProblem.Truncated => "header truncated",
            DecodeProblem.BadVersion => "wrong IP version",
            DecodeProblem.BadHeaderLength => "impossible header length",
            DecodeProblem.BadTotalLength => "impossible total length",
            DecodeProblem.BadOptionLength => "malformed option",
            DecodeProblem.TooManyHeaders => "too many stacked headers",
            DecodeProblem.BadExtensionHeader => "extension header runs past the packet",
            DecodeProblem.BadAddressLength => "impossible address length",
            DecodeProblem.UnknownProtocol => "unknown protocol, payload left raw",
            _ => "ok",
        };
    }
}
