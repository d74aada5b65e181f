using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// The query of WeChat's dispatch request, <c>GET /cgi-bin/micromsg-bin/newgetdns?uin=..&amp;clientversion=..</c>
    /// (facts section 3): built for Get-WeChatDispatch and parsed from captured requests. uin, md5, networkid and
    /// networkidctx identify the user; <see cref="Masked"/> returns a copy with them masked.
    /// </summary>
    internal sealed class NewGetDnsRequest
    {
        public const string Path = "/cgi-bin/micromsg-bin/newgetdns";
        public const string DefaultHost = "dns.weixin.qq.com";
        public const string UserAgent = "MicroMessenger Client";
        /// <summary>Android 6.6.0 in WeChat's hex-coded form (the facts file's example).</summary>
        public const uint DefaultClientVersion = 0x26060030;

        /// <summary>The parameters in the order the client sends them.</summary>
        public static readonly string[] KnownParameters =
        {
            "uin", "clientversion", "scene", "net", "md5", "devicetype", "lan", "sigver", "lasteffecttime", "xagreementid",
            "networkid", "networkidctx", "mccmnc",
        };

        private static readonly HashSet<string> s_personal = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "uin", "md5", "networkid", "networkidctx" };

        /// <summary>Every parameter as sent, in order (unknown ones included); values are URL-decoded.</summary>
        public List<KeyValuePair<string, string>> Parameters { get; } = new List<KeyValuePair<string, string>>();

        public string? this[string name]
        {
            get
            {
                foreach (var p in Parameters) if (string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)) return p.Value;
                return null;
            }
            set
            {
                for (int i = 0; i < Parameters.Count; i++)
                {
                    if (string.Equals(Parameters[i].Key, name, StringComparison.OrdinalIgnoreCase))
                    {
                        if (value is null) Parameters.RemoveAt(i);
                        else Parameters[i] = new KeyValuePair<string, string>(Parameters[i].Key, value);
                        return;
                    }
                }
                if (value != null) Parameters.Add(new KeyValuePair<string, string>(name, value));
            }
        }

        /// <summary>The client version as a number when the parameter is decimal or 0x-hex.</summary>
        public uint? ClientVersion => TryParseClientVersion(this["clientversion"], out uint v) ? v : (uint?)null;

        /// <summary>The request an anonymous client (uin 0) would send: the facts file's parameters.</summary>
        public static NewGetDnsRequest CreateAnonymous(uint clientVersion = DefaultClientVersion, int net = 1)
        {
            var r = new NewGetDnsRequest();
            r["uin"] = "0";
            r["clientversion"] = clientVersion.ToString(CultureInfo.InvariantCulture);
            r["scene"] = "0";
            r["net"] = net.ToString(CultureInfo.InvariantCulture);
            r["md5"] = "";
            r["devicetype"] = "android-34";
            r["lan"] = "en";
            r["sigver"] = "2";
            r["lasteffecttime"] = "0";
            r["xagreementid"] = "0";
            r["networkid"] = "";
            r["networkidctx"] = "";
            r["mccmnc"] = "";
            return r;
        }

        /// <summary>"uin=0&amp;clientversion=...": the query string, percent-encoded.</summary>
        public string ToQueryString()
        {
            var sb = new StringBuilder();
            foreach (var p in Parameters)
            {
                if (sb.Length > 0) sb.Append('&');
                sb.Append(Uri.EscapeDataString(p.Key)).Append('=').Append(Uri.EscapeDataString(p.Value));
            }
            return sb.ToString();
        }

        public string ToPathAndQuery() => Path + "?" + ToQueryString();

        /// <summary>Parses a request target ("/cgi-bin/micromsg-bin/newgetdns?..." or a full URL). False when the path is not newgetdns.</summary>
        public static bool TryParse(string? target, out NewGetDnsRequest? request, out string? error)
        {
            request = null;
            error = null;
            if (string.IsNullOrEmpty(target)) { error = "the request target is empty"; return false; }
            string t = target!;
            int scheme = t.IndexOf("://", StringComparison.Ordinal);
            if (scheme >= 0)
            {
                int slash = t.IndexOf('/', scheme + 3);
                t = slash < 0 ? "/" : t.Substring(slash);
            }
            int q = t.IndexOf('?');
            string path = q < 0 ? t : t.Substring(0, q);
            if (!path.EndsWith("/newgetdns", StringComparison.OrdinalIgnoreCase)) { error = $"'{path}' is not the newgetdns path"; return false; }
            var r = new NewGetDnsRequest();
            if (q >= 0)
            {
                string query = t.Substring(q + 1);
                int hash = query.IndexOf('#');
                if (hash >= 0) query = query.Substring(0, hash);
                foreach (var part in query.Split('&'))
                {
                    if (part.Length == 0) continue;
                    if (r.Parameters.Count >= 256) { error = "more than 256 query parameters"; return false; }
                    int eq = part.IndexOf('=');
                    string key = Decode(eq < 0 ? part : part.Substring(0, eq));
                    string value = eq < 0 ? string.Empty : Decode(part.Substring(eq + 1));
                    r.Parameters.Add(new KeyValuePair<string, string>(key, value));
                }
            }
            request = r;
            return true;
        }

        private static string Decode(string s)
        {
            try { return Uri.UnescapeDataString(s.Replace('+', ' ')); }
            catch (UriFormatException) { return s; }
        }

        /// <summary>A copy with uin, md5, networkid and networkidctx masked (stable within the run); empty values stay empty.</summary>
        public NewGetDnsRequest Masked()
        {
            var copy = new NewGetDnsRequest();
            foreach (var p in Parameters)
                copy.Parameters.Add(new KeyValuePair<string, string>(p.Key,
                    s_personal.Contains(p.Key) && p.Value.Length > 0 && p.Value != "0" ? IdentifierMask.Mask(p.Key.ToLowerInvariant(), p.Value) : p.Value));
            return copy;
        }

        /// <summary>Decimal ("637927472") or hex ("0x26060030").</summary>
        public static bool TryParseClientVersion(string? text, out uint version)
        {
            version = 0;
            if (string.IsNullOrWhiteSpace(text)) return false;
            string t = text!.Trim();
            if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                return uint.TryParse(t.Substring(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out version);
            return uint.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out version);
        }
    }
}
