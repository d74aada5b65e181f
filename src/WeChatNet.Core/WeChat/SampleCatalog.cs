using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using WeChatNet.Text;

namespace WeChatNet.WeChat
{
    /// <summary>Lists the sample captures in a folder (the module's <c>samples/</c>) from their files and manifests.</summary>
    internal static class SampleCatalog
    {
        /// <summary>The samples folder beside the module's DLL, or null when it is missing.</summary>
        public static string? ModuleSamplesDirectory(string assemblyLocation)
        {
            string? dir = Path.GetDirectoryName(assemblyLocation);
            if (dir is null) return null;
            string samples = Path.Combine(dir, "samples");
            return Directory.Exists(samples) ? samples : null;
        }

        /// <summary>
        /// Samples whose name matches one of <paramref name="names"/> (wildcards allowed; null or empty = all), sorted by
        /// name. Literal names that match nothing are returned in <paramref name="unmatched"/>.
        /// </summary>
        public static IReadOnlyList<WeChatSample> List(string directory, IEnumerable<string>? names, out IReadOnlyList<string> unmatched)
        {
            var all = new List<WeChatSample>();
            foreach (var file in Directory.GetFiles(directory, "*.pcapng").OrderBy(f => f, StringComparer.Ordinal))
                all.Add(Read(file));
            var wanted = names?.Where(n => !string.IsNullOrEmpty(n)).ToList() ?? new List<string>();
            var missing = new List<string>();
            if (wanted.Count == 0) { unmatched = missing; return all; }
            var result = new List<WeChatSample>();
            foreach (var pattern in wanted)
            {
                var hits = all.Where(s => Wildcard.IsMatch(s.Name, pattern)).ToList();
                if (hits.Count == 0 && !Wildcard.ContainsWildcard(pattern)) missing.Add(pattern);
                foreach (var h in hits) if (!result.Contains(h)) result.Add(h);
            }
            unmatched = missing;
            return result;
        }

        private static WeChatSample Read(string file)
        {
            string name = Path.GetFileNameWithoutExtension(file);
            string manifest = Path.Combine(Path.GetDirectoryName(file)!, name + ".expected.txt");
            string description = "";
            long packets = 0, messages = 0;
            if (File.Exists(manifest))
            {
                using var reader = new StreamReader(manifest);
                string? first = reader.ReadLine(), second = reader.ReadLine();
                if (first != null && first.StartsWith("# ", StringComparison.Ordinal))
                {
                    int colon = first.IndexOf(": ", StringComparison.Ordinal);
                    description = colon > 0 ? first.Substring(colon + 2) : first.Substring(2);
                }
                if (second != null)
                {
                    var words = second.Split(' ');
                    for (int i = 1; i < words.Length; i++)
                    {
                        if (words[i].StartsWith("packets", StringComparison.Ordinal)) long.TryParse(words[i - 1], out packets);
                        if (words[i].StartsWith("messages", StringComparison.Ordinal)) long.TryParse(words[i - 1], out messages);
                    }
                }
            }
            string keys = Path.Combine(Path.GetDirectoryName(file)!, name + ".keys");
            return new WeChatSample(name, Path.GetFullPath(file), description, packets, messages, new FileInfo(file).Length,
                File.Exists(keys) ? Path.GetFullPath(keys) : null);
        }
    }
}
