using System;
using System.Collections.Generic;

namespace WeChatNet.Analysis
{
    /// <summary>
    /// WeChat's own connections as Invoke-WeChatDiagnostic -Live saw them while its other checks ran: the facts of the
    /// live connection rules (WeChatNotRunning, NoLongLink, LongLinkOtherRegion, LongLinkSlowRoundTrip,
    /// LongLinkRetransmitting, LongLinkReconnects).
    /// </summary>
    internal sealed class LiveConnectionFacts
    {
        /// <summary>WeChat's processes running, as "name (pid)".</summary>
        public IReadOnlyList<string> WeChatProcesses { get; set; } = Array.Empty<string>();
        /// <summary>The process names looked for.</summary>
        public IReadOnlyList<string> ProcessNames { get; set; } = Array.Empty<string>();
        /// <summary>WeChat's connections at the end, long links first; null when the socket table could not be read.</summary>
        public IReadOnlyList<Connection>? Connections { get; set; }
        /// <summary>Each connection as first seen (by <see cref="Connection.EndpointKey"/>), to see its counters climb.</summary>
        public IReadOnlyDictionary<string, Connection> FirstReadings { get; set; } = new Dictionary<string, Connection>();
        /// <summary>Opened, Closed and Changed while watching.</summary>
        public IReadOnlyList<ConnectionEvent> Events { get; set; } = Array.Empty<ConnectionEvent>();
        public double WatchSeconds { get; set; }
        /// <summary>Why the connections were not read (a platform without a socket table...); null when they were.</summary>
        public string? Skipped { get; set; }
    }
}
