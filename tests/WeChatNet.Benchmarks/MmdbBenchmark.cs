using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Numerics;
using System.Text;
using MaxMind.Db;
using WeChatNet.IpIntel;

namespace WeChatNet.Benchmarks
{
    /// <summary>
    /// Our MmdbReader against MaxMind.Db 5.2.0 (the package the design card names) on the shipped
    /// data/mainland-china.mmdb and on a larger City+ASN-shaped file written here by MaxMind's Perl writer
    /// (libmaxmind-db-writer-perl): lookups per CPU second and bytes allocated per lookup, for what IpIntelligence
    /// reads (country, city, ASN, AS organisation) and for a full record decode; then agreement on every address:
    /// found or not, prefix length, and the whole record.
    /// Usage: mmdb [networks=200000] [lookups=400000]
    /// </summary>
    public sealed class MmdbBenchmark : IBenchmark
    {
        public string Name => "mmdb";
        public string Description => "MmdbReader vs MaxMind.Db 5.2.0: speed, allocation, agreement (shipped + Perl-written file)";

        public string Run(string[] args)
        {
            int networks = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
            int lookups = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 400_000;
            string repo = BenchmarkSupport.RepoRoot();
            string dir = Path.Combine(Path.GetTempPath(), $"wechatnet-mmdb-bench-{Environment.ProcessId}");
            Directory.CreateDirectory(dir);
            var md = new StringBuilder();
            try
            {
                string big = Path.Combine(dir, "city-asn.mmdb");
                var write = Stopwatch.StartNew();
                WriteLargeFile(big, networks, dir);
                write.Stop();
                md.AppendLine("## MMDB reader: MmdbReader vs MaxMind.Db 5.2.0");
                md.AppendLine();
                md.AppendLine($"`dotnet run --project tests/WeChatNet.Benchmarks -c Release -- mmdb {networks} {lookups}`, {DateTime.UtcNow:yyyy-MM-dd}, " +
                    $"{Environment.ProcessorCount} cores (shared, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}), .NET {Environment.Version}, single thread. " +
                    "Rates are lookups per CPU second of this process, best of 5 rounds; allocation is bytes per lookup on this thread. " +
                    "MaxMind.Db opened with FileAccessMode.Memory (the whole file in a byte array, as MmdbReader holds it).");
                md.AppendLine();
                md.AppendLine("| File | What each lookup does | MmdbReader | MaxMind.Db | Ratio (ours / theirs) |");
                md.AppendLine("|---|---|---:|---:|---:|");
                var agreement = new List<string>();
                foreach (var (label, file) in new[] { ("data/mainland-china.mmdb", Path.Combine(repo, "data", "mainland-china.mmdb")), ($"Perl-written, {networks} networks", big) })
                    Measure(label, file, lookups, md, agreement);
                md.AppendLine();
                md.AppendLine($"The larger file: {new FileInfo(big).Length / 1e6:F1} MB, written in {write.Elapsed.TotalSeconds:F0} s by MaxMind::DB::Writer " +
                    "(random IPv4 /16-/28 networks and IPv6 /32-/48, 2,000 distinct City+ASN records with English and Chinese names, location, subdivisions).");
                foreach (var a in agreement) md.AppendLine(a);
                return md.ToString();
            }
            finally { Directory.Delete(dir, recursive: true); }
        }

        private static void Measure(string label, string file, int lookups, StringBuilder md, List<string> agreement)
        {
            var ours = MmdbReader.Open(file);
            using var theirs = new Reader(file, FileAccessMode.Memory);
            var rng = new Random(7);
            // Addresses: half inside the file's networks (drawn from its own tree by trying), half anywhere.
            var v4 = new List<byte[]>();
            var v6 = new List<byte[]>();
            while (v4.Count < 1 << 15)
            {
                var b = new byte[4];
                rng.NextBytes(b);
                bool hit = ours.Lookup(b).Found;
                if (hit || v4.Count % 2 == 1) v4.Add(b);
            }
            if (ours.Metadata.IpVersion == 6)
            {
                while (v6.Count < 1 << 12)
                {
                    var b = new byte[16];
                    rng.NextBytes(b);
                    if (v6.Count % 2 == 0) { b[0] = 0x24; b[1] = 0x02; }
                    v6.Add(b);
                }
            }
            var all = v4.Concat(v6).ToArray();
            var ips = all.Select(b => new IPAddress(b)).ToArray();

            // Agreement on every address: found, prefix length, the whole record.
            int found = 0, differ = 0;
            string? firstDiff = null;
            for (int i = 0; i < all.Length; i++)
            {
                var hit = ours.Lookup(all[i]);
                MmdbValue? value = null;
                if (hit.Found && !ours.TryReadRecord(hit, out value, out var error)) throw new InvalidOperationException(error);
                var their = theirs.Find<Dictionary<string, object>>(ips[i], out int theirPrefix);
                int ourPrefix = hit.PrefixLength;
                bool same = hit.Found == (their != null) && (!hit.Found || (ourPrefix == theirPrefix && Canon(value!) == Canon(their!)));
                if (hit.Found) found++;
                if (!same)
                {
                    differ++;
                    firstDiff ??= $"{ips[i]}: ours found={hit.Found}/{ourPrefix} {(value is null ? "" : Canon(value))}; MaxMind found={their != null}/{theirPrefix} {(their is null ? "" : Canon(their))}";
                }
            }
            agreement.Add($"Agreement on {label}: {all.Length} addresses ({v4.Count} IPv4, {v6.Count} IPv6), {found} found; " +
                $"found/prefix length/whole record differ on {differ}{(firstDiff is null ? "" : " (first: " + firstDiff + ")")}.");

            // What IpIntelligence reads per address.
            var oursNeeded = Rate(n =>
            {
                int s = 0;
                for (int i = 0; i < n; i++)
                {
                    var hit = ours.Lookup(all[i % all.Length]);
                    if (!hit.Found || !ours.TryReadRecord(hit, out var r, out _)) continue;
                    s += (r!.Path("country", "iso_code")?.AsString()?.Length ?? 0) + (r.Path("city", "names", "en")?.AsString()?.Length ?? 0)
                        + (int)(r.Path("autonomous_system_number")?.AsInteger() ?? 0) + (r.Path("autonomous_system_organization")?.AsString()?.Length ?? 0);
                }
                return s;
            }, lookups);
            var theirsNeeded = Rate(n =>
            {
                int s = 0;
                for (int i = 0; i < n; i++)
                {
                    var r = theirs.Find<NeededFields>(ips[i % all.Length]);
                    if (r is null) continue;
                    s += (r.Country?.IsoCode?.Length ?? 0) + (r.City?.Names?.TryGetValue("en", out var c) == true ? c.Length : 0)
                        + (int)(r.Asn ?? 0) + (r.AsOrganization?.Length ?? 0);
                }
                return s;
            }, lookups);
            var oursFull = Rate(n =>
            {
                int s = 0;
                for (int i = 0; i < n; i++)
                {
                    var hit = ours.Lookup(all[i % all.Length]);
                    if (hit.Found && ours.TryReadRecord(hit, out _, out _)) s++;
                }
                return s;
            }, lookups);
            var theirsFull = Rate(n =>
            {
                int s = 0;
                for (int i = 0; i < n; i++) if (theirs.Find<Dictionary<string, object>>(ips[i % all.Length]) != null) s++;
                return s;
            }, lookups);
            var oursTree = Rate(n => { int s = 0; for (int i = 0; i < n; i++) s += ours.Lookup(all[i % all.Length]).PrefixLength; return s; }, lookups * 4);

            string Cell((double Rate, double Bytes) r) => $"{r.Rate / 1e6:F2} M/s, {r.Bytes:F0} B";
            md.AppendLine($"| {label} | country, city, ASN, AS name (MaxMind: typed [Constructor] class) | {Cell(oursNeeded)} | {Cell(theirsNeeded)} | {oursNeeded.Rate / theirsNeeded.Rate:F2}x |");
            md.AppendLine($"| {label} | whole record (ours: MmdbValue tree; MaxMind: Dictionary<string, object>) | {Cell(oursFull)} | {Cell(theirsFull)} | {oursFull.Rate / theirsFull.Rate:F2}x |");
            md.AppendLine($"| {label} | tree walk only (MaxMind.Db has no public call for it) | {Cell(oursTree)} | n/a | |");
        }

        /// <summary>Lookups per CPU second (best of 5) and bytes allocated per lookup.</summary>
        private static (double Rate, double Bytes) Rate(Func<int, int> body, int count)
        {
            body(Math.Min(count, 20_000));
            double best = 0, bytes = 0;
            var self = Process.GetCurrentProcess();
            for (int round = 0; round < 5; round++)
            {
                self.Refresh();
                var cpu0 = self.TotalProcessorTime;
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                int sink = body(count);
                long used = GC.GetAllocatedBytesForCurrentThread() - allocated;
                self.Refresh();
                double cpu = (self.TotalProcessorTime - cpu0).TotalSeconds;
                if (sink == int.MinValue) Console.WriteLine();
                best = Math.Max(best, count / Math.Max(cpu, 1e-6));
                bytes = used / (double)count;
            }
            return (best, bytes);
        }

        /// <summary>The four fields IpIntelligence reads, as MaxMind.Db's documentation decodes them.</summary>
        public sealed class NeededFields
        {
            [Constructor]
            public NeededFields([MapKey("country")] NamedPlace? country, [MapKey("city")] NamedPlace? city,
                [MapKey("autonomous_system_number")] long? asn, [MapKey("autonomous_system_organization")] string? asOrganization)
            {
                Country = country;
                City = city;
                Asn = asn;
                AsOrganization = asOrganization;
            }
            public NamedPlace? Country { get; }
            public NamedPlace? City { get; }
            public long? Asn { get; }
            public string? AsOrganization { get; }
        }

        public sealed class NamedPlace
        {
            [Constructor]
            public NamedPlace([MapKey("iso_code")] string? isoCode, [MapKey("names")] Dictionary<string, string>? names)
            {
                IsoCode = isoCode;
                Names = names;
            }
            public string? IsoCode { get; }
            public Dictionary<string, string>? Names { get; }
        }

        // ---- one canonical text for both decoders' records: keys sorted, integers in decimal, floats round-trip ----

        internal static string Canon(MmdbValue v)
        {
            var sb = new StringBuilder();
            Write(v, sb);
            return sb.ToString();
            static void Write(MmdbValue v, StringBuilder sb)
            {
                switch (v.Type)
                {
                    case MmdbType.Map:
                        sb.Append('{');
                        foreach (var e in v.Entries!.OrderBy(e => e.Key, StringComparer.Ordinal)) { sb.Append(e.Key).Append(':'); Write(e.Value, sb); sb.Append(','); }
                        sb.Append('}');
                        break;
                    case MmdbType.Array:
                        sb.Append('[');
                        foreach (var i in v.Items!) { Write(i, sb); sb.Append(','); }
                        sb.Append(']');
                        break;
                    default: sb.Append(Scalar(v.Scalar)); break;
                }
            }
        }

        internal static string Canon(object o)
        {
            var sb = new StringBuilder();
            Write(o, sb);
            return sb.ToString();
            static void Write(object o, StringBuilder sb)
            {
                switch (o)
                {
                    case IDictionary d:
                        sb.Append('{');
                        foreach (var k in d.Keys.Cast<string>().OrderBy(k => k, StringComparer.Ordinal)) { sb.Append(k).Append(':'); Write(d[k]!, sb); sb.Append(','); }
                        sb.Append('}');
                        break;
                    case IList l when !(o is byte[]):
                        sb.Append('[');
                        foreach (var i in l) { Write(i!, sb); sb.Append(','); }
                        sb.Append(']');
                        break;
                    default: sb.Append(Scalar(o)); break;
                }
            }
        }

        private static string Scalar(object? s) => s switch
        {
            null => "null",
            string t => "\"" + t + "\"",
            bool b => b ? "true" : "false",
            double d => "d" + d.ToString("R", CultureInfo.InvariantCulture),
            float f => "f" + f.ToString("R", CultureInfo.InvariantCulture),
            byte[] b => "0x" + Convert.ToHexString(b),
            BigInteger i => i.ToString(CultureInfo.InvariantCulture),
            IConvertible c => Convert.ToDecimal(c, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
            _ => s.ToString() ?? "",
        };

        private static void WriteLargeFile(string path, int networks, string dir)
        {
            string perl = "/usr/bin/perl";
            string script = Path.Combine(dir, "write-large.pl");
            File.WriteAllText(script, @"use strict; use warnings; use utf8;
use MaxMind::DB::Writer::Tree;
my ($out, $n) = @ARGV;
srand(1);
my %types = (country => 'map', city => 'map', names => 'map', location => 'map', registered_country => 'map',
  iso_code => 'utf8_string', en => 'utf8_string', 'zh-CN' => 'utf8_string', geoname_id => 'uint32',
  autonomous_system_number => 'uint32', autonomous_system_organization => 'utf8_string',
  latitude => 'double', longitude => 'double', accuracy_radius => 'uint16', subdivisions => ['array', 'map']);
my $tree = MaxMind::DB::Writer::Tree->new(ip_version => 6, record_size => 28, database_type => 'WeChatNet-Bench-City-ASN',
  languages => ['en', 'zh-CN'], description => { en => 'WeChatNet benchmark' }, map_key_type_callback => sub { $types{ $_[0] } },
  remove_reserved_networks => 0, merge_strategy => 'none');
my @cc = qw(CN HK SG US JP DE GB FR KR TW);
my @records = map { my $c = $cc[$_ % @cc]; {
  country => { iso_code => $c, geoname_id => 1000 + $_ % 10, names => { en => ""Country $c"", 'zh-CN' => ""国家$c"" } },
  city => { geoname_id => 5000 + $_, names => { en => ""City $_"", 'zh-CN' => ""城市$_"" } },
  location => { latitude => -60 + ($_ % 120) + 0.25, longitude => -170 + ($_ % 340) + 0.5, accuracy_radius => 10 + $_ % 500 },
  subdivisions => [ { iso_code => 'S' . ($_ % 50), names => { en => ""Province $_"" } } ],
  autonomous_system_number => 1000 + ($_ * 7) % 60000, autonomous_system_organization => ""Network Operator $_ Ltd"" } } (0 .. 1999);
for my $i (1 .. $n) {
  my $len = 16 + int(rand(13));
  my $a = int(rand(2**32)) & ~((2**(32 - $len)) - 1);
  my $net = join('.', ($a >> 24) & 255, ($a >> 16) & 255, ($a >> 8) & 255, $a & 255) . ""/$len"";
  $tree->insert_network($net, $records[int(rand(@records))]);
}
for my $i (1 .. int($n / 20)) {
  my $len = 32 + int(rand(17));
  my @h = (0x2400 + int(rand(0x200)), int(rand(65536)), int(rand(65536)));
  $tree->insert_network(sprintf('%x:%x:%x::/%d', @h, $len), $records[int(rand(@records))]);
}
open my $fh, '>:raw', $out or die ""cannot write $out: $!"";
$tree->write_tree($fh);
close $fh;
");
            var psi = new ProcessStartInfo(perl) { RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add(path);
            psi.ArgumentList.Add(networks.ToString(CultureInfo.InvariantCulture));
            using var p = Process.Start(psi)!;
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException("MaxMind::DB::Writer failed (apt-get install -y libmaxmind-db-writer-perl): " + err);
        }
    }
}
