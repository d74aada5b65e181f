using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace WeChatNet.IpIntel
{

    /// <summary>
    /// Readers of the prefix files shipped in the module's data folder (and their newer copies). Errors name the
    /// file and line: a replacement copy with a typo must not silently drop prefixes.
    /// </summary>
    internal static class PrefixData
    {
        /// <summary>Hard cap on lines, so a wrong file (a capture, a video) fails fast instead of eating memory.</summary>
        public const int MaxLines = 2_000_000;

        /// <summary>
        /// A prefix list: one CIDR a line (IPv4 or IPv6), blank lines and <c>#</c> comments allowed (chnroutes2 format).
        /// </summary>
        public static PrefixTable<string> ReadPrefixList(TextReader reader, string sourceName)
        {
            var entries = new List<KeyValuePair<IpPrefix, string>>();
            foreach (var (line, number) in Lines(reader, sourceName))
            {
                if (!IpPrefix.TryParse(line, out var prefix, out var error))
                    throw new FormatException($"{sourceName} line {number}: {error}. Expected one prefix a line such as 1.12.0.0/14.");
                entries.Add(new KeyValuePair<IpPrefix, string>(prefix, sourceName));
            }
            if (entries.Count == 0) throw new FormatException($"{sourceName}: no prefixes found.");
            return PrefixTable<string>.Build(entries);
        }

        /// <summary>An AS prefix list: <c>ASN&lt;TAB&gt;name&lt;TAB&gt;prefix</c> a line (ASN may be written AS45090).</summary>
        public static PrefixTable<AsOrigin> ReadAsPrefixList(TextReader reader, string sourceName)
        {
            var entries = new List<KeyValuePair<IpPrefix, AsOrigin>>();
            var origins = new Dictionary<(int, string), AsOrigin>();
            foreach (var (line, number) in Lines(reader, sourceName))
            {
                var cols = line.Split('\t');
                if (cols.Length != 3)
                    throw new FormatException($"{sourceName} line {number}: expected 3 tab-separated columns (ASN, AS name, prefix), found {cols.Length}.");
                string asnText = cols[0].Trim();
                if (asnText.StartsWith("AS", StringComparison.OrdinalIgnoreCase)) asnText = asnText.Substring(2);
                if (!int.TryParse(asnText, NumberStyles.None, CultureInfo.InvariantCulture, out int asn) || asn <= 0)
                    throw new FormatException($"{sourceName} line {number}: '{cols[0]}' is not an AS number.");
                if (!IpPrefix.TryParse(cols[2], out var prefix, out var error))
                    throw new FormatException($"{sourceName} line {number}: {error}.");
                var key = (asn, cols[1].Trim());
                if (!origins.TryGetValue(key, out var origin)) origins[key] = origin = new AsOrigin(asn, key.Item2);
                entries.Add(new KeyValuePair<IpPrefix, AsOrigin>(prefix, origin));
            }
            if (entries.Count == 0) throw new FormatException($"{sourceName}: no prefixes found.");
            return PrefixTable<AsOrigin>.Build(entries);
        }

        private static IEnumerable<(string Line, int Number)> Lines(TextReader reader, string sourceName)
        {
            int number = 0;
            string? raw;
            while ((raw = reader.ReadLine()) != null)
            {
                if (++number > MaxLines) throw new FormatException($"{sourceName}: more than {MaxLines} lines; this is not a prefix list.");
                if (raw.IndexOf('\0') >= 0) throw new FormatException($"{sourceName} line {number}: binary data; this is not a prefix list.");
                string line = raw.Trim();
                int hash = line.IndexOf('#');
                if (hash >= 0) line = line.Substring(0, hash).Trim();
                if (line.Length == 0) continue;
                yield return (line, number);
            }
        }
    }
}
