using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using WeChatNet.Text;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// WeChat's hosts as data: loaded from the embedded <c>Catalog.txt</c> (facts section 1), with region
    /// variants generated from the region-prefix table. Answers "list the hosts" and "what is this host".
    /// </summary>
    internal sealed class EndpointCatalog
    {
        public const string TencentOperator = "Shenzhen Tencent Computer Systems Co., Ltd.";
        public const string TencentIcpLicence = "粤B2-20090059";

        private static readonly Lazy<EndpointCatalog> s_default = new Lazy<EndpointCatalog>(LoadEmbedded);

        private readonly List<Row> _rows = new List<Row>();
        private readonly List<Endpoint> _endpoints = new List<Endpoint>();
        private readonly Dictionary<string, (Row Row, EndpointRegion Region)> _exact =
            new Dictionary<string, (Row, EndpointRegion)>(StringComparer.Ordinal);
        private readonly List<Row> _globs = new List<Row>();

        /// <summary>The catalog shipped with the module.</summary>
        public static EndpointCatalog Default => s_default.Value;

        /// <summary>Every endpoint, region variants expanded, in catalog order.</summary>
        public IReadOnlyList<Endpoint> Endpoints => _endpoints;

        /// <summary>Region prefixes (sz, sh, ...) and the region each stands for.</summary>
        public IReadOnlyDictionary<string, EndpointRegion> RegionPrefixes { get; }

        private EndpointCatalog(Dictionary<string, EndpointRegion> prefixes)
        {
            RegionPrefixes = prefixes;
        }

        private static EndpointCatalog LoadEmbedded()
        {
            using var stream = typeof(EndpointCatalog).Assembly.GetManifestResourceStream("WeChatNet.Catalog.txt")
                ?? throw new InvalidOperationException("The embedded WeChat catalog (WeChatNet.Catalog.txt) is missing from WeChatNet.Core.");
            using var reader = new StreamReader(stream);
            return Parse(reader.ReadToEnd());
        }

        /// <summary>Parses catalog text; throws <see cref="FormatException"/> naming the line on bad data.</summary>
        public static EndpointCatalog Parse(string text)
        {
            var prefixes = new Dictionary<string, EndpointRegion>(StringComparer.Ordinal);
            var catalog = new EndpointCatalog(prefixes);
            var lines = text.Replace("\r\n", "\n").Split('\n');
            for (int n = 0; n < lines.Length; n++)
            {
                string line = lines[n].Trim();
                if (line.Length == 0 || line[0] == '#') continue;
                int lineNo = n + 1;
                if (line.StartsWith("@region", StringComparison.Ordinal))
                {
                    var parts = line.Split((char[]?)null, 4, StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length < 3) throw new FormatException($"Catalog line {lineNo}: @region needs a prefix and a region.");
                    prefixes[parts[1]] = ParseEnum<EndpointRegion>(parts[2], lineNo);
                    continue;
                }
                var cols = line.Split('|').Select(c => c.Trim()).ToArray();
                if (cols.Length != 7) throw new FormatException($"Catalog line {lineNo}: expected 7 columns separated by '|', found {cols.Length}.");
                var row = new Row
                {
                    Pattern = cols[0].ToLowerInvariant(),
                    Role = ParseEnum<EndpointRole>(cols[1], lineNo),
                    Family = ParseEnum<EndpointFamily>(cols[2], lineNo),
                    Ports = cols[4].Length == 0 ? Array.Empty<int>() : cols[4].Split(',').Select(p => ParsePort(p, lineNo)).ToArray(),
                    Transport = ParseEnum<EndpointTransport>(cols[5], lineNo),
                    Description = cols[6],
                };
                catalog._rows.Add(row);
                if (row.Pattern.Contains("{r}"))
                {
                    foreach (var prefix in cols[3].Split(',').Select(p => p.Trim()))
                    {
                        EndpointRegion region;
                        string expanded;
                        if (prefix == "-") { region = EndpointRegion.Global; expanded = row.Pattern.Replace("{r}", ""); }
                        else if (prefixes.TryGetValue(prefix, out region)) expanded = row.Pattern.Replace("{r}", prefix);
                        else throw new FormatException($"Catalog line {lineNo}: region prefix '{prefix}' is not declared with @region.");
                        catalog.AddExact(expanded, row, region, lineNo);
                    }
                }
                else if (row.Pattern.IndexOf('*') >= 0)
                {
                    catalog._globs.Add(row);
                    catalog._endpoints.Add(catalog.ToEndpoint(row.Pattern, row, ParseEnum<EndpointRegion>(cols[3], lineNo)));
                }
                else
                {
                    catalog.AddExact(row.Pattern, row, ParseEnum<EndpointRegion>(cols[3], lineNo), lineNo);
                }
            }
            return catalog;
        }

        private void AddExact(string name, Row row, EndpointRegion region, int lineNo)
        {
            if (_exact.ContainsKey(name)) throw new FormatException($"Catalog line {lineNo}: '{name}' is listed twice.");
            _exact.Add(name, (row, region));
            _endpoints.Add(ToEndpoint(name, row, region));
        }

        private Endpoint ToEndpoint(string name, Row row, EndpointRegion region) => new Endpoint(
            name, row.Role.ToString(), row.Family.ToString(), region.ToString(), (int[])row.Ports.Clone(),
            row.Transport.ToString(), row.Description, TencentOperator,
            row.Family == EndpointFamily.Weixin ? TencentIcpLicence : string.Empty);

        /// <summary>
        /// What a host name is: role, family and region, or null for a name the catalog does not know
        /// (or a malformed one). Every decoder uses this to label connections.
        /// </summary>
        public HostClassification? Classify(string? hostName)
        {
            string? name = HostName.Normalize(hostName, out _);
            if (name is null) return null;
            if (_exact.TryGetValue(name, out var hit))
                return new HostClassification(name, hit.Row.Role, hit.Row.Family, hit.Region, hit.Row.Pattern);
            foreach (var row in _globs)
            {
                if (Wildcard.IsMatch(name, row.Pattern))
                    return new HostClassification(name, row.Role, row.Family, EndpointRegion.Global, row.Pattern);
            }
            return null;
        }

        /// <summary>
        /// Endpoints matching the filters. <paramref name="names"/> may hold wildcards; a literal name that is
        /// not a catalog row but classifies (e.g. socwxsns.video.qq.com) yields an endpoint of its own. Literal
        /// names that match nothing are returned in <paramref name="unmatched"/>.
        /// </summary>
        public IReadOnlyList<Endpoint> Query(IEnumerable<string>? names, IEnumerable<EndpointRole>? roles,
            IEnumerable<EndpointFamily>? families, IEnumerable<EndpointRegion>? regions, out IReadOnlyList<string> unmatched)
        {
            var missing = new List<string>();
            var result = new List<Endpoint>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var roleSet = roles?.Select(r => r.ToString()).ToList();
            var familySet = families?.Select(f => f.ToString()).ToList();
            var regionSet = regions?.Select(r => r.ToString()).ToList();
            bool Keep(Endpoint e) =>
                (roleSet is null || roleSet.Count == 0 || roleSet.Contains(e.Role)) &&
                (familySet is null || familySet.Count == 0 || familySet.Contains(e.Family)) &&
                (regionSet is null || regionSet.Count == 0 || regionSet.Contains(e.Region));
            void Add(Endpoint e)
            {
                if (Keep(e) && seen.Add(e.Name)) result.Add(e);
            }

            var list = names?.Where(n => !string.IsNullOrEmpty(n)).ToList();
            if (list is null || list.Count == 0)
            {
                foreach (var e in _endpoints) Add(e);
                unmatched = missing;
                return result;
            }
            foreach (var pattern in list)
            {
                if (Wildcard.ContainsWildcard(pattern))
                {
                    foreach (var e in _endpoints)
                        if (Wildcard.IsMatch(e.Name, pattern)) Add(e);
                    continue;
                }
                string literal = Wildcard.Unescape(pattern);
                var exact = _endpoints.FirstOrDefault(e => string.Equals(e.Name, literal, StringComparison.OrdinalIgnoreCase));
                if (exact != null) { Add(exact); continue; }
                var c = Classify(literal);
                if (c != null)
                {
                    var row = _rows.First(r => r.Pattern == c.Pattern);
                    Add(ToEndpoint(c.Name, row, c.Region));
                    continue;
                }
                missing.Add(pattern);
            }
            unmatched = missing;
            return result;
        }

        private static T ParseEnum<T>(string text, int lineNo) where T : struct
        {
            if (Enum.TryParse<T>(text, ignoreCase: false, out var value) && Enum.IsDefined(typeof(T), value)) return value;
            throw new FormatException($"Catalog line {lineNo}: '{text}' is not a {typeof(T).Name} ({string.Join(", ", Enum.GetNames(typeof(T)))}).");
        }

        private static int ParsePort(string text, int lineNo)
        {
            if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port > 0 && port <= 65535) return port;
            throw new FormatException($"Catalog line {lineNo}: '{text}' is not a port number.");
        }

        private sealed class Row
        {
            public string Pattern = "";
            public EndpointRole Role;
            public EndpointFamily Family;
            public int[] Ports = Array.Empty<int>();
            public EndpointTransport Transport;
            public string Description = "";
        }
    }
}
