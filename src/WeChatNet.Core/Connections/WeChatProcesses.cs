using System;
using System.Collections.Generic;

namespace WeChatNet.Connections
{
    /// <summary>
    /// The process names of WeChat's clients and helpers, compared without case and without ".exe". Windows: WeChat.exe
    /// (3.x), Weixin.exe (4.x), and helpers WeChatAppEx (mini programs and web views, Chromium-based), WeChatBrowser,
    /// WeChatPlayer, WeChatUtility, WeChatOCR, WeChatWeb, WeChatUpdate, WeChatApp; macOS: WeChat; Linux: the official client's
    /// process wechat (the same name, lower case) and its WeChatAppEx. Linux shortens a process's name to 15 characters, so
    /// names are compared as the kernel keeps them.
    /// </summary>
    internal static class WeChatProcesses
    {
        public static readonly IReadOnlyList<string> Names = new[]
        {
            "WeChat", "Weixin", "WeChatAppEx", "WeChatBrowser", "WeChatPlayer", "WeChatUtility", "WeChatOCR", "WeChatWeb",
            "WeChatUpdate", "WeChatApp",
        };

        private static readonly HashSet<string> s_names = new HashSet<string>(Names, StringComparer.OrdinalIgnoreCase);

        public static bool IsWeChat(string? processName)
        {
            if (string.IsNullOrEmpty(processName)) return false;
            string name = processName!;
            if (name.EndsWith(".exe", StringComparison.OrdinalIgnoreCase)) name = name.Substring(0, name.Length - 4);
            return s_names.Contains(name);
        }
    }
}
