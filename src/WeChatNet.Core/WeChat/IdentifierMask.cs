using System;
using System.Security.Cryptography;
using System.Text;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// Masks personal identifiers (client IP, uin, networkid, md5...) for output. The mask is a keyed hash with a key
    /// drawn once per process, so within one run (one PowerShell session) the same value always masks the same way and
    /// users can still correlate, while the value itself cannot be recovered or matched across runs.
    /// </summary>
    internal static class IdentifierMask
    {
        private static readonly byte[] s_key = NewKey();

        private static byte[] NewKey()
        {
            var key = new byte[32];
            using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(key);
            return key;
        }

        /// <summary>"masked-" followed by 8 hex digits; empty stays empty. <paramref name="kind"/> keeps an IP and a uin of the same text apart.</summary>
        public static string Mask(string kind, string? value)
        {
            if (string.IsNullOrEmpty(value)) return string.Empty;
            using var hmac = new HMACSHA256(s_key);
            byte[] h = hmac.ComputeHash(Encoding.UTF8.GetBytes(kind + "\0" + value));
            var sb = new StringBuilder("masked-", 15);
            for (int i = 0; i < 4; i++) sb.Append(h[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            return sb.ToString();
        }

        /// <summary>The value itself when <paramref name="show"/>, otherwise its mask.</summary>
        public static string MaskUnless(bool show, string kind, string? value) => show ? value ?? string.Empty : Mask(kind, value);
    }
}
