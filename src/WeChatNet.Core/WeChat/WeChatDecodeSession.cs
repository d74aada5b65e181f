using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using WeChatNet.Capture;
using WeChatNet.Streams;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// What ConvertFrom-WeChatPacket calls: one session per pipeline run. Packets (from Import-WeChatCapture),
    /// capture files and lone payloads go in; decoded messages come out in capture order. Capture-file damage comes
    /// out as <see cref="CaptureFileError"/> objects among the messages, for the cmdlet to report.
    /// </summary>
    internal sealed class WeChatDecodeSession
    {
        private static readonly long EpochTicks = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
        private readonly List<object> _pending = new List<object>();
        private readonly WeChatTrafficDecoder _decoder;

        public WeChatDecodeSession(WeChatDecodeOptions options)
        {
            _decoder = new WeChatTrafficDecoder(options, _pending.Add);
        }

        public WeChatTrafficDecoder Decoder => _decoder;
        public long PacketsSeen { get; private set; }
        public long PacketsSkipped { get; private set; }

        private IReadOnlyList<object> Take()
        {
            if (_pending.Count == 0) return Array.Empty<object>();
            var list = _pending.ToArray();
            _pending.Clear();
            return list;
        }

        /// <summary>One packet object; returns the messages it completed. Packets that are not TCP or UDP are skipped.</summary>
        public IReadOnlyList<object> AddPacket(Packet packet)
        {
            if (packet is null) throw new ArgumentNullException(nameof(packet));
            PacketsSeen++;
            long ticks = packet.TimestampNanoseconds != 0 ? EpochTicks + packet.TimestampNanoseconds / 100 : packet.Timestamp.UtcTicks;
            if (!_decoder.AddFrame((ushort)packet.LinkTypeNumber, packet.Data, ticks)) PacketsSkipped++;
            return Take();
        }

        /// <summary>A lone payload (long-link frames, MMTLS records, or one HTTP message). False when it is none of these.</summary>
        public IReadOnlyList<object> AddPayload(byte[] payload, out bool recognised)
        {
            recognised = _decoder.AddPayload(payload, DateTimeOffset.UtcNow.UtcTicks);
            return Take();
        }

        /// <summary>The input ended: open streams are released and their last messages returned.</summary>
        public IReadOnlyList<object> Complete()
        {
            _decoder.Complete();
            return Take();
        }

        /// <summary>
        /// Reads a capture file (pcap or pcapng, gzip or not) and yields its messages as they complete, with
        /// <see cref="CaptureFileError"/> objects for damage (reading resumes after it where the format allows).
        /// Does not call <see cref="Complete"/>, so several files can form one capture.
        /// <paramref name="progress"/> gets (bytes read, file length) every 4096 packets on the enumerating thread.
        /// </summary>
        public IEnumerable<object> ReadFile(string path, Action<CaptureProgress>? progress, CancellationToken cancellationToken)
        {
            using var reader = CaptureFileReader.Open(path);
            long n = 0;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var result = reader.ReadNext(out CaptureRecord record);
                if (result == CaptureReadResult.EndOfFile) break;
                if (result == CaptureReadResult.Error)
                {
                    if (reader.LastError != null) yield return reader.LastError;
                    continue;
                }
                PacketsSeen++;
                if (!_decoder.AddFrame(record.LinkType, record.Data, EpochTicks + record.TimestampNanoseconds / 100)) PacketsSkipped++;
                if (_pending.Count > 0)
                {
                    // yielded straight from the buffer (no copy per packet); nothing adds to it while the caller holds an item
                    for (int i = 0; i < _pending.Count; i++)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        yield return _pending[i];
                    }
                    _pending.Clear();
                }
                if ((++n & 4095) == 0) progress?.Invoke(new CaptureProgress(path, reader.Position, reader.Length, reader.PacketCount, PacketsSeen));
            }
            progress?.Invoke(new CaptureProgress(path, Math.Max(reader.Position, reader.Length), reader.Length, reader.PacketCount, PacketsSeen));
        }

        /// <summary>Bytes from hex text: spaces, colons, dashes and a 0x prefix are allowed. False with a reason otherwise.</summary>
        public static bool TryParseHex(string? text, out byte[] bytes, out string? error)
        {
            bytes = Array.Empty<byte>();
            error = null;
            if (string.IsNullOrWhiteSpace(text)) { error = "The hex string is empty."; return false; }
            string t = text!.Trim();
            if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) t = t.Substring(2);
            var digits = new List<char>(t.Length);
            for (int i = 0; i < t.Length; i++)
            {
                char c = t[i];
                if (c == ' ' || c == ':' || c == '-' || c == '\t' || c == '\r' || c == '\n') continue;
                if (!Uri.IsHexDigit(c)) { error = $"'{c}' at position {i} is not a hex digit."; return false; }
                digits.Add(c);
            }
            if (digits.Count % 2 != 0) { error = $"The hex string has an odd number of digits ({digits.Count})."; return false; }
            bytes = new byte[digits.Count / 2];
            for (int i = 0; i < bytes.Length; i++)
                bytes[i] = byte.Parse(new string(new[] { digits[2 * i], digits[2 * i + 1] }), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return true;
        }
    }
}
