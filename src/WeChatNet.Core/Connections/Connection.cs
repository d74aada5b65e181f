using System;

namespace WeChatNet
{
    /// <summary>
    /// One TCP connection of this machine from the kernel's socket table, with its process, WeChat host and role, region
    /// and owner, and the kernel's own statistics (output of Get-WeChatConnection). Plain data. A statistic the platform
    /// cannot give is null, never 0 (the help page says which platform gives which).
    /// </summary>
    public sealed class Connection
    {
        /// <summary>Always Tcp (the socket table of TCP; WeChat's UDP has no connection state to read).</summary>
        public string Protocol { get; set; } = "Tcp";
        /// <summary>The owning process; null when it could not be attributed (see <see cref="Attribution"/>).</summary>
        public int? ProcessId { get; set; }
        /// <summary>The process name (Linux: /proc/PID/comm; Windows: the image name without .exe).</summary>
        public string? ProcessName { get; set; }
        /// <summary>The socket's owner as a user name (Linux; null where the system does not say).</summary>
        public string? User { get; set; }
        public string LocalAddress { get; set; } = "";
        public int LocalPort { get; set; }
        public string RemoteAddress { get; set; } = "";
        public int RemotePort { get; set; }
        /// <summary>The TCP state: Established, SynSent, SynReceived, FinWait1, FinWait2, TimeWait, Closed, CloseWait, LastAck, Closing, DeleteTcb.</summary>
        public string State { get; set; } = "";
        /// <summary>The remote host's name where one is known; null otherwise.</summary>
        public string? Host { get; set; }
        /// <summary>Where the name came from: Dispatch (a -Dispatch answer), HostsFile, Resolved (-Resolve), DnsCache (Windows).</summary>
        public string? HostSource { get; set; }
        /// <summary>The role from WeChat's catalog (LongLink, ShortLink, Dispatch, Media, ...); for an unnamed server, LongLink when
        /// a WeChat process holds it on port 8080 (see <see cref="RoleSource"/>); null when unknown.</summary>
        public string? Role { get; set; }
        /// <summary>Catalog (the host's name matched WeChat's catalog) or Port (a WeChat process's unnamed connection to port 8080).</summary>
        public string? RoleSource { get; set; }
        /// <summary>Why the connection is listed as WeChat's: Process (a WeChat process holds it) or Endpoint (a process the user
        /// named talks to one of WeChat's servers); null for the other connections -All lists.</summary>
        public string? MatchedBy { get; set; }
        /// <summary>The remote address's region, as Get-WeChatIpInfo gives it.</summary>
        public string? Region { get; set; }
        /// <summary>Tencent when the remote address is in a Tencent AS, as Get-WeChatIpInfo gives it.</summary>
        public string? Owner { get; set; }
        /// <summary>Smoothed round-trip time (ms).</summary>
        public double? RttMs { get; set; }
        /// <summary>Round-trip time variation (ms).</summary>
        public double? RttVarMs { get; set; }
        /// <summary>Segments retransmitted over the connection's life.</summary>
        public long? Retransmissions { get; set; }
        /// <summary>Segments the kernel currently counts as lost (Linux tcpi_lost).</summary>
        public long? LostSegments { get; set; }
        /// <summary>Congestion window, in segments (Linux) or bytes (Windows: see the help page).</summary>
        public long? CongestionWindow { get; set; }
        public long? BytesSent { get; set; }
        public long? BytesReceived { get; set; }
        /// <summary>Milliseconds since data was last sent.</summary>
        public double? LastSendMs { get; set; }
        /// <summary>Milliseconds since data was last received.</summary>
        public double? LastReceiveMs { get; set; }
        /// <summary>Seconds since the connection was created, where the system records it (Windows); null on Linux.</summary>
        public double? AgeSec { get; set; }
        /// <summary>Why <see cref="ProcessId"/> is null (another user's socket, a closed socket...); null when attributed.</summary>
        public string? Attribution { get; set; }
        /// <summary>Where the row and statistics came from: sock_diag (Linux), GetExtendedTcpTable and EStats (Windows).</summary>
        public string Source { get; set; } = "";
        /// <summary>When the socket table was read.</summary>
        public DateTimeOffset Timestamp { get; set; }

        /// <summary>The connection's identity across readings: both endpoints (unique while the connection lives).</summary>
        internal string EndpointKey => $"{LocalAddress}|{LocalPort}|{RemoteAddress}|{RemotePort}";

        public override string ToString() => $"{ProcessName ?? "?"} {LocalAddress}:{LocalPort} -> {RemoteAddress}:{RemotePort} {State}";
    }
}
