using System;
using System.IO;
using System.Linq;
using System.Threading;
using WeChatNet.Analysis;
using WeChatNet.Tests.Infrastructure;
using Xunit;
using WeChatNet.Diagnostics;

namespace WeChatNet.Tests.Diagnostics
{
    /// <summary>Invoke-WeChatDiagnostic -Path on every shipped sample: the findings each must produce, sorted by severity.</summary>
    public sealed class DiagnosticCaptureTests
    {
        internal static string Sample(string name) => Path.Combine(ExternalTool.RepoRoot, "samples", name + ".pcapng");

        internal static DiagnosticResult Diagnose(params string[] samples) =>
            DiagnosticRunner.Run(new DiagnosticRequest { CapturePaths = samples.Select(Sample).ToList() });

        [Theory]
        // sample, the rule ids it must produce (distinct, in output order)
        [InlineData("dead-link", "LongLinkDied")]
        [InlineData("nat-timeout", "LongLinkIdleTimeout")]
        [InlineData("retransmissions", "Retransmissions")]
        [InlineData("login-dispatch", "")]
        [InlineData("mmtls-longlink", "")]
        [InlineData("shortlink-burst", "")]
        [InlineData("legacy-longlink", "")]
        [InlineData("mmtls-keylog", "")]
        public void EverySampleGivesItsFindings(string sample, string expected)
        {
            var r = Diagnose(sample);
            Assert.Empty(r.Problems);
            Assert.Equal(expected, string.Join(",", r.Findings.Select(f => f.RuleId).Distinct()));
            // Sorted: errors, then warnings, then info.
            var ranks = r.Findings.Select(f => f.Severity == "Error" ? 0 : f.Severity == "Warning" ? 1 : 2).ToList();
            Assert.Equal(ranks.OrderBy(x => x), ranks);
            Assert.Contains(r.Checks, c => c.StartsWith("Capture: 1 of 1 file(s)", StringComparison.Ordinal));
            Assert.NotNull(r.Capture);
            Assert.False(r.Live);
        }
    }
}
