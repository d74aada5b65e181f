namespace WeChatNet.WeChat
{
    /// <summary>What became of one record given a key log.</summary>
    internal enum MmtlsDecryptionStatus
    {
        /// <summary>No key log was given, or the record is a clear-text hello.</summary>
        NotAttempted,
        /// <summary>Decrypted: the GCM tag verified.</summary>
        Decrypted,
        /// <summary>No key log entry has this record's tail (and no verified prediction).</summary>
        NoEntry,
        /// <summary>An entry has this record's tail but its key, nonce and AAD did not verify the tag.</summary>
        TagMismatch,
    }

    /// <summary>
    /// The outcome of decrypting one record: the status, a note saying how (or why not), and the verified plaintext in a
    /// buffer owned by the decryptor (valid until its next call). Nothing here is key material.
    /// </summary>
    internal readonly struct MmtlsDecryption
    {
        public MmtlsDecryption(MmtlsDecryptionStatus status, string note, byte[]? plaintext, int length, ulong sequence, string tail = "")
        {
            Tail = tail;
            Status = status;
            Note = note;
            Plaintext = plaintext;
            Length = length;
            Sequence = sequence;
        }

        public MmtlsDecryptionStatus Status { get; }
        public string Note { get; }
        /// <summary>The verified plaintext (first <see cref="Length"/> bytes); null unless Decrypted.</summary>
        public byte[]? Plaintext { get; }
        public int Length { get; }
        /// <summary>The record sequence number the tag verified with.</summary>
        public ulong Sequence { get; }
        /// <summary>The record's last 8 bytes on the wire, hex (what key log entries are matched by); empty when shorter.</summary>
        public string Tail { get; }
        public bool Decrypted => Status == MmtlsDecryptionStatus.Decrypted;
    }
}
