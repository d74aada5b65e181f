using WeChatNet.Packets;
using WeChatNet.WeChat;

namespace WeChatNet.Analysis
{
    /// <summary>
    /// What the flow table needs of one packet: filled from the packet views by the caller (no reference to
    /// capture types here, so analysis can be fed from files, live capture or tests alike).
    /// </summary>
    internal struct FlowPacket
    {
        public long TimestampNs;
        public IpKey Source;
        public IpKey Destination;
        public ushort SourcePort;
        public ushort DestinationPort;
        /// <summary>6 TCP, 17 UDP.</summary>
        public byte Protocol;
        public TcpFlags TcpFlags;
        public uint Sequence;
        public uint Acknowledgment;
        /// <summary>Raw (unscaled) window field.</summary>
        public ushort Window;
        /// <summary>Transport payload length as sent (from the IP header), even when the capture cut it short.</summary>
        public int PayloadLength;
        /// <summary>Original length of the frame on the wire.</summary>
        public int FrameLength;

        public bool Has(TcpFlags flag) => (TcpFlags & flag) != 0;
    }
}
