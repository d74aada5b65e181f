using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using WeChatNet.Tests.Infrastructure;

namespace WeChatNet.Tests.Capture.Live
{
    /// <summary>
    /// Real WeChat-shaped traffic on 127.0.0.1 made by the test itself: a long link (16-byte frames, heartbeats, MMTLS records)
    /// over TCP, a short-link HTTP exchange, DNS over UDP, and a final marker datagram. It records exactly what each side sent
    /// so the capture can be compared byte for byte. Every port is a fresh free port, so the test's BPF filter sees only this.
    /// </summary>
    internal sealed class LoopbackTraffic
    {
        public int LongPort { get; } = FreePort.Tcp();
        public int ShortPort { get; } = FreePort.Tcp();
        public int DnsPort { get; } = FreePort.UdpAndTcp();
        public int MarkerPort { get; } = FreePort.UdpAndTcp();

        /// <summary>BPF for exactly this traffic.</summary>
        public string Filter => $"tcp port {LongPort} or tcp port {ShortPort} or udp port {DnsPort} or udp port {MarkerPort}";

        public byte[] LongClientSent = Array.Empty<byte>();
        public byte[] LongServerSent = Array.Empty<byte>();
        public byte[] ShortClientSent = Array.Empty<byte>();
        public byte[] ShortServerSent = Array.Empty<byte>();
        public List<byte[]> DnsQueries { get; } = new List<byte[]>();
        public List<byte[]> DnsAnswers { get; } = new List<byte[]>();
        public static readonly byte[] Marker = Encoding.ASCII.GetBytes("WECHATNET-CAPTURE-TEST-END");

        public static byte[] Frame(uint command, uint sequence, byte[] body)
        {
            var f = new byte[16 + body.Length];
            BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(0), (uint)f.Length); // 0: total length
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(4), 16);              // 4: header length
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(6), 1);               // 6: version
            BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(8), command);         // 8: command id
            BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(12), sequence);       // 12: sequence
            body.CopyTo(f, 16);
            return f;
        }

        public static byte[] MmtlsRecord(byte type, byte[] payload)
        {
            var r = new byte[5 + payload.Length];
            r[0] = type;                                                          // 0: record type
            BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(1), 0xF104);          // 1: version
            BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(3), (ushort)payload.Length); // 3: length
            payload.CopyTo(r, 5);
            return r;
        }

        private static byte[] Bytes(int n, int seed)
        {
            var b = new byte[n];
            new Random(seed).NextBytes(b);
            return b;
        }

        /// <summary>The long link: MMTLS handshake, heartbeats, sync, push notify, then <paramref name="bulkFrames"/> frames each way.</summary>
        public void RunLongLink(int bulkFrames)
        {
            var clientOut = new List<byte[]>
            {
                MmtlsRecord(0x16, Concat(new byte[] { 0, 0, 0, 40, 0x01, 0x04, 0xF1, 1, 0xC0, 0x2B }, Bytes(30, 1))), // ClientHello-shaped
                Frame(6, 0xFFFFFFFF, Array.Empty<byte>()),                 // heartbeat
                Frame(121, 1, Bytes(100, 2)),                              // sync request
                MmtlsRecord(0x17, Bytes(64, 3)),                           // application data
            };
            var serverOut = new List<byte[]>
            {
                MmtlsRecord(0x16, Concat(new byte[] { 0, 0, 0, 40, 0x02, 0x04, 0xF1 }, Bytes(33, 4))),
                Frame(1000000006, 0xFFFFFFFF, Array.Empty<byte>()),        // heartbeat reply
                Frame(1000000121, 1, Bytes(300, 5)),                       // sync reply
                Frame(24, 0, new byte[] { 0, 0, 0, 2 }),                   // push notify
                MmtlsRecord(0x17, Bytes(0x20, 6)),                         // encrypted server heartbeat size
            };
            for (int i = 0; i < bulkFrames; i++)
            {
                clientOut.Add(Frame(122, (uint)(i + 2), Bytes(20 + i % 900, 100 + i)));
                serverOut.Add(Frame(1000000122, (uint)(i + 2), Bytes(40 + (i * 7) % 1400, 5000 + i)));
            }
            LongClientSent = clientOut.SelectMany(x => x).ToArray();
            LongServerSent = serverOut.SelectMany(x => x).ToArray();
            Exchange(LongPort, LongClientSent, LongServerSent);
        }

        /// <summary>A short-link request: HTTP POST /mmtls/... with a 0-RTT body, answered and closed.</summary>
        public void RunShortLink()
        {
            byte[] body = Concat(MmtlsRecord(0x19, Bytes(120, 7)), MmtlsRecord(0x19, Bytes(40, 8)), MmtlsRecord(0x17, Bytes(200, 9)), MmtlsRecord(0x15, Bytes(16, 10)));
            string head = "POST /mmtls/0a1b2c3d HTTP/1.1\r\nHost: szshort.weixin.qq.com\r\nUpgrade: mmtls\r\nUser-Agent: MicroMessenger Client\r\n" +
                          $"Content-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
            ShortClientSent = Concat(Encoding.ASCII.GetBytes(head), body);
            byte[] reply = Concat(MmtlsRecord(0x19, Bytes(90, 11)), MmtlsRecord(0x17, Bytes(500, 12)), MmtlsRecord(0x15, Bytes(16, 13)));
            ShortServerSent = Concat(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {reply.Length}\r\nConnection: close\r\n\r\n"), reply);
            Exchange(ShortPort, ShortClientSent, ShortServerSent);
        }

        /// <summary>DNS queries for WeChat hosts to a local UDP responder, each answered with an A record.</summary>
        public void RunDns(params string[] names)
        {
            using var server = new UdpClient(new IPEndPoint(IPAddress.Loopback, DnsPort));
            using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            ushort id = 0x4000;
            foreach (var name in names)
            {
                byte[] query = DnsQuery(id++, name);
                client.Send(query, query.Length, new IPEndPoint(IPAddress.Loopback, DnsPort));
                var from = new IPEndPoint(IPAddress.Any, 0);
                byte[] got = server.Receive(ref from);
                byte[] answer = DnsAnswer(got);
                server.Send(answer, answer.Length, from);
                var back = new IPEndPoint(IPAddress.Any, 0);
                client.Receive(ref back);
                DnsQueries.Add(query);
                DnsAnswers.Add(answer);
            }
        }

        /// <summary>
        /// Heavy traffic: small DNS-sized datagrams to the DNS port as fast as possible until <paramref name="stop"/> is set
        /// (a bound socket that never reads takes them, so no ICMP errors are generated). Returns how many were sent.
        /// </summary>
        public long Flood(ManualResetEventSlim stop)
        {
            using var sink = new UdpClient(new IPEndPoint(IPAddress.Loopback, DnsPort));
            using var c = new UdpClient();
            var to = new IPEndPoint(IPAddress.Loopback, DnsPort);
            byte[] query = DnsQuery(0x5000, "long.weixin.qq.com");
            long sent = 0;
            while (!stop.IsSet)
            {
                for (int i = 0; i < 100; i++, sent++) c.Send(query, query.Length, to);
            }
            return sent;
        }

        /// <summary>The datagram that tells the consumer all traffic has been seen.</summary>
        public void SendMarker()
        {
            using var c = new UdpClient();
            c.Send(Marker, Marker.Length, new IPEndPoint(IPAddress.Loopback, MarkerPort));
        }

        private static byte[] DnsQuery(ushort id, string name)
        {
            var ms = new MemoryStream();
            ms.Write(new byte[] { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 }, 0, 12); // id, RD, 1 question
            foreach (var label in name.Split('.'))
            {
                ms.WriteByte((byte)label.Length);
                ms.Write(Encoding.ASCII.GetBytes(label), 0, label.Length);
            }
            ms.Write(new byte[] { 0, 0, 1, 0, 1 }, 0, 5); // root, QTYPE A, QCLASS IN
            return ms.ToArray();
        }

        private static byte[] DnsAnswer(byte[] query)
        {
            var a = Concat(query, new byte[] { 0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x02, 0x58, 0, 4, 198, 18, 0, 7 }); // ptr to name, A, IN, TTL 600, 198.18.0.7
            a[2] = 0x81; a[3] = 0x80; // QR, RD, RA
            a[7] = 1;                 // ANCOUNT 1
            return a;
        }

        /// <summary>A TCP connection where each side writes its bytes (in a few chunks) and reads the other's to the end.</summary>
        private static void Exchange(int port, byte[] clientBytes, byte[] serverBytes)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            try
            {
                var serverTask = Task.Run(() =>
                {
                    using var s = listener.AcceptTcpClient();
                    var stream = s.GetStream();
                    var reader = Task.Run(() => ReadAll(stream, clientBytes.Length));
                    WriteChunked(stream, serverBytes);
                    var got = reader.GetAwaiter().GetResult();
                    if (!got.AsSpan().SequenceEqual(clientBytes)) throw new InvalidDataException("server received other bytes than the client sent");
                    s.Client.Shutdown(SocketShutdown.Send);
                });
                using (var c = new TcpClient())
                {
                    c.NoDelay = true;
                    c.Connect(IPAddress.Loopback, port);
                    var stream = c.GetStream();
                    var reader = Task.Run(() => ReadAll(stream, serverBytes.Length));
                    WriteChunked(stream, clientBytes);
                    var got = reader.GetAwaiter().GetResult();
                    if (!got.AsSpan().SequenceEqual(serverBytes)) throw new InvalidDataException("client received other bytes than the server sent");
                    serverTask.GetAwaiter().GetResult();
                    c.Client.Shutdown(SocketShutdown.Send);
                    // Wait for the server's FIN so the whole connection is on the wire before the marker.
                    var buf = new byte[16];
                    while (stream.Read(buf, 0, buf.Length) > 0) { }
                }
            }
            finally
            {
                listener.Stop();
            }
        }

        private static void WriteChunked(Stream s, byte[] data)
        {
            int[] sizes = { 1, 7, 16, 333, 1500, 4096, 20000 };
            int offset = 0, i = 0;
            while (offset < data.Length)
            {
                int n = Math.Min(sizes[i++ % sizes.Length], data.Length - offset);
                s.Write(data, offset, n);
                offset += n;
            }
            s.Flush();
        }

        private static byte[] ReadAll(Stream s, int length)
        {
            var buf = new byte[length];
            int got = 0;
            while (got < length)
            {
                int n = s.Read(buf, got, length - got);
                if (n == 0) break;
                got += n;
            }
            return buf.AsSpan(0, got).ToArray();
        }

        public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
    }
}
