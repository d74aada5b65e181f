using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace WeChatNet.ModuleTests
{
    /// <summary>Help pages name only error ids the code can write.</summary>
    public sealed class ErrorIdTests
    {
        /// <summary>
        /// The error ids a help page lists: backticked PascalCase names in the NOTES paragraphs that start with "Errors"
        /// or "ErrorIds" (a paragraph ends at a blank line).
        /// </summary>
        public static IReadOnlyList<string> HelpErrorIds(string page)
        {
            var notes = Regex.Match(page.Replace("\r\n", "\n"), @"^## NOTES\s*\n(?<b>[\s\S]*?)(?=^## |\z)", RegexOptions.Multiline);
            if (!notes.Success) return Array.Empty<string>();
            var ids = new List<string>();
            foreach (var paragraph in Regex.Split(notes.Groups["b"].Value, @"\n\s*\n"))
            {
                var start = Regex.Match(paragraph, @"\b(Errors|ErrorIds)\b");
                if (!start.Success) continue;
                foreach (Match m in Regex.Matches(paragraph.Substring(start.Index), @"`(?<id>[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+)`"))
                    ids.Add(m.Groups["id"].Value);
            }
            return ids.Distinct().ToList();
        }

        /// <summary>Every PascalCase string literal and enum member name in the module's and the core's source: what an error id can be.</summary>
        public static HashSet<string> CodeNames(string root)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var dir in new[] { Path.Combine(root, "src", "WeChatNet"), Path.Combine(root, "src", "WeChatNet.Core") })
                foreach (var file in Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories))
                {
                    string text = File.ReadAllText(file);
                    foreach (Match m in Regex.Matches(text, @"""(?<id>[A-Z][A-Za-z0-9]+)""")) names.Add(m.Groups["id"].Value);
                    foreach (Match e in Regex.Matches(text, @"\benum\s+\w+\s*(?::\s*\w+\s*)?\{(?<body>[^}]*)\}"))
                        foreach (Match m in Regex.Matches(Regex.Replace(e.Groups["body"].Value, @"//.*|/\*[\s\S]*?\*/", ""), @"\b(?<id>[A-Z][A-Za-z0-9]+)\b")) names.Add(m.Groups["id"].Value);
                }
            return names;
        }

        /// <summary>The ids of the table in docs/conventions.md: the first backticked cell of each row under "| ErrorId |".</summary>
        public static IReadOnlyList<string> TableErrorIds(string conventions)
        {
            var table = Regex.Match(conventions.Replace("\r\n", "\n"), @"^\| ErrorId \|.*\n\|[-| ]+\|\n(?<rows>(?:\|.*\n?)*)", RegexOptions.Multiline);
            if (!table.Success) return Array.Empty<string>();
            return Regex.Matches(table.Groups["rows"].Value, @"^\| `(?<id>[A-Za-z]+)` \|", RegexOptions.Multiline).Select(m => m.Groups["id"].Value).ToList();
        }

        /// <summary>
        /// The ids the code writes, where it spells them: literal ids in the cmdlets' ErrorRecords, the core's problem records,
        /// the switch arms and constants that name ids, and the dispatch failures (written by their enum names).
        /// </summary>
        public static HashSet<string> WrittenErrorIds(string root)
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            void Add(string text, string pattern)
            {
                foreach (Match m in Regex.Matches(text, pattern)) ids.Add(m.Groups["id"].Value);
            }
            string Read(params string[] parts) => File.ReadAllText(Path.Combine(new[] { root }.Concat(parts).ToArray()));
            foreach (var file in Directory.GetFiles(Path.Combine(root, "src", "WeChatNet", "Cmdlets"), "*.cs"))
                Add(File.ReadAllText(file), @"""(?<id>[A-Z][A-Za-z]+)"",\s*ErrorCategory\.");
            foreach (var file in Directory.GetFiles(Path.Combine(root, "src", "WeChatNet.Core"), "*.cs", SearchOption.AllDirectories))
                Add(File.ReadAllText(file), @"(?:ResolveProblem|DiagnosticProblem)\(""(?<id>[A-Z][A-Za-z]+)""");
            Add(Read("src", "WeChatNet.Core", "Capture", "CaptureTypes.cs"), @"=> ""(?<id>[A-Z][A-Za-z]+)"",");
            Add(Read("src", "WeChatNet.Core", "Capture", "Live", "LiveCaptureException.cs"), @"=> ""(?<id>[A-Z][A-Za-z]+)"",");
            Add(Read("src", "WeChatNet", "Cmdlets", "CaptureFiles.cs"), @"const string \w+ = ""(?<id>[A-Z][A-Za-z]+)""");
            Add(Read("src", "WeChatNet.Core", "Route", "RouteRequest.cs"), @"const string \w+ = ""(?<id>Route[A-Za-z]+)""");
            var failures = Regex.Match(Read("src", "WeChatNet.Core", "WeChat", "DispatchClient.cs"), @"enum DispatchFailure\s*\{(?<b>[^}]*)\}");
            foreach (Match m in Regex.Matches(failures.Groups["b"].Value, @"\b(?<id>Dispatch[A-Za-z]+)\b")) ids.Add(m.Groups["id"].Value);
            return ids;
        }

        [Fact]
        public void TheConventionsTableListsEveryErrorIdOnceAndOnlyIdsThatExist()
        {
            var table = TableErrorIds(File.ReadAllText(Path.Combine(Repo.Root, "docs", "conventions.md")));
            Assert.True(table.Count > 50, $"Only {table.Count} ids read from the table in docs/conventions.md: its format changed.");
            var problems = new List<string>();
            foreach (var dup in table.GroupBy(i => i).Where(g => g.Count() > 1)) problems.Add($"docs/conventions.md lists '{dup.Key}' {dup.Count()} times.");
            var names = CodeNames(Repo.Root);
            foreach (var id in table.Where(i => !names.Contains(i))) problems.Add($"docs/conventions.md lists '{id}', which src/ never writes.");
            var written = WrittenErrorIds(Repo.Root);
            Assert.True(written.Count > 40, $"Only {written.Count} ids read from src/: the way the code spells ids changed.");
            foreach (var id in written.Where(i => !table.Contains(i))) problems.Add($"src/ writes the error id '{id}', which the table in docs/conventions.md does not list.");
            foreach (var page in Directory.GetFiles(Repo.Module.DocsDirectory, "*.md"))
                foreach (var id in HelpErrorIds(File.ReadAllText(page)).Where(i => !table.Contains(i)))
                    problems.Add($"{Path.GetFileName(page)} lists the error id '{id}', which the table in docs/conventions.md does not.");
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }

        [Fact]
        public void ATableThatDriftsFromTheCodeIsCaught()
        {
            const string conventions = "| ErrorId | Category | When | Cmdlets |\n|---|---|---|---|\n| `CaptureFileNotFound` | x | y | z |\n| `CaptureFileReadError` | x | y | z |\n";
            var table = TableErrorIds(conventions);
            Assert.Equal(new[] { "CaptureFileNotFound", "CaptureFileReadError" }, table);
            Assert.DoesNotContain("CaptureFileReadError", CodeNames(Repo.Root));      // the old spelling is gone from the code
            Assert.Contains("CaptureFileUnreadable", WrittenErrorIds(Repo.Root));     // and the code's id would be missing from this table
            Assert.Contains("CapturePathIsDirectory", WrittenErrorIds(Repo.Root));   // a constant in CaptureFiles.cs
            Assert.Contains("DispatchTimeout", WrittenErrorIds(Repo.Root));
            Assert.Contains("CaptureLibraryMissing", WrittenErrorIds(Repo.Root));
        }

        [Fact]
        public void HelpPagesListOnlyErrorIdsThatExist()
        {
            var names = CodeNames(Repo.Root);
            var problems = new List<string>();
            int listed = 0;
            foreach (var page in Directory.GetFiles(Repo.Module.DocsDirectory, "*.md"))
                foreach (var id in HelpErrorIds(File.ReadAllText(page)))
                {
                    listed++;
                    if (!names.Contains(id)) problems.Add($"{Path.GetFileName(page)}: error id '{id}' is written nowhere in src/.");
                }
            Assert.True(listed > 40, $"Only {listed} error ids found in the help pages: the NOTES format changed and the check reads nothing.");
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }

        [Fact]
        public void APhantomErrorIdInAHelpPageIsCaught()
        {
            const string page = "# Get-Thing\n\n## NOTES\nErrors: `ThingNotFound` (no thing), `CaptureFileNotFound`.\n\nThe `LinkType` property is not an error id.\n";
            var ids = HelpErrorIds(page);
            Assert.Equal(new[] { "ThingNotFound", "CaptureFileNotFound" }, ids);
            var names = CodeNames(Repo.Root);
            Assert.DoesNotContain("ThingNotFound", names);
            Assert.Contains("CaptureFileNotFound", names);
        }
    }
}
