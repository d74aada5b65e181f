using System;
using System.Buffers.Binary;
using System.IO;
using WeChatNet.Capture;
using WeChatNet.Packets;

namespace WeChatNet.Tests.Analysis
{
    /// <summary>
    /// Generated classic pcaps of long TCP flows carrying WeChat16 long-link frames (handshake, client frames with
    /// heartbeats among them, server replies, ACKs, 0.5% retransmissions), streamed in constant memory. The flows
    /// benchmark's file (<c>varied: false</c>, its seed: the same bytes it always measured) and the pipeline tests'
    /// captures (<c>varied: true</c>: heartbeat replies, resets and reconnects, millisecond spacing with long silences).
    /// Shared with tests/WeChatNet.Benchmarks.
    /// </summary>
    internal static class LongLinkCaptures
    {
        public static void Generate(string path, long count, int flows = 200, int seed = 20261122, bool varied = false)
        {
            ushort[] ports = { 8080, 443, 80 };
            var rng = new Random(seed);
            var clientSeq = new uint[flows];
            var serverSeq = new uint[flows];
            var stage = new int[flows];      // 0 closed, 1 SYN sent, 2 SYN/ACK sent, 3 open; then cycling 3..5; 6 reset
            var lastLength = new int[flows];
            var generation = new int[flows];
            var frame = new byte[14 + 20 + 20 + 16 + 200];
            using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
            using var w = CaptureFileWriter.Create(fs, CaptureFileFormat.Pcap);
            int id = w.AddInterface((ushort)LinkType.Ethernet, 262144);
            long ns = 1_763_800_000_000_000_000L;
            for (long n = 0; n < count; n++)
            {
                int f = rng.Next(flows);
                uint client = 0xC0A81F00u | (uint)(f % 250 + 2);        // 192.168.31.x
                uint server = 0x2B821E00u | (uint)(f % 200);            // 43.130.30.x (Tencent Cloud)
                ushort cport = varied ? (ushort)(20000 + f + 2000 * generation[f]) : (ushort)(40000 + f), sport = ports[f % 3];
                bool toServer;
                byte flags;
                uint seq, ack;
                int payload = 0;
                uint command = 0;
                switch (stage[f])
                {
                    case 0: toServer = true; flags = 0x02; seq = clientSeq[f] = (uint)rng.Next(); ack = 0; clientSeq[f]++; stage[f] = 1; break;
                    case 1: toServer = false; flags = 0x12; seq = serverSeq[f] = (uint)rng.Next(); ack = clientSeq[f]; serverSeq[f]++; stage[f] = 2; break;
                    case 2: toServer = true; flags = 0x10; seq = clientSeq[f]; ack = serverSeq[f]; stage[f] = 3; break;
                    case 3: // client frame (heartbeat or sync), sometimes retransmitted
                        toServer = true; flags = 0x18;
                        if (lastLength[f] > 0 && rng.Next(200) == 0) { payload = lastLength[f]; seq = clientSeq[f] - (uint)payload; }
                        else { payload = 16 + rng.Next(0, 120); seq = clientSeq[f]; clientSeq[f] += (uint)payload; lastLength[f] = payload; stage[f] = 4; }
                        ack = serverSeq[f]; command = payload == 16 ? 6u : 121u;
                        break;
                    case 4: // server reply frame, acknowledging the client's
                        toServer = false; flags = 0x18; payload = 16 + rng.Next(0, 180); seq = serverSeq[f]; serverSeq[f] += (uint)payload; ack = clientSeq[f];
                        command = varied && payload == 16 ? 1_000_000_006u : 1_000_000_121u;
                        stage[f] = varied && rng.Next(400) == 0 ? 6 : 5;
                        break;
                    case 5: // client ACK
                        toServer = true; flags = 0x10; seq = clientSeq[f]; ack = serverSeq[f]; stage[f] = 3; break;
                    default: // the client resets the link; the flow's next packet opens a new connection from another port
                        toServer = true; flags = 0x14; seq = clientSeq[f]; ack = serverSeq[f]; stage[f] = 0; generation[f]++; break;
                }
                frame[12] = 0x08; frame[13] = 0x00;
                var ip = frame.AsSpan(14);
                ip[0] = 0x45;
                BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(2), (ushort)(40 + payload));
                ip[8] = 64; ip[9] = 6;
                BinaryPrimitives.WriteUInt32BigEndian(ip.Slice(12), toServer ? client : server);
                BinaryPrimitives.WriteUInt32BigEndian(ip.Slice(16), toServer ? server : client);
                var tcp = frame.AsSpan(34);
                BinaryPrimitives.WriteUInt16BigEndian(tcp, toServer ? cport : sport);
                BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(2), toServer ? sport : cport);
                BinaryPrimitives.WriteUInt32BigEndian(tcp.Slice(4), seq);
                BinaryPrimitives.WriteUInt32BigEndian(tcp.Slice(8), ack);
                tcp[12] = 0x50; tcp[13] = flags;
                BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(14), 65535);
                if (payload > 0)
                {
                    var body = tcp.Slice(20);
                    BinaryPrimitives.WriteUInt32BigEndian(body, (uint)payload);
                    BinaryPrimitives.WriteUInt16BigEndian(body.Slice(4), 16);
                    BinaryPrimitives.WriteUInt16BigEndian(body.Slice(6), 1);
                    BinaryPrimitives.WriteUInt32BigEndian(body.Slice(8), command);
                    bool heartbeat = varied ? command % 1_000_000_000u == 6 : command == 6;
                    BinaryPrimitives.WriteUInt32BigEndian(body.Slice(12), heartbeat ? 0xFFFFFFFFu : (uint)(n & 0xFFFF));
                }
                int length = 54 + payload;
                // The benchmark's flows are microseconds apart; the varied ones milliseconds, with a 20 s silence now and then
                // (heartbeat intervals and idle gaps to find).
                ns += varied ? (rng.Next(50) == 0 ? 20_000_000_000L : 1_000_000L + rng.Next(5_000_000)) : 2_000 + rng.Next(20_000);
                w.WritePacket(id, ns, frame.AsSpan(0, length), length);
            }
        }
    }
}
