using WeChatNet.Packets;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// Where a traffic decoder hands long-link frames instead of emitting a <see cref="LongLinkFrame"/> object for each
    /// (the capture analysis: the facts it keeps, no object per frame). <paramref name="fromClient"/> is the frame's
    /// direction, <paramref name="decrypted"/> whether it was read from a decrypted MMTLS record, <paramref name="ticks"/>
    /// when its last byte arrived (UTC ticks).
    /// </summary>
    internal delegate void LongLinkFrameSink(FlowKey flow, in LongLinkHeader header, bool fromClient, bool decrypted, long ticks);
}
