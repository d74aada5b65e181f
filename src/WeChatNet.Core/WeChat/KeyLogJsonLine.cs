using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// Reads one line of a key log: a flat JSON object whose values are strings, true, false, null or numbers (nested
    /// objects and arrays are skipped over). Strict about what it does read; never throws; the error names the column.
    /// Errors never quote the line (key logs are secrets).
    /// </summary>
    internal static class KeyLogJsonLine
    {
        private const int MaxDepth = 16;

        public static bool TryParse(string line, out Dictionary<string, string?> values, out string? error)
        {
            values = new Dictionary<string, string?>(StringComparer.Ordinal);
            int i = 0;
            SkipSpace(line, ref i);
            if (i >= line.Length || line[i] != '{') { error = "not a JSON object"; return false; }
            i++;
            SkipSpace(line, ref i);
            if (i < line.Length && line[i] == '}') { i++; return End(line, i, out error); }
            while (true)
            {
                SkipSpace(line, ref i);
                if (!TryString(line, ref i, out string? name, out error)) return false;
                SkipSpace(line, ref i);
                if (i >= line.Length || line[i] != ':') { error = $"expected ':' at column {i + 1}"; return false; }
                i++;
                SkipSpace(line, ref i);
                if (!TryValue(line, ref i, 0, out string? value, out error)) return false;
                values[name!] = value;
                SkipSpace(line, ref i);
                if (i >= line.Length) { error = "the object is not closed (truncated line?)"; return false; }
                if (line[i] == ',') { i++; continue; }
                if (line[i] == '}') { i++; return End(line, i, out error); }
                error = $"expected ',' or '}}' at column {i + 1}";
                return false;
            }
        }

        private static bool End(string line, int i, out string? error)
        {
            SkipSpace(line, ref i);
            error = i == line.Length ? null : $"unexpected text after the object at column {i + 1}";
            return error is null;
        }

        private static void SkipSpace(string s, ref int i)
        {
            while (i < s.Length && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) i++;
        }

        private static bool TryValue(string s, ref int i, int depth, out string? value, out string? error)
        {
            value = null;
            if (i >= s.Length) { error = "a value is missing (truncated line?)"; return false; }
            char c = s[i];
            if (c == '"') return TryString(s, ref i, out value, out error);
            if (c == '{' || c == '[') return TrySkipNested(s, ref i, depth + 1, out error);
            foreach (var word in new[] { "true", "false", "null" })
                if (string.CompareOrdinal(s, i, word, 0, word.Length) == 0)
                {
                    i += word.Length;
                    value = word == "null" ? null : word;
                    error = null;
                    return true;
                }
            int start = i;
            while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '-' || s[i] == '+' || s[i] == '.' || s[i] == 'e' || s[i] == 'E')) i++;
            if (i > start && double.TryParse(s.Substring(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                value = s.Substring(start, i - start);
                error = null;
                return true;
            }
            error = $"unexpected character at column {start + 1}";
            return false;
        }

        private static bool TrySkipNested(string s, ref int i, int depth, out string? error)
        {
            if (depth > MaxDepth) { error = $"nested more than {MaxDepth} deep at column {i + 1}"; return false; }
            char close = s[i] == '{' ? '}' : ']';
            bool isObject = close == '}';
            i++;
            SkipSpace(s, ref i);
            if (i < s.Length && s[i] == close) { i++; error = null; return true; }
            while (true)
            {
                SkipSpace(s, ref i);
                if (isObject)
                {
                    if (!TryString(s, ref i, out _, out error)) return false;
                    SkipSpace(s, ref i);
                    if (i >= s.Length || s[i] != ':') { error = $"expected ':' at column {i + 1}"; return false; }
                    i++;
                    SkipSpace(s, ref i);
                }
                if (!TryValue(s, ref i, depth, out _, out error)) return false;
                SkipSpace(s, ref i);
                if (i >= s.Length) { error = "a nested value is not closed (truncated line?)"; return false; }
                if (s[i] == ',') { i++; continue; }
                if (s[i] == close) { i++; error = null; return true; }
                error = $"expected ',' or '{close}' at column {i + 1}";
                return false;
            }
        }

        private static bool TryString(string s, ref int i, out string? value, out string? error)
        {
            value = null;
            if (i >= s.Length || s[i] != '"') { error = $"expected a string at column {i + 1}"; return false; }
            int start = ++i;
            StringBuilder? sb = null;
            while (i < s.Length)
            {
                char c = s[i];
                if (c == '"')
                {
                    value = sb is null ? s.Substring(start, i - start) : sb.ToString();
                    i++;
                    error = null;
                    return true;
                }
                if (c < ' ') { error = $"control character in a string at column {i + 1}"; return false; }
                if (c == '\\')
                {
                    sb ??= new StringBuilder(s, start, i - start, 64);
                    if (i + 1 >= s.Length) break;
                    char e = s[i + 1];
                    switch (e)
                    {
                        case '"': case '\\': case '/': sb.Append(e); i += 2; continue;
                        case 'b': sb.Append('\b'); i += 2; continue;
                        case 'f': sb.Append('\f'); i += 2; continue;
                        case 'n': sb.Append('\n'); i += 2; continue;
                        case 'r': sb.Append('\r'); i += 2; continue;
                        case 't': sb.Append('\t'); i += 2; continue;
                        case 'u':
                            if (i + 6 > s.Length || !ushort.TryParse(s.Substring(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ushort u))
                            { error = $"bad \\u escape at column {i + 1}"; return false; }
                            sb.Append((char)u);
                            i += 6;
                            continue;
                        default: error = $"bad escape at column {i + 1}"; return false;
                    }
                }
                sb?.Append(c);
                i++;
            }
            error = "a string is not closed (truncated line?)";
            return false;
        }
    }
}
