namespace WeChatNet.Analysis
{
    /// <summary>What heartbeat analysis needs of one long-link message, plaintext frame or encrypted MMTLS record.</summary>
    internal struct LongLinkObservation
    {
        public long TimestampNs;
        public bool FromClient;
        /// <summary>True for an MMTLS application-data record (contents unknown), false for a plaintext 16-byte-header frame.</summary>
        public bool Encrypted;
        /// <summary>Plaintext frames: the command id (6 heartbeat, 1000000006 its reply, ...).</summary>
        public long Command;
        public long Sequence;
        /// <summary>Encrypted records: the record body length.</summary>
        public int RecordLength;
        /// <summary>A frame read from a decrypted MMTLS record (key log): its command is real, not guessed.</summary>
        public bool Decrypted;

        public static LongLinkObservation Frame(long ns, bool fromClient, long command, long sequence) =>
            new LongLinkObservation { TimestampNs = ns, FromClient = fromClient, Command = command, Sequence = sequence };

        public static LongLinkObservation DecryptedFrame(long ns, bool fromClient, long command, long sequence) =>
            new LongLinkObservation { TimestampNs = ns, FromClient = fromClient, Command = command, Sequence = sequence, Decrypted = true };

        public static LongLinkObservation Record(long ns, bool fromClient, int length) =>
            new LongLinkObservation { TimestampNs = ns, FromClient = fromClient, Encrypted = true, RecordLength = length };
    }
}
