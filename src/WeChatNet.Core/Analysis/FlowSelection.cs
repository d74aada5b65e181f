using System;
using System.Collections.Generic;
using System.Linq;

namespace WeChatNet.Analysis
{
    /// <summary>Which flows Get-WeChatFlow shows: by default WeChat's only.</summary>
    public static class FlowSelection
    {
        /// <summary>
        /// A WeChat flow: a known WeChat host or role, a WeChat link kind (long/short link, dispatch, media), DNS, or a
        /// server in a Tencent autonomous system.
        /// </summary>
        public static bool IsWeChat(Flow f) => f.Role != null || f.Kind != "Other" || string.Equals(f.Owner, "Tencent", StringComparison.Ordinal);

        public static IEnumerable<Flow> Select(IEnumerable<Flow> flows, ICollection<string>? roles, string? protocol, bool all) =>
            flows.Where(f => all || IsWeChat(f))
                 .Where(f => roles is null || roles.Count == 0 || (f.Role != null && roles.Contains(f.Role)))
                 .Where(f => protocol is null || string.Equals(f.Protocol, protocol, StringComparison.OrdinalIgnoreCase));
    }
}
