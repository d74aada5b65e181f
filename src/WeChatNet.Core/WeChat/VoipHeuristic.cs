using System;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// The one unverified heuristic for WeChat VoIP datagrams (wechat-wire-facts.md section 8): UDP payloads of 90-103
    /// bytes starting 0xD5, or of 96 bytes starting 0xA3. A match is only ever "probable".
    /// </summary>
    internal static class VoipHeuristic
    {
        /// <summary>The rule that matched, or null.</summary>
        public static string? Match(ReadOnlySpan<byte> payload)
        {
            if (payload.Length >= 90 && payload.Length <= 103 && payload[0] == 0xD5) return "90-103 bytes starting 0xD5";
            if (payload.Length == 96 && payload[0] == 0xA3) return "96 bytes starting 0xA3";
            return null;
        }
    }
}
