using System;
using System.Buffers.Binary;
using WeChatNet.Streams;

namespace WeChatNet.WeChat
{
    /// <summary>What a <see cref="StreamDecoder"/> reports to its connection.</summary>
    internal interface IStreamEvents
    {
        HttpLimits HttpLimits { get; }
        bool NextResponseIsToHead();
        void OnDetected(StreamDecoder stream, long ts);
        void OnFrame(StreamDecoder stream, in LongLinkHeader header, long ts);
        /// <summary>A complete record; <paramref name="body"/> holds its first <paramref name="bodyLength"/> bytes when kept (handshakes, or every record with a key log), in a buffer reused for the next record.</summary>
        void OnRecord(StreamDecoder stream, in MmtlsRecordHeader header, byte[]? body, int bodyLength, long index, long ts);
        void OnHttpMessage(StreamDecoder stream, HttpMessage message);
        void OnGap(StreamDecoder stream, long bytes, long ts);
        void OnDecodingStopped(StreamDecoder stream, string reason, long ts);
        void OnDnsMessage(StreamDecoder stream, ReadOnlySpan<byte> message, long ts);
        void OnServerName(StreamDecoder stream, string name, long ts);
        void OnEnd(StreamDecoder stream, TcpStreamEnd reason, long ts);
    }
}
