using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// Masks user identifiers (uin, networkid, networkidctx, md5, client IP, avatar ids) in decoded output. A mask is
    /// a keyed hash with a key drawn fresh for each run, so the same value masks the same way within a run (users
    /// can still correlate) but masks of different runs cannot be joined. With <see cref="ShowIdentifiers"/> values
    /// pass through unchanged.
    /// </summary>
    public sealed class IdentifierMasker
    {
        /// <summary>Query parameters of WeChat URLs that identify the user.</summary>
        public static readonly string[] IdentifyingParameters = { "uin", "networkid", "networkidctx", "md5" };

        private readonly byte[] _key;
        private readonly Dictionary<string, string> _cache = new Dictionary<string, string>(StringComparer.Ordinal);

        public IdentifierMasker(bool showIdentifiers, byte[]? key = null)
        {
            ShowIdentifiers = showIdentifiers;
            if (key is null)
            {
                key = new byte[16];
                using var rng = RandomNumberGenerator.Create();
                rng.GetBytes(key);
            }
            _key = key;
        }

        public bool ShowIdentifiers { get; }

        /// <summary><c>&lt;kind:8 hex&gt;</c> for a value, or the value itself when identifiers are shown or it is empty.</summary>
        public string Mask(string kind, string value)
        {
            if (ShowIdentifiers || value.Length == 0) return value;
            string cacheKey = kind + "\0" + value;
            if (_cache.TryGetValue(cacheKey, out var masked)) return masked;
            using var hmac = new HMACSHA256(_key);
            byte[] hash = hmac.ComputeHash(Encoding.UTF8.GetBytes(cacheKey));
            var sb = new StringBuilder(kind.Length + 11);
            sb.Append('<').Append(kind).Append(':');
            for (int i = 0; i < 4; i++) sb.Append(hash[i].ToString("x2"));
            sb.Append('>');
            masked = sb.ToString();
            if (_cache.Count < 100_000) _cache[cacheKey] = masked;
            return masked;
        }

        /// <summary>
        /// Masks the identifying query parameters of a request target and the id of an avatar path
        /// (<c>/mmhead/&lt;id&gt;/&lt;size&gt;</c>). Other parts are kept as they are.
        /// </summary>
        public string MaskTarget(string target)
        {
            if (ShowIdentifiers) return target;
            int q = target.IndexOf('?');
            string path = q >= 0 ? target.Substring(0, q) : target;
            if (path.StartsWith("/mmhead/", StringComparison.Ordinal))
            {
                int end = path.IndexOf('/', 8);
                string id = end > 8 ? path.Substring(8, end - 8) : path.Substring(8);
                if (id.Length > 0) path = "/mmhead/" + Mask("avatar", id) + (end > 8 ? path.Substring(end) : "");
            }
            if (q < 0) return path;
            var parts = target.Substring(q + 1).Split('&');
            for (int i = 0; i < parts.Length; i++)
            {
                int eq = parts[i].IndexOf('=');
                if (eq <= 0) continue;
                string name = parts[i].Substring(0, eq);
                foreach (var p in IdentifyingParameters)
                {
                    if (!string.Equals(name, p, StringComparison.OrdinalIgnoreCase)) continue;
                    string value = parts[i].Substring(eq + 1);
                    if (value.Length > 0) parts[i] = name + "=" + Mask(p.ToLowerInvariant(), value);
                    break;
                }
            }
            return path + "?" + string.Join("&", parts);
        }
    }
}
