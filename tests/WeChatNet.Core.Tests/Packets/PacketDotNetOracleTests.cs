using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using PacketDotNet;
using WeChatNet.Capture;
using WeChatNet.Packets;
using WeChatNet.Tests.Capture;
using WeChatNet.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using Pdn = PacketDotNet;

namespace WeChatNet.Tests.Packets
{
    /// <summary>
    /// Differential oracle (docs/dependencies.md): PacketDotNet 1.4.8 parses every packet of the shipped samples, of
    /// the real captures Debian's golang-github-google-gopacket-dev ships (gopacket's pcap tests and the
    /// pcapng-test-generator files, in both byte orders) and of the hand-built packets of the tshark differential
    /// test; wherever both decoders reach a layer, our views' fields equal PacketDotNet's. Packets PacketDotNet throws
    /// on are counted, not compared. Layers only one side decodes are listed: those where our view says the layer
    /// is whole and PacketDotNet has no such layer fail the test (they would be a gap in our decoder).
    /// </summary>
    public class PacketDotNetOracleTests
    {
        /// <summary>Where Debian's golang-github-google-gopacket-dev installs gopacket's test captures (.ci/run installs it).</summary>
        internal const string GopacketDirectory = "/usr/share/gocode/src/github.com/google/gopacket";

        private readonly ITestOutputHelper _output;
        public PacketDotNetOracleTests(ITestOutputHelper output) { _output = output; }

        /// <summary>
        /// Packets where PacketDotNet 1.4.8 is wrong and tshark agrees with us (TsharkDifferentialTests checks the
        /// same bytes field by field): their mismatches are counted and printed, not failed. Keep this list short and
        /// explained; a mismatch on any other packet fails.
        /// </summary>
        private static readonly Dictionary<string, string> KnownPacketDotNetDefects = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            // PacketDotNet stops at the routing header and reports a UDP header of zeros (ports 0, length 0).
            ["IPv6 hop-by-hop + routing + destination options + UDP"] = "UDP after an IPv6 routing header",
        };

        /// <summary>
        /// gopacket's captures that hold a part no reader supports, by file name, and the error our reader must give.
        /// test901 (pcapng-test-generator, "multiple SHB sections, one with invalid version number"): its second section
        /// is version 2.0; tshark refuses the file ("unknown SHB version 2.0"), gopacket skips the section.
        /// </summary>
        private static readonly Dictionary<string, string> UnreadableOnPurpose = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["test901.pcapng"] = "pcapng section version 2.0 at offset 480 is not supported",
        };

        private sealed class Tally
        {
            public int KnownDefects;
            public int Packets, Parsed, Threw, Ethernet, Vlan, Ipv4, Ipv6, Tcp, Udp, Icmp, Icmpv6, Arp, FragmentsTheyDecodeAsTransport;
            public readonly List<string> Mismatches = new List<string>();
            public readonly List<string> OnlyOurs = new List<string>();
            public readonly List<string> OnlyTheirs = new List<string>();
            public readonly Dictionary<string, int> Exceptions = new Dictionary<string, int>();
            public int Compared => Ethernet + Ipv4 + Ipv6 + Tcp + Udp + Icmp + Icmpv6 + Arp;
        }

        [Fact]
        public void Samples_AgreeWithPacketDotNet()
        {
            var files = Directory.GetFiles(Path.Combine(ExternalTool.RepoRoot, "samples"), "*.pcapng").OrderBy(f => f, StringComparer.Ordinal).ToList();
            Assert.NotEmpty(files);
            var t = new Tally();
            // Our own samples are whole: any read error (a damaged block, or the reader giving up) fails here.
            foreach (var f in files)
            {
                var problems = CompareFile(f, t);
                Assert.True(problems.Count == 0, $"{Path.GetFileName(f)} did not read cleanly: {string.Join("; ", problems)}");
            }
            Report("shipped samples", files.Count, t);
        }

        [Fact]
        public void GopacketTestCaptures_AgreeWithPacketDotNet()
        {
            if (!Directory.Exists(GopacketDirectory))
                throw new InvalidOperationException($"gopacket's test captures are missing ({GopacketDirectory}): apt-get install golang-github-google-gopacket-dev (.ci/run installs it).");
            var files = Directory.GetFiles(GopacketDirectory, "*.pcap*", SearchOption.AllDirectories)
                .OrderBy(f => f, StringComparer.Ordinal).ToList();
            Assert.True(files.Count >= 3, $"expected gopacket's captures under {GopacketDirectory}, found {files.Count}");
            var t = new Tally();
            var unexpected = new List<string>();
            int damaged = 0;
            foreach (var f in files)
            {
                // Only the files of UnreadableOnPurpose may report read errors, and they must report that one; the packets
                // the reader returns around it are still compared. Every other file must read without a single error.
                var problems = CompareFile(f, t);
                if (UnreadableOnPurpose.TryGetValue(Path.GetFileName(f), out var expected))
                {
                    damaged++;
                    if (!problems.Any(p => p.Contains(expected, StringComparison.Ordinal)))
                        unexpected.Add($"{f}: expected the read error '{expected}', got: {(problems.Count == 0 ? "none" : string.Join("; ", problems))}");
                    else _output.WriteLine($"read error expected and reported: {Path.GetFileName(Path.GetDirectoryName(f))}/{Path.GetFileName(f)}: {problems[0]}");
                }
                else if (problems.Count > 0) unexpected.Add($"{f}: {string.Join("; ", problems)}");
            }
            Assert.True(damaged == 2, $"expected {string.Join(", ", UnreadableOnPurpose.Keys)} in both byte orders under {GopacketDirectory}, found {damaged}");
            Assert.True(unexpected.Count == 0, string.Join("\n", unexpected));
            Report("gopacket test captures", files.Count, t);
        }

        [Fact]
        public void HandBuiltPackets_AgreeWithPacketDotNet()
        {
            // IPv4 options and fragments, IPv6 extension headers and fragments, ICMP errors, ARP: the same packets
            // the tshark differential test checks, as raw IP (ARP inside Ethernet).
            var t = new Tally();
            foreach (var (kind, bytes, what) in TsharkDifferentialTests.NetworkPackets())
            {
                if (kind == TsharkDifferentialTests.Net.Arp)
                    ComparePacket((ushort)WeChatNet.Packets.LinkType.Ethernet, TestPackets.Ethernet(EtherTypes.Arp, bytes), what, t);
                else
                    ComparePacket((ushort)WeChatNet.Packets.LinkType.Raw, bytes, what, t);
            }
            Report("hand-built packets", 1, t);
        }

        private void Report(string what, int files, Tally t)
        {
            _output.WriteLine($"PacketDotNet oracle over {what}: {files} file(s), {t.Packets} packets; PacketDotNet parsed {t.Parsed}, threw on {t.Threw}.");
            TestReport.Line($"PacketDotNet oracle over {what}: {files} file(s), {t.Packets} packets, {t.Compared} layers compared; PacketDotNet threw on {t.Threw}.");
            _output.WriteLine($"layers compared: {t.Compared} (Ethernet {t.Ethernet}, VLAN tags {t.Vlan}, IPv4 {t.Ipv4}, IPv6 {t.Ipv6}, TCP {t.Tcp}, UDP {t.Udp}, ICMP {t.Icmp}, ICMPv6 {t.Icmpv6}, ARP {t.Arp})");
            foreach (var e in t.Exceptions.OrderByDescending(e => e.Value)) _output.WriteLine($"  PacketDotNet threw {e.Key} x{e.Value}");
            if (t.KnownDefects > 0)
                _output.WriteLine($"  fields where PacketDotNet is known wrong (tshark agrees with us; not failed): {t.KnownDefects}");
            if (t.FragmentsTheyDecodeAsTransport > 0)
                _output.WriteLine($"  non-first fragments PacketDotNet decodes as a transport header (we do not; not compared): {t.FragmentsTheyDecodeAsTransport}");
            foreach (var s in t.OnlyTheirs.Take(20)) _output.WriteLine($"  only PacketDotNet decodes: {s}");
            foreach (var s in t.OnlyOurs.Take(20)) _output.WriteLine($"  only we decode: {s}");
            foreach (var s in t.Mismatches.Take(40)) _output.WriteLine($"  MISMATCH {s}");
            Assert.True(t.Compared > 0, $"the PacketDotNet oracle compared no layer over {what}");
            Assert.True(t.Mismatches.Count == 0, $"{t.Mismatches.Count} field(s) differ from PacketDotNet, first: {t.Mismatches.FirstOrDefault()}");
            Assert.True(t.OnlyTheirs.Count == 0, $"{t.OnlyTheirs.Count} whole layer(s) only PacketDotNet decodes, first: {t.OnlyTheirs.FirstOrDefault()}");
        }

        /// <summary>
        /// Compares every packet the reader returns; returns the reader's errors (empty for a clean file), including an
        /// exception that ended the reading, so a caller decides whether damage was expected.
        /// </summary>
        private static List<string> CompareFile(string file, Tally t)
        {
            var problems = new List<string>();
            try
            {
                using var reader = CaptureFileReader.Open(file);
                while (true)
                {
                    var r = reader.ReadNext(out var rec);
                    if (r == CaptureReadResult.EndOfFile) break;
                    if (r == CaptureReadResult.Error) problems.Add(reader.LastError?.ToString() ?? "a read error without LastError");
                    else ComparePacket(rec.LinkType, rec.Data, $"{Path.GetFileName(file)} #{rec.Number}", t);
                }
            }
            catch (InvalidDataException e) { problems.Add($"{e.GetType().Name}: {e.Message}"); }
            return problems;
        }

        private static void ComparePacket(ushort linkType, ReadOnlySpan<byte> data, string where, Tally t)
        {
            t.Packets++;
            var ours = PacketDecoder.Decode(linkType, data);
            Pdn.Packet theirs;
            try
            {
                theirs = Pdn.Packet.ParsePacket((LinkLayers)linkType, data.ToArray());
                // PacketDotNet parses lazily: touching the payload chain is where most of its exceptions surface.
                for (var p = theirs; p != null; p = p.PayloadPacket) { }
            }
            catch (Exception e)
            {
                t.Threw++;
                string key = e.GetType().Name;
                t.Exceptions[key] = t.Exceptions.TryGetValue(key, out var n) ? n + 1 : 1;
                return;
            }
            t.Parsed++;
            bool known = KnownPacketDotNetDefects.ContainsKey(where);
            void Check<T>(string field, T mine, T their)
            {
                if (EqualityComparer<T>.Default.Equals(mine, their)) return;
                if (known) t.KnownDefects++;
                else t.Mismatches.Add($"{where}: {field} ours '{mine}' PacketDotNet '{their}'");
            }

            var eth = theirs as EthernetPacket;
            if (eth != null && linkType == (ushort)WeChatNet.Packets.LinkType.Ethernet)
            {
                var e = ours.Ethernet;
                if (data.Length >= 14)
                {
                    t.Ethernet++;
                    Check("eth.src", Hex(e.Source), Hex(eth.SourceHardwareAddress.GetAddressBytes()));
                    Check("eth.dst", Hex(e.Destination), Hex(eth.DestinationHardwareAddress.GetAddressBytes()));
                    var q = theirs.Extract<Ieee8021QPacket>();
                    if (q != null && ours.VlanCount > 0) { t.Vlan++; Check("vlan.id", ours.OuterVlanId, q.VlanIdentifier); }
                }
            }

            // Network layer.
            var ip4 = theirs.Extract<IPv4Packet>();
            var ip6 = theirs.Extract<IPv6Packet>();
            bool oursV4 = ours.Network == NetworkKind.Ipv4 && ours.Ipv4.HasHeader && ours.Ipv4.IsValid;
            bool oursV6 = ours.Network == NetworkKind.Ipv6 && ours.Ipv6.HasHeader && ours.Ipv6.IsValid;
            if (ours.Network == NetworkKind.Ipv4 && ours.Ipv4.HasHeader && ip4 != null)
            {
                var v = ours.Ipv4;
                t.Ipv4++;
                Check("ip.src", new IPAddress(v.Source.ToArray()), ip4.SourceAddress);
                Check("ip.dst", new IPAddress(v.Destination.ToArray()), ip4.DestinationAddress);
                Check("ip.proto", (int)v.Protocol, (int)ip4.Protocol);
                Check("ip.ttl", (int)v.Ttl, ip4.TimeToLive);
                Check("ip.hdr_len", v.HeaderLength, ip4.HeaderLength * 4);
                Check("ip.len", (int)v.TotalLength, ip4.TotalLength);
                Check("ip.id", v.Identification, ip4.Id);
                Check("ip.frag_offset", v.FragmentOffset, ip4.FragmentOffset * 8);
                Check("ip.flags.mf", v.MoreFragments, (ip4.FragmentFlags & 1) != 0);
                Check("ip.flags.df", v.DontFragment, (ip4.FragmentFlags & 2) != 0);
            }
            else if (oursV4) t.OnlyOurs.Add($"{where}: IPv4");
            else if (ip4 != null && ours.Network != NetworkKind.Ipv4) t.OnlyTheirs.Add($"{where}: IPv4 (ours: {ours.Network}, {ours.Issue})");

            if (ours.Network == NetworkKind.Ipv6 && ours.Ipv6.HasHeader && ip6 != null)
            {
                var v = ours.Ipv6;
                t.Ipv6++;
                Check("ipv6.src", new IPAddress(v.Source.ToArray()), ip6.SourceAddress);
                Check("ipv6.dst", new IPAddress(v.Destination.ToArray()), ip6.DestinationAddress);
                Check("ipv6.hlim", (int)v.HopLimit, ip6.HopLimit);
                Check("ipv6.nxt", (int)v.NextHeader, (int)ip6.NextHeader);
                Check("ipv6.plen", (int)v.PayloadLength, (int)ip6.PayloadLength);
                Check("ipv6.flow", (int)v.FlowLabel, ip6.FlowLabel);
                Check("ipv6.tclass", (int)v.TrafficClass, ip6.TrafficClass);
                // PacketDotNet's Protocol is the upper layer after the extension headers it knows.
                if (v.IsValid && !v.HasFragmentHeader) Check("ipv6.upper", (int)v.UpperLayerProtocol, (int)ip6.Protocol);
            }
            else if (oursV6) t.OnlyOurs.Add($"{where}: IPv6");
            else if (ip6 != null && ours.Network != NetworkKind.Ipv6) t.OnlyTheirs.Add($"{where}: IPv6 (ours: {ours.Network}, {ours.Issue})");

            var arp = theirs.Extract<Pdn.ArpPacket>();
            if (ours.Network == NetworkKind.Arp && ours.Arp.IsValid && arp != null)
            {
                var a = ours.Arp;
                t.Arp++;
                Check("arp.opcode", (int)a.Operation, (int)arp.Operation);
                Check("arp.src.proto", new IPAddress(a.SenderProtocolAddress.ToArray()), arp.SenderProtocolAddress);
                Check("arp.dst.proto", new IPAddress(a.TargetProtocolAddress.ToArray()), arp.TargetProtocolAddress);
                Check("arp.src.hw", Hex(a.SenderHardwareAddress), Hex(arp.SenderHardwareAddress.GetAddressBytes()));
            }
            else if (ours.Network == NetworkKind.Arp && ours.Arp.IsValid) t.OnlyOurs.Add($"{where}: ARP");
            else if (arp != null) t.OnlyTheirs.Add($"{where}: ARP (ours: {ours.Network}, {ours.Issue})");

            // Transport layer: a non-first fragment has no transport header; PacketDotNet decodes its bytes as one anyway.
            var tcp = theirs.Extract<TcpPacket>();
            var udp = theirs.Extract<UdpPacket>();
            var icmp = theirs.Extract<IcmpV4Packet>();
            var icmp6 = theirs.Extract<IcmpV6Packet>();
            if (ours.Transport == TransportKind.Fragment)
            {
                if (tcp != null || udp != null || icmp != null || icmp6 != null) t.FragmentsTheyDecodeAsTransport++;
                return;
            }
            if (ours.Transport == TransportKind.Tcp && ours.Tcp.HasHeader && tcp != null)
            {
                var s = ours.Tcp;
                t.Tcp++;
                Check("tcp.srcport", s.SourcePort, tcp.SourcePort);
                Check("tcp.dstport", s.DestinationPort, tcp.DestinationPort);
                Check("tcp.seq", s.Sequence, tcp.SequenceNumber);
                Check("tcp.ack", s.Acknowledgment, tcp.AcknowledgmentNumber);
                Check("tcp.window", s.Window, tcp.WindowSize);
                Check("tcp.flags", (int)s.Flags, tcp.Flags & 0x1FF);
                Check("tcp.hdr_len", s.HeaderLength, tcp.DataOffset * 4);
                if (ours.IsValid && !ours.Ipv4.IsTruncated && !ours.Ipv6.IsTruncated)
                    Check("tcp.len", ours.Payload.Length, tcp.PayloadData?.Length ?? 0);
            }
            else if (ours.Transport == TransportKind.Tcp && ours.Tcp.IsValid) t.OnlyOurs.Add($"{where}: TCP");
            else if (tcp != null && ours.Transport != TransportKind.Tcp) t.OnlyTheirs.Add($"{where}: TCP (ours: {ours.Transport}, {ours.Issue})");

            if (ours.Transport == TransportKind.Udp && ours.Udp.HasHeader && udp != null)
            {
                var u = ours.Udp;
                t.Udp++;
                Check("udp.srcport", u.SourcePort, udp.SourcePort);
                Check("udp.dstport", u.DestinationPort, udp.DestinationPort);
                Check("udp.length", (int)u.Length, udp.Length);
            }
            else if (ours.Transport == TransportKind.Udp && ours.Udp.IsValid) t.OnlyOurs.Add($"{where}: UDP");
            else if (udp != null && ours.Transport != TransportKind.Udp) t.OnlyTheirs.Add($"{where}: UDP (ours: {ours.Transport}, {ours.Issue})");

            if (ours.Transport == TransportKind.Icmp && icmp != null && data.Length >= ours.TransportOffset + 4)
            {
                t.Icmp++;
                Check("icmp.type/code", (ours.IcmpType << 8) | ours.IcmpCode, (int)(ushort)icmp.TypeCode);
            }
            else if (ours.Transport == TransportKind.Icmp && ours.Icmp.IsValid) t.OnlyOurs.Add($"{where}: ICMP");
            else if (icmp != null && ours.Transport != TransportKind.Icmp) t.OnlyTheirs.Add($"{where}: ICMP (ours: {ours.Transport}, {ours.Issue})");

            if (ours.Transport == TransportKind.Icmpv6 && icmp6 != null && data.Length >= ours.TransportOffset + 4)
            {
                t.Icmpv6++;
                Check("icmpv6.type", (int)ours.IcmpType, (int)icmp6.Type);
                Check("icmpv6.code", (int)ours.IcmpCode, (int)icmp6.Code);
            }
            else if (ours.Transport == TransportKind.Icmpv6 && ours.Icmpv6.IsValid) t.OnlyOurs.Add($"{where}: ICMPv6");
            else if (icmp6 != null && ours.Transport != TransportKind.Icmpv6) t.OnlyTheirs.Add($"{where}: ICMPv6 (ours: {ours.Transport}, {ours.Issue})");
        }

        private static string Hex(ReadOnlySpan<byte> b) => Convert.ToHexString(b);
    }
}
