using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using WeChatNet.Packets;

namespace WeChatNet.Tests.Capture
{
    /// <summary>
    /// Builds well-formed test packets layer by layer (lengths right; checksums computed for IPv4 headers), so tests can
    /// generate captures covering every link type and header variant and compare the decode with tshark's.
    /// </summary>
    internal static class TestPackets
    {
        public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

        public static byte[] Ipv4(byte protocol, byte[] src, byte[] dst, byte[] payload, byte ttl = 64, byte[]? options = null,
            ushort id = 0x1234, bool dontFragment = false, bool moreFragments = false, int fragmentOffset = 0, int? totalLength = null)
        {
            options ??= Array.Empty<byte>();
            int ihl = 20 + options.Length;
            var h = new byte[ihl];
            h[0] = (byte)(0x40 | ihl / 4);
            BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), (ushort)(totalLength ?? ihl + payload.Length));
            BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), id);
            ushort flags = (ushort)((dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | (fragmentOffset / 8));
            BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(6), flags);
            h[8] = ttl;
            h[9] = protocol;
            src.CopyTo(h, 12);
            dst.CopyTo(h, 16);
            options.CopyTo(h, 20);
            ushort sum = InternetChecksum.Compute(h);
            BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(10), sum);
            return Concat(h, payload);
        }

        public static byte[] Ipv6(byte nextHeader, byte[] src, byte[] dst, byte[] payload, byte hopLimit = 64)
        {
            var h = new byte[40];
            h[0] = 0x60;
            h[1] = 0x0a; // traffic class / flow label bits
            BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), (ushort)payload.Length);
            h[6] = nextHeader;
            h[7] = hopLimit;
            src.CopyTo(h, 8);
            dst.CopyTo(h, 24);
            return Concat(h, payload);
        }

        /// <summary>A generic 8-byte-multiple extension header (hop-by-hop, routing, destination options) with PadN.</summary>
        public static byte[] Extension(byte next, int lengthUnits = 0, bool routing = false)
        {
            var e = new byte[8 * (lengthUnits + 1)];
            e[0] = next;
            e[1] = (byte)lengthUnits;
            if (routing) { e[2] = 0; e[3] = 0; } // routing type 0, segments left 0 (addresses follow in the extra units)
            else { e[2] = 1; e[3] = (byte)(e.Length - 4); } // PadN filling the rest
            return e;
        }

        public static byte[] Ipv6Fragment(byte next, int offset, bool more, uint id)
        {
            var f = new byte[8];
            f[0] = next;
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(2), (ushort)(offset | (more ? 1 : 0)));
            BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(4), id);
            return f;
        }

        public static byte[] Tcp(ushort sport, ushort dport, uint seq, uint ack, TcpFlags flags, byte[] payload, byte[]? options = null, ushort window = 64240)
        {
            options ??= Array.Empty<byte>();
            if (options.Length % 4 != 0) options = Concat(options, new byte[4 - options.Length % 4]);
            var h = new byte[20 + options.Length];
            BinaryPrimitives.WriteUInt16BigEndian(h, sport);
            BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), dport);
            BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(4), seq);
            BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(8), ack);
            BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(12), (ushort)((h.Length / 4) << 12 | (ushort)flags));
            BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(14), window);
            options.CopyTo(h, 20);
            return Concat(h, payload);
        }

        public static byte[] Udp(ushort sport, ushort dport, byte[] payload, int? length = null)
        {
            var h = new byte[8];
            BinaryPrimitives.WriteUInt16BigEndian(h, sport);
            BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), dport);
            BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), (ushort)(length ?? 8 + payload.Length));
            return Concat(h, payload);
        }

        public static byte[] Icmp(byte type, byte code, uint rest, byte[] body)
        {
            var h = new byte[8];
            h[0] = type;
            h[1] = code;
            BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(4), rest);
            var m = Concat(h, body);
            BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(2), InternetChecksum.Compute(m));
            return m;
        }

        public static byte[] Arp(ushort op, byte[] sha, byte[] spa, byte[] tha, byte[] tpa) =>
            Concat(new byte[] { 0, 1, 8, 0, 6, 4, (byte)(op >> 8), (byte)op }, sha, spa, tha, tpa);

        public static byte[] Bytes(int n, byte seed = 0x61) => Enumerable.Range(0, n).Select(i => (byte)(seed + i % 26)).ToArray();

        public static byte[] V4(string a) => System.Net.IPAddress.Parse(a).GetAddressBytes();

        // ---------------------------------------------------------------- link layers

        public static readonly byte[] MacA = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
        public static readonly byte[] MacB = { 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb };

        public static byte[] Ethernet(ushort etherType, byte[] payload, params ushort[] vlanTpidAndIds)
        {
            var l = new List<byte>();
            l.AddRange(MacB);
            l.AddRange(MacA);
            for (int i = 0; i + 1 < vlanTpidAndIds.Length; i += 2)
            {
                l.Add((byte)(vlanTpidAndIds[i] >> 8)); l.Add((byte)vlanTpidAndIds[i]);
                l.Add((byte)(vlanTpidAndIds[i + 1] >> 8)); l.Add((byte)vlanTpidAndIds[i + 1]);
            }
            l.Add((byte)(etherType >> 8)); l.Add((byte)etherType);
            l.AddRange(payload);
            return l.ToArray();
        }

        public static byte[] Sll(ushort etherType, byte[] payload)
        {
            var h = new byte[16];
            h[1] = 4; // sent by us
            h[3] = 1; // ARPHRD_ETHER
            h[5] = 6;
            MacA.CopyTo(h, 6);
            BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(14), etherType);
            return Concat(h, payload);
        }

        public static byte[] Sll2(ushort etherType, byte[] payload)
        {
            var h = new byte[20];
            BinaryPrimitives.WriteUInt16BigEndian(h, etherType);
            BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(4), 2);
            h[9] = 1; // ARPHRD_ETHER
            h[10] = 0;
            h[11] = 6;
            MacA.CopyTo(h, 12);
            return Concat(h, payload);
        }

        public static byte[] Null(uint family, byte[] payload, bool bigEndian)
        {
            var h = new byte[4];
            if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(h, family); else BinaryPrimitives.WriteUInt32LittleEndian(h, family);
            return Concat(h, payload);
        }
    }
}
