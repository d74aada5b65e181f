using System;
using WeChatNet.WeChat;

namespace WeChatNet.Fuzz.Targets
{
    /// <summary>
    /// MMTLS records through the stream decoder with the sample key log loaded (so the seeds from the key-log sample
    /// reach decryption and the decrypted long link), and the same bytes as a short-link body
    /// (<see cref="MmtlsRecords.ReadAll(ReadOnlySpan{byte}, string, out string?)"/>, handshake messages). See <see cref="StreamTarget"/>.
    /// </summary>
    internal sealed class MmtlsTarget : StreamTarget
    {
        private WeChatDecodeOptions? _options;

        public override string Name => "mmtls";
        public override string Description => "MMTLS records: headers, handshake messages (hello, extensions), decryption with a key log, short-link bodies";
        protected override WeChatDecodeOptions Options => _options ??= WithKeys();

        private static WeChatDecodeOptions WithKeys()
        {
            var options = Bounded();
            options.KeyLog = MmtlsKeyLog.Parse(SampleKeyLogText(), "sample key log");
            return options;
        }

        private static string SampleKeyLogText()
        {
            foreach (var name in SampleCaptureGenerator.Names)
            {
                var sample = SampleCaptureGenerator.Generate(name);
                if (sample.KeyLog != null) return sample.KeyLog;
            }
            throw new InvalidOperationException("no sample carries a key log");
        }

        protected override void Extra(ReadOnlySpan<byte> data)
        {
            var records = MmtlsRecords.ReadAll(data, "ShortLink", out string? problem);
            Require(records.Count <= data.Length / 5 + 1, $"{records.Count} records from {data.Length} bytes");
            foreach (var r in records) Require(r.ToString() != null, "a record that does not format");
            _ = problem;
        }
    }
}
