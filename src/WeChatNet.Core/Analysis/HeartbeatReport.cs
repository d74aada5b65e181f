using System;

namespace WeChatNet
{
    /// <summary>Heartbeat behaviour of one long link: output of Measure-WeChatHeartbeat. Plain data.</summary>
    public sealed class HeartbeatReport
    {
        /// <summary>The capture file the long link was first seen in (its flow's File).</summary>
        public string? File { get; set; }
        /// <summary>The long link's flow id (as in Get-WeChatFlow).</summary>
        public int FlowId { get; set; }
        public string Client { get; set; } = "";
        public string Server { get; set; } = "";
        /// <summary>The server's address without the port (as Flow.ServerAddress), so a report pipes by property name
        /// into Get-WeChatIpInfo and Get-WeChatRoute.</summary>
        public string ServerAddress { get; set; } = "";
        public int ServerPort { get; set; }
        public string? Host { get; set; }
        public DateTimeOffset Start { get; set; }
        public DateTimeOffset End { get; set; }
        /// <summary>Plaintext (frames read), Decrypted (frames read from MMTLS records a key log decrypted: real heartbeat commands),
        /// SizeAndTiming (MMTLS records classified by size and timing: an inference) or Mixed (decrypted where the key log verified).</summary>
        public string Method { get; set; } = "Plaintext";
        /// <summary>Heartbeat requests the client sent.</summary>
        public int Count { get; set; }
        public int Replies { get; set; }
        /// <summary>Requests with no reply within the deadline (8 s).</summary>
        public int Missed { get; set; }
        /// <summary>Seconds between consecutive heartbeat requests, in order; the first runs from the connection's start.</summary>
        public double[] IntervalsSec { get; set; } = Array.Empty<double>();
        public double? IntervalMinSec { get; set; }
        public double? IntervalMedianSec { get; set; }
        public double? IntervalMaxSec { get; set; }
        /// <summary>Heartbeat reply latency as the client waited for it: measured where the capture sat, plus the round trip from there to
        /// the client (Flow.ClientSideRttMs), so a capture at the server or a router gives the client's figure too.</summary>
        public double? ReplyLatencyP50Ms { get; set; }
        public double? ReplyLatencyP95Ms { get; set; }
        /// <summary>How the interval series moves, in words (e.g. "Mars smart heartbeat probing up from 210 s").</summary>
        public string Pattern { get; set; } = "";
        /// <summary>How the link ended: Open (still up at the end of the capture), ClosedByClient, ClosedByServer, ResetByClient, ResetByServer,
        /// or Replaced (no close seen, but the client opened its next long link after this one fell silent: what a capture at the server,
        /// or beyond a NAT that dropped the link, sees of a death).</summary>
        public string Ending { get; set; } = "Open";
        /// <summary>The link died: a heartbeat went unanswered, then the link was closed (or, Replaced, the client gave it up for a new one).</summary>
        public bool Died { get; set; }
        /// <summary>The silence the link did not survive, in seconds: for a death, from the last server message to the heartbeat
        /// that went unanswered; otherwise to the close. A NAT or carrier idle timeout shows here.</summary>
        public double? IdleBeforeEndSec { get; set; }
        /// <summary>The next long link the client opened after this one ended, if any.</summary>
        public int? ReconnectFlowId { get; set; }
        public string? ReconnectServer { get; set; }
        public double? ReconnectAfterMs { get; set; }
        /// <summary>How many long links this client opened in the capture after this one.</summary>
        public int Reconnects { get; set; }
    }
}
