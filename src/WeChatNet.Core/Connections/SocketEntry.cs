using System.Net;

namespace WeChatNet.Connections
{
    /// <summary>One row of a platform's TCP socket table, before WeChat's naming: endpoints, state, owner and the kernel's statistics.</summary>
    internal sealed class SocketEntry
    {
        public IPAddress LocalAddress { get; set; } = IPAddress.Any;
        public int LocalPort { get; set; }
        public IPAddress RemoteAddress { get; set; } = IPAddress.Any;
        public int RemotePort { get; set; }
        public TcpState State { get; set; }
        /// <summary>Linux: the socket's owner uid (inet_diag_msg.idiag_uid).</summary>
        public uint? Uid { get; set; }
        /// <summary>Linux: the socket's inode (0 for a socket no process holds, such as TIME_WAIT).</summary>
        public ulong Inode { get; set; }
        public int? ProcessId { get; set; }
        public string? ProcessName { get; set; }
        public string? User { get; set; }
        public string? Attribution { get; set; }
        public double? RttMs { get; set; }
        public double? RttVarMs { get; set; }
        public long? Retransmissions { get; set; }
        public long? LostSegments { get; set; }
        public long? CongestionWindow { get; set; }
        public long? BytesSent { get; set; }
        public long? BytesReceived { get; set; }
        public double? LastSendMs { get; set; }
        public double? LastReceiveMs { get; set; }
        public double? AgeSec { get; set; }
        public string Source { get; set; } = "";

        /// <summary>The connection's identity across readings: both endpoints (a port pair is unique while the connection lives).</summary>
        public string Key => $"{LocalAddress}|{LocalPort}|{RemoteAddress}|{RemotePort}";
    }
}
