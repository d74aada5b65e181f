using System;
using WeChatNet.Packets;

namespace WeChatNet.Streams
{
    /// <summary>
    /// One TCP segment of one direction, abstracted from where it came from (capture file, live capture, a test):
    /// sequence number, flags, payload and a timestamp in UTC ticks. The payload is only borrowed for the call.
    /// </summary>
    public readonly ref struct StreamSegment
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

    /// <summary>Why a reassembled stream ended.</summary>
    public enum TcpStreamEnd
    {
        /// <summary>FIN seen and every byte before it delivered.</summary>
        Fin,
        /// <summary>RST seen.</summary>
        Reset,
        /// <summary>No segment for longer than the idle timeout.</summary>
        Idle,
        /// <summary>The input ended (end of capture) with the stream still open.</summary>
        EndOfInput,
        /// <summary>Evicted because too many streams were open at once.</summary>
        Evicted,
    }

    /// <summary>What a reassembled byte stream is delivered to: in-order data, skipped gaps, and its end.</summary>
    public interface ITcpStreamSink
    {
        /// <summary>Next bytes of the stream, in order, each byte once. The span is only valid during the call.</summary>
        void OnData(ReadOnlySpan<byte> data, long timestampTicks);

        /// <summary><paramref name="missingBytes"/> bytes were never seen (missed capture) and were skipped.</summary>
        void OnGap(long missingBytes, long timestampTicks);

        /// <summary>The stream ended; no further calls follow.</summary>
        void OnEnd(TcpStreamEnd reason, long timestampTicks);
    }
}
