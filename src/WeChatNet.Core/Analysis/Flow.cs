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
        /// <summary>Server host name from the best evidence the capture holds (see <see cref="HostSource"/>); for a DNS flow, the name it asked.</summary>
        public string? Host { get; set; }
        /// <summary>Where <see cref="Host"/> came from, best first: Sni (TLS ClientHello), HttpHost (a request's Host header),
        /// Dns or Dispatch (the answer the client used most recently before connecting), DnsQuery (a DNS flow's question); null when unnamed.</summary>
        public string? HostSource { get; set; }
        /// <summary>Role of the host (an EndpointRole name: LongLink, ShortLink, Dispatch, ...), when known; Dns for a DNS flow that asked for one of WeChat's names.</summary>
        public string? Role { get; set; }
        /// <summary>LongLink, ShortLink, Dispatch, Media, Web (Web WeChat and static resources), Dns or Other.</summary>
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
        /// <summary>First SYN to SYN/ACK, SYN retries included; null when the handshake was not captured.</summary>
        public double? HandshakeMs { get; set; }
        /// <summary>SYNs sent again (same initial sequence number) before the SYN/ACK came.</summary>
        public int SynRetries { get; set; }
        /// <summary>The last SYN to the SYN/ACK: the path's round trip at connect time, retries left out.</summary>
        public double? SynAckDelayMs { get; set; }
        /// <summary>Lowest round trip from the client's data to the server's ACK of it; null when no data was timed.</summary>
        public double? DataRttMs { get; set; }
        /// <summary>SYN/ACK to the client's ACK.</summary>
        public double? ClientAckMs { get; set; }
        /// <summary>Where the capture sat on this flow's path (Client, Server, InBetween, Unknown), told from the two halves below.</summary>
        public CapturePoint CapturePoint { get; set; }
        /// <summary>Round trip from the capture point to the server and back: the lowest of SYN to SYN/ACK and the client's data
        /// to the server's ACK; the whole path at the client, near zero at the server; null when neither was timed.</summary>
        public double? ServerSideRttMs { get; set; }
        /// <summary>Round trip from the capture point to the client and back: the lowest of SYN/ACK to the client's ACK and the
        /// server's data to the client's ACK; near zero at the client, the whole path at the server; null when neither was timed.</summary>
        public double? ClientSideRttMs { get; set; }
        /// <summary>The path's round trip, client to server and back, wherever the capture sat: both halves added (at the client the
        /// client's half is its own delay, at the server the server's); null when neither half was timed. Timing rules judge against it.</summary>
        public double? PathRttMs { get; set; }
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
        /// <summary>Retransmissions of data-carrying segments (retried SYNs and FINs are not counted here, only in Retransmissions).</summary>
        public int DataRetransmissions { get; set; }
        /// <summary>Segments that carried data, both ways (retransmissions included).</summary>
        public long DataSegments { get; set; }
        /// <summary>Retransmitted share of data-carrying segments (DataRetransmissions / data segments), 0..1.</summary>
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
