using System.IO;
using System.Linq;
using WeChatNet.Analysis;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.Analysis
{
    public sealed class FindingDocsTests
    {
        [Fact]
        public void EveryShippedRuleIsDocumentedWithItsSeverity()
        {
            string doc = File.ReadAllText(Path.Combine(ExternalTool.RepoRoot, "docs", "findings.md"));
            foreach (var rule in FindingEngine.Default.Rules)
                Assert.Contains($"| `{rule.Id}` | {rule.Severity} |", doc);
            Assert.Equal(FindingEngine.Default.Rules.Count, doc.Split('\n').Count(l => l.StartsWith("| `")));
        }
    }
}
