using System;
using System.Collections.Generic;
using System.IO;

namespace WeChatNet
{
    /// <summary>What Export-WeChatCapture wrote (emitted with -PassThru).</summary>
    public sealed class CaptureFileSummary
    {
        public string Path { get; set; } = "";
        /// <summary>PcapNg or Pcap.</summary>
        public string Format { get; set; } = "";
        public long PacketCount { get; set; }
        public int InterfaceCount { get; set; }
        public long Bytes { get; set; }
    }
}
