using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using WeChatNet.Tests.Infrastructure;

namespace WeChatNet.Tests.IpIntel
{
    /// <summary>The reference tools: mmdblookup (libmaxminddb, Debian mmdb-bin) and MaxMind's Perl writer.</summary>
    internal static class MmdbOracle
    {
        public sealed record Answer(int ExitCode, int? PrefixLength, string Record, string Error);

        private static readonly Regex PrefixLine = new Regex(@"Record prefix length: (\d+)", RegexOptions.Compiled);

        /// <summary>
        /// Runs <c>mmdblookup --verbose</c>; the record is returned with each line trimmed and the lines joined, the
        /// form MmdbDatabaseTests renders MaxMind.Db's decode in.
        /// </summary>
        public static Answer Lookup(string file, string ip)
        {
            string tool = ExternalTool.Require("mmdblookup", "mmdb-bin");
            var r = ExternalTool.Run(tool, "--file", file, "--ip", ip, "--verbose");
            var m = PrefixLine.Match(r.StandardOutput);
            string record = m.Success
                ? string.Concat(r.StandardOutput.Substring(m.Index + m.Length).Split('\n').Select(l => l.Trim()))
                : string.Empty;
            return new Answer(r.ExitCode, m.Success ? int.Parse(m.Groups[1].Value) : null, record, r.StandardError.Trim());
        }

        /// <summary>Writes a City+ASN-shaped database with MaxMind::DB::Writer (fixtures/write-mmdb.pl).</summary>
        public static void Write(string path, int recordSize, int ipVersion)
        {
            string perl = ExternalTool.Require("perl", "perl");
            if (ExternalTool.Run(perl, "-MMaxMind::DB::Writer::Tree", "-e", "1").ExitCode != 0)
                throw new InvalidOperationException("This test needs MaxMind's DB writer, which is not installed: apt-get install -y libmaxmind-db-writer-perl (.ci/run installs it).");
            string script = Path.Combine(ExternalTool.RepoRoot, "tests", "WeChatNet.Core.Tests", "IpIntel", "fixtures", "write-mmdb.pl");
            ExternalTool.Run(perl, script, path, recordSize.ToString(), ipVersion.ToString())
                .EnsureSuccess($"write-mmdb.pl {recordSize} {ipVersion} (needs libmaxmind-db-writer-perl)");
        }
    }
}
