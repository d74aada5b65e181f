using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace WeChatNet.ModuleTests
{
    /// <summary>
    /// The layout rules of docs/architecture.md ("Where types live"), read from the sources: every file is named after a
    /// type it declares (a part of a partial type is Type.Aspect.cs), and a file's namespace is its folder's
    /// (WeChatNet.&lt;Folder&gt;), except output types, which keep the root namespace WeChatNet wherever they live.
    /// </summary>
    public sealed class SourceLayoutTests
    {
        private static readonly Regex Namespace = new Regex(@"^namespace\s+([\w.]+)", RegexOptions.Multiline);
        private static readonly Regex TopLevelType = new Regex(
            @"^    (?:\[[^\]]*\]\s*)*(?:public|internal)\s+(?:(?:sealed|abstract|static|readonly|ref|partial)\s+)*(?:class|struct|enum|interface)\s+(\w+)",
            RegexOptions.Multiline);

        /// <summary>Folders whose files follow another convention, with the reason.</summary>
        private static readonly Dictionary<string, string> Exempt = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            // Compiler attributes for netstandard2.0, declared in the namespaces the compiler looks them up in.
            ["src/WeChatNet.Core/Polyfills"] = "polyfills",
        };

        /// <summary>
        /// Files still to split, each changed by work running in parallel with the one that wrote these rules (issue 13):
        /// splitting them there would have made every merge a conflict. Remove an entry when its file is split; the
        /// test below fails while an entry names a file that already follows the rule.
        /// </summary>
        private static readonly Dictionary<string, string> Pending = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["src/WeChatNet.Core/WeChat/Mmtls.cs"] = "MMTLS decryption work: MmtlsRecordHeader, MmtlsHandshakeInfo, MmtlsHandshake",
            ["src/WeChatNet.Core/Capture/CaptureTypes.cs"] = "one shape for file damage (issue 13 item 2): CaptureFileError and its neighbours",
            ["src/WeChatNet/Cmdlets/Completers.cs"] = "the vocabulary work on completers (issue 13 item 1): one completer per file",
        };

        /// <summary>Folder -> namespace where they differ: the module's cmdlet classes are WeChatNet.Commands.</summary>
        private static readonly Dictionary<string, string> FolderNamespace = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["src/WeChatNet/Cmdlets"] = "WeChatNet.Commands",
        };

        private static IEnumerable<(string Relative, string Text)> Sources()
        {
            foreach (var project in new[] { "src/WeChatNet.Core", "src/WeChatNet" })
            {
                string dir = Path.Combine(Repo.Root, project);
                foreach (var file in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories))
                {
                    string rel = Path.GetRelativePath(Repo.Root, file).Replace('\\', '/');
                    if (rel.Contains("/bin/") || rel.Contains("/obj/")) continue;
                    if (Exempt.Keys.Any(e => rel.StartsWith(e + "/", StringComparison.Ordinal))) continue;
                    yield return (rel, File.ReadAllText(file));
                }
            }
        }

        /// <summary>
        /// The core's layers, bottom up (docs/architecture.md, "Layers"): a folder may use its own folder and folders of
        /// a lower rank, never one of its rank or above.
        /// </summary>
        private static readonly Dictionary<string, int> Rank = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["Text"] = 0, ["Polyfills"] = 0, ["IpIntel"] = 0,
            ["Packets"] = 1, ["Dns"] = 1,
            ["Capture"] = 2, ["Streams"] = 2, ["Route"] = 2,
            ["Capture.Live"] = 3,
            ["WeChat"] = 4,
            ["Resolution"] = 5, ["Connectivity"] = 5, ["Connections"] = 5, ["Analysis"] = 5,
            ["Diagnostics"] = 6,
        };

        private static readonly Regex Uses = new Regex(@"(?:^using\s+WeChatNet\.([\w.]+?);|\bWeChatNet\.((?:Capture\.Live)|[A-Z]\w*)\.[A-Z])", RegexOptions.Multiline);

        /// <summary>Layer violations of one core file: each folder it uses that is not below its own.</summary>
        internal static IEnumerable<string> LayerProblems(string rel, string text)
        {
            if (!rel.StartsWith("src/WeChatNet.Core/", StringComparison.Ordinal)) yield break;
            string folder = Path.GetDirectoryName(rel)!.Replace('\\', '/').Substring("src/WeChatNet.Core".Length).TrimStart('/').Replace('/', '.');
            if (folder.Length == 0) { yield return $"{rel}: a file in the core's root folder belongs in a concern's folder"; yield break; }
            if (!Rank.TryGetValue(folder, out int own)) { yield return $"{rel}: folder {folder} has no layer in SourceLayoutTests.Rank (and docs/architecture.md)"; yield break; }
            foreach (var used in Uses.Matches(text).Select(m => m.Groups[1].Success && m.Groups[1].Value.Length > 0 ? m.Groups[1].Value : m.Groups[2].Value).Distinct())
            {
                if (used == folder || !Rank.TryGetValue(used, out int r)) continue;
                if (r >= own) yield return $"{rel}: {folder} (layer {own}) uses {used} (layer {r})";
            }
        }

        [Fact]
        public void LayersUseOnlyLowerLayers()
        {
            var problems = Sources().SelectMany(s => LayerProblems(s.Relative, s.Text)).ToList();
            Assert.True(problems.Count == 0, "layering rule broken (docs/architecture.md, Layers):\n" + string.Join("\n", problems));
        }

        internal static string? FileNameProblem(string rel, string text)
        {
            string stem = Path.GetFileNameWithoutExtension(rel).Split('.')[0];
            var types = TopLevelType.Matches(text).Select(m => m.Groups[1].Value).ToList();
            return types.Contains(stem) ? null : $"{rel} declares {(types.Count == 0 ? "no type" : string.Join(", ", types))}, none named {stem}";
        }

        internal static string? NamespaceProblem(string rel, string text)
        {
            var m = Namespace.Match(text);
            if (!m.Success) return $"{rel}: no namespace";
            string folder = Path.GetDirectoryName(rel)!.Replace('\\', '/');
            string expected = FolderNamespace.TryGetValue(folder, out var ns) ? ns
                : "WeChatNet" + Regex.Replace(folder, @"^src/WeChatNet(\.Core)?", "").Replace('/', '.');
            return m.Groups[1].Value == expected || m.Groups[1].Value == "WeChatNet" ? null
                : $"{rel}: namespace {m.Groups[1].Value}, expected {expected} (or WeChatNet for an output type)";
        }

        [Fact]
        public void EveryFileIsNamedAfterATypeItDeclares()
        {
            var sources = Sources().ToList();
            Assert.True(sources.Count > 100, $"only {sources.Count} source files found under src/");
            var problems = sources.Where(s => !Pending.ContainsKey(s.Relative)).Select(s => FileNameProblem(s.Relative, s.Text)).OfType<string>().ToList();
            foreach (var (rel, _) in Pending)
            {
                var source = sources.FirstOrDefault(s => s.Relative == rel);
                if (source.Text is null || FileNameProblem(rel, source.Text) is null)
                    problems.Add($"{rel} is on the Pending list but {(source.Text is null ? "no longer exists" : "follows the rule now")}: remove it from the list");
            }
            Assert.True(problems.Count == 0, "files not named after their type (docs/architecture.md, Where types live):\n" + string.Join("\n", problems));
        }

        [Fact]
        public void NamespacesFollowFolders()
        {
            var problems = Sources().Select(s => NamespaceProblem(s.Relative, s.Text)).OfType<string>().ToList();
            Assert.True(problems.Count == 0, "namespaces that do not follow folders (docs/architecture.md):\n" + string.Join("\n", problems));
        }

        /// <summary>The checks can fail: a file named after nothing it declares, and a namespace off its folder, are caught.</summary>
        [Fact]
        public void TheRulesCatchAPlantedViolation()
        {
            const string text = "namespace WeChatNet.Dns\n{\n    public sealed class Resolver\n    {\n    }\n}\n";
            Assert.Null(FileNameProblem("src/WeChatNet.Core/Dns/Resolver.cs", text));
            Assert.Null(FileNameProblem("src/WeChatNet.Core/Dns/Resolver.Cache.cs", text));
            Assert.NotNull(FileNameProblem("src/WeChatNet.Core/Dns/DnsHelpers.cs", text));
            Assert.Null(NamespaceProblem("src/WeChatNet.Core/Dns/Resolver.cs", text));
            Assert.NotNull(NamespaceProblem("src/WeChatNet.Core/Capture/Resolver.cs", text));
            Assert.Null(NamespaceProblem("src/WeChatNet.Core/Capture/Resolver.cs", text.Replace("WeChatNet.Dns", "WeChatNet")));
            Assert.Empty(LayerProblems("src/WeChatNet.Core/WeChat/Decoder.cs", "using WeChatNet.Dns;\n" + text));
            Assert.NotEmpty(LayerProblems("src/WeChatNet.Core/Dns/Resolver.cs", "using WeChatNet.WeChat;\n" + text));
            Assert.NotEmpty(LayerProblems("src/WeChatNet.Core/Packets/View.cs", text.Replace("sealed class Resolver", "sealed class View : WeChatNet.Streams.Sink")));
        }
    }
}
