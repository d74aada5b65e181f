using System;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// Masks user identifiers (uin, networkid, networkidctx, md5, client IP, avatar ids) in decoded output with
    /// <see cref="IdentifierMask"/> (stable within a run); with <see cref="ShowIdentifiers"/> values pass through.
    /// </summary>
    internal sealed class IdentifierMasker
    {
        /// <summary>Query parameters of WeChat URLs that identify the user.</summary>
        public static readonly string[] IdentifyingParameters = { "uin", "networkid", "networkidctx", "md5" };

        public IdentifierMasker(bool showIdentifiers) { ShowIdentifiers = showIdentifiers; }

        public bool ShowIdentifiers { get; }

        public string Mask(string kind, string value) => IdentifierMask.MaskUnless(ShowIdentifiers, kind, value);

        /// <summary>
        /// Masks the identifying query parameters of a request target (an anonymous uin of 0 stays 0) and the id of an
        /// avatar path (<c>/mmhead/&lt;id&gt;/&lt;size&gt;</c>). Other parts are kept as they are.
        /// </summary>
        public string MaskTarget(string target)
        {
            if (ShowIdentifiers) return target;
            int q = target.IndexOf('?');
            string path = q >= 0 ? target.Substring(0, q) : target;
            const string avatar = "/mmhead/";
            if (path.StartsWith(avatar, StringComparison.Ordinal))
            {
                int end = path.IndexOf('/', avatar.Length);
                string id = end > 0 ? path.Substring(avatar.Length, end - avatar.Length) : path.Substring(avatar.Length);
                if (id.Length > 0) path = avatar + Mask("avatar", id) + (end > 0 ? path.Substring(end) : "");
            }
            if (q < 0) return path;
            var parts = target.Substring(q + 1).Split('&');
            for (int i = 0; i < parts.Length; i++)
            {
                int eq = parts[i].IndexOf('=');
                if (eq <= 0) continue;
                string name = parts[i].Substring(0, eq);
                string value = parts[i].Substring(eq + 1);
                if (value.Length == 0 || value == "0") continue;
                if (Array.Exists(IdentifyingParameters, p => string.Equals(p, name, StringComparison.OrdinalIgnoreCase)))
                    parts[i] = name + "=" + Mask(name.ToLowerInvariant(), value);
            }
            return path + "?" + string.Join("&", parts);
        }
    }
}
