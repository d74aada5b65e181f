using System;
using System.Collections.Generic;
using System.IO;
using WeChatNet.Packets;

namespace WeChatNet.Tests.Capture.Live
{
    /// <summary>
    /// Rebuilds what crossed 127.0.0.1 from captured Ethernet frames: each TCP direction's byte stream (by sequence number, so
    /// a missing segment shows up as a gap that fails the comparison) and each UDP payload, in capture order.
    /// Decoded with the core's PacketDecoder; strict: IPv4 only (what the loopback tests send).
    /// </summary>
    internal sealed class CapturedStreams
    {
        private readonly Dictionary<(int Src, int Dst), MemoryStream> _tcp = new Dictionary<(int, int), MemoryStream>();
        private readonly Dictionary<(int Src, int Dst), uint> _next = new Dictionary<(int, int), uint>();
        public List<string> Problems { get; } = new List<string>();
        public List<(int Src, int Dst, byte[] Payload)> Udp { get; } = new List<(int, int, byte[])>();
        public int Frames { get; private set; }

        public void Add(ReadOnlySpan<byte> frame, int linkType)
        {
            Frames++;
            var p = PacketDecoder.Decode((ushort)linkType, frame);
            if (!p.IsValid) { Problems.Add($"frame {Frames}: {p.Issue}"); return; }
            if (p.Network != NetworkKind.Ipv4) { Problems.Add($"frame {Frames}: not IPv4"); return; }
            int src = p.SourcePort, dst = p.DestinationPort;
            var payload = p.Payload;
            if (p.Transport == TransportKind.Udp)
            {
                Udp.Add((src, dst, payload.ToArray()));
                return;
            }
            if (p.Transport != TransportKind.Tcp) return;
            uint seq = p.Sequence;
            bool syn = (p.TcpFlags & TcpFlags.Syn) != 0;
            var key = (src, dst);
            if (syn) // SYN: the stream starts at seq + 1
            {
                _next[key] = seq + 1;
                _tcp[key] = new MemoryStream();
                return;
            }
            if (payload.Length == 0) return;
            if (!_next.TryGetValue(key, out uint expected)) { Problems.Add($"frame {Frames}: data on {src}->{dst} before its SYN"); return; }
            if (seq == expected)
            {
                _tcp[key].Write(payload.ToArray(), 0, payload.Length);
                _next[key] = seq + (uint)payload.Length;
            }
            else if ((int)(seq - expected) > 0)
            {
                Problems.Add($"frame {Frames}: gap on {src}->{dst}: expected seq {expected}, got {seq}");
            }
            // seq before expected: a retransmission of bytes already seen.
        }

        public byte[] Tcp(int src, int dst) => _tcp.TryGetValue((src, dst), out var ms) ? ms.ToArray() : Array.Empty<byte>();

        /// <summary>The stream sent to <paramref name="serverPort"/> (client to server) and back, whatever the client's port.</summary>
        public (byte[] ToServer, byte[] FromServer) Connection(int serverPort)
        {
            foreach (var key in _tcp.Keys)
                if (key.Dst == serverPort) return (Tcp(key.Src, key.Dst), Tcp(key.Dst, key.Src));
            return (Array.Empty<byte>(), Array.Empty<byte>());
        }
    }
}
