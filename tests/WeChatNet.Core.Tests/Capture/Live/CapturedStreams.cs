using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;

namespace WeChatNet.Tests.Capture.Live
{
    /// <summary>
    /// Rebuilds what crossed 127.0.0.1 from captured Ethernet frames: each TCP direction's byte stream (by sequence number, so
    /// a missing segment shows up as a gap that fails the comparison) and each UDP payload, in capture order.
    /// Deliberately tiny and strict: IPv4 over Ethernet (what Linux loopback captures give), nothing else.
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
            if (linkType != 1) { Problems.Add($"frame {Frames}: link type {linkType}, expected Ethernet"); return; }
            if (frame.Length < 14 + 20 || BinaryPrimitives.ReadUInt16BigEndian(frame.Slice(12)) != 0x0800) { Problems.Add($"frame {Frames}: not IPv4"); return; }
            var ip = frame.Slice(14);
            int ihl = (ip[0] & 0x0F) * 4;
            int total = BinaryPrimitives.ReadUInt16BigEndian(ip.Slice(2));
            if (total > ip.Length) { Problems.Add($"frame {Frames}: truncated ({ip.Length} of {total} IP bytes)"); return; }
            int proto = ip[9];
            var l4 = ip.Slice(ihl, total - ihl);
            int src = BinaryPrimitives.ReadUInt16BigEndian(l4);
            int dst = BinaryPrimitives.ReadUInt16BigEndian(l4.Slice(2));
            if (proto == 17)
            {
                Udp.Add((src, dst, l4.Slice(8).ToArray()));
                return;
            }
            if (proto != 6) return;
            uint seq = BinaryPrimitives.ReadUInt32BigEndian(l4.Slice(4));
            int dataOffset = (l4[12] >> 4) * 4;
            byte flags = l4[13];
            var payload = l4.Slice(dataOffset);
            var key = (src, dst);
            if ((flags & 0x02) != 0) // SYN: the stream starts at seq + 1
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
