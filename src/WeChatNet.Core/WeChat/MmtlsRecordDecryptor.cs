using System;
using System.Buffers.Binary;
using System.Globalization;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// Decrypts the records of one connection direction (a long link's, or one short-link HTTP body's) with a key log.
    /// A record is matched to entries by its tail and decrypted only when the GCM tag verifies. An entry without metadata
    /// gets its AAD built from the record's sequence (its position in the direction, corrected by what verified entries
    /// taught) and header. A record without an entry gets a nonce predicted from a verified neighbour (base IV XOR
    /// sequence, as in TLS 1.3), and counts only if that verifies too. Buffers are reused from record to record.
    /// </summary>
    internal sealed class MmtlsRecordDecryptor
    {
        private readonly MmtlsKeyLog _log;
        private readonly MmtlsDecryptionTally _tally;
        private readonly MmtlsGcmOpener _gcm = new MmtlsGcmOpener();
        private readonly byte[] _aad = new byte[13];
        private readonly byte[] _nonce = new byte[MmtlsAead.NonceLength];
        private readonly ulong[] _candidates = new ulong[4];
        private byte[] _plain = new byte[256];
        private byte[]? _key;
        private readonly byte[] _baseIv = new byte[MmtlsAead.NonceLength];
        private bool _haveBase;
        private long _sequenceOffset;
        private string _tail = "";

        public MmtlsRecordDecryptor(MmtlsKeyLog log, MmtlsDecryptionTally tally)
        {
            _log = log;
            _tally = tally;
        }

        /// <summary>
        /// Decrypts one record: <paramref name="body"/>[<paramref name="offset"/>..+<paramref name="count"/>] is its body
        /// (ciphertext then tag); <paramref name="position"/> its 0-based position in its direction.
        /// </summary>
        public MmtlsDecryption Decrypt(in MmtlsRecordHeader header, byte[] body, int offset, int count, long position)
        {
            _tally.Records++;
            if (count < MmtlsAead.TagLength)
            {
                _tally.NoEntry++;
                return new MmtlsDecryption(MmtlsDecryptionStatus.NoEntry, $"the record's {count} bytes are shorter than a GCM tag", null, 0, 0);
            }
            if (_plain.Length < count) _plain = new byte[Math.Max(count, _plain.Length * 2)];
            ulong tail = MmtlsKeyLog.TailKey(new ReadOnlySpan<byte>(body, offset + count - 8, 8));
            _tail = tail.ToString("x16", CultureInfo.InvariantCulture);
            var entries = _log.FindOuter(tail);
            if (entries != null)
            {
                bool builtAad = false;
                foreach (var e in entries)
                {
                    if (e.Metadata.Length > 0)
                    {
                        if (!_gcm.TryOpen(e.Key, e.Nonce, e.Metadata, body, offset, count, _plain)) continue;
                        ulong seq = e.MetadataSequence ?? (ulong)position;
                        Learn(e.Key, e.Nonce, seq, position);
                        return Success($"key log line {e.Line}", count, seq);
                    }
                    builtAad = true;
                    int n = Candidates(position, e.Nonce, e.Key);
                    for (int i = 0; i < n; i++)
                    {
                        BuildAad(_candidates[i], in header);
                        if (!_gcm.TryOpen(e.Key, e.Nonce, _aad, body, offset, count, _plain)) continue;
                        Learn(e.Key, e.Nonce, _candidates[i], position);
                        _tally.AadBuilt++;
                        return Success($"key log line {e.Line}; AAD built from sequence {_candidates[i]} and the record header (the entry has no metadata)", count, _candidates[i]);
                    }
                }
                _tally.TagMismatches++;
                string lines = string.Join(", ", System.Linq.Enumerable.Select(entries, e => e.Line.ToString(CultureInfo.InvariantCulture)));
                string why = builtAad
                    ? $"tag mismatch: key log line {lines} has this record's tail but did not verify (the entry has no metadata; the AAD built from the record's sequence {Describe(position)} and header did not verify either)"
                    : $"tag mismatch: key log line {lines} has this record's tail but its key, nonce and metadata did not verify";
                return new MmtlsDecryption(MmtlsDecryptionStatus.TagMismatch, why, null, 0, 0, _tail);
            }
            if (_haveBase && _key != null)
            {
                ulong seq = (ulong)(position + _sequenceOffset);
                PredictNonce(seq);
                BuildAad(seq, in header);
                if (_gcm.TryOpen(_key, _nonce, _aad, body, offset, count, _plain))
                {
                    _tally.PredictedNonce++;
                    return Success($"no key log entry: nonce predicted for sequence {seq} from a verified neighbour (base IV XOR sequence), tag verified", count, seq);
                }
                _tally.NoEntry++;
                return new MmtlsDecryption(MmtlsDecryptionStatus.NoEntry, $"no key log entry has this record's tail; the nonce predicted for sequence {seq} did not verify", null, 0, 0, _tail);
            }
            _tally.NoEntry++;
            return new MmtlsDecryption(MmtlsDecryptionStatus.NoEntry, "no key log entry has this record's tail", null, 0, 0, _tail);
        }

        private MmtlsDecryption Success(string note, int count, ulong seq)
        {
            _tally.Decrypted++;
            return new MmtlsDecryption(MmtlsDecryptionStatus.Decrypted, note, _plain, count - MmtlsAead.TagLength, seq, _tail);
        }

        private string Describe(long position)
        {
            int n = Candidates(position, null, null);
            var parts = new string[n];
            for (int i = 0; i < n; i++) parts[i] = _candidates[i].ToString(CultureInfo.InvariantCulture);
            return string.Join(" or ", parts);
        }

        /// <summary>
        /// Sequence numbers to try for an entry without metadata: from the nonce and a known base IV, from the position
        /// corrected by verified entries, the position itself, and 0 for the first record under a new key (TLS 1.3
        /// starts the sequence again at each key change).
        /// </summary>
        private int Candidates(long position, byte[]? nonce, byte[]? key)
        {
            int n = 0;
            if (_haveBase && nonce != null)
            {
                bool sameHigh = true;
                for (int i = 0; i < 4; i++) sameHigh &= nonce[i] == _baseIv[i];
                if (sameHigh) _candidates[n++] = BinaryPrimitives.ReadUInt64BigEndian(nonce.AsSpan(4)) ^ BinaryPrimitives.ReadUInt64BigEndian(_baseIv.AsSpan(4));
            }
            Push(ref n, (ulong)(position + _sequenceOffset));
            Push(ref n, (ulong)position);
            if (key != null && (_key is null || !_key.AsSpan().SequenceEqual(key))) Push(ref n, 0);
            return n;
        }

        private void Push(ref int n, ulong value)
        {
            for (int i = 0; i < n; i++) if (_candidates[i] == value) return;
            _candidates[n++] = value;
        }

        private void BuildAad(ulong sequence, in MmtlsRecordHeader header)
        {
            BinaryPrimitives.WriteUInt64BigEndian(_aad, sequence);
            _aad[8] = header.Type;
            BinaryPrimitives.WriteUInt16BigEndian(_aad.AsSpan(9), header.Version);
            BinaryPrimitives.WriteUInt16BigEndian(_aad.AsSpan(11), header.BodyLength);
        }

        private void Learn(byte[] key, byte[] nonce, ulong sequence, long position)
        {
            _key = key;
            nonce.CopyTo(_baseIv, 0);
            ulong low = BinaryPrimitives.ReadUInt64BigEndian(nonce.AsSpan(4)) ^ sequence;
            BinaryPrimitives.WriteUInt64BigEndian(_baseIv.AsSpan(4), low);
            _haveBase = true;
            _sequenceOffset = (long)sequence - position;
        }

        private void PredictNonce(ulong sequence)
        {
            _baseIv.CopyTo(_nonce, 0);
            ulong low = BinaryPrimitives.ReadUInt64BigEndian(_baseIv.AsSpan(4)) ^ sequence;
            BinaryPrimitives.WriteUInt64BigEndian(_nonce.AsSpan(4), low);
        }

        /// <summary>The AAD of a record as the key log's metadata holds it: 8-byte big-endian sequence, then the 5-byte header.</summary>
        public static byte[] Aad(ulong sequence, byte type, ushort version, ushort bodyLength)
        {
            var aad = new byte[13];
            BinaryPrimitives.WriteUInt64BigEndian(aad, sequence);
            aad[8] = type;
            BinaryPrimitives.WriteUInt16BigEndian(aad.AsSpan(9), version);
            BinaryPrimitives.WriteUInt16BigEndian(aad.AsSpan(11), bodyLength);
            return aad;
        }

        /// <summary>A record's nonce: base IV with the sequence XORed into its last 8 bytes (TLS 1.3).</summary>
        public static byte[] Nonce(byte[] baseIv, ulong sequence)
        {
            var n = (byte[])baseIv.Clone();
            ulong low = BinaryPrimitives.ReadUInt64BigEndian(n.AsSpan(4)) ^ sequence;
            BinaryPrimitives.WriteUInt64BigEndian(n.AsSpan(4), low);
            return n;
        }
    }
}
