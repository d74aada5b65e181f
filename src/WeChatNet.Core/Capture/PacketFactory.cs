using System;
using System.Text;
using WeChatNet.Packets;

namespace WeChatNet.Capture
{
    /// <summary>Builds <see cref="WeChatNet.Packet"/> output objects from records (the cmdlet path; allocates).</summary>
    internal static class PacketFactory
    {
        private static readonly DateTimeOffset Epoch = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

        /// <summary>The UTC time of a nanosecond timestamp (100 ns resolution, clamped to DateTimeOffset's range).</summary>
        public static DateTimeOffset ToDateTimeOffset(long nanoseconds)
        {
            long ticks = nanoseconds / 100;
            long max = DateTimeOffset.MaxValue.UtcTicks - Epoch.UtcTicks;
            long min = DateTimeOffset.MinValue.UtcTicks - Epoch.UtcTicks;
            if (ticks > max) ticks = max;
            if (ticks < min) ticks = min;
            return Epoch.AddTicks(ticks);
        }

        public static Packet Create(in CaptureRecord record, string? file)
        {
            var decoded = record.Decode();
            var comment = record.CommentUtf8;
            var packet = Create(decoded, record.Number, record.TimestampNanoseconds, record.Interface.DisplayName, record.Interface.Index, record.OriginalLength, file);
            if (!comment.IsEmpty) packet.Comment = Encoding.UTF8.GetString(comment.ToArray());
            if (record.HeaderProblem != null) packet.Problem = packet.Problem is null ? record.HeaderProblem : record.HeaderProblem + "; " + packet.Problem;
            return packet;
        }

        /// <summary>Builds a packet from decoded bytes (also used by live capture).</summary>
        public static Packet Create(in DecodedPacket p, long number, long timestampNanoseconds, string interfaceName, int interfaceIndex, int originalLength, string? file)
        {
            var packet = new Packet
            {
                Number = number,
                TimestampNanoseconds = timestampNanoseconds,
                Timestamp = ToDateTimeOffset(timestampNanoseconds),
                Interface = interfaceName,
                InterfaceIndex = interfaceIndex,
                CapturedLength = p.Data.Length,
                OriginalLength = Math.Max(originalLength, p.Data.Length),
                LinkType = LinkTypeNames.Name(p.LinkType),
                LinkTypeNumber = p.LinkType,
                VlanId = p.VlanCount > 0 ? p.OuterVlanId : (int?)null,
                File = file,
                Data = p.Data.ToArray(),
            };
            if (!p.SourceAddress.IsEmpty) packet.Source = AddressText.Format(p.SourceAddress);
            if (!p.DestinationAddress.IsEmpty) packet.Destination = AddressText.Format(p.DestinationAddress);
            if (p.Network == NetworkKind.Ipv4 || p.Network == NetworkKind.Ipv6) packet.Ttl = p.TtlOrHopLimit;
            packet.IsFragment = p.IsFragment;
            packet.Protocol = ProtocolName(p);
            packet.PayloadLength = p.PayloadLength;
            if (p.Transport == TransportKind.Tcp || p.Transport == TransportKind.Udp)
            {
                if (p.TransportBytes.Length >= 4)
                {
                    packet.SourcePort = p.SourcePort;
                    packet.DestinationPort = p.DestinationPort;
                }
                // Fields of a TCP header cut by the snap length are shown as far as they were captured.
                int captured = p.TransportBytes.Length;
                if (p.Transport == TransportKind.Tcp)
                {
                    if (captured >= 8) packet.Sequence = p.Sequence;
                    if (captured >= 12) packet.Acknowledgment = p.Acknowledgment;
                    if (captured >= 14) packet.TcpFlags = TcpSegment.FormatFlags(p.TcpFlags);
                }
            }
            if (!p.Issue.IsNone) packet.Problem = p.Issue.ToString();
            packet.Info = Info(p);
            return packet;
        }

        public static string ProtocolName(in DecodedPacket p)
        {
            switch (p.Transport)
            {
                // One casing for protocol names across the module (docs/conventions.md): .NET's, as in Flow.Protocol,
                // RouteProtocol and System.Net.Sockets.ProtocolType (Tcp, Udp, Icmp, IcmpV6).
                case TransportKind.Tcp: return "Tcp";
                case TransportKind.Udp: return "Udp";
                case TransportKind.Icmp: return "Icmp";
                case TransportKind.Icmpv6: return "IcmpV6";
            }
            switch (p.Network)
            {
                case NetworkKind.Ipv4: return "IPv4";
                case NetworkKind.Ipv6: return "IPv6";
                case NetworkKind.Arp: return "Arp";
                case NetworkKind.Other:
                    if (p.EtherType != 0 && p.EtherType < 0x0600 && p.LinkType == (ushort)Packets.LinkType.Ethernet) return "Llc";
                    return p.EtherType != 0 ? "0x" + p.EtherType.ToString("x4") : LinkTypeNames.Name(p.LinkType);
            }
            return LinkTypeNames.Name(p.LinkType);
        }

        private static string IpProtocolName(byte protocol) => protocol switch
        {
            IpProtocols.Tcp => "TCP",
            IpProtocols.Udp => "UDP",
            IpProtocols.Icmp => "ICMP",
            IpProtocols.Icmpv6 => "ICMPv6",
            IpProtocols.Esp => "ESP",
            IpProtocols.Ah => "AH",
            IpProtocols.NoNextHeader => "no next header",
            47 => "GRE",
            _ => "protocol",
        };

        /// <summary>One line like tshark's Info column.</summary>
        public static string Info(in DecodedPacket p)
        {
            var sb = new StringBuilder(64);
            switch (p.Transport)
            {
                case TransportKind.Tcp when p.TransportBytes.Length >= TcpSegment.MinHeaderLength:
                {
                    var tcp = p.Tcp;
                    sb.Append(p.SourcePort).Append(" → ").Append(p.DestinationPort);
                    if (p.TcpFlags != TcpFlags.None) sb.Append(" [").Append(TcpSegment.FormatFlags(p.TcpFlags)).Append(']');
                    sb.Append(" Seq=").Append(p.Sequence);
                    if ((p.TcpFlags & TcpFlags.Ack) != 0) sb.Append(" Ack=").Append(p.Acknowledgment);
                    sb.Append(" Win=").Append(p.Window).Append(" Len=").Append(p.PayloadLength);
                    if (tcp.TryGetMaximumSegmentSize(out var mss)) sb.Append(" MSS=").Append(mss);
                    if (tcp.SackPermitted) sb.Append(" SACK_PERM");
                    if (tcp.TryGetTimestamps(out var tsval, out var tsecr)) sb.Append(" TSval=").Append(tsval).Append(" TSecr=").Append(tsecr);
                    if (tcp.TryGetWindowScale(out var ws)) sb.Append(" WS=").Append(1 << Math.Min((int)ws, 14));
                    for (int i = 0; i < tcp.SackBlockCount; i++)
                        if (tcp.TryGetSackBlock(i, out var l, out var r)) sb.Append(" SLE=").Append(l).Append(" SRE=").Append(r);
                    break;
                }
                case TransportKind.Udp when p.TransportBytes.Length >= 4:
                    sb.Append(p.SourcePort).Append(" → ").Append(p.DestinationPort).Append(" Len=").Append(p.PayloadLength);
                    break;
                case TransportKind.Icmp when p.TransportBytes.Length >= 8:
                {
                    var m = p.Icmp;
                    sb.Append(IcmpMessage.TypeName(m.Type, m.Code));
                    if (m.IsEcho) sb.Append(" id=0x").Append(m.Identifier.ToString("x4")).Append(", seq=").Append(m.SequenceNumber).Append(", ttl=").Append(p.TtlOrHopLimit);
                    if (m.IsError) AppendQuote(sb, m.Quoted);
                    break;
                }
                case TransportKind.Icmpv6 when p.TransportBytes.Length >= 8:
                {
                    var m = p.Icmpv6;
                    sb.Append(Icmpv6Message.TypeName(m.Type, m.Code));
                    if (m.IsEcho) sb.Append(" id=0x").Append(m.Identifier.ToString("x4")).Append(", seq=").Append(m.SequenceNumber).Append(", hlim=").Append(p.TtlOrHopLimit);
                    if (m.Type == Icmpv6Message.PacketTooBig) sb.Append(" MTU=").Append(m.Mtu);
                    if (!m.TargetAddress.IsEmpty) sb.Append(" for ").Append(AddressText.Format(m.TargetAddress));
                    if (m.IsError) AppendQuote(sb, m.Quoted);
                    break;
                }
                case TransportKind.Fragment:
                    sb.Append("Fragmented IP protocol (proto=").Append(IpProtocolName(p.IpProtocol)).Append(' ').Append(p.IpProtocol)
                      .Append(", off=").Append(p.FragmentOffset).Append(')');
                    break;
                case TransportKind.Other:
                    sb.Append(IpProtocolName(p.IpProtocol)).Append(' ').Append(p.IpProtocol).Append(", ").Append(p.PayloadLength).Append(" bytes");
                    break;
                default:
                    if (p.Network == NetworkKind.Arp && p.Arp.IsValid)
                    {
                        var arp = p.Arp;
                        string spa = AddressText.Format(arp.SenderProtocolAddress), tpa = AddressText.Format(arp.TargetProtocolAddress);
                        if (arp.Operation == ArpPacket.Request) sb.Append("Who has ").Append(tpa).Append("? Tell ").Append(spa);
                        else if (arp.Operation == ArpPacket.Reply) sb.Append(spa).Append(" is at ").Append(AddressText.FormatMac(arp.SenderHardwareAddress));
                        else sb.Append("ARP operation ").Append(arp.Operation);
                    }
                    else if (p.Network == NetworkKind.Other && p.EtherType != 0 && p.EtherType < 0x0600 && p.LinkType == (ushort)Packets.LinkType.Ethernet)
                        sb.Append("IEEE 802.3 frame with an LLC header, length ").Append(p.EtherType);
                    else if (p.Network == NetworkKind.Other) sb.Append("EtherType 0x").Append(p.EtherType.ToString("x4")).Append(", ").Append(p.Data.Length - p.NetworkOffset).Append(" bytes");
                    else if (p.Network == NetworkKind.None) sb.Append(p.Data.Length).Append(" bytes, link type ").Append(LinkTypeNames.Name(p.LinkType));
                    break;
            }
            if (p.IsFragment && p.Transport != TransportKind.Fragment) sb.Append(" [first fragment, not reassembled]");
            if (!p.Issue.IsNone && p.Issue.Problem != DecodeProblem.UnknownProtocol) sb.Append(sb.Length > 0 ? " " : "").Append("[Malformed: ").Append(p.Issue.ToString()).Append(']');
            return sb.ToString();
        }

        private static void AppendQuote(StringBuilder sb, QuotedDatagram q)
        {
            if (!q.HasIpHeader) return;
            sb.Append(" for ").Append(IpProtocolName(q.Protocol)).Append(' ').Append(AddressText.Format(q.Source));
            if (q.SourcePort != 0 || q.DestinationPort != 0) sb.Append(':').Append(q.SourcePort);
            sb.Append(" → ").Append(AddressText.Format(q.Destination));
            if (q.SourcePort != 0 || q.DestinationPort != 0) sb.Append(':').Append(q.DestinationPort);
        }
    }
}
