using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace WeChatNet.WeChat
{
    /// <summary>One HTTP request or response read from a stream.</summary>
    internal sealed class HttpMessage
    {
        public bool IsResponse { get; internal set; }
        public string Method { get; internal set; } = "";
        public string Target { get; internal set; } = "";
        public string Version { get; internal set; } = "";
        public int StatusCode { get; internal set; }
        public List<KeyValuePair<string, string>> Headers { get; } = new List<KeyValuePair<string, string>>();
        public byte[] Body { get; internal set; } = Array.Empty<byte>();
        /// <summary>Body bytes on the wire (chunk framing excluded).</summary>
        public long BodyLength { get; internal set; }
        /// <summary>The body was longer than the limit; <see cref="Body"/> holds its start.</summary>
        public bool BodyTruncated { get; internal set; }
        /// <summary>The stream ended before the message was complete.</summary>
        public bool Incomplete { get; internal set; }
        public long StartTicks { get; internal set; }
        public long EndTicks { get; internal set; }

        public string? Header(string name)
        {
            foreach (var h in Headers)
                if (string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)) return h.Value;
            return null;
        }

        /// <summary>
        /// The body with Content-Encoding undone: deflate as zlib or raw deflate, gzip; identity as is.
        /// Null with a problem when the encoding is unknown or the data is corrupt; never expands past the limit.
        /// </summary>
        public byte[]? DecodedBody(int maxDecodedBytes, out string? problem)
        {
            problem = null;
            string encoding = (Header("Content-Encoding") ?? "").Trim().ToLowerInvariant();
            if (encoding.Length == 0 || encoding == "identity") return Body;
            if (BodyTruncated) { problem = "compressed body longer than the body limit was not decoded"; return null; }
            try
            {
                if (encoding == "gzip" || encoding == "x-gzip")
                    return Inflate(new GZipStream(new MemoryStream(Body), CompressionMode.Decompress), maxDecodedBytes, out problem);
                if (encoding == "deflate")
                {
                    bool zlib = Body.Length >= 2 && (Body[0] & 0x0F) == 8 && ((Body[0] << 8) | Body[1]) % 31 == 0;
                    int skip = zlib ? 2 : 0;
                    return Inflate(new DeflateStream(new MemoryStream(Body, skip, Body.Length - skip), CompressionMode.Decompress), maxDecodedBytes, out problem);
                }
            }
            catch (InvalidDataException e) { problem = $"{encoding} body is corrupt: {e.Message}"; return null; }
            catch (IOException e) { problem = $"{encoding} body could not be read: {e.Message}"; return null; }
            problem = $"Content-Encoding '{encoding}' is not supported";
            return null;
        }

        private static byte[]? Inflate(Stream stream, int max, out string? problem)
        {
            problem = null;
            using (stream)
            {
                var output = new MemoryStream();
                var buffer = new byte[16 * 1024];
                int n;
                while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
                {
                    if (output.Length + n > max) { problem = $"decoded body exceeds the {max}-byte limit"; return null; }
                    output.Write(buffer, 0, n);
                }
                return output.ToArray();
            }
        }
    }
}
