using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using WeChatNet.Analysis;
using WeChatNet.Connections;
using WeChatNet.IpIntel;

namespace WeChatNet.Diagnostics
{
    /// <summary>
    /// Invoke-WeChatDiagnostic -Live's view of WeChat's own connections: which WeChat processes run, and a watch of their
    /// connections (Get-WeChatConnection -Watch) for as long as the other live checks take, so that the finding rules see
    /// the long link, its statistics at the start and the end, and every reconnect meanwhile. Runs on its own thread.
    /// </summary>
    internal sealed class LiveConnectionCheck : IDisposable
    {
        private readonly ConnectionWatcher? _watcher;
        private readonly List<ConnectionEvent> _events = new List<ConnectionEvent>();
        private readonly Dictionary<string, Connection> _first = new Dictionary<string, Connection>(StringComparer.Ordinal);
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Thread? _thread;
        private readonly TimeSpan _interval;
        private string? _failure;

        private LiveConnectionCheck(ConnectionWatcher? watcher, TimeSpan interval, string? skipped)
        {
            _watcher = watcher;
            _interval = interval;
            _failure = skipped;
            if (watcher is null) return;
            Poll();
            _thread = new Thread(Run) { IsBackground = true, Name = "WeChatNet live connections" };
            _thread.Start();
        }

        /// <summary>Starts watching; <paramref name="table"/> null means this platform's socket table (a platform without one is recorded, not thrown).</summary>
        public static LiveConnectionCheck Start(Func<ISocketTable>? table, IpIntelligence intel, TimeSpan interval)
        {
            try
            {
                var names = new RemoteHostNames();
                names.AddHostsFile();
                var inventory = new ConnectionInventory((table ?? ConnectionInventory.PlatformTable)(), intel, names);
                var query = new ConnectionQuery();
                return new LiveConnectionCheck(new ConnectionWatcher(() => inventory.Read(query)), interval, null);
            }
            catch (ConnectionException e)
            {
                return new LiveConnectionCheck(null, interval, e.Message);
            }
        }

        /// <summary>The latest reading (empty when the table could not be read).</summary>
        public IReadOnlyList<Connection> Current => _watcher?.Current.ToList() ?? new List<Connection>();

        private void Run()
        {
            while (!_stop.Token.WaitHandle.WaitOne(_interval)) Poll();
        }

        private void Poll()
        {
            try
            {
                var events = _watcher!.Poll();
                lock (_events)
                {
                    foreach (var e in events)
                    {
                        if (e.Change == nameof(ConnectionChange.Existing) || e.Change == nameof(ConnectionChange.Opened))
                        {
                            string key = e.Connection.EndpointKey;
                            if (!_first.ContainsKey(key)) _first[key] = e.Connection;
                        }
                        if (e.Change != nameof(ConnectionChange.Existing)) _events.Add(e);
                    }
                }
            }
            catch (ConnectionException e)
            {
                _failure ??= e.Message;
                _stop.Cancel();
            }
        }

        /// <summary>Stops, reads once more, and fills the facts: processes, the final snapshot named with <paramref name="names"/>
        /// (the diagnostic's DNS and dispatch answers), the first readings and the changes seen.</summary>
        public void Complete(LiveConnectionFacts facts, Action<RemoteHostNames> addNames)
        {
            _stop.Cancel();
            _thread?.Join(TimeSpan.FromSeconds(10));
            facts.WeChatProcesses = RunningWeChatProcesses();
            facts.ProcessNames = WeChatProcesses.Names;
            if (_watcher is null || _failure != null)
            {
                facts.Skipped = _failure ?? "the socket table could not be read";
                return;
            }
            Poll();
            var names = new RemoteHostNames();
            addNames(names);
            names.AddHostsFile();
            List<ConnectionEvent> events;
            Dictionary<string, Connection> first;
            lock (_events)
            {
                events = _events.ToList();
                first = new Dictionary<string, Connection>(_first, StringComparer.Ordinal);
            }
            var current = _watcher.Current.ToList();
            foreach (var c in current.Concat(first.Values).Concat(events.Select(e => e.Connection))) Rename(c, names);
            facts.Connections = ConnectionInventory.Order(current);
            facts.FirstReadings = first;
            facts.Events = events;
            facts.WatchSeconds = _clock.Elapsed.TotalSeconds;
        }

        /// <summary>A connection the watch could not name, named by the answers the diagnostic collected since.</summary>
        private static void Rename(Connection c, RemoteHostNames names)
        {
            if (c.RoleSource == "Catalog") return;
            if (!System.Net.IPAddress.TryParse(c.RemoteAddress, out var ip) || !names.TryName(ip, out string host, out string source)) return;
            var cls = WeChat.EndpointCatalog.Default.Classify(host);
            c.Host = host;
            c.HostSource = source;
            if (cls != null)
            {
                c.Role = cls.Role.ToString();
                c.RoleSource = "Catalog";
            }
        }

        /// <summary>WeChat's processes running now, as "name (pid)" (every user's: process names are public on Linux and Windows).</summary>
        private static List<string> RunningWeChatProcesses()
        {
            var found = new List<string>();
            foreach (var p in Process.GetProcesses())
            {
                using (p)
                {
                    try
                    {
                        if (WeChatProcesses.IsWeChat(p.ProcessName) && !InOtherNetworkNamespace(p.Id)) found.Add($"{p.ProcessName} ({p.Id})");
                    }
                    catch (InvalidOperationException) { /* exited meanwhile */ }
                }
            }
            return found;
        }

        /// <summary>
        /// Linux: a process in another network namespace (a container, a sandbox) has its connections in another socket
        /// table, so it does not count as WeChat running here. Unknown (another user's process, unprivileged) counts as here.
        /// </summary>
        private static bool InOtherNetworkNamespace(int pid)
        {
            if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux)) return false;
            try
            {
                string? mine = LinkTarget("/proc/self/ns/net"), theirs = LinkTarget($"/proc/{pid}/ns/net");
                return mine != null && theirs != null && mine != theirs;
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException) { return false; }
        }

        [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
        private static extern IntPtr readlink(string path, byte[] buf, UIntPtr size);

        private static string? LinkTarget(string path)
        {
            var buffer = new byte[128];
            long n = (long)readlink(path, buffer, (UIntPtr)buffer.Length);
            return n > 0 ? System.Text.Encoding.ASCII.GetString(buffer, 0, (int)n) : null;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _thread?.Join(TimeSpan.FromSeconds(10));
            _stop.Dispose();
        }
    }
}
