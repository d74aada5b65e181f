using System;
using System.Collections.Generic;
using System.Linq;

namespace WeChatNet.Analysis
{
    /// <summary>Which flows Get-WeChatFlow shows: by default WeChat's only.</summary>
    internal static class FlowSelection
    {
        /// <summary>
        /// A WeChat flow: a host the catalog knows (from SNI, Host, DNS or dispatch: whatever the address tables say), a
        /// WeChat link kind seen in the traffic (long/short link, dispatch, media, web), a DNS flow asking for a WeChat
        /// name, or a server in a Tencent autonomous system.
        /// </summary>
        public static bool IsWeChat(Flow f)
        {
            if (f.Kind == "Dns") return f.Host != null && WeChat.EndpointCatalog.Default.Classify(f.Host) != null;
            return f.Role != null || f.Kind != "Other" || string.Equals(f.Owner, "Tencent", StringComparison.Ordinal);
        }

        public static IEnumerable<Flow> Select(IEnumerable<Flow> flows, ICollection<string>? roles, string? protocol, bool all) =>
            flows.Where(f => all || IsWeChat(f))
                 .Where(f => roles is null || roles.Count == 0 || (f.Role != null && roles.Contains(f.Role)))
                 .Where(f => protocol is null || string.Equals(f.Protocol, protocol, StringComparison.OrdinalIgnoreCase));
    }
}
