using System;
using System.Buffers.Binary;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// The header of a legacy (pre-MMTLS) business packet, sent in the clear as the body of
    /// <c>POST /cgi-bin/micromsg-bin/&lt;name&gt;</c> (wechat-wire-facts.md section 5):
    /// <code>
    /// 0: 0xBF
    /// 1: (header length &lt;&lt; 2) | compress     compress 1 = zlib, 2 = none
    /// 2: (crypto &lt;&lt; 4) | cookie length       crypto 5 = AES, 7 = RSA, 1 = none
    /// 3: client version (4, hex-coded: 0x26060030 is Android 6.6.0)
    /// 7: uin (4)
    /// 11: cookie, then varints
    /// </code>
    /// </summary>
    internal readonly struct LegacyBusinessHeader
    {
        public const byte Magic = 0xBF;
        public const int FixedLength = 11;

        private LegacyBusinessHeader(int headerLength, int compress, int crypto, int cookieLength, uint clientVersion, uint uin)
        {
            HeaderLength = headerLength;
            CompressCode = compress;
            CryptoCode = crypto;
            CookieLength = cookieLength;
            ClientVersion = clientVersion;
            Uin = uin;
        }

        public int HeaderLength { get; }
        public int CompressCode { get; }
        public int CryptoCode { get; }
        public int CookieLength { get; }
        public uint ClientVersion { get; }
        public uint Uin { get; }

        public string Compression => CompressCode switch { 1 => "Zlib", 2 => "None", _ => "Unknown(" + CompressCode + ")" };
        public string Crypto => CryptoCode switch { 5 => "AES", 7 => "RSA", 1 => "None", _ => "Unknown(" + CryptoCode + ")" };

        /// <summary>Reads the header at the start of a body; false with a reason (and offset) when it is not one.</summary>
        public static bool TryRead(ReadOnlySpan<byte> body, out LegacyBusinessHeader header, out string? problem)
        {
            header = default;
            problem = null;
            if (body.Length == 0 || body[0] != Magic) { problem = "body does not start with 0xBF"; return false; }
            if (body.Length < FixedLength) { problem = $"legacy header truncated at offset {body.Length} (needs {FixedLength} bytes)"; return false; }
            int headerLength = body[1] >> 2;
            int cookieLength = body[2] & 0x0F;
            if (headerLength < FixedLength + cookieLength)
            {
                problem = $"legacy header length {headerLength} at offset 1 is shorter than its fields ({FixedLength} + {cookieLength}-byte cookie)";
                return false;
            }
            if (headerLength > body.Length) { problem = $"legacy header length {headerLength} at offset 1 exceeds the {body.Length}-byte body"; return false; }
            header = new LegacyBusinessHeader(headerLength, body[1] & 0x03, body[2] >> 4, cookieLength,
                BinaryPrimitives.ReadUInt32BigEndian(body.Slice(3)), BinaryPrimitives.ReadUInt32BigEndian(body.Slice(7)));
            return true;
        }
    }
}
