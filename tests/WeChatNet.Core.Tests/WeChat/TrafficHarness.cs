using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using WeChatNet.Packets;
using WeChatNet.Streams;
using WeChatNet.WeChat;

namespace WeChatNet.Tests.WeChat
{
    /// <summary>Feeds hand-made TCP connections and UDP datagrams into a <see cref="WeChatTrafficDecoder"/> and collects its output.</summary>
    internal sealed class TrafficHarness
    {
        public readonly List<object> Output = new List<object>();
        public readonly WeChatTrafficDecoder Decoder;
        public long Ticks = new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero).Ticks;

        public TrafficHarness(WeChatDecodeOptions? options = null)
        {
            Decoder = new WeChatTrafficDecoder(options ?? new WeChatDecodeOptions(), Output.Add);
        }

        public IEnumerable<T> Of<T>() => Output.OfType<T>();

        public static byte[] Hex(string hex)
        {
            hex = new string(hex.Where(Uri.IsHexDigit).ToArray());
            return Enumerable.Range(0, hex.Length / 2).Select(i => Convert.ToByte(hex.Substring(2 * i, 2), 16)).ToArray();
        }

        public Tcp Connect(string client, ushort clientPort, string server, ushort serverPort, bool handshake = true) =>
            new Tcp(this, IPAddress.Parse(client).GetAddressBytes(), clientPort, IPAddress.Parse(server).GetAddressBytes(), serverPort, handshake);

        public void Udp(string src, ushort sport, string dst, ushort dport, byte[] payload)
        {
            Ticks += TimeSpan.TicksPerMillisecond;
            Decoder.AddUdp(IPAddress.Parse(src).GetAddressBytes(), sport, IPAddress.Parse(dst).GetAddressBytes(), dport, payload, Ticks);
        }

        internal sealed class Tcp
        {
            private readonly TrafficHarness _h;
            private readonly byte[] _c, _s;
            private readonly ushort _cp, _sp;
            public uint ClientSeq = 1000, ServerSeq = 500000;

            public Tcp(TrafficHarness h, byte[] c, ushort cp, byte[] s, ushort sp, bool handshake)
            {
                _h = h; _c = c; _cp = cp; _s = s; _sp = sp;
                if (!handshake) return;
                Raw(true, ClientSeq++, TcpFlags.Syn, Array.Empty<byte>());
                Raw(false, ServerSeq++, TcpFlags.Syn | TcpFlags.Ack, Array.Empty<byte>());
            }

            public void Raw(bool fromClient, uint seq, TcpFlags flags, byte[] payload, int offset = 0, int length = -1, long? ticks = null)
            {
                if (length < 0) length = payload.Length - offset;
                _h.Ticks = ticks ?? _h.Ticks + TimeSpan.TicksPerMillisecond;
                var seg = new StreamSegment(seq, flags, new ReadOnlySpan<byte>(payload, offset, length), _h.Ticks);
                if (fromClient) _h.Decoder.AddTcp(_c, _cp, _s, _sp, seg);
                else _h.Decoder.AddTcp(_s, _sp, _c, _cp, seg);
            }

            /// <summary>Sends bytes in one segment (or in pieces of the given sizes), advancing the sequence.</summary>
            public void Send(bool fromClient, byte[] data, params int[] pieces)
            {
                if (pieces.Length == 0) pieces = new[] { data.Length };
                int off = 0;
                foreach (int p in pieces.Concat(new[] { data.Length - pieces.Sum() }).Where(p => p > 0))
                {
                    uint seq = fromClient ? ClientSeq : ServerSeq;
                    Raw(fromClient, seq, TcpFlags.Ack | TcpFlags.Psh, data, off, p);
                    if (fromClient) ClientSeq += (uint)p; else ServerSeq += (uint)p;
                    off += p;
                }
            }

            public void Client(byte[] data, params int[] pieces) => Send(true, data, pieces);
            public void Server(byte[] data, params int[] pieces) => Send(false, data, pieces);
            public void Client(string hex) => Send(true, Hex(hex));
            public void Server(string hex) => Send(false, Hex(hex));

            public void Fin()
            {
                Raw(true, ClientSeq++, TcpFlags.Fin | TcpFlags.Ack, Array.Empty<byte>());
                Raw(false, ServerSeq++, TcpFlags.Fin | TcpFlags.Ack, Array.Empty<byte>());
            }

            public void Reset(bool fromClient) => Raw(fromClient, fromClient ? ClientSeq : ServerSeq, TcpFlags.Rst, Array.Empty<byte>());
        }
    }
}
