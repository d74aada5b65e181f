using System;

namespace WeChatNet
{
    /// <summary>
    /// One packet read from a capture file (Import-WeChatCapture) with its decoded summary. Plain data only, so it
    /// survives Export-Clixml, ConvertTo-Json and remoting. <see cref="Data"/> holds the captured bytes for
    /// downstream cmdlets (Export-WeChatCapture, protocol decoders) and is not shown by the default view.
    /// </summary>
    public sealed class Packet
    {
        /// <summary>1-based position in its file (tshark's frame.number).</summary>
        public long Number { get; set; }
        /// <summary>Capture time, UTC (DateTimeOffset keeps 100 ns; see <see cref="TimestampNanoseconds"/>).</summary>
        public DateTimeOffset Timestamp { get; set; }
        /// <summary>Capture time in nanoseconds since 1970-01-01 UTC: the full resolution of the file.</summary>
        public long TimestampNanoseconds { get; set; }
        /// <summary>Interface name (pcapng if_name) or "ifN".</summary>
        public string Interface { get; set; } = "";
        /// <summary>Interface position in its file, from 0 (all sections counted).</summary>
        public int InterfaceIndex { get; set; }
        public int CapturedLength { get; set; }
        public int OriginalLength { get; set; }
        /// <summary>Link type name (Ethernet, LinuxSll, LinuxSll2, Null, Loop, Raw, Ipv4, Ipv6...) or "Unknown(N)".</summary>
        public string LinkType { get; set; } = "";
        /// <summary>The LINKTYPE_ number, kept so unknown link types round-trip through Export-WeChatCapture.</summary>
        public int LinkTypeNumber { get; set; }
        /// <summary>Outermost 802.1Q/802.1ad VLAN ID, or null when untagged.</summary>
        public int? VlanId { get; set; }
        /// <summary>Source IP address (ARP: sender protocol address), or null.</summary>
        public string? Source { get; set; }
        public string? Destination { get; set; }
        /// <summary>Highest decoded protocol: TCP, UDP, ICMP, ICMPv6, ARP, IPv4, IPv6, or the EtherType / link name.</summary>
        public string Protocol { get; set; } = "";
        public int? SourcePort { get; set; }
        public int? DestinationPort { get; set; }
        /// <summary>TCP flags as "SYN, ACK" (null when not TCP).</summary>
        public string? TcpFlags { get; set; }
        public long? Sequence { get; set; }
        public long? Acknowledgment { get; set; }
        /// <summary>Application payload length as the headers declare it (TCP segment data, UDP data, ICMP body).</summary>
        public int PayloadLength { get; set; }
        /// <summary>IPv4 TTL or IPv6 hop limit, or null.</summary>
        public int? Ttl { get; set; }
        /// <summary>True for an IP fragment (not reassembled).</summary>
        public bool IsFragment { get; set; }
        /// <summary>One line like tshark's Info column.</summary>
        public string Info { get; set; } = "";
        /// <summary>What was malformed, with the byte offset in the packet; null when the packet decoded cleanly.</summary>
        public string? Problem { get; set; }
        /// <summary>The capture file this packet came from.</summary>
        public string? File { get; set; }
        /// <summary>pcapng packet comment, or null.</summary>
        public string? Comment { get; set; }
        /// <summary>The captured bytes, from the link-layer header on.</summary>
        public byte[] Data { get; set; } = Array.Empty<byte>();

        public override string ToString() => $"{Number} {Protocol} {Source} -> {Destination} {Info}";
    }
}
