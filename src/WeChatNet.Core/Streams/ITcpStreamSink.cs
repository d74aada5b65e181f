using System;
using WeChatNet.Packets;

namespace WeChatNet.Streams
{
    /// <summary>What a reassembled byte stream is delivered to: in-order data, skipped gaps, and its end.</summary>
    internal interface ITcpStreamSink
    {
        /// <summary>Next bytes of the stream, in order, each byte once. The span is only valid during the call.</summary>
        void OnData(ReadOnlySpan<byte> data, long timestampTicks);

        /// <summary><paramref name="missingBytes"/> bytes were never seen (missed capture) and were skipped.</summary>
        void OnGap(long missingBytes, long timestampTicks);

        /// <summary>The stream ended; no further calls follow.</summary>
        void OnEnd(TcpStreamEnd reason, long timestampTicks);
    }
}
