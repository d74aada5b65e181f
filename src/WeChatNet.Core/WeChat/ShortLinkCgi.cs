using System;
using System.Collections.Generic;

namespace WeChatNet.WeChat
{
    /// <summary>Short-link CGI names and their request types (wechat-wire-facts.md section 5).</summary>
    internal static class ShortLinkCgi
    {
        public const string MicromsgPrefix = "/cgi-bin/micromsg-bin/";
        public const string MmtlsPrefix = "/mmtls/";

        private static readonly Dictionary<string, int> s_types = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
        {
            ["sendcard"] = 26, ["searchcontact"] = 106, ["uploadmsgimg"] = 110, ["geta8key"] = 115, ["createchatroom"] = 119,
            ["newreg"] = 126, ["newsync"] = 138, ["newinit"] = 139, ["bindopmobileforreg"] = 145, ["delchatroommember"] = 179,
            ["statusnotify"] = 251, ["secmanualauth"] = 252, ["getcdndns"] = 379, ["getcert"] = 381, ["newsendmsg"] = 522,
            ["getonlineinfo"] = 526, ["getchatroommemberdetail"] = 551, ["oplog"] = 681, ["manualauth"] = 701, ["autoauth"] = 702,
            ["rtkvreport"] = 716, ["checkresupdate"] = 721, ["secautoauth"] = 763, ["newreportkvcomm"] = 996,
            ["reportcommand"] = 2592, ["findersync"] = 3565, ["disasterauth"] = 3941, ["getnetworkinfo"] = 6238,
        };

        /// <summary>The request type of a micromsg-bin CGI name, or null when the facts table has no number for it.</summary>
        public static int? RequestType(string cgiName) => s_types.TryGetValue(cgiName, out int t) ? t : (int?)null;

        /// <summary>
        /// Splits a request target: the path without query, whether it is an MMTLS short link (<c>/mmtls/&lt;hex&gt;</c>),
        /// and the CGI name for <c>/cgi-bin/&lt;bin&gt;/&lt;name&gt;</c> targets.
        /// </summary>
        public static void Classify(string target, out string path, out bool isMmtls, out string cgiName)
        {
            int q = target.IndexOf('?');
            path = q >= 0 ? target.Substring(0, q) : target;
            isMmtls = false;
            cgiName = "";
            if (path.StartsWith(MmtlsPrefix, StringComparison.Ordinal))
            {
                string id = path.Substring(MmtlsPrefix.Length);
                isMmtls = id.Length > 0 && id.Length <= 16 && IsHex(id);
                return;
            }
            if (path.StartsWith("/cgi-bin/", StringComparison.Ordinal))
            {
                int slash = path.LastIndexOf('/');
                if (slash > "/cgi-bin".Length && slash < path.Length - 1) cgiName = path.Substring(slash + 1);
            }
        }

        private static bool IsHex(string s)
        {
            foreach (char c in s)
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
            return true;
        }
    }
}
