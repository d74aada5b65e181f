using System;

namespace WeChatNet
{
    /// <summary>A short-link HTTP request paired with its response, with timing.</summary>
    public sealed class ShortLinkExchange : WeChatMessage
    {
        public override string Kind => "ShortLinkExchange";
        public string Method { get; internal set; } = "";
        /// <summary>Request target with user identifiers masked unless -ShowIdentifiers.</summary>
        public string Path { get; internal set; } = "";
        public string HttpVersion { get; internal set; } = "";
        public string RequestHost { get; internal set; } = "";
        public string UserAgent { get; internal set; } = "";
        /// <summary>True for <c>POST /mmtls/&lt;hex&gt;</c>: the CGI name travels encrypted.</summary>
        public bool IsMmtls { get; internal set; }
        /// <summary>The CGI name from <c>/cgi-bin/micromsg-bin/&lt;name&gt;</c> (or other cgi-bin path); empty for MMTLS.</summary>
        public string CgiName { get; internal set; } = "";
        /// <summary>The request type number of the CGI name from the facts table.</summary>
        public int? RequestType { get; internal set; }
        public long RequestBodyLength { get; internal set; }
        public int? StatusCode { get; internal set; }
        public string ContentType { get; internal set; } = "";
        public string ContentEncoding { get; internal set; } = "";
        /// <summary>Response body bytes on the wire.</summary>
        public long ResponseBodyLength { get; internal set; }
        /// <summary>Response body bytes after Content-Encoding was undone.</summary>
        public long ResponseDecodedLength { get; internal set; }
        /// <summary>MMTLS records found in the request body and in the response body.</summary>
        public int RequestRecordCount { get; internal set; }
        public int ResponseRecordCount { get; internal set; }
        /// <summary>Legacy (pre-MMTLS) business packet in the request body: client version as hex (0x26060030 is Android 6.6.0); empty otherwise.</summary>
        public string LegacyClientVersion { get; internal set; } = "";
        /// <summary>Legacy packet's uin, masked unless -ShowIdentifiers; empty otherwise.</summary>
        public string LegacyUin { get; internal set; } = "";
        /// <summary>Legacy packet's crypto (AES, RSA, None) and compression (Zlib, None); empty otherwise.</summary>
        public string LegacyCrypto { get; internal set; } = "";
        public string LegacyCompression { get; internal set; } = "";
        /// <summary>With -KeyLogPath: true when the request's early data decrypted (its CGI then fills <see cref="CgiName"/>).</summary>
        public bool Decrypted { get; internal set; }
        /// <summary>The request path carried inside the decrypted early data (e.g. /cgi-bin/micromsg-bin/newsync); empty otherwise.</summary>
        public string DecryptedPath { get; internal set; } = "";
        /// <summary>Request and response records decrypted with the key log.</summary>
        public int DecryptedRecordCount { get; internal set; }
        /// <summary>Verified plaintext bytes of the request's early data and of the response's data records; null when not decrypted.</summary>
        public long? RequestPlaintextLength { get; internal set; }
        public long? ResponsePlaintextLength { get; internal set; }
        /// <summary>From the request's first byte to the response's last byte.</summary>
        public double? DurationMs { get; internal set; }
        /// <summary>What went wrong decoding (no response, truncated body, bad compression), empty when nothing did.</summary>
        public string Problem { get; internal set; } = "";

        public override string Summary
        {
            get
            {
                string what = IsMmtls ? (CgiName.Length > 0 ? "mmtls " + CgiName + (RequestType.HasValue ? "(" + RequestType.Value + ")" : "") : "mmtls") : CgiName.Length > 0 ? CgiName + (RequestType.HasValue ? "(" + RequestType.Value + ")" : "") : Path;
                string status = StatusCode.HasValue ? StatusCode.Value.ToString() : "no response";
                string time = DurationMs.HasValue ? $" {DurationMs.Value:0.#} ms" : "";
                return $"{Method} {what} -> {status} {RequestBodyLength}/{ResponseBodyLength} bytes{time}";
            }
        }
    }
}
