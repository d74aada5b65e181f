using System;
using System.Collections.Generic;
using System.Linq;

namespace WeChatNet.Connections
{
    /// <summary>
    /// Get-WeChatConnection -Watch: compares successive readings and reports connections that opened, closed (with their
    /// last statistics) or changed state. The first reading's connections come as Existing.
    /// </summary>
    internal sealed class ConnectionWatcher
    {
        private readonly Func<List<Connection>> _read;
        private Dictionary<string, Connection>? _last;

        public ConnectionWatcher(Func<List<Connection>> read) { _read = read ?? throw new ArgumentNullException(nameof(read)); }

        /// <summary>The latest reading (empty before the first).</summary>
        public IReadOnlyCollection<Connection> Current => (IReadOnlyCollection<Connection>?)_last?.Values ?? Array.Empty<Connection>();

        /// <summary>Reads once and returns what changed since the previous call (Existing for all on the first).</summary>
        public List<ConnectionEvent> Poll()
        {
            var now = _read();
            var events = new List<ConnectionEvent>();
            var next = new Dictionary<string, Connection>(StringComparer.Ordinal);
            foreach (var c in now) next[c.EndpointKey] = c;
            if (_last is null)
            {
                foreach (var c in now)
                    events.Add(new ConnectionEvent { Timestamp = c.Timestamp, Change = nameof(ConnectionChange.Existing), NewState = c.State, Connection = c });
                _last = next;
                return events;
            }
            var stamp = now.Count > 0 ? now[0].Timestamp : DateTimeOffset.Now;
            foreach (var kv in _last)
            {
                if (next.ContainsKey(kv.Key)) continue;
                events.Add(new ConnectionEvent { Timestamp = stamp, Change = nameof(ConnectionChange.Closed), OldState = kv.Value.State, NewState = "Closed", Connection = kv.Value });
            }
            foreach (var c in now)
            {
                if (!_last.TryGetValue(c.EndpointKey, out var before))
                    events.Add(new ConnectionEvent { Timestamp = c.Timestamp, Change = nameof(ConnectionChange.Opened), NewState = c.State, Connection = c });
                else if (before.State != c.State)
                    events.Add(new ConnectionEvent { Timestamp = c.Timestamp, Change = nameof(ConnectionChange.Changed), OldState = before.State, NewState = c.State, Connection = c });
            }
            _last = next;
            return events;
        }
    }
}
