using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using WeChatNet.Tests.Infrastructure;

namespace WeChatNet.Tests.Route
{
    /// <summary>Runs Debian's traceroute and mtr inside a namespace and reads their hop lists (addresses per hop, "" for a silent hop).</summary>
    public static class PeerTraces
    {
        /// <summary>traceroute -n [args] target: one list of addresses per hop.</summary>
        public static List<string[]> Traceroute(NetNamespace ns, string target, params string[] args) =>
            ParseTraceroute(RunIn(ns, ExternalTool.Require("traceroute", "traceroute"), new[] { "-n" }, args, target));

        private static string RunIn(NetNamespace ns, string tool, string[] fixedArgs, string[] args, string target)
        {
            var command = new List<string> { tool };
            command.AddRange(fixedArgs);
            command.AddRange(args);
            command.Add(target);
            return ns.Exec(command.ToArray()).StandardOutput;
        }

        public static List<string[]> ParseTraceroute(string output)
        {
            var hops = new List<string[]>();
            foreach (var line in output.Split('\n'))
            {
                var m = Regex.Match(line, @"^\s*(\d+)\s+(.*)$");
                if (!m.Success) continue;
                var addresses = Regex.Matches(m.Groups[2].Value, @"(?<![\d.:])((?:\d{1,3}\.){3}\d{1,3}|[0-9a-f]*:[0-9a-f:]+)(?![\d.:])", RegexOptions.IgnoreCase)
                    .Select(x => x.Value).Distinct().ToArray();
                hops.Add(addresses);
            }
            return hops;
        }

        /// <summary>mtr -n --report -c count [args] target: one address per hop ("" where mtr shows ???).</summary>
        public static List<string[]> Mtr(NetNamespace ns, string target, int count, params string[] args) =>
            ParseMtr(RunIn(ns, ExternalTool.Require("mtr", "mtr-tiny"), new[] { "-n", "--report", "-c", count.ToString() }, args, target));

        public static List<string[]> ParseMtr(string output)
        {
            var hops = new List<string[]>();
            foreach (var line in output.Split('\n'))
            {
                var m = Regex.Match(line, @"^\s*(\d+)\.\|--\s+(\S+)");
                if (!m.Success) continue;
                hops.Add(m.Groups[2].Value == "???" ? Array.Empty<string>() : new[] { m.Groups[2].Value });
            }
            return hops;
        }

        /// <summary>The hop list of a WeChatNet trace in the same shape.</summary>
        public static List<string[]> Of(IEnumerable<RouteHop> hops) => hops.Select(h => h.Addresses).ToList();

        public static string Show(IEnumerable<string[]> hops) => string.Join(" | ", hops.Select(h => h.Length == 0 ? "*" : string.Join(",", h)));
    }
}
