using System;
using System.Buffers.Binary;
using System.Text;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// The start of a short link's decrypted early data (a request), as the Citizen Lab's decoder reads it: 4-byte length,
    /// 2-byte URL length, the URL (e.g. <c>/cgi-bin/micromsg-bin/newsync</c>), 2-byte host length, the host, then the
    /// business packet. Read leniently; false with a reason (and offset) when the plaintext does not have this shape.
    /// </summary>
    internal readonly struct MmtlsEarlyData
    {
        private const int MaxText = 1024;

        private MmtlsEarlyData(string path, string host, int payloadOffset)
        {
            Path = path;
            Host = host;
            PayloadOffset = payloadOffset;
        }

        public string Path { get; }
        public string Host { get; }
        /// <summary>Where the business packet starts in the plaintext.</summary>
        public int PayloadOffset { get; }

        public static bool TryRead(ReadOnlySpan<byte> plaintext, out MmtlsEarlyData data, out string? problem)
        {
            data = default;
            if (plaintext.Length < 8) { problem = $"early data of {plaintext.Length} bytes is too short for its header"; return false; }
            uint declared = BinaryPrimitives.ReadUInt32BigEndian(plaintext);
            if (declared > plaintext.Length) { problem = $"early-data length {declared} at offset 0 exceeds the {plaintext.Length}-byte plaintext"; return false; }
            int o = 4;
            if (!TryText(plaintext, ref o, out string path, out problem)) return false;
            if (!path.StartsWith("/", StringComparison.Ordinal)) { problem = "the early data does not start with a request path at offset 6"; return false; }
            if (!TryText(plaintext, ref o, out string host, out problem)) return false;
            data = new MmtlsEarlyData(path, host, o);
            return true;
        }

        private static bool TryText(ReadOnlySpan<byte> p, ref int o, out string text, out string? problem)
        {
            text = "";
            if (p.Length < o + 2) { problem = $"truncated before a text length at offset {o}"; return false; }
            int n = BinaryPrimitives.ReadUInt16BigEndian(p.Slice(o));
            if (n > MaxText || p.Length < o + 2 + n) { problem = $"text of {n} bytes at offset {o} does not fit"; return false; }
            var bytes = p.Slice(o + 2, n);
            foreach (byte b in bytes)
                if (b < 0x20 || b > 0x7E) { problem = $"text at offset {o} is not printable ASCII"; return false; }
            text = Encoding.ASCII.GetString(bytes.ToArray());
            o += 2 + n;
            problem = null;
            return true;
        }

        /// <summary>Writes early data of this shape (the sample generator and tests).</summary>
        public static byte[] Build(string path, string host, ReadOnlySpan<byte> payload)
        {
            byte[] p = Encoding.ASCII.GetBytes(path), h = Encoding.ASCII.GetBytes(host);
            var b = new byte[4 + 2 + p.Length + 2 + h.Length + payload.Length];
            BinaryPrimitives.WriteUInt32BigEndian(b, (uint)b.Length);
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4), (ushort)p.Length);
            p.CopyTo(b, 6);
            BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(6 + p.Length), (ushort)h.Length);
            h.CopyTo(b, 8 + p.Length);
            payload.CopyTo(b.AsSpan(8 + p.Length + h.Length));
            return b;
        }
    }
}
