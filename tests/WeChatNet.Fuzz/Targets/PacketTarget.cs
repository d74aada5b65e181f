using System;
using WeChatNet.Capture;
using WeChatNet.Packets;

namespace WeChatNet.Fuzz.Targets
{
    /// <summary>
    /// The packet decoder (every layer, every view) on one frame. Input: one byte choosing the link type (an index into
    /// <see cref="LinkTypes"/>, or any other value taken as the link type number itself), then the frame. Contract:
    /// <see cref="PacketDecoder.Decode(ushort, ReadOnlySpan{byte})"/> never throws; every offset and captured span it reports
    /// lies inside the frame, and declared lengths are IP-sized; the Packet object built from it (PacketFactory) formats.
    /// </summary>
    internal sealed class PacketTarget : FuzzTarget
    {
        private static readonly ushort[] LinkTypes =
        {
            (ushort)LinkType.Ethernet, (ushort)LinkType.Raw, (ushort)LinkType.LinuxSll, (ushort)LinkType.LinuxSll2,
            (ushort)LinkType.Null, (ushort)LinkType.Loop, (ushort)LinkType.Ipv4, (ushort)LinkType.Ipv6,
            (ushort)LinkType.RawBsd12, (ushort)LinkType.RawBsd14,
        };

        public override string Name => "packet";
        public override string Description => "packet decoder: link, VLAN, IPv4/IPv6 (extension headers, fragments), TCP/UDP/ICMP/ICMPv6/ARP, quoted datagrams";
        public override long AllocationBudget(int inputLength) => 1024L * 1024 + 16L * inputLength;

        /// <summary>A seed's bytes for a frame of <paramref name="linkType"/>.</summary>
        public static byte[] Encode(ushort linkType, byte[] frame)
        {
            int index = Array.IndexOf(LinkTypes, linkType);
            var input = new byte[frame.Length + 1];
            input[0] = (byte)(index >= 0 ? index : linkType);
            frame.CopyTo(input, 1);
            return input;
        }

        private static long Quoted(QuotedDatagram q) =>
            q.Source.Length + q.Destination.Length + q.TtlOrHopLimit + q.Identification + q.TransportBytes.Length + q.SourcePort + q.DestinationPort
            + q.TcpSequence + q.IcmpType + q.IcmpIdentifier + q.IcmpSequence + q.Ipv4.Payload.Length + q.Ipv6.Payload.Length;

        public override void Run(byte[] input)
        {
            if (input.Length == 0) return;
            ushort linkType = input[0] < LinkTypes.Length ? LinkTypes[input[0]] : input[0];
            ReadOnlySpan<byte> frame = input.AsSpan(1);
            var p = PacketDecoder.Decode(linkType, frame);
            int len = frame.Length;
            Require(p.NetworkOffset >= 0 && p.NetworkOffset <= len, $"network offset {p.NetworkOffset} outside {len} bytes");
            Require(p.TransportOffset >= 0 && p.TransportOffset <= len, $"transport offset {p.TransportOffset} outside {len} bytes");
            // PayloadLength is what the headers declare (a frame cut by the snap length declares more than it holds);
            // the Payload span is what was captured and must lie inside the frame.
            Require(p.PayloadOffset >= 0 && p.PayloadOffset <= len, $"payload offset {p.PayloadOffset} outside {len} bytes");
            Require(p.PayloadLength >= 0 && p.PayloadLength <= 65535, $"declared payload length {p.PayloadLength}");
            Require(p.Payload.Length <= Math.Max(0, len - p.PayloadOffset), $"captured payload of {p.Payload.Length} bytes past the frame's end");
            _ = p.SourceAddress.Length + p.DestinationAddress.Length + p.Payload.Length + p.TransportBytes.Length;
            _ = p.Issue.ToString();
            // Every view the cmdlets and the route tracer read, with the accessors that slice.
            long sum = 0;
            var eth = p.Ethernet;
            sum += eth.Destination.Length + eth.Source.Length + eth.Payload.Length + eth.VlanId(0) + eth.VlanId(1) + eth.VlanPriority(0) + eth.VlanTpid(1);
            var v4 = p.Ipv4;
            sum += v4.Options.Length + v4.Payload.Length + v4.Source.Length + v4.Destination.Length + v4.DeclaredPayloadLength + (v4.TryGetOption(7, out var o) ? o.Length : 0);
            var v6 = p.Ipv6;
            sum += v6.Payload.Length + v6.Source.Length + v6.Destination.Length + v6.DeclaredPayloadLength + v6.FragmentOffset + v6.FragmentIdentification + (v6.MoreFragments ? 1 : 0);
            var arp = p.Arp;
            sum += arp.SenderHardwareAddress.Length + arp.SenderProtocolAddress.Length + arp.TargetHardwareAddress.Length + arp.TargetProtocolAddress.Length;
            var tcp = p.Tcp;
            sum += tcp.Options.Length + tcp.Payload.Length + tcp.SackBlockCount + (tcp.SackPermitted ? 1 : 0);
            if (tcp.TryGetMaximumSegmentSize(out ushort mss)) sum += mss;
            if (tcp.TryGetTimestamps(out uint tsv, out uint tse)) sum += tsv ^ tse;
            var udp = p.Udp;
            sum += udp.Length + udp.SourcePort;
            var icmp = p.Icmp;
            sum += icmp.Body.Length + icmp.RestOfHeader.Length + icmp.NextHopMtu + Quoted(icmp.Quoted) + IcmpMessage.TypeName(icmp.Type, icmp.Code).Length;
            var icmp6 = p.Icmpv6;
            sum += icmp6.Body.Length + icmp6.TargetAddress.Length + icmp6.Mtu + Quoted(icmp6.Quoted) + Icmpv6Message.TypeName(icmp6.Type, icmp6.Code).Length;
            Require(sum >= 0, "negative lengths");
            var packet = PacketFactory.Create(in p, 1, 0, "fuzz0", 0, len, "fuzz.pcapng");
            Require(packet.ToString().Length > 0, "a packet that formats to nothing");
            _ = PacketFactory.Info(in p);
        }
    }
}
