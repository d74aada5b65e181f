using System;
using WeChatNet.WeChat;

namespace WeChatNet.Fuzz.Targets
{
    /// <summary>
    /// The HTTP stream reader on one direction of a stream, delivered in pieces. Input: one control byte (bit 0: the
    /// responses direction; bits 1-6: the piece size, 0 for one piece; bit 7: the next response answers HEAD), then the
    /// stream. Contract: Feed never throws, a message keeps at most MaxBodyBytes, DecodedBody stays within
    /// MaxDecodedBytes, and End completes or drops the last message.
    /// </summary>
    internal sealed class HttpTarget : FuzzTarget
    {
        private const int MaxHeaderBytes = 16 * 1024, MaxBodyBytes = 64 * 1024, MaxDecodedBytes = 256 * 1024;
        private HttpLimits? _limits;

        public override string Name => "http";
        public override string Description => "HTTP/1.x stream reader: start line, headers, Content-Length, chunked, until close, gzip/deflate bodies";
        public override long AllocationBudget(int inputLength) => 8L * MaxDecodedBytes + 4L * MaxBodyBytes + 64L * inputLength;

        /// <summary>A seed's bytes for a stream.</summary>
        public static byte[] Encode(bool responses, int pieceSize, byte[] stream)
        {
            var input = new byte[stream.Length + 1];
            input[0] = (byte)((responses ? 1 : 0) | ((pieceSize & 0x3F) << 1));
            stream.CopyTo(input, 1);
            return input;
        }

        public override void Run(byte[] input)
        {
            if (input.Length == 0) return;
            // Made inside the fuzz loop: under afl the instrumented core may run only inside SharpFuzz's Run.
            var limits = _limits ??= new HttpLimits { MaxHeaderBytes = MaxHeaderBytes, MaxBodyBytes = MaxBodyBytes, MaxDecodedBytes = MaxDecodedBytes };
            bool responses = (input[0] & 1) != 0;
            int piece = (input[0] >> 1) & 0x3F;
            bool head = (input[0] & 0x80) != 0;
            int messages = 0;
            var reader = new HttpStreamReader(responses, limits, m =>
            {
                messages++;
                Require(m.Body.Length <= limits.MaxBodyBytes, $"a {m.Body.Length}-byte body kept over the {limits.MaxBodyBytes} cap");
                Require(m.BodyLength >= m.Body.Length, "a body length below the kept bytes");
                var decoded = m.DecodedBody(limits.MaxDecodedBytes, out _);
                Require(decoded is null || decoded.Length <= limits.MaxDecodedBytes, $"a body decoded to {decoded?.Length} bytes over the cap");
                _ = m.Header("Content-Type");
            });
            reader.NextResponseHasNoBody = () => head;
            ReadOnlySpan<byte> data = input.AsSpan(1);
            int step = piece == 0 ? Math.Max(1, data.Length) : piece;
            for (int at = 0; at < data.Length; at += step)
            {
                if (!reader.Feed(data.Slice(at, Math.Min(step, data.Length - at)), at, out string? stop))
                {
                    Require(!string.IsNullOrEmpty(stop), "Feed stopped without a reason");
                    break;
                }
            }
            reader.End(data.Length);
            Require(messages <= data.Length + 1, $"{messages} messages from {data.Length} bytes");
        }
    }
}
