using System;

namespace WeChatNet.Text
{
    /// <summary>Validation and normalisation of DNS host names (RFC 1035 lengths, lenient about characters seen in practice).</summary>
    internal static class HostName
    {
        public const int MaxNameLength = 253;
        public const int MaxLabelLength = 63;

        /// <summary>Lower-cases and strips one trailing dot; returns null and a reason when the name is not a valid host name.</summary>
        public static string? Normalize(string? name, out string? error)
        {
            error = null;
            if (name is null || name.Length == 0) { error = "the name is empty"; return null; }
            string n = name.Trim();
            if (n.EndsWith(".", StringComparison.Ordinal)) n = n.Substring(0, n.Length - 1);
            if (n.Length == 0) { error = "the name is empty"; return null; }
            if (n.Length > MaxNameLength) { error = $"the name is {n.Length} characters long; the limit is {MaxNameLength}"; return null; }
            int labelStart = 0;
            for (int i = 0; i <= n.Length; i++)
            {
                if (i == n.Length || n[i] == '.')
                {
                    int len = i - labelStart;
                    if (len == 0) { error = $"empty label at character {labelStart}"; return null; }
                    if (len > MaxLabelLength) { error = $"label at character {labelStart} is {len} characters long; the limit is {MaxLabelLength}"; return null; }
                    labelStart = i + 1;
                    continue;
                }
                char c = n[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                if (!ok) { error = $"character '{c}' at position {i} is not allowed in a host name"; return null; }
            }
            return n.ToLowerInvariant();
        }
    }
}
