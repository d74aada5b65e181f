using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using WeChatNet.Capture;
using WeChatNet.Packets;

namespace WeChatNet.WeChat
{

    /// <summary>
    /// Writes Ethernet/IPv4 frames of a made-up network into a pcapng file through <see cref="CaptureFileWriter"/> and
    /// records what each scenario put on the wire. Deterministic: the same calls give the same bytes.
    /// </summary>
    internal sealed class SampleNetwork
    {
        private static readonly byte[] ClientMac = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x14 };
        private static readonly byte[] GatewayMac = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
        private readonly CaptureFileWriter _writer;
        private readonly int _interface;
        private ushort _ipId = 0x1000;
        private ushort _nextPort = 41000;
        private ushort _nextDnsId = 0x3a00;

        private readonly List<(long Ns, byte[] Frame, string? Comment)>? _held;

        public SampleNetwork(Stream output, DateTimeOffset start, int seed, CapturePoint point = CapturePoint.Client)
        {
            Point = point;
            // Away from the client, packets are seen at other times than they are sent: held, then written in time order.
            if (point != CapturePoint.Client) _held = new List<(long, byte[], string?)>();
            _writer = CaptureFileWriter.Create(output, CaptureFileFormat.PcapNg, leaveOpen: true, application: "WeChatNet sample generator");
            _interface = _writer.AddInterface((ushort)LinkType.Ethernet, 262144, "wlan0", "phone's Wi-Fi (generated sample)");
            NowTicks = start.UtcTicks;
            Random = new Random(seed);
        }

        public static readonly IPAddress Phone = IPAddress.Parse("192.168.31.20");
        public static readonly IPAddress Resolver = IPAddress.Parse("192.168.31.1");

        public List<ExpectedMessage> Expected { get; } = new List<ExpectedMessage>();
        /// <summary>For a sample with a key log: what decoding with it adds (decrypted frames, short-link CGIs).</summary>
        public List<ExpectedMessage> ExpectedDecrypted { get; } = new List<ExpectedMessage>();
        /// <summary>The key log written with the sample, if it has one.</summary>
        public SampleKeyLog? KeyLog { get; set; }
        public long NowTicks { get; private set; }
        public Random Random { get; }
        public long Packets => _writer.PacketCount + (_held?.Count ?? 0);

        /// <summary>Where the capture sits: the timeline is the client's; elsewhere each TCP packet is seen earlier or later (see <see cref="CaptureShare"/>).</summary>
        public CapturePoint Point { get; }

        /// <summary>
        /// How far along the path the capture sits, 0 at the client, 1 at the server, 0.5 in between: a client packet is seen
        /// this share of the one-way delay after it was sent, a server packet this share before the client gets it.
        /// </summary>
        public double CaptureShare => Point == CapturePoint.Server ? 1 : Point == CapturePoint.InBetween ? 0.5 : 0;

        public void Wait(double milliseconds) => NowTicks += (long)(milliseconds * TimeSpan.TicksPerMillisecond);

        public ushort NextPort() => _nextPort++;

        public byte[] RandomBytes(int n)
        {
            var b = new byte[n];
            Random.NextBytes(b);
            return b;
        }

        public void Expect(string kind, bool fromClient, string key, string host) =>
            Expected.Add(new ExpectedMessage(kind, fromClient ? "ClientToServer" : "ServerToClient", key, host));

        public void Finish()
        {
            if (_held != null)
            {
                // Stable: packets seen at the same time keep the order they were made in.
                foreach (var (ns, frame, comment) in _held.Select((p, i) => (p, i)).OrderBy(x => x.p.Ns).ThenBy(x => x.i).Select(x => x.p))
                    _writer.WritePacket(_interface, ns, frame, frame.Length, comment);
                _held.Clear();
            }
            _writer.Dispose();
        }

        /// <summary>Writes one IPv4 packet (TCP = 6, UDP = 17) in an Ethernet frame.</summary>
        public void WriteIp(IPAddress src, IPAddress dst, byte protocol, ReadOnlySpan<byte> transport, string? comment = null, double seenAfterMs = 0)
        {
            bool outbound = src.Equals(Phone);
            var frame = new byte[14 + 20 + transport.Length];
            (outbound ? GatewayMac : ClientMac).CopyTo(frame, 0);
            (outbound ? ClientMac : GatewayMac).CopyTo(frame, 6);
            frame[12] = 0x08;
            var ip = frame.AsSpan(14, 20);
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(2), (ushort)(20 + transport.Length));
            BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(4), _ipId++);
            ip[6] = 0x40; // DF
            ip[8] = (byte)(outbound ? 64 : 52);
            ip[9] = protocol;
            src.GetAddressBytes().CopyTo(frame, 14 + 12);
            dst.GetAddressBytes().CopyTo(frame, 14 + 16);
            BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(10), InternetChecksum.Compute(frame.AsSpan(14, 20)));
            transport.CopyTo(frame.AsSpan(34));
            // transport checksum over the pseudo-header
            var pseudo = new byte[12 + transport.Length];
            src.GetAddressBytes().CopyTo(pseudo, 0);
            dst.GetAddressBytes().CopyTo(pseudo, 4);
            pseudo[9] = protocol;
            BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)transport.Length);
            transport.CopyTo(pseudo.AsSpan(12));
            int checksumOffset = protocol == 6 ? 16 : 6;
            ushort sum = InternetChecksum.Compute(pseudo);
            if (protocol == 17 && sum == 0) sum = 0xFFFF;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(34 + checksumOffset), sum);
            long ns = (NowTicks - new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks) * 100 + (long)(seenAfterMs * 1_000_000);
            if (_held != null) _held.Add((ns, frame, comment));
            else _writer.WritePacket(_interface, ns, frame, frame.Length, comment);
        }

        public void Udp(IPAddress src, ushort sport, IPAddress dst, ushort dport, ReadOnlySpan<byte> payload, string? comment = null)
        {
            var u = new byte[8 + payload.Length];
            BinaryPrimitives.WriteUInt16BigEndian(u, sport);
            BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(2), dport);
            BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(4), (ushort)u.Length);
            payload.CopyTo(u.AsSpan(8));
            WriteIp(src, dst, 17, u, comment);
        }

        /// <summary>A lookup of another type answered with an error code (SERVFAIL to AAAA...), or never answered (null).</summary>
        public void LookupFailing(string name, Dns.DnsRecordType type, Dns.DnsResponseCode? code, IPAddress? resolver = null)
        {
            var server = resolver ?? Resolver;
            ushort port = NextPort();
            ushort id = _nextDnsId++;
            Udp(Phone, port, server, 53, Dns.DnsWireMessage.CreateQuery(id, name, type, null).Encode(), $"DNS query {name} {type}");
            Wait(18);
            if (code is null) return;
            var response = Dns.DnsWireMessage.CreateQuery(id, name, type, null);
            response.IsResponse = true;
            response.RecursionAvailable = true;
            response.HeaderRcode = (byte)code.Value;
            Udp(server, 53, Phone, port, response.Encode(), $"DNS answer {name} {type}: {code}");
            Wait(5);
        }

        /// <summary>A DNS A lookup by the phone, answered by the home router; expected as a query and a response.</summary>
        public void Lookup(string name, params string[] addresses)
        {
            ushort port = NextPort();
            ushort id = _nextDnsId++;
            var query = Dns.DnsWireMessage.CreateQuery(id, name, Dns.DnsRecordType.A, null);
            Udp(Phone, port, Resolver, 53, query.Encode(), "DNS query " + name);
            Expect("DnsMessage", true, "Q " + name + " A", "");
            Wait(18);
            var response = Dns.DnsWireMessage.CreateQuery(id, name, Dns.DnsRecordType.A, null);
            response.IsResponse = true;
            response.RecursionAvailable = true;
            foreach (var a in addresses) response.Answers.Add(Dns.DnsRecord.CreateA(name, 300, IPAddress.Parse(a)));
            Udp(Resolver, 53, Phone, port, response.Encode(), "DNS answer " + name);
            Expect("DnsMessage", false, "R " + name + " A", "");
            Wait(5);
        }
    }
}
