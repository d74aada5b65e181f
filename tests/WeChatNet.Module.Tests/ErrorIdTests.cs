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
