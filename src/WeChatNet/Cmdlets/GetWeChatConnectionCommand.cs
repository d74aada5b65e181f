using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using WeChatNet.Connections;
using WeChatNet.IpIntel;

namespace WeChatNet.Commands
{
    /// <summary>
    /// WeChat's TCP connections right now, from the kernel's socket table (no capture, no privilege for the user's own
    /// processes): process, endpoints, state, WeChat host and role, region and owner, and the kernel's statistics.
    /// -Watch streams opened, closed and changed connections until -Duration ends or Ctrl+C.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "WeChatConnection", DefaultParameterSetName = SnapshotSet)]
    [OutputType(typeof(Connection), ParameterSetName = new[] { SnapshotSet })]
    [OutputType(typeof(ConnectionEvent), ParameterSetName = new[] { WatchSet })]
    public sealed class GetWeChatConnectionCommand : PSCmdlet
    {
        private const string SnapshotSet = "Snapshot";
        private const string WatchSet = "Watch";
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly List<Dispatch> _dispatches = new List<Dispatch>();

        /// <summary>Every TCP connection of the machine, with the same naming (WeChat's are marked in MatchedBy).</summary>
        [Parameter]
        public SwitchParameter All { get; set; }

        /// <summary>Only these processes: all their connections if they are WeChat's, else those to WeChat's servers.</summary>
        [Parameter]
        [Alias("Id")]
        [ValidateNotNullOrEmpty]
        public int[]? ProcessId { get; set; }

        /// <summary>Only processes with these names (wildcards, no case, ".exe" optional): a browser running Web WeChat, an emulator.</summary>
        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? ProcessName { get; set; }

        /// <summary>Dispatch answers (Get-WeChatDispatch) whose addresses name the servers.</summary>
        [Parameter(ValueFromPipeline = true)]
        [ValidateNotNull]
        public Dispatch[]? Dispatch { get; set; }

        /// <summary>Also ask the system resolver now for WeChat's dispatch, long- and short-link hosts to name the servers.</summary>
        [Parameter]
        public SwitchParameter Resolve { get; set; }

        /// <summary>Stream changes (Existing first, then Opened, Closed, Changed) until -Duration ends or Ctrl+C.</summary>
        [Parameter(Mandatory = true, ParameterSetName = WatchSet)]
        public SwitchParameter Watch { get; set; }

        /// <summary>Time between two readings of the table while watching (default 1 s).</summary>
        [Parameter(ParameterSetName = WatchSet)]
        [DurationTransformation]
        [ValidateDuration(0.05, 3600)]
        public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>How long to watch; without it, until Ctrl+C.</summary>
        [Parameter(ParameterSetName = WatchSet)]
        [DurationTransformation]
        [ValidateDuration(0.05, 31 * 24 * 3600)]
        public TimeSpan? Duration { get; set; }

        protected override void ProcessRecord()
        {
            if (Dispatch != null) _dispatches.AddRange(Dispatch.Where(d => d != null));
        }

        protected override void EndProcessing()
        {
            ConnectionInventory inventory;
            try
            {
                var names = new RemoteHostNames();
                foreach (var d in _dispatches) names.AddDispatch(d);
                names.AddHostsFile();
                if (Resolve)
                {
                    WriteVerbose("Resolving WeChat's dispatch, long- and short-link hosts with the system resolver (at most 5 s).");
                    names.AddResolved(TimeSpan.FromSeconds(5), _cancel.Token);
                }
                WriteVerbose($"{names.Count} server address(es) named from dispatch answers, the hosts file{(Resolve ? " and the resolver" : "")}.");
                inventory = new ConnectionInventory(ConnectionInventory.PlatformTable(), IpIntelligence.Default, names);
            }
            catch (ConnectionException e)
            {
                ThrowTerminatingError(Error(e));
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var query = new ConnectionQuery
            {
                All = All,
                ProcessIds = ProcessId ?? Array.Empty<int>(),
                ProcessNames = ProcessName ?? Array.Empty<string>(),
            };
            if (Watch) RunWatch(inventory, query);
            else
            {
                var list = ReadOrStop(inventory, query);
                Explain(inventory, list);
                foreach (var c in list) WriteObject(c);
            }
        }

        private List<Connection> ReadOrStop(ConnectionInventory inventory, ConnectionQuery query)
        {
            try { return inventory.Read(query); }
            catch (ConnectionException e)
            {
                ThrowTerminatingError(Error(e));
                throw;
            }
        }

        private void RunWatch(ConnectionInventory inventory, ConnectionQuery query)
        {
            var watcher = new ConnectionWatcher(() => ReadOrStop(inventory, query));
            var clock = Stopwatch.StartNew();
            bool first = true;
            while (!_cancel.IsCancellationRequested)
            {
                var events = watcher.Poll();
                if (first)
                {
                    Explain(inventory, watcher.Current.ToList());
                    first = false;
                }
                foreach (var e in events) WriteObject(e);
                if (Duration is TimeSpan d && clock.Elapsed >= d) break;
                var wait = Interval;
                if (Duration is TimeSpan limit && limit - clock.Elapsed < wait) wait = limit - clock.Elapsed;
                if (wait > TimeSpan.Zero && _cancel.Token.WaitHandle.WaitOne(wait)) break;
            }
        }

        /// <summary>Warnings: what the platform cannot give, connections left unattributed and why, no WeChat process found.</summary>
        private void Explain(ConnectionInventory inventory, IReadOnlyCollection<Connection> list)
        {
            foreach (string limit in inventory.Limitations) WriteVerbose(limit);
            // Connections no process could be attributed to may be WeChat's (run by another user): say which and why, listed or not.
            // Without -All only those to WeChat's servers matter; the others are counted in the verbose stream.
            bool everything = All && ProcessId is null && ProcessName is null;
            var unattributed = everything ? inventory.Unattributed : inventory.Unattributed.Where(ConnectionInventory.IsWeChatServer).ToList();
            if (unattributed.Count < inventory.Unattributed.Count)
                WriteVerbose($"{inventory.Unattributed.Count - unattributed.Count} other connection(s) could not be attributed to a process (-All lists them with the reason).");
            foreach (var group in unattributed.GroupBy(c => c.Attribution))
                WriteWarning($"{group.Count()} connection(s) could not be attributed to a process ({string.Join(", ", group.Take(3).Select(c => $"{c.LocalAddress}:{c.LocalPort} -> {c.RemoteAddress}:{c.RemotePort}"))}" +
                             $"{(group.Count() > 3 ? ", ..." : "")}{(All ? "" : "; -All lists them")}): {group.Key}");
            if (!All && ProcessId is null && ProcessName is null && list.Count == 0)
                WriteVerbose("No connection of a WeChat process (" + string.Join(", ", WeChatProcesses.Names) + ") was found.");
        }

        private static ErrorRecord Error(ConnectionException e) => new ErrorRecord(e, e.ErrorId,
            e.ErrorId == ConnectionException.NotSupported ? ErrorCategory.NotImplemented : ErrorCategory.ResourceUnavailable, null);

        protected override void StopProcessing() => _cancel.Cancel();
    }
}
