using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using WeChatNet.WeChat;

namespace WeChatNet.Connections
{
    /// <summary>
    /// Names remote addresses: from dispatch answers the user gives (Get-WeChatDispatch), the system's hosts file, and
    /// (asked for) the answers the system resolver gives now for WeChat's catalog hosts. When several names share an
    /// address, a name the catalog knows wins over one it does not, and an earlier source over a later one.
    /// </summary>
    internal sealed class RemoteHostNames
    {
        public const string Dispatch = "Dispatch";
        public const string HostsFile = "HostsFile";
        public const string Resolved = "Resolved";

        private readonly Dictionary<string, (string Host, string Source, bool Known)> _names =
            new Dictionary<string, (string, string, bool)>(StringComparer.OrdinalIgnoreCase);

        public int Count => _names.Count;

        public bool TryName(IPAddress address, out string host, out string source)
        {
            if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
            if (_names.TryGetValue(address.ToString(), out var hit)) { host = hit.Host; source = hit.Source; return true; }
            host = source = "";
            return false;
        }

        public void Add(string address, string host, string source)
        {
            if (!IPAddress.TryParse(address.Trim(), out var ip)) return;
            if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
            string name = host.Trim().TrimEnd('.').ToLowerInvariant();
            if (name.Length == 0) return;
            bool known = EndpointCatalog.Default.Classify(name) != null;
            string key = ip.ToString();
            if (_names.TryGetValue(key, out var old) && (old.Known || !known)) return;
            _names[key] = (name, source, known);
        }

        public void AddDispatch(Dispatch dispatch)
        {
            foreach (var domain in dispatch.Domains)
                foreach (var a in domain.Addresses) Add(a.Address, domain.Name, Dispatch);
        }

        /// <summary>The system's hosts file (/etc/hosts, or %SystemRoot%\System32\drivers\etc\hosts); silent when unreadable.</summary>
        public void AddHostsFile(string? path = null)
        {
            path ??= Path.DirectorySeparatorChar == '\\'
                ? Path.Combine(Environment.GetEnvironmentVariable("SystemRoot") ?? @"C:\Windows", @"System32\drivers\etc\hosts")
                : "/etc/hosts";
            IEnumerable<string> lines;
            try { lines = File.ReadAllLines(path); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { return; }
            foreach (string raw in lines)
            {
                int hash = raw.IndexOf('#');
                var cols = (hash >= 0 ? raw.Substring(0, hash) : raw).Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                for (int i = 1; i < cols.Length; i++) Add(cols[0], cols[i], HostsFile);
            }
        }

        /// <summary>
        /// Asks the system resolver now for WeChat's dispatch, long- and short-link hosts (the catalog's names without
        /// wildcards), all at once, waiting at most <paramref name="timeout"/>; names that fail or time out are skipped.
        /// </summary>
        public void AddResolved(TimeSpan timeout, CancellationToken ct)
        {
            var names = EndpointCatalog.Default.Endpoints
                .Where(e => e.Name.IndexOf('*') < 0 && (e.Role == nameof(EndpointRole.LongLink) || e.Role == nameof(EndpointRole.ShortLink) || e.Role == nameof(EndpointRole.Dispatch)))
                .Select(e => e.Name).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            var tasks = names.Select(n => (Name: n, Task: System.Net.Dns.GetHostAddressesAsync(n))).ToList();
            try { Task.WaitAll(tasks.Select(t => (Task)t.Task).ToArray(), (int)timeout.TotalMilliseconds, ct); }
            catch (AggregateException) { /* some names failed: the rest still count */ }
            foreach (var (name, task) in tasks)
                if (task.Status == TaskStatus.RanToCompletion)
                    foreach (var ip in task.Result) Add(ip.ToString(), name, Resolved);
        }
    }
}
