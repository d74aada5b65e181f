using System;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// One line of a key log: the key, nonce and AAD the client used for one MMTLS record (OUTER) or one business-layer
    /// ciphertext inside it (INNER). Holds key material: internal, never written to output, reports or errors.
    /// </summary>
    internal sealed class MmtlsKeyLogEntry
    {
        public MmtlsKeyLogEntry(bool inner, bool? encrypt, byte[] key, byte[] nonce, byte[] metadata, byte[] tail, byte[]? tag, int line)
        {
            Inner = inner;
            Encrypt = encrypt;
            Key = key;
            Nonce = nonce;
            Metadata = metadata;
            Tail = tail;
            Tag = tag;
            Line = line;
        }

        /// <summary>True for an INNER (business-layer) entry, false for an OUTER (record-layer) one.</summary>
        public bool Inner { get; }
        /// <summary>True when the client encrypted (client to server), false when it decrypted; null when the line did not say.</summary>
        public bool? Encrypt { get; }
        public byte[] Key { get; }
        /// <summary>The record's own nonce (OUTER <c>nonce</c>, INNER <c>iv</c>).</summary>
        public byte[] Nonce { get; }
        /// <summary>The AAD; empty when the line had none (it is then built from the record's sequence and header).</summary>
        public byte[] Metadata { get; }
        /// <summary>The last 8 bytes of the record on the wire (the end of its tag); for INNER entries the end of the tag.</summary>
        public byte[] Tail { get; }
        /// <summary>INNER entries: the full 16-byte tag when the line gave it.</summary>
        public byte[]? Tag { get; }
        /// <summary>1-based line number in its file (for warnings; never the line's text).</summary>
        public int Line { get; }

        /// <summary>The tail as a lookup key.</summary>
        public ulong TailKey => MmtlsKeyLog.TailKey(Tail);

        /// <summary>The sequence number in the metadata (its first 8 bytes, big-endian), when the metadata is the 13-byte OUTER form.</summary>
        public ulong? MetadataSequence => Metadata.Length == 13 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(Metadata) : (ulong?)null;
    }
}
