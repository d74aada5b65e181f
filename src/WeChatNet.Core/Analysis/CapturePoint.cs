namespace WeChatNet
{
    /// <summary>
    /// Where a flow was captured, told from its own timing (Flow.CapturePoint): the side whose round trip to the capture
    /// point is near zero is the side the capture sat on. docs/findings.md explains how it is decided.
    /// </summary>
    public enum CapturePoint
    {
        /// <summary>Nothing tells: a UDP flow, no handshake or data/ACK timed both ways, or both sides under a millisecond away.</summary>
        Unknown,
        /// <summary>At the client (the phone, the PC): the client answers at once, the server one path round trip later.</summary>
        Client,
        /// <summary>At the server: the server answers at once, the client one path round trip later.</summary>
        Server,
        /// <summary>In between (a router, a mirror port, a firewall): both sides take a share of the path's round trip.</summary>
        InBetween,
    }
}
