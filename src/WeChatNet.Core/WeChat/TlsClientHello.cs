using System;
using System.Buffers.Binary;
using System.Text;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// Reads the server name (SNI, RFC 6066) from the first TLS record of a client's stream: a handshake record
    /// (0x16, version 0x0300-0x0304) holding a ClientHello. Web WeChat and HTTPS media name their host only here.
    /// Forward-only over the bytes given, no allocation except the name; every length is checked against what is left.
    /// </summary>
    internal static class TlsClientHello
    {
        /// <summary>Largest TLS record body (2^14 plus the expansion allowance of RFC 8446 section 5.2).</summary>
        public const int MaxRecordBody = 16384 + 256;

        /// <summary>A TLS record header (handshake type, SSL 3.0 to TLS 1.3 version) at the start of <paramref name="data"/>.</summary>
        public static bool LooksLikeTlsHandshake(ReadOnlySpan<byte> data) =>
            data.Length >= 3 && data[0] == 0x16 && data[1] == 0x03 && data[2] <= 0x04;

        /// <summary>The record's total length (header included) from its 5-byte header; 0 when fewer than 5 bytes.</summary>
        public static int RecordLength(ReadOnlySpan<byte> data) => data.Length < 5 ? 0 : 5 + BinaryPrimitives.ReadUInt16BigEndian(data.Slice(3));

        /// <summary>
        /// The host name of the ClientHello in this record (header included), or null with a reason: not a ClientHello,
        /// cut short, or no server_name extension (then <paramref name="problem"/> is null: nothing is wrong).
        /// </summary>
        public static string? TryReadServerName(ReadOnlySpan<byte> record, out string? problem)
        {
            problem = null;
            if (!LooksLikeTlsHandshake(record) || record.Length < 5) { problem = "not a TLS handshake record"; return null; }
            int bodyLength = BinaryPrimitives.ReadUInt16BigEndian(record.Slice(3));
            var r = record.Slice(5, Math.Min(bodyLength, record.Length - 5));
            if (r.Length < 4 || r[0] != 0x01) { problem = r.Length < 4 ? "handshake header cut short" : $"handshake type {r[0]} is not a ClientHello (1)"; return null; }
            int helloLength = (r[1] << 16) | (r[2] << 8) | r[3];
            r = r.Slice(4, Math.Min(helloLength, r.Length - 4));
            int at = 2 + 32; // client_version, random
            if (!Skip(r, ref at, 1) || !Skip(r, ref at, 2) || !Skip(r, ref at, 1)) { problem = "ClientHello cut short before its extensions"; return null; }
            if (at == r.Length) return null; // no extensions at all
            if (at + 2 > r.Length) { problem = "ClientHello cut short in its extensions length"; return null; }
            int extEnd = Math.Min(r.Length, at + 2 + BinaryPrimitives.ReadUInt16BigEndian(r.Slice(at)));
            at += 2;
            while (at + 4 <= extEnd)
            {
                ushort type = BinaryPrimitives.ReadUInt16BigEndian(r.Slice(at));
                int len = BinaryPrimitives.ReadUInt16BigEndian(r.Slice(at + 2));
                at += 4;
                if (at + len > extEnd) { problem = $"extension {type} runs past the ClientHello"; return null; }
                if (type == 0) return ReadServerNameList(r.Slice(at, len), out problem);
                at += len;
            }
            return null;
        }

        private static string? ReadServerNameList(ReadOnlySpan<byte> ext, out string? problem)
        {
            problem = null;
            if (ext.Length < 2) { problem = "server_name extension cut short"; return null; }
            int end = Math.Min(ext.Length, 2 + BinaryPrimitives.ReadUInt16BigEndian(ext));
            int at = 2;
            while (at + 3 <= end)
            {
                byte nameType = ext[at];
                int len = BinaryPrimitives.ReadUInt16BigEndian(ext.Slice(at + 1));
                at += 3;
                if (at + len > end) { problem = "server name runs past its extension"; return null; }
                if (nameType == 0)
                {
                    var name = ext.Slice(at, len);
                    foreach (byte b in name)
                        if (b <= 0x20 || b >= 0x7F) { problem = "server name is not printable ASCII"; return null; }
                    return Encoding.ASCII.GetString(name.ToArray()).TrimEnd('.').ToLowerInvariant();
                }
                at += len;
            }
            return null;
        }

        private static bool Skip(ReadOnlySpan<byte> r, ref int at, int lengthBytes)
        {
            if (at + lengthBytes > r.Length) return false;
            int len = lengthBytes == 1 ? r[at] : BinaryPrimitives.ReadUInt16BigEndian(r.Slice(at));
            at += lengthBytes + len;
            return at <= r.Length;
        }

        /// <summary>A minimal TLS 1.2 ClientHello record naming <paramref name="serverName"/> (tests and sample captures).</summary>
        public static byte[] Build(string serverName, byte[] random)
        {
            if (random is null || random.Length != 32) throw new ArgumentException("The random must be 32 bytes.", nameof(random));
            var name = Encoding.ASCII.GetBytes(serverName);
            var sni = new byte[2 + 3 + name.Length];
            BinaryPrimitives.WriteUInt16BigEndian(sni, (ushort)(3 + name.Length));
            sni[2] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(sni.AsSpan(3), (ushort)name.Length);
            name.CopyTo(sni, 5);
            byte[] suites = { 0x00, 0x04, 0xC0, 0x2F, 0xC0, 0x2B };
            int extensions = 4 + sni.Length;
            int hello = 2 + 32 + 1 + suites.Length + 2 + 2 + extensions;
            var b = new byte[5 + 4 + hello];
            b[0] = 0x16; b[1] = 0x03; b[2] = 0x01;
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(3), (ushort)(4 + hello));
            b[5] = 0x01;
            b[6] = (byte)(hello >> 16); b[7] = (byte)(hello >> 8); b[8] = (byte)hello;
            int at = 9;
            b[at++] = 0x03; b[at++] = 0x03;
            random.CopyTo(b, at); at += 32;
            b[at++] = 0; // session id
            suites.CopyTo(b, at); at += suites.Length;
            b[at++] = 1; b[at++] = 0; // compression: null
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(at), (ushort)extensions); at += 2;
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(at), 0); at += 2;
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(at), (ushort)sni.Length); at += 2;
            sni.CopyTo(b, at);
            return b;
        }
    }
}
