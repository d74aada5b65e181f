using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Net;
using WeChatNet.Capture;
using WeChatNet.Packets;

namespace WeChatNet.WeChat
{
    /// <summary>A message the sample generator wrote, in the terms the decoder reports it.</summary>
    public sealed class ExpectedMessage
    {
        public ExpectedMessage(string kind, string direction, string key, string host)
        {
            Kind = kind;
            Direction = direction;
            Key = key;
            Host = host;
        }

        /// <summary>The output type's short name (LongLinkFrame, MmtlsRecord, ...).</summary>
        public string Kind { get; }
        public string Direction { get; }
        /// <summary>
        /// What identifies the message: LongLinkFrame "command/sequence"; MmtlsRecord "type/handshake/length/carrier";
        /// ShortLinkExchange "METHOD path status"; Dispatch "retcode N domains M"; DnsMessage "Q|R name type";
        /// StreamEvent the event name.
        /// </summary>
        public string Key { get; }
        public string Host { get; }

        public override string ToString() => $"{Kind} {Direction} {Key} @{Host}";
    }

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

        public SampleNetwork(Stream output, DateTimeOffset start, int seed)
        {
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
        public long Packets => _writer.PacketCount;

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

        public void Finish() => _writer.Dispose();

        /// <summary>Writes one IPv4 packet (TCP = 6, UDP = 17) in an Ethernet frame.</summary>
        public void WriteIp(IPAddress src, IPAddress dst, byte protocol, ReadOnlySpan<byte> transport, string? comment = null)
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
            long ns = (NowTicks - new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks) * 100;
            _writer.WritePacket(_interface, ns, frame, frame.Length, comment);
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

    /// <summary>One TCP connection of a sample: handshake, data in MSS-sized segments with ACKs, FIN or RST.</summary>
    internal sealed class SampleTcp
    {
        public const int Mss = 1400;
        private readonly SampleNetwork _net;
        private uint _clientSeq, _serverSeq;

        public SampleTcp(SampleNetwork net, IPAddress server, ushort serverPort, string host)
        {
            _net = net;
            Server = server;
            ServerPort = serverPort;
            ClientPort = net.NextPort();
            Host = host;
            _clientSeq = (uint)net.Random.Next();
            _serverSeq = (uint)net.Random.Next();
        }

        public IPAddress Server { get; }
        public ushort ServerPort { get; }
        public ushort ClientPort { get; }
        public string Host { get; }

        public SampleTcp Open(double rttMs = 30)
        {
            Segment(true, _clientSeq, 0, 0x02, default, "SYN");
            _clientSeq++;
            _net.Wait(rttMs);
            Segment(false, _serverSeq, _clientSeq, 0x12, default);
            _serverSeq++;
            _net.Wait(0.2);
            Segment(true, _clientSeq, _serverSeq, 0x10, default);
            return this;
        }

        private void Segment(bool fromClient, uint seq, uint ack, byte flags, ReadOnlySpan<byte> payload, string? comment = null)
        {
            var t = new byte[20 + payload.Length];
            BinaryPrimitives.WriteUInt16BigEndian(t, fromClient ? ClientPort : ServerPort);
            BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(2), fromClient ? ServerPort : ClientPort);
            BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(4), seq);
            BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(8), ack);
            t[12] = 0x50;
            t[13] = flags;
            BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(14), 0xFFFF);
            payload.CopyTo(t.AsSpan(20));
            _net.WriteIp(fromClient ? SampleNetwork.Phone : Server, fromClient ? Server : SampleNetwork.Phone, 6, t, comment);
        }

        /// <summary>Sends bytes in MSS-sized segments, then the peer acknowledges them.</summary>
        public void Send(bool fromClient, byte[] data, string? comment = null, double spacingMs = 0.4)
        {
            for (int off = 0; off < data.Length; off += Mss)
            {
                int n = Math.Min(Mss, data.Length - off);
                Data(fromClient, off, data.AsSpan(off, n), off + n == data.Length, off == 0 ? comment : null);
                _net.Wait(spacingMs);
            }
            Advance(fromClient, data.Length);
            Ack(!fromClient);
        }

        /// <summary>
        /// Sends bytes in the given pieces (offset, length) in the given order, possibly repeated or overlapping:
        /// retransmissions and out-of-order delivery. The sequence advances by the whole length afterwards.
        /// </summary>
        public void SendPieces(bool fromClient, byte[] data, IEnumerable<(int Offset, int Length, string? Comment)> pieces)
        {
            foreach (var (off, len, comment) in pieces)
            {
                Data(fromClient, off, data.AsSpan(off, len), true, comment);
                _net.Wait(0.6);
            }
            Advance(fromClient, data.Length);
            Ack(!fromClient);
        }

        private void Data(bool fromClient, int offset, ReadOnlySpan<byte> bytes, bool push, string? comment)
        {
            uint seq = (fromClient ? _clientSeq : _serverSeq) + (uint)offset;
            Segment(fromClient, seq, fromClient ? _serverSeq : _clientSeq, (byte)(push ? 0x18 : 0x10), bytes, comment);
        }

        private void Advance(bool fromClient, int n)
        {
            if (fromClient) _clientSeq += (uint)n; else _serverSeq += (uint)n;
        }

        private void Ack(bool fromClient)
        {
            _net.Wait(0.3);
            Segment(fromClient, fromClient ? _clientSeq : _serverSeq, fromClient ? _serverSeq : _clientSeq, 0x10, default);
        }

        /// <summary>FIN from one side, FIN-ACK from the other, final ACK.</summary>
        public void Close(bool clientFirst = true)
        {
            bool a = clientFirst;
            Segment(a, a ? _clientSeq : _serverSeq, a ? _serverSeq : _clientSeq, 0x11, default, "FIN");
            Advance(a, 1);
            _net.Wait(20);
            Segment(!a, !a ? _clientSeq : _serverSeq, !a ? _serverSeq : _clientSeq, 0x11, default);
            Advance(!a, 1);
            _net.Wait(0.2);
            Segment(a, a ? _clientSeq : _serverSeq, a ? _serverSeq : _clientSeq, 0x10, default);
        }

        public void Reset(bool fromClient, string comment) =>
            Segment(fromClient, fromClient ? _clientSeq : _serverSeq, fromClient ? _serverSeq : _clientSeq, 0x14, default, comment);
    }
}
