using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using WeChatNet.Capture;
using WeChatNet.Packets;
using WeChatNet.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using static WeChatNet.Tests.Capture.TestPackets;

namespace WeChatNet.Tests.Capture
{
    /// <summary>
    /// Generates captures covering every link type, VLAN tags, IPv4 options and fragments, IPv6 extension headers
    /// and fragments, TCP options, UDP, ICMP/ICMPv6 errors and ARP, then checks every packet's decode against
    /// tshark's (-T fields) for the same file: number, timestamp, addresses, ports, protocol, TCP flags, sequence
    /// numbers, payload length, ICMP type, VLAN ID and the ports quoted inside ICMP errors.
    /// </summary>
    public class TsharkDifferentialTests
    {
        private readonly ITestOutputHelper _output;
        public TsharkDifferentialTests(ITestOutputHelper output) { _output = output; }

        internal enum Net { V4, V6, Arp }

        /// <summary>Network-layer packets (from the IP or ARP header on).</summary>
        internal static List<(Net Kind, byte[] Bytes, string What)> NetworkPackets()
        {
            byte[] a = V4("10.0.0.1"), b = V4("43.130.30.240"), r = V4("198.18.0.1"), t = V4("198.18.0.9");
            byte[] a6 = System.Net.IPAddress.Parse("2001:db8::1").GetAddressBytes();
            byte[] b6 = System.Net.IPAddress.Parse("2001:db8:5::2").GetAddressBytes();
            byte[] r6 = System.Net.IPAddress.Parse("2001:db8:ff::fe").GetAddressBytes();
            byte[] synOptions = Concat(new byte[] { 2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 1, 0xe2, 0x40, 0, 0, 0, 0, 1, 3, 3, 7 });
            byte[] sackOptions = Concat(new byte[] { 1, 1, 5, 18 }, new byte[] { 0, 0, 0x10, 0, 0, 0, 0x20, 0 }, new byte[] { 0, 0, 0x30, 0, 0, 0, 0x40, 0 }, new byte[] { 1, 1 });
            var udpProbe = Ipv4(17, a, t, Udp(33435, 33436, Bytes(32)), ttl: 1, id: 0x4242);
            var udpProbe6 = Ipv6(17, a6, b6, Udp(33435, 33437, Bytes(24)), hopLimit: 1);
            var list = new List<(Net, byte[], string)>
            {
                (Net.V4, Ipv4(6, a, b, Tcp(50000, 8080, 1000, 0, TcpFlags.Syn, Array.Empty<byte>(), synOptions), dontFragment: true), "TCP SYN with MSS, SACK-permitted, timestamps, window scale"),
                (Net.V4, Ipv4(6, b, a, Tcp(8080, 50000, 5000, 1001, TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Ece, Array.Empty<byte>(), synOptions)), "TCP SYN-ACK with ECE"),
                (Net.V4, Ipv4(6, a, b, Tcp(50000, 8080, 1001, 5001, TcpFlags.Ack | TcpFlags.Psh, Bytes(100), sackOptions)), "TCP with SACK blocks and 100 bytes"),
                (Net.V4, Ipv4(6, a, b, Tcp(50001, 443, 7, 9, TcpFlags.Fin | TcpFlags.Ack | TcpFlags.Cwr, Bytes(3))), "TCP FIN CWR"),
                (Net.V4, Ipv4(6, b, a, Tcp(80, 50002, 0, 0, TcpFlags.Rst, Array.Empty<byte>())), "TCP RST"),
                (Net.V4, Ipv4(6, a, b, Tcp(50003, 80, 1, 2, TcpFlags.Ack | TcpFlags.Urg, Bytes(10))), "TCP URG"),
                (Net.V4, Ipv4(17, a, V4("10.0.0.53"), Udp(5353, 53, Bytes(29))), "UDP to 53"),
                (Net.V4, Ipv4(17, a, b, Udp(40000, 8000, Bytes(200)), options: new byte[] { 0x94, 4, 0, 0 }), "IPv4 router-alert option + UDP"),
                (Net.V4, Ipv4(17, a, b, Udp(40001, 8001, Bytes(10)), options: new byte[] { 1, 1, 7, 7, 4, 0, 0, 0, 0, 0, 0, 0 }), "IPv4 NOP + record-route option"),
                (Net.V4, Ipv4(1, a, b, Icmp(8, 0, 0x00070001, Bytes(56))), "ICMP echo request"),
                (Net.V4, Ipv4(1, b, a, Icmp(0, 0, 0x00070001, Bytes(56))), "ICMP echo reply"),
                (Net.V4, Ipv4(1, r, a, Icmp(11, 0, 0, udpProbe.Take(28).ToArray())), "ICMP time exceeded quoting UDP (28 bytes)"),
                (Net.V4, Ipv4(1, t, a, Icmp(3, 3, 0, udpProbe)), "ICMP port unreachable quoting the whole probe"),
                (Net.V4, Ipv4(1, r, a, Icmp(3, 4, 1400, Ipv4(6, a, b, Tcp(50000, 8080, 77, 0, TcpFlags.Ack, Array.Empty<byte>())).Take(28).ToArray())), "ICMP fragmentation needed quoting TCP"),
                (Net.V4, Ipv4(17, a, b, Udp(40002, 9000, Bytes(1472), length: 8 + 3000).Take(1480).ToArray(), moreFragments: true, id: 0x77, totalLength: 1500), "first IPv4 fragment (UDP)"),
                (Net.V4, Ipv4(17, a, b, Bytes(1480), moreFragments: true, fragmentOffset: 1480, id: 0x77), "middle IPv4 fragment"),
                (Net.V4, Ipv4(17, a, b, Bytes(48), fragmentOffset: 2960, id: 0x77), "last IPv4 fragment"),
                (Net.V4, Ipv4(47, a, b, Bytes(24)), "GRE (unknown to the decoder: raw)"),
                (Net.V6, Ipv6(6, a6, b6, Tcp(50010, 443, 1, 0, TcpFlags.Syn, Array.Empty<byte>(), synOptions)), "IPv6 TCP SYN"),
                (Net.V6, Ipv6(17, a6, b6, Udp(50011, 53, Bytes(40))), "IPv6 UDP"),
                (Net.V6, Ipv6(0, a6, b6, Concat(Extension(43), Extension(60, 2, routing: true), Extension(17, 1), Udp(50012, 8080, Bytes(12)))), "IPv6 hop-by-hop + routing + destination options + UDP"),
                (Net.V6, Ipv6(60, a6, b6, Concat(Extension(6), Tcp(50013, 80, 10, 20, TcpFlags.Ack | TcpFlags.Psh, Bytes(33)))), "IPv6 destination options + TCP"),
                (Net.V6, Ipv6(44, a6, b6, Concat(Ipv6Fragment(17, 0, true, 0xabcdef), Udp(50014, 7000, Bytes(1224), length: 8 + 2000).Take(1232).ToArray())), "first IPv6 fragment (UDP)"),
                (Net.V6, Ipv6(44, a6, b6, Concat(Ipv6Fragment(17, 1232, false, 0xabcdef), Bytes(776))), "last IPv6 fragment"),
                (Net.V6, Ipv6(58, a6, b6, Icmp6(128, 0, 0x00090003, Bytes(16), a6, b6)), "ICMPv6 echo request"),
                (Net.V6, Ipv6(58, r6, a6, Icmp6(3, 0, 0, udpProbe6, r6, a6)), "ICMPv6 time exceeded quoting UDP"),
                (Net.V6, Ipv6(58, r6, a6, Icmp6(2, 0, 1280, Ipv6(17, a6, b6, Udp(50015, 443, Bytes(1400))).Take(1232 - 48).ToArray(), r6, a6)), "ICMPv6 packet too big"),
                (Net.V6, Ipv6(58, r6, a6, Icmp6(1, 4, 0, udpProbe6, r6, a6)), "ICMPv6 port unreachable"),
                (Net.V6, Ipv6(59, a6, b6, Array.Empty<byte>()), "IPv6 no next header"),
                (Net.Arp, Arp(1, MacA, V4("192.168.1.2"), new byte[6], V4("192.168.1.1")), "ARP request"),
                (Net.Arp, Arp(2, MacB, V4("192.168.1.1"), MacA, V4("192.168.1.2")), "ARP reply"),
            };
            return list;
        }

        private static byte[] Icmp6(byte type, byte code, uint rest, byte[] body, byte[] src, byte[] dst)
        {
            var m = Icmp(type, code, rest, body);
            m[2] = m[3] = 0;
            // Pseudo-header checksum so tshark does not flag it (it does not check by default, but keep it honest).
            var pseudo = Concat(src, dst, new byte[] { 0, 0, (byte)(m.Length >> 8), (byte)m.Length, 0, 0, 0, 58 }, m);
            ushort sum = InternetChecksum.Compute(pseudo);
            m[2] = (byte)(sum >> 8);
            m[3] = (byte)sum;
            return m;
        }

        /// <summary>Wraps the network packets in every link type and writes one pcapng (an interface per link type).</summary>
        internal static List<(ushort Link, string Name, byte[] Frame, string What)> Frames()
        {
            var frames = new List<(ushort, string, byte[], string)>();
            foreach (var (kind, bytes, what) in NetworkPackets())
            {
                ushort et = kind == Net.V4 ? EtherTypes.Ipv4 : kind == Net.V6 ? EtherTypes.Ipv6 : EtherTypes.Arp;
                frames.Add(((ushort)LinkType.Ethernet, "eth", Ethernet(et, bytes), what));
                frames.Add(((ushort)LinkType.Ethernet, "vlan", Ethernet(et, bytes, EtherTypes.Vlan, 0xa064), what));
                frames.Add(((ushort)LinkType.Ethernet, "qinq", Ethernet(et, bytes, EtherTypes.QinQ, 0x0064, EtherTypes.Vlan, 0x00c8), what));
                frames.Add(((ushort)LinkType.LinuxSll, "sll", Sll(et, bytes), what));
                frames.Add(((ushort)LinkType.LinuxSll2, "sll2", Sll2(et, bytes), what));
                if (kind == Net.Arp) continue;
                frames.Add(((ushort)LinkType.Null, "null-le", Null(kind == Net.V4 ? 2u : 30u, bytes, bigEndian: false), what));
                frames.Add(((ushort)LinkType.Null, "null-be", Null(kind == Net.V4 ? 2u : 24u, bytes, bigEndian: true), what));
                frames.Add(((ushort)LinkType.Loop, "loop", Null(kind == Net.V4 ? 2u : 24u, bytes, bigEndian: true), what));
                frames.Add(((ushort)LinkType.Raw, "raw", bytes, what));
                frames.Add((kind == Net.V4 ? (ushort)LinkType.Ipv4 : (ushort)LinkType.Ipv6, kind == Net.V4 ? "ipv4" : "ipv6", bytes, what));
            }
            // IEEE 802.3 with an LLC header (a spanning-tree BPDU): the type field is a length, no IP inside.
            var bpdu = Concat(new byte[] { 0x42, 0x42, 0x03 }, new byte[35]);
            var llc = Concat(new byte[] { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x00 }, MacA, new byte[] { 0x00, (byte)bpdu.Length }, bpdu);
            frames.Add(((ushort)LinkType.Ethernet, "eth", llc, "802.3 LLC spanning tree"));
            return frames;
        }

        internal static void WritePcapNg(string path, List<(ushort Link, string Name, byte[] Frame, string What)> frames, long firstNs = 1_700_000_000_000_000_001L)
        {
            using var fs = File.Create(path);
            using var w = CaptureFileWriter.Create(fs, CaptureFileFormat.PcapNg);
            var ids = new Dictionary<string, int>();
            long ns = firstNs;
            foreach (var f in frames)
            {
                if (!ids.TryGetValue(f.Name, out int id)) ids[f.Name] = id = w.AddInterface(f.Link, 262144, f.Name);
                w.WritePacket(id, ns, f.Frame, f.Frame.Length, f.What);
                ns += 1_234_567_891L;
            }
        }

        private static readonly string[] Fields =
        {
            "frame.number", "frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "arp.src.proto_ipv4", "arp.dst.proto_ipv4",
            "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.len", "udp.length",
            "frame.protocols", "icmp.type", "icmpv6.type", "vlan.id", "ieee8021ad.id", "frame.len", "frame.cap_len",
        };

        private List<Dictionary<string, string>> Tshark(string file)
        {
            string tshark = ExternalTool.Require("tshark", "tshark");
            var args = new List<string> { "-n", "-r", file, "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE", "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f" };
            foreach (var f in Fields) { args.Add("-e"); args.Add(f); }
            var result = ExternalTool.Run(tshark, args).EnsureSuccess("tshark");
            var rows = new List<Dictionary<string, string>>();
            foreach (var line in result.StandardOutput.Split('\n'))
            {
                if (line.Length == 0) continue;
                var cells = line.Split('\t');
                Assert.Equal(Fields.Length, cells.Length);
                rows.Add(Fields.Select((f, i) => (f, cells[i])).ToDictionary(x => x.f, x => x.Item2));
            }
            return rows;
        }

        private static string Tok(string protocols)
        {
            var tokens = protocols.Split(':');
            foreach (var t in tokens)
                // tshark's protocol tokens in WeChatNet's casing (docs/conventions.md: .NET's, as ProtocolType).
                if (t == "tcp" || t == "udp" || t == "icmp" || t == "icmpv6") return t == "icmpv6" ? "IcmpV6" : char.ToUpperInvariant(t[0]) + t.Substring(1);
            if (tokens.Contains("arp")) return "Arp";
            if (tokens.Contains("llc")) return "Llc";
            if (tokens.Contains("ipv6")) return "IPv6";
            if (tokens.Contains("ip")) return "IPv4";
            return "?";
        }

        private static long ParseEpochNs(string s)
        {
            var parts = s.Split('.');
            long sec = long.Parse(parts[0], CultureInfo.InvariantCulture);
            string frac = (parts.Length > 1 ? parts[1] : "").PadRight(9, '0').Substring(0, 9);
            return sec * 1_000_000_000L + long.Parse(frac, CultureInfo.InvariantCulture);
        }

        private int Compare(string file)
        {
            var expected = Tshark(file);
            var ours = new List<(Packet Packet, int QuotedSrc, int QuotedDst)>();
            using (var reader = CaptureFileReader.Open(file))
            {
                while (true)
                {
                    var r = reader.ReadNext(out var rec);
                    if (r == CaptureReadResult.EndOfFile) break;
                    Assert.True(r == CaptureReadResult.Packet, reader.LastError?.ToString());
                    var d = rec.Decode();
                    int qs = 0, qd = 0;
                    if (d.Transport == TransportKind.Icmp && d.Icmp.IsError) { qs = d.Icmp.Quoted.SourcePort; qd = d.Icmp.Quoted.DestinationPort; }
                    if (d.Transport == TransportKind.Icmpv6 && d.Icmpv6.IsError) { qs = d.Icmpv6.Quoted.SourcePort; qd = d.Icmpv6.Quoted.DestinationPort; }
                    ours.Add((PacketFactory.Create(rec, file), qs, qd));
                }
            }
            // Every file compared here holds packets: two empty reads would agree on everything.
            Assert.True(expected.Count > 0, $"tshark read no packet from {Path.GetFileName(file)}");
            Assert.Equal(expected.Count, ours.Count);
            var failures = new List<string>();
            for (int i = 0; i < ours.Count; i++)
            {
                var e = expected[i];
                var (p, qs, qd) = ours[i];
                void Check(string what, object? mine, string theirs)
                {
                    string m = mine?.ToString() ?? "";
                    if (m != theirs) failures.Add($"#{p.Number} ({p.LinkType} {p.Comment}): {what} ours '{m}' tshark '{theirs}'");
                }
                Check("number", p.Number, e["frame.number"]);
                Check("timestamp", p.TimestampNanoseconds, ParseEpochNs(e["frame.time_epoch"]).ToString(CultureInfo.InvariantCulture));
                Check("captured length", p.CapturedLength, e["frame.cap_len"]);
                Check("original length", p.OriginalLength, e["frame.len"]);
                string proto = Tok(e["frame.protocols"]);
                Check("protocol", p.Protocol, proto);
                string src = e["ip.src"] != "" ? e["ip.src"] : e["ipv6.src"] != "" ? e["ipv6.src"] : e["arp.src.proto_ipv4"];
                string dst = e["ip.dst"] != "" ? e["ip.dst"] : e["ipv6.dst"] != "" ? e["ipv6.dst"] : e["arp.dst.proto_ipv4"];
                Check("source", p.Source, src);
                Check("destination", p.Destination, dst);
                Check("vlan", p.VlanId, e["ieee8021ad.id"] != "" ? e["ieee8021ad.id"] : e["vlan.id"]); // 802.1ad outer tags are ieee8021ad.id
                if (proto == "Tcp")
                {
                    Check("source port", p.SourcePort, e["tcp.srcport"]);
                    Check("destination port", p.DestinationPort, e["tcp.dstport"]);
                    Check("tcp flags", p.TcpFlags == null ? "" : "0x" + ReDecodeFlags(p).ToString("x4"), e["tcp.flags"]);
                    Check("sequence", p.Sequence, e["tcp.seq_raw"]);
                    Check("ack", p.Acknowledgment, e["tcp.ack_raw"]);
                    // tshark leaves tcp.len empty when the data offset itself was not captured; ours is then 0.
                    Check("payload length", p.PayloadLength, e["tcp.len"] == "" ? "0" : e["tcp.len"]);
                }
                else if (proto == "Udp")
                {
                    Check("source port", p.SourcePort, e["udp.srcport"]);
                    Check("destination port", p.DestinationPort, e["udp.dstport"]);
                    Check("payload length", p.PayloadLength, (int.Parse(e["udp.length"], CultureInfo.InvariantCulture) - 8).ToString(CultureInfo.InvariantCulture));
                }
                else if (proto == "Icmp" || proto == "IcmpV6")
                {
                    var d = PacketDecoder.Decode((ushort)p.LinkTypeNumber, p.Data);
                    Check("icmp type", d.IcmpType, proto == "Icmp" ? e["icmp.type"] : e["icmpv6.type"]);
                    // The ports inside an ICMP error come from the quoted transport header (route tracing relies on them).
                    if (e["udp.srcport"] != "") { Check("quoted source port", qs, e["udp.srcport"]); Check("quoted destination port", qd, e["udp.dstport"]); }
                    if (e["tcp.srcport"] != "") { Check("quoted source port", qs, e["tcp.srcport"]); Check("quoted destination port", qd, e["tcp.dstport"]); }
                }
                else
                {
                    Check("source port", p.SourcePort, "");
                }
            }
            foreach (var f in failures.Take(50)) _output.WriteLine(f);
            Assert.True(failures.Count == 0, $"{failures.Count} differences from tshark, first: {failures.FirstOrDefault()}");
            return ours.Count;
        }

        private static int ReDecodeFlags(Packet p)
        {
            var d = PacketDecoder.Decode((ushort)p.LinkTypeNumber, p.Data);
            return d.Tcp.RawFlags;
        }

        [Fact]
        public void PcapNgWithEveryLinkTypeMatchesTshark()
        {
            using var dir = new TempDirectory(nameof(PcapNgWithEveryLinkTypeMatchesTshark));
            string file = dir.File("every-link.pcapng");
            var frames = Frames();
            WritePcapNg(file, frames);
            int n = Compare(file);
            Assert.Equal(frames.Count, n);
            Assert.True(n > 250, $"only {n} packets generated");
        }

        [Fact]
        public void ClassicPcapPerLinkTypeMatchesTshark()
        {
            using var dir = new TempDirectory(nameof(ClassicPcapPerLinkTypeMatchesTshark));
            foreach (var group in Frames().GroupBy(f => f.Name))
            {
                string file = dir.File(group.Key + ".pcap");
                using (var fs = File.Create(file))
                using (var w = CaptureFileWriter.Create(fs, CaptureFileFormat.Pcap))
                {
                    int id = w.AddInterface(group.First().Link);
                    long ns = 1_600_000_000_999_999_999L;
                    foreach (var f in group) { w.WritePacket(id, ns, f.Frame, f.Frame.Length); ns += 1_000_000_001L; }
                }
                Compare(file);
            }
        }

        [Fact]
        public void SnaplenCutPacketsMatchTshark()
        {
            // Every frame cut to 60 bytes, as "tcpdump -s 60" would: headers partly captured, lengths still declared.
            using var dir = new TempDirectory(nameof(SnaplenCutPacketsMatchTshark));
            string file = dir.File("snap60.pcap");
            using (var fs = File.Create(file))
            using (var w = CaptureFileWriter.Create(fs, CaptureFileFormat.Pcap))
            {
                int id = w.AddInterface((ushort)LinkType.Ethernet, 60);
                long ns = 1_500_000_000_000_000_000L;
                foreach (var f in Frames().Where(f => f.Name == "eth" || f.Name == "qinq"))
                {
                    w.WritePacket(id, ns, f.Frame.AsSpan(0, Math.Min(60, f.Frame.Length)), f.Frame.Length);
                    ns += 777;
                }
            }
            Compare(file);
        }

        [Fact]
        public void EditcapOutputInOtherFormatsMatchesTshark()
        {
            // Files written by tshark's own library (editcap): microsecond pcap, nanosecond pcap, pcapng with its own
            // options and blocks, and that pcapng gzip-compressed. Our reader must agree with tshark on all of them.
            string editcap = ExternalTool.Require("editcap", "wireshark-common");
            using var dir = new TempDirectory(nameof(EditcapOutputInOtherFormatsMatchesTshark));
            string source = dir.File("source.pcapng");
            WritePcapNg(source, Frames().Where(f => f.Name == "eth" || f.Name == "sll2").ToList());
            string usecPcap = dir.File("usec.pcap");
            string ethOnly = dir.File("eth.pcapng");
            WritePcapNg(ethOnly, Frames().Where(f => f.Name == "eth").ToList());
            ExternalTool.Run(editcap, "-F", "pcap", ethOnly, usecPcap).EnsureSuccess("editcap -F pcap");
            Compare(usecPcap);
            string nsecPcap = dir.File("nsec.pcap");
            ExternalTool.Run(editcap, "-F", "nsecpcap", ethOnly, nsecPcap).EnsureSuccess("editcap -F nsecpcap");
            Compare(nsecPcap);
            string ng = dir.File("editcap.pcapng");
            ExternalTool.Run(editcap, "-F", "pcapng", source, ng).EnsureSuccess("editcap -F pcapng");
            Compare(ng);
            string gz = dir.File("gz.pcapng.gz");
            using (var input = File.OpenRead(ng))
            using (var output = File.Create(gz))
            using (var z = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest))
                input.CopyTo(z);
            Compare(gz);
        }

        [Fact]
        public async System.Threading.Tasks.Task LiveLoopbackCaptureWrittenByLibpcapMatchesTshark()
        {
            // A file written by libpcap itself (tcpdump on lo, nanosecond precision) while the test sends UDP and TCP
            // to 127.0.0.1: the real writer, real kernel timestamps and lengths.
            ExternalTool.RequireRoot("capturing on the loopback interface");
            string tcpdump = ExternalTool.Require("tcpdump", "tcpdump");
            using var dir = new TempDirectory(nameof(LiveLoopbackCaptureWrittenByLibpcapMatchesTshark));
            string file = dir.File("lo.pcap");
            int port = FreePort.UdpAndTcp();
            var psi = new System.Diagnostics.ProcessStartInfo(tcpdump)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "-i", "lo", "-n", "-U", "-Z", "root", "--immediate-mode", "--time-stamp-precision=nano", "-c", "30", "-w", file,
                                      $"host 127.0.0.1 and port {port}" })
                psi.ArgumentList.Add(a);
            using var capture = System.Diagnostics.Process.Start(psi)!;
            var stderr = capture.StandardError.ReadToEndAsync();
            try
            {
                var deadline = DateTime.UtcNow.AddSeconds(30);
                using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
                listener.Start();
                using var udp = new System.Net.Sockets.UdpClient();
                int round = 0;
                while (!capture.HasExited && DateTime.UtcNow < deadline)
                {
                    udp.Send(Bytes(10 + round % 50), 10 + round % 50, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
                    if (round % 5 == 0)
                    {
                        using var client = new System.Net.Sockets.TcpClient();
                        client.Connect(System.Net.IPAddress.Loopback, port);
                        using var accepted = listener.AcceptTcpClient();
                        client.GetStream().Write(Bytes(100), 0, 100);
                    }
                    round++;
                    await System.Threading.Tasks.Task.Delay(50);
                }
                Assert.True(capture.WaitForExit(10_000), "tcpdump did not capture 30 packets: " + (capture.HasExited ? "" : "still running"));
                Assert.True(capture.ExitCode == 0, "tcpdump failed: " + await stderr);
            }
            finally
            {
                if (!capture.HasExited) { capture.Kill(); capture.WaitForExit(); }
            }
            int n = Compare(file);
            Assert.Equal(30, n);
            var packets = CaptureImport.Read(file).Select(i => i.Packet!).ToList();
            Assert.All(packets, p => Assert.True(p.SourcePort == port || p.DestinationPort == port));
            Assert.Contains(packets, p => p.Protocol == "Udp");
            Assert.All(packets, p => Assert.Equal(p.TimestampNanoseconds / 100, (p.Timestamp - DateTimeOffset.UnixEpoch).Ticks));
            Assert.Contains(packets, p => p.TimestampNanoseconds % 1000 != 0); // nanosecond precision kept
        }
    }
}
