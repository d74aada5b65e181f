using System;
using System.Collections.Generic;
using System.IO;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// A key log (the Citizen Lab's published format): one JSON object per line, one per MMTLS record the client encrypted
    /// or decrypted; other lines are ignored. Entries are looked up by the record's tail (its last 8 bytes on the wire) and
    /// are worth nothing until a GCM tag verifies. A malformed line is a warning with its file and line number, never its
    /// text: key logs are secrets, and nothing read from one is ever written to output, reports or errors.
    /// </summary>
    internal sealed class MmtlsKeyLog
    {
        /// <summary>Warnings kept per key log; later ones are only counted.</summary>
        public const int MaxWarnings = 20;
        /// <summary>Lines longer than this are malformed (a record entry is a few hundred characters).</summary>
        public const int MaxLineLength = 64 * 1024;

        private readonly Dictionary<ulong, List<MmtlsKeyLogEntry>> _outer = new Dictionary<ulong, List<MmtlsKeyLogEntry>>();
        private readonly Dictionary<ulong, List<MmtlsKeyLogEntry>> _inner = new Dictionary<ulong, List<MmtlsKeyLogEntry>>();
        private readonly List<string> _warnings = new List<string>();
        private int _unlisted;

        /// <summary>OUTER (record-layer) entries read.</summary>
        public int OuterEntries { get; private set; }
        /// <summary>INNER (business-layer) entries read.</summary>
        public int InnerEntries { get; private set; }
        /// <summary>Lines that looked like entries (started with '{') but could not be used.</summary>
        public int MalformedLines { get; private set; }
        /// <summary>What was wrong, by file and line number (at most <see cref="MaxWarnings"/>, then a count of the rest).</summary>
        public IReadOnlyList<string> Warnings => _warnings;
        /// <summary>The files read (paths only).</summary>
        public IReadOnlyList<string> Sources => _sources;
        private readonly List<string> _sources = new List<string>();

        /// <summary>
        /// Reads key log files. A file that cannot be opened throws (FileNotFoundException, IOException...) naming the path
        /// only. A key log is often still being appended to while it is read (the program logging keys keeps it open for
        /// writing): it is opened sharing read, write and delete, which on Windows is what lets the read succeed.
        /// </summary>
        public static MmtlsKeyLog Load(IEnumerable<string> paths)
        {
            var log = new MmtlsKeyLog();
            foreach (var path in paths)
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.SequentialScan);
                using var reader = new StreamReader(stream);
                log.Read(reader, Path.GetFileName(path));
                log._sources.Add(path);
            }
            return log;
        }

        /// <summary>Reads key log text (the tests and the generator use this).</summary>
        public static MmtlsKeyLog Parse(string text, string sourceName = "key log")
        {
            var log = new MmtlsKeyLog();
            log.Read(new StringReader(text), sourceName);
            return log;
        }

        /// <summary>Adds the lines of one reader.</summary>
        public void Read(TextReader reader, string sourceName)
        {
            int lineNumber = 0;
            _unlisted = 0;
            string? line;
            while ((line = reader.ReadLine()) != null)
            {
                lineNumber++;
                string t = line.TrimStart();
                if (t.Length == 0 || t[0] != '{') continue; // other lines are ignored, as the format says
                if (line.Length > MaxLineLength) { Warn(sourceName, lineNumber, $"longer than {MaxLineLength} characters"); continue; }
                if (!KeyLogJsonLine.TryParse(line, out var values, out var error)) { Warn(sourceName, lineNumber, "not valid JSON: " + error); continue; }
                if (!TryEntry(values, lineNumber, out var entry, out error)) { Warn(sourceName, lineNumber, error!); continue; }
                if (!Add(entry!)) Warn(sourceName, lineNumber, $"more than {MaxEntriesPerTail} entries have this tail");
            }
            if (_unlisted > 0) _warnings.Add($"{sourceName}: {_unlisted} more malformed lines were skipped (not listed)");
        }

        private void Warn(string source, int line, string what)
        {
            MalformedLines++;
            if (_warnings.Count < MaxWarnings) _warnings.Add($"{source} line {line}: {what}; the line was skipped");
            else _unlisted++;
        }

        /// <summary>Entries kept per tail; more are a warning (a record is tried against each, so this bounds the work per record).</summary>
        public const int MaxEntriesPerTail = 8;

        private bool Add(MmtlsKeyLogEntry entry)
        {
            var index = entry.Inner ? _inner : _outer;
            if (!index.TryGetValue(entry.TailKey, out var list)) index[entry.TailKey] = list = new List<MmtlsKeyLogEntry>(1);
            if (list.Count >= MaxEntriesPerTail) return false;
            list.Add(entry);
            if (entry.Inner) InnerEntries++; else OuterEntries++;
            return true;
        }

        /// <summary>OUTER entries whose tail is these 8 bytes.</summary>
        internal IReadOnlyList<MmtlsKeyLogEntry>? FindOuter(ulong tail) => _outer.TryGetValue(tail, out var list) ? list : null;

        /// <summary>INNER entries whose tag ends with these 8 bytes.</summary>
        internal IReadOnlyList<MmtlsKeyLogEntry>? FindInner(ulong tail) => _inner.TryGetValue(tail, out var list) ? list : null;

        internal bool HasInner => _inner.Count > 0;

        /// <summary>8 bytes as a lookup key (big-endian).</summary>
        internal static ulong TailKey(ReadOnlySpan<byte> tail8) => System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(tail8);

        private static bool TryEntry(Dictionary<string, string?> v, int line, out MmtlsKeyLogEntry? entry, out string? error)
        {
            entry = null;
            string? layer = Get(v, "layer");
            bool inner;
            if (string.Equals(layer, "OUTER", StringComparison.OrdinalIgnoreCase)) inner = false;
            else if (string.Equals(layer, "INNER", StringComparison.OrdinalIgnoreCase)) inner = true;
            else { error = layer is null ? "no \"layer\"" : "\"layer\" is neither OUTER nor INNER"; return false; }
            bool? encrypt = null;
            string? enc = Get(v, "encrypt");
            if (enc == "true") encrypt = true;
            else if (enc == "false") encrypt = false;
            else if (enc != null) { error = "\"encrypt\" is not true or false"; return false; }
            if (!Hex(v, "key", true, out var key, out error)) return false;
            if (!MmtlsAead.IsKeyLength(key.Length)) { error = $"\"key\" is {key.Length} bytes, not an AES key (16, 24 or 32)"; return false; }
            if (!inner && key.Length != 16) { error = $"\"key\" is {key.Length} bytes; OUTER keys are 16 (AES-128-GCM)"; return false; }
            string nonceName = v.ContainsKey("nonce") || !v.ContainsKey("iv") ? "nonce" : "iv";
            if (!Hex(v, nonceName, true, out var nonce, out error)) return false;
            if (nonce.Length != MmtlsAead.NonceLength) { error = $"\"{nonceName}\" is {nonce.Length} bytes, not 12"; return false; }
            if (!Hex(v, "metadata", false, out var metadata, out error)) return false;
            if (!Hex(v, "tag", false, out var tag, out error)) return false;
            if (!Hex(v, "tail", false, out var tail, out error)) return false;
            if (tag.Length > 0 && tag.Length != MmtlsAead.TagLength) { error = $"\"tag\" is {tag.Length} bytes, not 16"; return false; }
            if (tail.Length == 0 && tag.Length == MmtlsAead.TagLength) tail = new ReadOnlySpan<byte>(tag, 8, 8).ToArray();
            if (tail.Length != 8) { error = tail.Length == 0 ? "no \"tail\"" : $"\"tail\" is {tail.Length} bytes, not 8"; return false; }
            if (tag.Length == MmtlsAead.TagLength && !new ReadOnlySpan<byte>(tag, 8, 8).SequenceEqual(tail)) { error = "\"tail\" is not the end of \"tag\""; return false; }
            entry = new MmtlsKeyLogEntry(inner, encrypt, key, nonce, metadata, tail, tag.Length > 0 ? tag : null, line);
            return true;
        }

        private static string? Get(Dictionary<string, string?> v, string name) => v.TryGetValue(name, out var s) ? s : null;

        private static bool Hex(Dictionary<string, string?> v, string name, bool required, out byte[] bytes, out string? error)
        {
            bytes = Array.Empty<byte>();
            error = null;
            string? s = Get(v, name);
            if (s is null)
            {
                if (required) error = $"no \"{name}\"";
                return !required;
            }
            if (s.Length % 2 != 0) { error = $"\"{name}\" has an odd number of hex digits"; return false; }
            bytes = new byte[s.Length / 2];
            for (int i = 0; i < bytes.Length; i++)
            {
                int hi = Nibble(s[2 * i]), lo = Nibble(s[2 * i + 1]);
                if (hi < 0 || lo < 0) { error = $"\"{name}\" is not hex"; bytes = Array.Empty<byte>(); return false; }
                bytes[i] = (byte)(hi << 4 | lo);
            }
            return true;
        }

        private static int Nibble(char c) => c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
