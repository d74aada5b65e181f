using System.Globalization;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// How many MMTLS records a key log decrypted, for one decoding run: the only thing about a key log that reports show
    /// ("N of M MMTLS records decrypted with a key log"). Plain counts, no key material.
    /// </summary>
    public sealed class MmtlsDecryptionTally
    {
        /// <summary>Records that were candidates for decryption (every record except clear-text hellos).</summary>
        public long Records { get; internal set; }
        public long Decrypted { get; internal set; }
        /// <summary>Records whose entry (by tail) did not verify: a wrong key log, counted, never an exception.</summary>
        public long TagMismatches { get; internal set; }
        /// <summary>Records no entry matched.</summary>
        public long NoEntry { get; internal set; }
        /// <summary>Decrypted records whose AAD was built from the record's sequence and header (the entry had no metadata).</summary>
        public long AadBuilt { get; internal set; }
        /// <summary>Decrypted records without an entry, whose nonce was predicted (base IV XOR sequence) and verified.</summary>
        public long PredictedNonce { get; internal set; }
        /// <summary>Business-layer (INNER) ciphertexts decrypted, and those an INNER entry matched but did not verify.</summary>
        public long InnerDecrypted { get; internal set; }
        public long InnerTagMismatches { get; internal set; }

        /// <summary>The report line.</summary>
        /// <summary>Adds another capture's counts (several files analysed one by one, reported as one).</summary>
        internal void Add(MmtlsDecryptionTally other)
        {
            Records += other.Records;
            Decrypted += other.Decrypted;
            TagMismatches += other.TagMismatches;
            NoEntry += other.NoEntry;
            AadBuilt += other.AadBuilt;
            PredictedNonce += other.PredictedNonce;
            InnerDecrypted += other.InnerDecrypted;
            InnerTagMismatches += other.InnerTagMismatches;
        }

        public string Describe() => string.Format(CultureInfo.InvariantCulture, "{0} of {1} MMTLS records decrypted with a key log", Decrypted, Records);

        public override string ToString() => Describe();
    }
}
