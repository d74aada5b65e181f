using System;
using System.Globalization;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// The business layer inside a decrypted MMTLS record: WeChat's own encryption of the request or response. An INNER key
    /// log entry is found by the last 8 bytes of the record's plaintext (the end of the business ciphertext's GCM tag, as
    /// the Citizen Lab's decoder finds it); the ciphertext starts after the business packet's header (0xBF, header length)
    /// or after its last <c>00 00</c> flag. Only a verified tag counts: where none verifies, the record says why.
    /// </summary>
    internal static class MmtlsInnerDecryptor
    {
        private const int MaxFlagCandidates = 4;

        /// <summary>
        /// Tries the INNER entries for a plaintext whose business packet starts at <paramref name="packetStart"/> (-1 when
        /// unknown). Sets the record's Inner* properties; nothing when the key log has no INNER entries.
        /// </summary>
        public static void Apply(MmtlsRecord record, MmtlsKeyLog log, byte[] plaintext, int length, int packetStart,
            MmtlsDecryptionTally tally, IdentifierMasker masker)
        {
            if (packetStart >= 0 && packetStart < length && plaintext[packetStart] == LegacyBusinessHeader.Magic
                && LegacyBusinessHeader.TryRead(new ReadOnlySpan<byte>(plaintext, packetStart, length - packetStart), out var h, out _))
            {
                string uin = h.Uin == 0 ? "0" : masker.Mask("uin", h.Uin.ToString(CultureInfo.InvariantCulture));
                record.InnerHeader = $"client 0x{h.ClientVersion:X8}, uin {uin}, crypto {h.Crypto}, compression {h.Compression}";
            }
            if (!log.HasInner || length < 8 + MmtlsAead.TagLength) return;
            var entries = log.FindInner(MmtlsKeyLog.TailKey(new ReadOnlySpan<byte>(plaintext, length - 8, 8)));
            if (entries is null)
            {
                record.InnerStatus = "NoEntry";
                record.InnerNote = "no INNER key log entry ends like this plaintext";
                return;
            }
            Span<int> starts = stackalloc int[MaxFlagCandidates + 1];
            int n = 0;
            if (record.InnerHeader.Length > 0)
            {
                int headerLength = plaintext[packetStart + 1] >> 2;
                if (headerLength > 0 && packetStart + headerLength <= length - MmtlsAead.TagLength) starts[n++] = packetStart + headerLength;
            }
            for (int i = length - MmtlsAead.TagLength - 2; i >= 0 && n < starts.Length; i--)
                if (plaintext[i] == 0 && plaintext[i + 1] == 0) starts[n++] = i + 2;
            var output = new byte[length];
            string lines = "";
            foreach (var e in entries)
            {
                lines += (lines.Length > 0 ? ", " : "") + e.Line.ToString(CultureInfo.InvariantCulture);
                if (e.Tag != null && !new ReadOnlySpan<byte>(plaintext, length - MmtlsAead.TagLength, MmtlsAead.TagLength).SequenceEqual(e.Tag)) continue;
                for (int i = 0; i < n; i++)
                {
                    if (!MmtlsAead.TryOpen(e.Key, e.Nonce, e.Metadata, plaintext, starts[i], length - starts[i], output)) continue;
                    record.InnerStatus = "Decrypted";
                    record.InnerPlaintextLength = length - starts[i] - MmtlsAead.TagLength;
                    record.InnerNote = $"INNER key log line {e.Line}; ciphertext at plaintext offset {starts[i]}";
                    tally.InnerDecrypted++;
                    return;
                }
            }
            tally.InnerTagMismatches++;
            record.InnerStatus = "TagMismatch";
            record.InnerNote = n == 0
                ? $"INNER key log line {lines} matches the plaintext's end, but no business ciphertext start was found (no 0xBF header or 00 00 flag)"
                : $"INNER key log line {lines} matches the plaintext's end, but its key and IV did not verify an AES-GCM tag at any of {n} ciphertext starts (an AES-CBC business layer cannot be verified and is not decrypted)";
        }
    }
}
