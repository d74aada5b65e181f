using System;
using System.Collections.Generic;
using System.Text;

namespace WeChatNet.Dns
{
    /// <summary>
    /// Domain names on the wire (RFC 1035 4.1.4): reading with compression pointers and a loop guard, writing with
    /// validation. Names are presentation strings without the trailing dot ("." is the root); bytes outside
    /// letters, digits, '-', '_' and '*' are written as \DDD and '.' inside a label as "\.".
    /// </summary>
    internal static class DnsName
    {
        /// <summary>Maximum wire length of a name, length bytes and the root included.</summary>
        public const int MaxWireLength = 255;
        public const int MaxLabelLength = 63;
        /// <summary>A name can hold at most 127 labels, so more pointer hops than this is a loop.</summary>
        public const int MaxPointerHops = 127;

        /// <summary>
        /// Reads the name at <paramref name="offset"/> of <paramref name="message"/>. <paramref name="next"/> is the offset
        /// just after the name where it started (after the first pointer, if any). Pointers must point strictly before
        /// the label that holds them, so every hop moves backwards and a loop is impossible; hops are capped too.
        /// </summary>
        public static bool TryRead(ReadOnlySpan<byte> message, int offset, out string name, out int next, out DnsDecodeError error, out int errorOffset)
        {
            name = string.Empty;
            next = -1;
            error = DnsDecodeError.None;
            errorOffset = offset;
            var sb = new StringBuilder(32);
            int pos = offset;
            int wireLength = 0;
            int hops = 0;
            // The lowest offset reached so far: a pointer must point below it.
            int floor = offset;
            while (true)
            {
                if (pos >= message.Length) { error = DnsDecodeError.NameTruncated; errorOffset = pos; return false; }
                byte len = message[pos];
                int kind = len & 0xC0;
                if (kind == 0xC0)
                {
                    if (pos + 1 >= message.Length) { error = DnsDecodeError.NameTruncated; errorOffset = pos; return false; }
                    int target = ((len & 0x3F) << 8) | message[pos + 1];
                    if (next < 0) next = pos + 2;
                    if (target >= floor || ++hops > MaxPointerHops) { error = DnsDecodeError.PointerLoop; errorOffset = pos; return false; }
                    floor = target;
                    pos = target;
                    continue;
                }
                if (kind != 0) { error = DnsDecodeError.BadLabelType; errorOffset = pos; return false; }
                wireLength += len + 1;
                if (wireLength > MaxWireLength) { error = DnsDecodeError.NameTooLong; errorOffset = pos; return false; }
                if (len == 0)
                {
                    if (next < 0) next = pos + 1;
                    break;
                }
                if (pos + 1 + len > message.Length) { error = DnsDecodeError.NameTruncated; errorOffset = pos; return false; }
                if (sb.Length > 0) sb.Append('.');
                AppendLabel(sb, message.Slice(pos + 1, len));
                pos += 1 + len;
            }
            name = sb.Length == 0 ? "." : sb.ToString();
            return true;
        }

        /// <summary>Skips a name without building it (same checks as <see cref="TryRead"/>).</summary>
        public static bool TrySkip(ReadOnlySpan<byte> message, int offset, out int next, out DnsDecodeError error, out int errorOffset)
            => TryRead(message, offset, out _, out next, out error, out errorOffset);

        private static void AppendLabel(StringBuilder sb, ReadOnlySpan<byte> label)
        {
            foreach (byte b in label)
            {
                char c = (char)b;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '*')
                    sb.Append(c);
                else if (c == '.' || c == '\\')
                    sb.Append('\\').Append(c);
                else
                    sb.Append('\\').Append(((int)b).ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        /// <summary>
        /// Splits a presentation name into wire labels. Rejects empty labels, labels over 63 bytes and names over 255
        /// wire bytes; a single trailing dot is allowed. Returns null and a reason when the name is not valid.
        /// </summary>
        public static List<byte[]>? TryParseLabels(string? name, out string? error)
        {
            error = null;
            var labels = new List<byte[]>();
            if (name is null) { error = "the name is null"; return null; }
            if (name == "." ) return labels;
            if (name.Length == 0) { error = "the name is empty"; return null; }
            var current = new List<byte>(63);
            int wire = 1;
            int i = 0;
            bool endedWithDot = false;
            while (i <= name.Length)
            {
                if (i == name.Length || name[i] == '.')
                {
                    if (i == name.Length && endedWithDot) break;
                    if (current.Count == 0) { error = $"empty label at character {i}"; return null; }
                    if (current.Count > MaxLabelLength) { error = $"a label is {current.Count} bytes long; the limit is {MaxLabelLength}"; return null; }
                    wire += current.Count + 1;
                    if (wire > MaxWireLength) { error = $"the name is over {MaxWireLength} bytes on the wire"; return null; }
                    labels.Add(current.ToArray());
                    current.Clear();
                    endedWithDot = i == name.Length - 1;
                    i++;
                    continue;
                }
                char c = name[i];
                if (c == '\\')
                {
                    if (i + 3 < name.Length && char.IsDigit(name[i + 1]) && char.IsDigit(name[i + 2]) && char.IsDigit(name[i + 3]))
                    {
                        int v = (name[i + 1] - '0') * 100 + (name[i + 2] - '0') * 10 + (name[i + 3] - '0');
                        if (v > 255) { error = $"escape \\{name.Substring(i + 1, 3)} is not a byte"; return null; }
                        current.Add((byte)v);
                        i += 4;
                        continue;
                    }
                    if (i + 1 < name.Length) { current.Add((byte)name[i + 1]); i += 2; continue; }
                    error = "the name ends with a lone backslash";
                    return null;
                }
                if (c > 0x7E || c < 0x21) { error = $"character U+{(int)c:X4} at position {i} must be written as \\DDD (or as punycode for international names)"; return null; }
                current.Add((byte)c);
                i++;
            }
            return labels;
        }

        /// <summary>Lower-case, no trailing dot: the form names are compared in.</summary>
        public static string Canonical(string name)
        {
            if (name == ".") return name;
            string n = name.EndsWith(".", StringComparison.Ordinal) && !name.EndsWith("\\.", StringComparison.Ordinal) ? name.Substring(0, name.Length - 1) : name;
            return n.ToLowerInvariant();
        }

        /// <summary>True when two presentation names are the same name (ASCII case-insensitive, trailing dot ignored).</summary>
        public static bool AreEqual(string a, string b) => string.Equals(Canonical(a), Canonical(b), StringComparison.Ordinal);
    }
}
