using System;
using WeChatNet.Packets;

namespace WeChatNet.Streams
{
    /// <summary>
    /// One TCP segment of one direction, abstracted from where it came from (capture file, live capture, a test):
    /// sequence number, flags, payload and a timestamp in UTC ticks. The payload is only borrowed for the call.
    /// </summary>
    internal readonly ref struct StreamSegment
    {
        public StreamSegment(uint sequence, TcpFlags flags, ReadOnlySpan<byte> payload, long timestampTicks)
        {
            Sequence = sequence;
            Flags = flags;
            Payload = payload;
            TimestampTicks = timestampTicks;
        }

        public uint Sequence { get; }
        public TcpFlags Flags { get; }
        public ReadOnlySpan<byte> Payload { get; }
        public long TimestampTicks { get; }
    }
}
