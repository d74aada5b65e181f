using WeChatNet.WeChat;

namespace WeChatNet.Analysis
{
    /// <summary>TCP flag bits as on the wire.</summary>
    public static class TcpFlagBits
    {
        public const byte Fin = 0x01;
        public const byte Syn = 0x02;
        public const byte Rst = 0x04;
        public const byte Psh = 0x08;
        public const byte Ack = 0x10;
        public const byte Urg = 0x20;
    }

    /// <summary>
    /// What the flow table needs of one packet: filled from the packet views by the caller (no reference to
    /// capture types here, so analysis can be fed from files, live capture or tests alike).
    /// </summary>
    public struct FlowPacket
    {
        public long TimestampNs;
        public IpKey Source;
        public IpKey Destination;
        public ushort SourcePort;
        public ushort DestinationPort;
        /// <summary>6 TCP, 17 UDP.</summary>
        public byte Protocol;
        public byte TcpFlags;
        public uint Sequence;
        public uint Acknowledgment;
        /// <summary>Raw (unscaled) window field.</summary>
        public ushort Window;
        /// <summary>Transport payload length as sent (from the IP header), even when the capture cut it short.</summary>
        public int PayloadLength;
        /// <summary>Original length of the frame on the wire.</summary>
        public int FrameLength;

        public bool Has(byte flag) => (TcpFlags & flag) != 0;
    }
}
