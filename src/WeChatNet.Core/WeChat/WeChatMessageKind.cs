using System;
using WeChatNet.Packets;

namespace WeChatNet
{
    /// <summary>Values of the -Kind filter: one per output type.</summary>
    public enum WeChatMessageKind
    {
        LongLinkFrame,
        MmtlsRecord,
        ShortLinkExchange,
        Dispatch,
        DnsMessage,
        VoipPacket,
        StreamEvent,
    }
}
