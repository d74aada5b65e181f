namespace WeChatNet.Fuzz.Targets
{
    /// <summary>
    /// The capture reader on gzip bytes (.pcap.gz, .pcapng.gz): corrupt, truncated and concatenated gzip members around
    /// either format. Same contract as <see cref="CaptureTarget"/>: damage in the compressed layer is a typed error.
    /// </summary>
    internal sealed class GzipCaptureTarget : CaptureTarget
    {
        public override string Name => "gzip";
        public override string Description => "capture file reader: gzip-compressed pcap and pcapng";
        public override void Run(byte[] input) => Read(input, compressed: true);
    }
}
