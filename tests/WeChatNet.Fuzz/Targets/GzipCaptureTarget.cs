using WeChatNet.Capture;

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

        /// <summary>Inflated data is real data: the window may grow to the reader's 16 MiB record cap for it (doubling as it arrives).</summary>
        public override long AllocationBudget(int inputLength) => 3L * CaptureFileReader.MaxBlockLength + 64L * inputLength;
    }
}
