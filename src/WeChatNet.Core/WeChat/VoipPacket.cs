namespace WeChatNet
{
    /// <summary>A UDP datagram that matches the unverified VoIP heuristic. Always labelled Probable, never certain.</summary>
    public sealed class VoipPacket : WeChatMessage
    {
        public override string Kind => "VoipPacket";
        public string Confidence => "Probable";
        public int PayloadLength { get; internal set; }
        /// <summary>First payload byte, e.g. 0xD5.</summary>
        public string FirstByte { get; internal set; } = "";
        /// <summary>Which rule matched: "90-103 bytes starting 0xD5" or "96 bytes starting 0xA3".</summary>
        public string Rule { get; internal set; } = "";

        public override string Summary => $"Probable VoIP {PayloadLength} bytes starting {FirstByte}";
    }
}
