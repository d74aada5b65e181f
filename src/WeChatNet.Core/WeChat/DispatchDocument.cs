using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Text;
using System.Xml;

namespace WeChatNet.WeChat
{
    /// <summary>Why a dispatch body was refused.</summary>
    internal enum DispatchParseError
    {
        None,
        Empty,
        /// <summary>Compressed data that does not inflate (truncated or corrupt).</summary>
        BadCompression,
        /// <summary>Over the size cap, compressed or inflated.</summary>
        TooLarge,
        /// <summary>The document has a DTD (prohibited: entity expansion and external entities are refused).</summary>
        DtdProhibited,
        /// <summary>Not well-formed XML (truncated, bad nesting...).</summary>
        MalformedXml,
        /// <summary>Well-formed but the root is not &lt;dns&gt;.</summary>
        NotDispatch,
    }

    /// <summary>Options of <see cref="DispatchDocument.TryParse"/>.</summary>
    internal sealed class DispatchParseOptions
    {
        public const int DefaultMaxBytes = 1 << 20;

        /// <summary>Cap on the body and on the inflated XML, in bytes (default 1 MiB; real documents are a few KiB).</summary>
        public int MaxBytes { get; set; } = DefaultMaxBytes;
        /// <summary>Show the client IP instead of its stable mask.</summary>
        public bool ShowIdentifiers { get; set; }
        /// <summary>Recorded in <see cref="Dispatch.Source"/>.</summary>
        public string Source { get; set; } = string.Empty;
        public double ElapsedMs { get; set; }
    }

    /// <summary>
    /// Parses WeChat's newgetdns answer (facts section 3): optional zlib or raw deflate, then XML whose root is
    /// &lt;dns&gt;, possibly followed by a &lt;functionlist&gt; element. DTDs are prohibited (no entity expansion, no
    /// external entities, no resolver), size is capped before and after inflating, and nothing throws: a failure
    /// comes back as a <see cref="DispatchParseError"/> with a message.
    /// </summary>
    internal static class DispatchDocument
    {
        /// <summary>True when the bytes start like a zlib stream (CMF 0x?8 with window &lt;= 32K and a valid check).</summary>
        public static bool LooksLikeZlib(ReadOnlySpan<byte> body) =>
            body.Length >= 2 && (body[0] & 0x0F) == 8 && (body[0] >> 4) <= 7 && ((body[0] << 8) | body[1]) % 31 == 0 && (body[1] & 0x20) == 0;

        private static bool LooksLikeXml(ReadOnlySpan<byte> body)
        {
            int i = 0;
            if (body.Length >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF) i = 3;
            while (i < body.Length && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n')) i++;
            return i < body.Length && body[i] == '<';
        }

        /// <summary>
        /// Inflates <paramref name="body"/> if it is zlib or raw deflate (plain XML passes through). <paramref name="compression"/>
        /// is "None", "Zlib" or "RawDeflate".
        /// </summary>
        public static DispatchParseError TryInflate(ReadOnlySpan<byte> body, int maxBytes, out byte[] xml, out string compression, out string message)
        {
            xml = Array.Empty<byte>();
            compression = "None";
            message = string.Empty;
            if (body.Length == 0) { message = "The dispatch body is empty."; return DispatchParseError.Empty; }
            if (body.Length > maxBytes) { message = $"The dispatch body is {body.Length} bytes; the limit is {maxBytes}."; return DispatchParseError.TooLarge; }
            if (LooksLikeXml(body)) { xml = body.ToArray(); return DispatchParseError.None; }
            bool gzip = body.Length >= 2 && body[0] == 0x1F && body[1] == 0x8B;
            bool zlib = !gzip && LooksLikeZlib(body);
            compression = gzip ? "Gzip" : zlib ? "Zlib" : "RawDeflate";
            byte[] input = body.Slice(zlib ? 2 : 0).ToArray();
            try
            {
                using Stream deflate = gzip ? new GZipStream(new MemoryStream(input), CompressionMode.Decompress) : new DeflateStream(new MemoryStream(input), CompressionMode.Decompress);
                using var output = new MemoryStream();
                var buffer = new byte[8192];
                int n;
                while ((n = deflate.Read(buffer, 0, buffer.Length)) > 0)
                {
                    if (output.Length + n > maxBytes) { message = $"The dispatch document inflates past the limit of {maxBytes} bytes."; return DispatchParseError.TooLarge; }
                    output.Write(buffer, 0, n);
                }
                xml = output.ToArray();
            }
            catch (Exception e) when (e is InvalidDataException || e is NotSupportedException || e is IOException) { message = $"The dispatch body is neither XML nor valid {compression} data: {e.Message}"; return DispatchParseError.BadCompression; }
            if (xml.Length == 0 || !LooksLikeXml(xml)) { message = $"The dispatch body inflated ({compression}) to {xml.Length} bytes that are not XML."; return DispatchParseError.BadCompression; }
            return DispatchParseError.None;
        }

        /// <summary>Parses a dispatch body (compressed or not). Never throws for bad input.</summary>
        public static DispatchParseError TryParse(ReadOnlySpan<byte> body, DispatchParseOptions options, out Dispatch? dispatch, out string message)
        {
            dispatch = null;
            var error = TryInflate(body, options.MaxBytes, out byte[] xml, out string compression, out message);
            if (error != DispatchParseError.None) return error;

            var settings = new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                ConformanceLevel = ConformanceLevel.Fragment, // the <functionlist> after </dns> is a second top-level element
                MaxCharactersInDocument = options.MaxBytes,
                MaxCharactersFromEntities = 1024,
                IgnoreComments = true,
                IgnoreProcessingInstructions = true,
                IgnoreWhitespace = true,
                CloseInput = true,
            };
            var warnings = new List<string>();
            var domains = new List<DispatchDomain>();
            var builtin = new List<string>();
            int retCode = 0;
            bool sawRoot = false, sawRetCode = false, signed = false, functionList = false;
            string clientIp = string.Empty, ispId = string.Empty, nextIpv6 = string.Empty;
            DateTimeOffset? timestamp = null;
            try
            {
                using var reader = XmlReader.Create(new MemoryStream(xml, writable: false), settings);
                bool advance = true;
                while (!advance || reader.Read())
                {
                    advance = true;
                    if (reader.NodeType != XmlNodeType.Element) continue;
                    if (reader.Depth != 0) continue;
                    if (reader.Name == "dns" && !sawRoot)
                    {
                        sawRoot = true;
                        if (reader.IsEmptyElement) continue;
                        int rootDepth = reader.Depth;
                        bool next = true;
                        while ((!next || reader.Read()) && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == rootDepth))
                        {
                            next = true;
                            if (reader.NodeType != XmlNodeType.Element || reader.Depth != rootDepth + 1) continue;
                            switch (reader.Name)
                            {
                                case "retcode":
                                {
                                    string v = ReadText(reader);
                                    if (int.TryParse(v.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out retCode)) sawRetCode = true;
                                    else warnings.Add($"retcode '{Clip(v)}' is not a number");
                                    break;
                                }
                                case "clientip": clientIp = ReadText(reader).Trim(); break;
                                case "clientispid": ispId = ReadText(reader).Trim(); break;
                                case "nextipv6": nextIpv6 = ReadText(reader).Trim(); break;
                                case "signature2": signed = ReadText(reader).Trim().Length > 0; break;
                                case "timestamp":
                                {
                                    string v = ReadText(reader).Trim();
                                    if (long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long secs) && secs <= 253402300799L)
                                        timestamp = DateTimeOffset.FromUnixTimeSeconds(secs);
                                    else warnings.Add($"timestamp '{Clip(v)}' is not unix seconds");
                                    break;
                                }
                                case "domainlist": ReadDomainList(reader, domains, warnings); break;
                                case "builtiniplist": ReadIps(reader, builtin, null, warnings); break;
                                default:
                                    warnings.Add($"skipped <{reader.Name}>");
                                    reader.Skip();
                                    next = false;
                                    break;
                            }
                        }
                    }
                    else if (reader.Name == "functionlist")
                    {
                        functionList = true;
                        reader.Skip();
                        advance = false;
                    }
                    else
                    {
                        warnings.Add($"skipped top-level <{reader.Name}>");
                        reader.Skip();
                        advance = false;
                    }
                }
            }
            catch (XmlException e) when (e.Message.IndexOf("DTD", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                message = $"The dispatch document contains a DTD, which is prohibited (entity expansion and external entities are refused): {e.Message}";
                return DispatchParseError.DtdProhibited;
            }
            catch (XmlException e)
            {
                message = $"The dispatch document is not well-formed XML: {e.Message}";
                return DispatchParseError.MalformedXml;
            }
            if (!sawRoot) { message = "The document has no <dns> root element: it is not a WeChat dispatch answer."; return DispatchParseError.NotDispatch; }
            if (!sawRetCode) warnings.Add("no <retcode>");
            if (clientIp.Length > 0) clientIp = IdentifierMask.MaskUnless(options.ShowIdentifiers, "ip", clientIp);
            dispatch = new Dispatch(options.Source, retCode, clientIp, ispId, timestamp, nextIpv6, domains.ToArray(), builtin.ToArray(),
                signed, functionList, compression, xml.Length, options.ElapsedMs, warnings.ToArray());
            return DispatchParseError.None;
        }

        private static void ReadDomainList(XmlReader reader, List<DispatchDomain> domains, List<string> warnings)
        {
            if (reader.IsEmptyElement) return;
            int depth = reader.Depth;
            bool next = true;
            while ((!next || reader.Read()) && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
            {
                next = true;
                if (reader.NodeType != XmlNodeType.Element || reader.Depth != depth + 1) continue;
                if (reader.Name != "domain") { warnings.Add($"skipped <{reader.Name}> in <domainlist>"); reader.Skip(); next = false; continue; }
                string name = (reader.GetAttribute("name") ?? string.Empty).Trim();
                string? timeout = reader.GetAttribute("timeout");
                int ttl = -1;
                if (timeout != null && !int.TryParse(timeout.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ttl))
                {
                    warnings.Add($"domain '{Clip(name)}' has timeout '{Clip(timeout)}', not a number");
                    ttl = -1;
                }
                var addresses = new List<DispatchAddress>();
                ReadIps(reader, null, addresses, warnings);
                if (name.Length == 0) warnings.Add("a <domain> without a name");
                domains.Add(new DispatchDomain(name, ttl, addresses.ToArray()));
            }
        }

        // Collects <ip> elements at any depth under the current element.
        private static void ReadIps(XmlReader reader, List<string>? plain, List<DispatchAddress>? withProperty, List<string> warnings)
        {
            if (reader.IsEmptyElement) return;
            int depth = reader.Depth;
            while (reader.Read() && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
            {
                if (reader.NodeType != XmlNodeType.Element) continue;
                if (reader.Name != "ip") continue;
                string property = (reader.GetAttribute("property") ?? string.Empty).Trim();
                string ip = ReadText(reader).Trim();
                if (ip.Length == 0) { warnings.Add("an empty <ip>"); continue; }
                if (!System.Net.IPAddress.TryParse(ip, out _)) warnings.Add($"<ip> '{Clip(ip)}' is not an IP address");
                plain?.Add(ip);
                withProperty?.Add(new DispatchAddress(ip, property));
            }
        }

        // Text content of the current element (its children's text concatenated); leaves the reader on its end.
        private static string ReadText(XmlReader reader)
        {
            if (reader.IsEmptyElement) return string.Empty;
            var sb = new StringBuilder();
            int depth = reader.Depth;
            while (reader.Read() && !(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
            {
                if (reader.NodeType == XmlNodeType.Text || reader.NodeType == XmlNodeType.CDATA || reader.NodeType == XmlNodeType.SignificantWhitespace)
                    sb.Append(reader.Value);
            }
            return sb.ToString();
        }

        private static string Clip(string s) => s.Length <= 40 ? s : s.Substring(0, 40) + "...";

        /// <summary>zlib-wraps <paramref name="data"/> (RFC 1950: header, raw deflate, Adler-32), for servers in tests and samples.</summary>
        public static byte[] ZlibCompress(byte[] data)
        {
            using var ms = new MemoryStream();
            ms.WriteByte(0x78);
            ms.WriteByte(0x9C);
            using (var d = new DeflateStream(ms, CompressionLevel.Optimal, leaveOpen: true)) d.Write(data, 0, data.Length);
            uint a = 1, b = 0;
            foreach (byte x in data)
            {
                a = (a + x) % 65521;
                b = (b + a) % 65521;
            }
            uint adler = (b << 16) | a;
            ms.WriteByte((byte)(adler >> 24));
            ms.WriteByte((byte)(adler >> 16));
            ms.WriteByte((byte)(adler >> 8));
            ms.WriteByte((byte)adler);
            return ms.ToArray();
        }

        /// <summary>Raw deflate (RFC 1951) of <paramref name="data"/>.</summary>
        public static byte[] RawDeflate(byte[] data)
        {
            using var ms = new MemoryStream();
            using (var d = new DeflateStream(ms, CompressionLevel.Optimal, leaveOpen: true)) d.Write(data, 0, data.Length);
            return ms.ToArray();
        }
    }
}
