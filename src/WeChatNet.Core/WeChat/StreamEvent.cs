namespace WeChatNet
{
    /// <summary>Something that happened to a TCP stream rather than a message in it: a gap, a reset, a close, decoding stopping.</summary>
    public sealed class StreamEvent : WeChatMessage
    {
        public override string Kind => "StreamEvent";
        /// <summary>Gap (bytes never captured, skipped), Reset (RST), Closed (FIN both ways or idle), DecodingStopped.</summary>
        public string Event { get; internal set; } = "";
        /// <summary>For a gap: bytes skipped.</summary>
        public long Bytes { get; internal set; }
        public string Reason { get; internal set; } = "";

        public override string Summary => Event switch
        {
            "Gap" => $"Gap: {Bytes} bytes missing from the capture, skipped",
            _ => Reason.Length > 0 ? Event + ": " + Reason : Event,
        };
    }
}
