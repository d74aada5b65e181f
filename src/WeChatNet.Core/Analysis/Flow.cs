using System;

namespace WeChatNet
{
    /// <summary>One conversation (TCP connection or UDP exchange) from a capture: output of Get-WeChatFlow. Plain data.</summary>
    public sealed class Flow
    {
        /// <summary>The capture file the flow was first seen in (full path); null for packets that came from no file (live capture without -OutFile).</summary>
        public string? File { get; set; }
        /// <summary>1-based, in order of each flow's first packet.</summary>
        public int Id { get; set; }
        /// <summary>Tcp or Udp.</summary>
        public string Protocol { get; set; } = "";
        /// <summary>"address:port" of the side that opened the conversation.</summary>
        public string Client { get; set; } = "";
        public string Server { get; set; } = "";
        public string ClientAddress { get; set; } = "";
        public int ClientPort { get; set; }
        public string ServerAddress { get; set; } = "";
        public int ServerPort { get; set; }
        /// <summary>How the client side was decided: Syn, SynAck, or Port (WeChat/service port side).</summary>
        public string ClientDecidedBy { get; set; } = "";
        /// <summary>Server host name when the capture named it (DNS answer, dispatch document, HTTP Host).</summary>
        public string? Host { get; set; }
        /// <summary>Catalog role of the host (LongLink, ShortLink, Dispatch, ...), when known.</summary>
        public string? Role { get; set; }
        /// <summary>LongLink, ShortLink, Dispatch, Media, Dns or Other.</summary>
        public string Kind { get; set; } = "Other";
        /// <summary>Region of the server address (MainlandChina, HongKong, Overseas, Private, Special, Unknown), when known.</summary>
        public string? Region { get; set; }
        /// <summary>Owner of the server address (e.g. Tencent), when known.</summary>
        public string? Owner { get; set; }
        public DateTimeOffset Start { get; set; }
        public DateTimeOffset End { get; set; }
        public double DurationMs { get; set; }
        public long Packets { get; set; }
        public long PacketsToServer { get; set; }
        public long PacketsToClient { get; set; }
        /// <summary>Frame bytes on the wire, both ways.</summary>
        public long Bytes { get; set; }
        public long BytesToServer { get; set; }
        public long BytesToClient { get; set; }
        /// <summary>Transport payload bytes each way.</summary>
        public long PayloadToServer { get; set; }
        public long PayloadToClient { get; set; }
        /// <summary>SYN (the last one sent) to SYN/ACK; null when the handshake was not captured.</summary>
        public double? HandshakeMs { get; set; }
        /// <summary>SYN/ACK to the client's ACK.</summary>
        public double? ClientAckMs { get; set; }
        public int Retransmissions { get; set; }
        public int SpuriousRetransmissions { get; set; }
        public int OutOfOrder { get; set; }
        public int DuplicateAcks { get; set; }
        public int ZeroWindows { get; set; }
        public int KeepAlives { get; set; }
        public int Resets { get; set; }
        /// <summary>None, Client, Server or Both.</summary>
        public string ResetBy { get; set; } = "None";
        /// <summary>Who closed first and then: e.g. "Client,Server", "Server", "" when nobody sent FIN.</summary>
        public string FinSequence { get; set; } = "";
        /// <summary>Sequence-space holes the capture never filled (data missed by the capture, or lost before it), and their bytes.</summary>
        public int CaptureGaps { get; set; }
        public long CaptureGapBytes { get; set; }
        /// <summary>Longest silence between two packets of the flow.</summary>
        public double MaxIdleMs { get; set; }
        /// <summary>Silences at least as long as the table's idle threshold, in milliseconds, in order.</summary>
        public double[] IdleGapsMs { get; set; } = Array.Empty<double>();
        /// <summary>Retransmitted share of data-carrying segments, 0..1.</summary>
        public double RetransmissionRate { get; set; }
        public bool Closed { get; set; }
        /// <summary>MMTLS records seen on this flow (long link straight on TCP, or inside short-link bodies).</summary>
        public int MmtlsRecords { get; set; }
        /// <summary>Long-link frames on this flow.</summary>
        public int LongLinkFrames { get; set; }
        /// <summary>Long-link frames by command, "Name=count", most frequent first (e.g. "Heartbeat=12").</summary>
        public string[] LongLinkCommands { get; set; } = Array.Empty<string>();
        /// <summary>Short-link (HTTP) request/response exchanges on this flow.</summary>
        public int ShortLinkExchanges { get; set; }
        /// <summary>Response time of each short-link exchange, in order, in milliseconds.</summary>
        public double[] ShortLinkResponseMs { get; set; } = Array.Empty<double>();

        public override string ToString() => $"{Id}: {Client} -> {Server} ({Protocol}, {Kind})";
    }
}
