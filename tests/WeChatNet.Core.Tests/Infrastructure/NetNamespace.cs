using System;
using System.Collections.Generic;
using System.Threading;

namespace WeChatNet.Tests.Infrastructure
{
    /// <summary>
    /// A Linux network namespace created by a test (ip netns), named with a per-run suffix and deleted on dispose,
    /// so a failed test or a second CI run on the same machine finds no leftovers. Traffic stays inside.
    /// </summary>
    public sealed class NetNamespace : IDisposable
    {
        private static int s_counter;
        private static readonly string RunSuffix = Environment.ProcessId.ToString("x");
        private readonly string _ip;

        public NetNamespace(string role)
        {
            ExternalTool.RequireRoot("network namespaces need CAP_SYS_ADMIN");
            _ip = ExternalTool.Require("ip", "iproute2");
            // Interface and namespace names are short (IFNAMSIZ 16); keep the role short too.
            Name = $"wcn{RunSuffix}{Interlocked.Increment(ref s_counter)}{role}";
            ExternalTool.Run(_ip, "netns", "add", Name).EnsureSuccess($"ip netns add {Name}");
            Exec("ip", "link", "set", "lo", "up");
        }

        public string Name { get; }

        /// <summary>Runs a command inside the namespace and throws if it fails.</summary>
        public ToolResult Exec(params string[] command) => TryExec(command).EnsureSuccess($"ip netns exec {Name} {string.Join(" ", command)}");

        public ToolResult TryExec(params string[] command)
        {
            var args = new List<string> { "netns", "exec", Name };
            args.AddRange(command);
            return ExternalTool.Run(_ip, args, TimeSpan.FromSeconds(60));
        }

        /// <summary>Connects two namespaces with a veth pair and gives each end an address (CIDR form).</summary>
        public static void Link(NetNamespace a, string aIf, string aCidr, NetNamespace b, string bIf, string bCidr)
        {
            string ip = ExternalTool.Require("ip", "iproute2");
            ExternalTool.Run(ip, "link", "add", aIf, "netns", a.Name, "type", "veth", "peer", "name", bIf, "netns", b.Name)
                .EnsureSuccess($"veth {aIf}<->{bIf}");
            a.Exec("ip", "addr", "add", aCidr, "dev", aIf);
            a.Exec("ip", "link", "set", aIf, "up");
            b.Exec("ip", "addr", "add", bCidr, "dev", bIf);
            b.Exec("ip", "link", "set", bIf, "up");
        }

        public void Dispose()
        {
            try { ExternalTool.Run(_ip, "netns", "delete", Name); }
            catch (TimeoutException) { }
        }
    }
}
