using System;
using System.Collections.Generic;
using WeChatNet.Packets;
using WeChatNet.Streams;
using WeChatNet.WeChat;

namespace WeChatNet.Fuzz.Targets
{
    /// <summary>
    /// One direction of a WeChat TCP stream through the decoder ConvertFrom-WeChatPacket uses (reassembly, protocol
    /// detection, then long-link frames, MMTLS records or HTTP), delivered as segments. Input: one control byte (bits
    /// 0-5: the segment size, 0 for one segment; bit 6: the server's direction; bit 7: a 100-byte hole after the first
    /// segment, so the decoder resynchronises), then the stream. Contract: nothing throws, every message formats, and
    /// the reassembly budget is back to zero once the stream is released.
    /// </summary>
    internal abstract class StreamTarget : FuzzTarget
    {
        /// <summary>
        /// Made on first use inside the fuzz loop: under afl the instrumented core may run only inside SharpFuzz's Run.
        /// </summary>
        protected static WeChatDecodeOptions Bounded() => new WeChatDecodeOptions
        {
            Reassembly = new TcpReassemblyOptions { MaxBufferedBytesPerStream = 64 * 1024, MaxBufferedBytesTotal = 256 * 1024, MaxBufferedSegmentsPerStream = 64, MaxConnections = 8 },
            Http = new HttpLimits { MaxBodyBytes = 64 * 1024, MaxHeaderBytes = 16 * 1024, MaxDecodedBytes = 256 * 1024 },
            MaxFrameLength = 1024 * 1024,
        };

        /// <summary>MMTLS handshake bodies (64 KiB) and record bodies kept for decryption, HTTP bodies, reassembly buffers.</summary>
        public override long AllocationBudget(int inputLength) => 16L * 1024 * 1024 + 256L * inputLength;

        /// <summary>The decoder's options (built once, on the first input).</summary>
        protected abstract WeChatDecodeOptions Options { get; }

        /// <summary>A seed's bytes for a stream.</summary>
        public static byte[] Encode(bool server, int segmentSize, bool hole, byte[] stream)
        {
            var input = new byte[stream.Length + 1];
            input[0] = (byte)((segmentSize & 0x3F) | (server ? 0x40 : 0) | (hole ? 0x80 : 0));
            stream.CopyTo(input, 1);
            return input;
        }

        public override void Run(byte[] input)
        {
            if (input.Length == 0) return;
            int size = input[0] & 0x3F;
            bool server = (input[0] & 0x40) != 0;
            bool hole = (input[0] & 0x80) != 0;
            ReadOnlySpan<byte> data = input.AsSpan(1);

            var output = new List<object>();
            var decoder = new WeChatTrafficDecoder(Options, output.Add);
            var conn = new WeChatConnection(decoder, default, 0, default, 0, 0, lone: true);
            var stream = server ? conn.ServerStream : conn.ClientStream;
            int step = size == 0 ? Math.Max(1, data.Length) : size;
            uint seq = 1000;
            for (int at = 0; at < data.Length; at += step)
            {
                var piece = data.Slice(at, Math.Min(step, data.Length - at));
                stream.Add(new StreamSegment(seq, TcpFlags.Ack | TcpFlags.Psh, piece, at));
                seq += (uint)piece.Length;
                if (hole && at == 0) seq += 100;
            }
            conn.Release(TcpStreamEnd.EndOfInput, data.Length);
            Require(decoder.Budget.Used == 0, $"{decoder.Budget.Used} reassembly bytes still held after the stream was released");

            // The same bytes as a lone payload (ConvertFrom-WeChatPacket -Payload).
            decoder.AddPayload(data, 0);
            decoder.Complete();
            Require(decoder.Budget.Used == 0, $"{decoder.Budget.Used} reassembly bytes still held after Complete");
            foreach (var o in output) Require(o.ToString() != null, "a message that does not format");
            Extra(data);
        }

        /// <summary>Further readers of the same bytes (MMTLS short-link bodies).</summary>
        protected virtual void Extra(ReadOnlySpan<byte> data) { }
    }
}
