using System;

namespace WeChatNet
{
    /// <summary>One MMTLS record on a long link or inside a short-link HTTP body.</summary>
    public sealed class MmtlsRecord : WeChatMessage
    {
        public override string Kind => "MmtlsRecord";
        /// <summary>LongLink (records straight on TCP) or ShortLink (inside an HTTP body).</summary>
        public string Carrier { get; internal set; } = "";
        /// <summary>Alert, Handshake, ApplicationData or EarlyDataHandshake.</summary>
        public string ContentType { get; internal set; } = "";
        public int ContentTypeCode { get; internal set; }
        /// <summary>Record version, e.g. 0xF104.</summary>
        public string Version { get; internal set; } = "";
        /// <summary>Record body length (the 5-byte header excluded).</summary>
        public int Length { get; internal set; }
        /// <summary>1-based position of the record in its direction (or HTTP body).</summary>
        public long RecordIndex { get; internal set; }
        /// <summary>For handshake records: ClientHello, ServerHello, Finished or Encrypted; empty otherwise.</summary>
        public string HandshakeType { get; internal set; } = "";
        public string HandshakeVersion { get; internal set; } = "";
        public string[] CipherSuites { get; internal set; } = Array.Empty<string>();
        /// <summary>The hello's 32-byte random, hex.</summary>
        public string Random { get; internal set; } = "";
        /// <summary>The ClientHello's unix time.</summary>
        public DateTimeOffset? HelloTime { get; internal set; }
        public string[] ExtensionTypes { get; internal set; } = Array.Empty<string>();
        /// <summary>A guess from size alone, e.g. ProbableHeartbeat for a 0x20-byte application record; empty otherwise.</summary>
        public string Interpretation { get; internal set; } = "";
        /// <summary>What could not be read, with its offset; empty when all was read.</summary>
        public string Problem { get; internal set; } = "";
        /// <summary>True when a key log decrypted the record and its GCM tag verified (nothing unverified is ever decrypted).</summary>
        public bool Decrypted { get; internal set; }
        /// <summary>With -KeyLogPath: Decrypted, NoEntry or TagMismatch (NotAttempted for clear-text hellos); empty without a key log.</summary>
        public string DecryptionStatus { get; internal set; } = "";
        /// <summary>How the record was decrypted (key log line, AAD built, nonce predicted) or why not; never key material.</summary>
        public string DecryptionNote { get; internal set; } = "";
        /// <summary>With -KeyLogPath: the record's last 8 bytes on the wire, hex: the <c>tail</c> a key log entry names it by.</summary>
        public string Tail { get; internal set; } = "";
        /// <summary>Bytes of verified plaintext (the body less the 16-byte tag); null unless decrypted.</summary>
        public int? PlaintextLength { get; internal set; }
        /// <summary>The verified plaintext; only with -ShowIdentifiers (it holds user data), null otherwise.</summary>
        public byte[]? Plaintext { get; internal set; }
        /// <summary>The record sequence number the tag verified with; null unless decrypted.</summary>
        public long? Sequence { get; internal set; }
        /// <summary>Business-layer (INNER) ciphertext in the plaintext: Decrypted, NoEntry or TagMismatch; empty when there is none to try.</summary>
        public string InnerStatus { get; internal set; } = "";
        /// <summary>Why the INNER ciphertext was or was not decrypted.</summary>
        public string InnerNote { get; internal set; } = "";
        /// <summary>Bytes of verified business-layer plaintext; null unless decrypted.</summary>
        public int? InnerPlaintextLength { get; internal set; }
        /// <summary>Header fields of the business packet (client version, uin masked unless -ShowIdentifiers, crypto, compression); empty when none.</summary>
        public string InnerHeader { get; internal set; } = "";

        public override string Summary
        {
            get
            {
                string hs = HandshakeType.Length > 0 ? " " + HandshakeType : "";
                string suites = CipherSuites.Length > 0 ? " suites " + string.Join(",", CipherSuites) : "";
                string guess = Interpretation.Length > 0 ? " (" + Interpretation + ")" : "";
                string plain = Decrypted ? $" decrypted {PlaintextLength} bytes" : DecryptionStatus.Length > 0 && DecryptionStatus != "NotAttempted" ? " " + DecryptionStatus : "";
                return $"MMTLS {ContentType}{hs} {Version} #{RecordIndex} {Length} bytes{suites}{guess}{plain}";
            }
        }
    }
}
