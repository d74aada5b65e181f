using System;

namespace WeChatNet
{

    /// <summary>
    /// A WeChat HTTP dispatch (newgetdns) answer: where the server tells the client to connect. Output of
    /// Get-WeChatDispatch (and of the protocol decoder). ClientIp is personal data and is masked unless asked for.
    /// </summary>
    public sealed partial class Dispatch
    {
        public Dispatch(string source, int retCode, string clientIp, string ispId, DateTimeOffset? timestamp, string nextIpv6,
            DispatchDomain[] domains, string[] builtin, bool signed, bool hasFunctionList, string compression, int documentBytes,
            double elapsedMs, string[] warnings)
        {
            Source = source;
            RetCode = retCode;
            ClientIp = clientIp;
            IspId = ispId;
            Timestamp = timestamp;
            ServerTime = timestamp;
            NextIpv6 = nextIpv6;
            Domains = domains;
            Builtin = builtin;
            Signed = signed;
            HasFunctionList = hasFunctionList;
            Compression = compression;
            DocumentBytes = documentBytes;
            ElapsedMs = elapsedMs;
            Warnings = warnings;
        }

        /// <summary>Where the document came from (the URI fetched, or a capture description).</summary>
        public string Source { get; }
        /// <summary>0 = ok; -301 = use another data centre.</summary>
        public int RetCode { get; }
        /// <summary>The address the server saw, masked ("masked-xxxxxxxx") unless identifiers are shown.</summary>
        public string ClientIp { get; }
        public string IspId { get; }
        /// <summary>When the document was seen: the packet's time for a captured answer, the server's &lt;timestamp&gt; for a fetched one.</summary>
        public DateTimeOffset? Timestamp { get; internal set; }
        /// <summary>The server's &lt;timestamp&gt; element (when it wrote the document); null when absent.</summary>
        public DateTimeOffset? ServerTime { get; }
        public string NextIpv6 { get; }
        public DispatchDomain[] Domains { get; }
        /// <summary>Fallback addresses from &lt;builtiniplist&gt;.</summary>
        public string[] Builtin { get; }
        /// <summary>True when the document carries a &lt;signature2&gt; (not verified: the key is not public).</summary>
        public bool Signed { get; }
        /// <summary>True when a &lt;functionlist&gt; followed the root.</summary>
        public bool HasFunctionList { get; }
        /// <summary>"None", "Zlib", "RawDeflate" or "Gzip": how the body was encoded.</summary>
        public string Compression { get; }
        /// <summary>Size of the XML after inflating.</summary>
        public int DocumentBytes { get; }
        /// <summary>Request round trip for a fetched document; 0 for one decoded from bytes.</summary>
        public double ElapsedMs { get; }
        /// <summary>What the lenient parser skipped (unknown elements, unreadable values).</summary>
        public string[] Warnings { get; }

        public override string ToString() => $"Dispatch RetCode={RetCode}, {Domains.Length} domains";
    }
}
