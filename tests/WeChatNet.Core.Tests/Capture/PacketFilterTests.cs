using System;
using System.Linq;
using WeChatNet.Capture;
using WeChatNet.Packets;
using WeChatNet.Tests.Packets;
using Xunit;

namespace WeChatNet.Tests.Capture
{
    public class PacketFilterTests
    {
        // Raw IPv4 TCP 10.0.0.1:50000 -> 43.130.30.240:8080, SYN, TTL 64, no payload.
        private static readonly byte[] Syn = Hex.Bytes("45000028 00014000 40060000 0a000001 2b821ef0 c3501f90 000003e8 00000000 5002faf0 00000000");
        // Raw IPv4 UDP 10.0.0.1:5353 -> 10.0.0.2:53, 4 bytes payload.
        private static readonly byte[] Udp = Hex.Bytes("45000020 00020000 40110000 0a000001 0a000002 14e90035 000c0000 01020304");
        // Raw IPv6 ICMPv6 echo 2001:db8::1 -> 2001:db8::2.
        private static readonly byte[] Icmp6 = Hex.Bytes("60000000 00083a40 20010db8000000000000000000000001 20010db8000000000000000000000002 80000000 00010001");
        // Ethernet + VLAN 42 + ARP request 192.168.1.2 asks for 192.168.1.1.
        private static readonly byte[] VlanArp = Hex.Bytes("ffffffffffff 001122334455 8100 002a 0806 0001 0800 06 04 0001 001122334455 c0a80102 000000000000 c0a80101");

        private static bool M(string filter, byte[] packet, LinkType link = LinkType.Raw) =>
            PacketFilter.Parse(filter).Matches(PacketDecoder.Decode(link, packet));

        [Theory]
        [InlineData("tcp", true)]
        [InlineData("udp", false)]
        [InlineData("tcp port 8080", true)]
        [InlineData("TCP PORT 8080", true)]
        [InlineData("udp port 8080", false)]
        [InlineData("port 50000", true)]
        [InlineData("src port 50000", true)]
        [InlineData("dst port 50000", false)]
        [InlineData("portrange 8000-8100", true)]
        [InlineData("host 43.130.30.240", true)]
        [InlineData("dst host 43.130.30.240", true)]
        [InlineData("src host 43.130.30.240", false)]
        [InlineData("ip host 10.0.0.1", true)]
        [InlineData("net 43.130.0.0/16", true)]
        [InlineData("net 43.131.0.0/16", false)]
        [InlineData("src net 10.0.0.0/8 and dst net 43.128.0.0/10", true)]
        [InlineData("syn", true)]
        [InlineData("tcp and (syn or fin) and not rst", true)]
        [InlineData("ack", false)]
        [InlineData("ttl = 64", true)]
        [InlineData("ttl < 64", false)]
        [InlineData("len >= 40", true)]
        [InlineData("len > 40", false)]
        [InlineData("payload = 0", true)]
        [InlineData("!udp && tcp port 8080 || arp", true)]
        [InlineData("ip6", false)]
        [InlineData("ip", true)]
        [InlineData("malformed", false)]
        [InlineData("fragment", false)]
        public void TcpSyn(string filter, bool expected) => Assert.Equal(expected, M(filter, Syn));

        [Fact]
        public void OtherProtocols()
        {
            Assert.True(M("udp port 53", Udp));
            Assert.True(M("udp and payload > 3", Udp));
            Assert.False(M("tcp port 53", Udp));
            Assert.True(M("icmp6", Icmp6));
            Assert.True(M("ip6 host 2001:db8::2", Icmp6));
            Assert.True(M("net 2001:db8::/32", Icmp6));
            Assert.False(M("port 0", Icmp6));
            Assert.False(M("icmp", Icmp6));
            Assert.True(M("arp", VlanArp, LinkType.Ethernet));
            Assert.True(M("vlan 42", VlanArp, LinkType.Ethernet));
            Assert.True(M("vlan", VlanArp, LinkType.Ethernet));
            Assert.False(M("vlan 43", VlanArp, LinkType.Ethernet));
            Assert.True(M("arp host 192.168.1.1", VlanArp, LinkType.Ethernet));
            Assert.False(M("vlan", Syn));
        }

        [Theory]
        [InlineData("", 0)]
        [InlineData("tcp port eighty", 9)]
        [InlineData("tcp port", 8)]
        [InlineData("host example.com", 5)]
        [InlineData("icmp port 5", 5)]
        [InlineData("tcp & udp", 4)]
        [InlineData("(tcp", 4)]
        [InlineData("tcp udp", 4)]
        [InlineData("bogus", 0)]
        [InlineData("net 10.0.0.0/33", 4)]
        [InlineData("ip host 2001:db8::1", 8)]
        [InlineData("len >", 5)]
        [InlineData("port 70000", 5)]
        public void SyntaxErrorsNameThePosition(string filter, int position)
        {
            var e = Assert.Throws<FilterSyntaxException>(() => PacketFilter.Parse(filter));
            Assert.Equal(position, e.Position);
            Assert.Contains($"position {position}", e.Message);
        }

        [Fact]
        public void DeepNestingIsRefusedNotOverflowed()
        {
            string deep = new string('(', 10000) + "tcp" + new string(')', 10000);
            Assert.Throws<FilterSyntaxException>(() => PacketFilter.Parse(deep));
            string nots = string.Concat(System.Linq.Enumerable.Repeat("not ", 10000)) + "tcp";
            Assert.Throws<FilterSyntaxException>(() => PacketFilter.Parse(nots));
        }

        [Fact]
        public void RandomExpressionsEitherParseOrFailWithAPosition()
        {
            string[] words = { "tcp", "udp", "icmp", "icmp6", "ip", "ip6", "arp", "host", "net", "port", "portrange", "src", "dst",
                "and", "or", "not", "&&", "||", "!", "(", ")", "8080", "1-2", "10.0.0.1", "::1", "10.0.0.0/8", "vlan", "syn",
                "len", ">", "<=", "=", "!=", "65536", "x", "&", "|", "ttl", "payload", "fragment", "malformed" };
            var rng = new Random(5);
            var packet = PacketDecoder.Decode(LinkType.Raw, Syn);
            for (int round = 0; round < 5000; round++)
            {
                int n = 1 + rng.Next(8);
                string text = string.Join(rng.Next(3) == 0 ? "" : " ", System.Linq.Enumerable.Range(0, n).Select(_ => words[rng.Next(words.Length)]));
                try
                {
                    var f = PacketFilter.Parse(text);
                    f.Matches(packet);
                }
                catch (FilterSyntaxException e)
                {
                    Assert.InRange(e.Position, 0, text.Length);
                }
            }
        }
    }
}
