using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;

namespace WeChatNet.WeChat
{
    /// <summary>Builds <see cref="MmtlsRecord"/> output from record headers, and reads the records of a short-link body.</summary>
    internal static class MmtlsRecords
    {
        /// <summary>Records read from one body at most; the rest is reported as a problem.</summary>
        public const int MaxRecordsPerBody = 4096;
        /// <summary>Application-data body size of an encrypted heartbeat (16-byte frame + 16-byte GCM tag).</summary>
        public const int HeartbeatRecordLength = 0x20;

        public static MmtlsRecord Create(in MmtlsRecordHeader h, byte[]? handshakeBody, long index, string carrier) =>
            Create(in h, handshakeBody, handshakeBody?.Length ?? 0, index, carrier);

        /// <summary>A record whose body (when kept) is the first <paramref name="bodyLength"/> bytes of <paramref name="body"/>; handshake bodies are read.</summary>
        public static MmtlsRecord Create(in MmtlsRecordHeader h, byte[]? body, int bodyLength, long index, string carrier)
        {
            var r = new MmtlsRecord
            {
                Carrier = carrier,
                ContentType = MmtlsRecordHeader.TypeName(h.Type),
                ContentTypeCode = h.Type,
                Version = "0x" + h.Version.ToString("X4"),
                Length = h.BodyLength,
                RecordIndex = index,
            };
            if (h.Type == MmtlsRecordHeader.ApplicationData && h.BodyLength == HeartbeatRecordLength && carrier == "LongLink")
                r.Interpretation = "ProbableHeartbeat";
            bool handshake = h.Type == MmtlsRecordHeader.Handshake || h.Type == MmtlsRecordHeader.EarlyDataHandshake;
            if (handshake && body != null && bodyLength > 0) ApplyHandshake(r, new ReadOnlySpan<byte>(body, 0, bodyLength));
            return r;
        }

        /// <summary>Whether a key log could decrypt this record: every record except a clear-text hello.</summary>
        public static bool IsDecryptionCandidate(MmtlsRecord r) => r.HandshakeType != "ClientHello" && r.HandshakeType != "ServerHello";

        /// <summary>Puts what decryption found into the record; the plaintext itself only when identifiers are shown.</summary>
        internal static void ApplyDecryption(MmtlsRecord r, in MmtlsDecryption d, bool showPlaintext)
        {
            r.DecryptionStatus = d.Status.ToString();
            r.DecryptionNote = d.Note;
            r.Tail = d.Tail;
            if (!d.Decrypted) return;
            r.Decrypted = true;
            r.PlaintextLength = d.Length;
            r.Sequence = (long)d.Sequence;
            if (r.Interpretation == "ProbableHeartbeat") r.Interpretation = "";
            if (showPlaintext) r.Plaintext = new ReadOnlySpan<byte>(d.Plaintext, 0, d.Length).ToArray();
        }

        private static void ApplyHandshake(MmtlsRecord r, ReadOnlySpan<byte> body)
        {
            var info = MmtlsHandshake.Read(body);
            r.HandshakeType = info.MessageType;
            if (info.Version != 0) r.HandshakeVersion = "0x" + info.Version.ToString("X4");
            r.CipherSuites = info.CipherSuites.Select(MmtlsHandshake.SuiteName).ToArray();
            if (info.Random != null) r.Random = Hex(info.Random);
            if (info.Timestamp.HasValue) r.HelloTime = DateTimeOffset.FromUnixTimeSeconds(info.Timestamp.Value);
            r.ExtensionTypes = info.ExtensionTypes.Select(MmtlsHandshake.ExtensionName).ToArray();
            if (info.Problem != null) r.Problem = info.Problem;
        }

        /// <summary>
        /// Every record of a body that is a sequence of MMTLS records (a short-link request or response). Stops at the
        /// first header that is not MMTLS or a record that overruns the body, saying where in <paramref name="problem"/>.
        /// </summary>
        public static List<MmtlsRecord> ReadAll(ReadOnlySpan<byte> body, string carrier, out string? problem) => ReadAll(body, carrier, out problem, null);

        /// <summary>As <see cref="ReadAll(ReadOnlySpan{byte}, string, out string?)"/>; <paramref name="offsets"/> gets each record's header offset in the body.</summary>
        public static List<MmtlsRecord> ReadAll(ReadOnlySpan<byte> body, string carrier, out string? problem, List<int>? offsets)
        {
            problem = null;
            var list = new List<MmtlsRecord>();
            int offset = 0;
            while (offset < body.Length)
            {
                if (list.Count >= MaxRecordsPerBody) { problem = $"more than {MaxRecordsPerBody} records; the rest was not read"; break; }
                if (!MmtlsRecordHeader.TryRead(body.Slice(offset), out var h, out var reason))
                {
                    problem = $"{reason} at body offset {offset}";
                    break;
                }
                if (h.BodyLength > body.Length - offset - MmtlsRecordHeader.Length)
                {
                    problem = $"record of {h.BodyLength} bytes at body offset {offset} overruns the body";
                    break;
                }
                var recordBody = body.Slice(offset + MmtlsRecordHeader.Length, h.BodyLength);
                bool handshake = h.Type == MmtlsRecordHeader.Handshake || h.Type == MmtlsRecordHeader.EarlyDataHandshake;
                list.Add(Create(in h, handshake ? recordBody.ToArray() : null, list.Count + 1, carrier));
                offsets?.Add(offset);
                offset += MmtlsRecordHeader.Length + h.BodyLength;
            }
            if (problem != null && list.Count > 0 && list[list.Count - 1].Problem.Length == 0) list[list.Count - 1].Problem = "followed by: " + problem;
            return list;
        }

        internal static string Hex(ReadOnlySpan<byte> data)
        {
            var c = new char[data.Length * 2];
            const string digits = "0123456789abcdef";
            for (int i = 0; i < data.Length; i++) { c[2 * i] = digits[data[i] >> 4]; c[2 * i + 1] = digits[data[i] & 0xF]; }
            return new string(c);
        }
    }
}
