using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace WeChatNet.ModuleTests
{
    public sealed class ManifestTests
    {
        private static readonly string Text = File.ReadAllText(Repo.Module.ManifestPath);

        [Fact]
        public void ServesBothEditionsFromPowerShell51()
        {
            Assert.Equal(new[] { "Desktop", "Core" }, ModuleContract.ManifestList(Text, "CompatiblePSEditions"));
            Assert.Equal(new[] { "5.1" }, ModuleContract.ManifestList(Text, "PowerShellVersion"));
            Assert.Equal(new[] { "WeChatNet.dll" }, ModuleContract.ManifestList(Text, "RootModule"));
            Assert.Equal(new[] { "WeChatNet.Format.ps1xml" }, ModuleContract.ManifestList(Text, "FormatsToProcess"));
            Assert.Equal(new[] { "WeChatNet.Types.ps1xml" }, ModuleContract.ManifestList(Text, "TypesToProcess"));
        }

        [Fact]
        public void PublishesTagsAndLinks()
        {
            var tags = ModuleContract.ManifestList(Text, "Tags");
            foreach (var tag in new[] { "PSEdition_Core", "PSEdition_Desktop", "Windows", "Linux", "MacOS" })
                Assert.Contains(tag, tags);
            foreach (var key in new[] { "ProjectUri", "LicenseUri", "ReleaseNotes" })
                Assert.Matches(new Regex(@"(?m)^\s*" + key + @"\s*=\s*'[^']+'"), Text);
        }

        [Fact]
        public void OneSemanticVersionInTheManifestTheAssembliesTheReleaseNotesAndTheChangelog()
        {
            var version = ModuleContract.ManifestList(Text, "ModuleVersion").Single();
            // PowerShell's ModuleVersion is MAJOR.MINOR.PATCH here (a prerelease label would go in PSData.Prerelease).
            Assert.Matches(new Regex(@"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$"), version);
            string props = File.ReadAllText(Path.Combine(Repo.Root, "Directory.Build.props"));
            Assert.Equal(version, Regex.Match(props, @"<Version>([^<]+)</Version>").Groups[1].Value);
            Assert.Matches(new Regex(@"(?m)^\s*ReleaseNotes\s*=\s*'" + Regex.Escape(version) + ": "), Text);
            // Keep a Changelog: the newest release heading after [Unreleased] is this version, with its date.
            string changelog = File.ReadAllText(Path.Combine(Repo.Root, "CHANGELOG.md"));
            var releases = Regex.Matches(changelog, @"(?m)^## \[(?<v>[^\]]+)\](?: - (?<d>\d{4}-\d{2}-\d{2}))?\s*$").Select(m => m.Groups["v"].Value).ToList();
            Assert.Equal(new[] { "Unreleased", version }, releases.Take(2));
            Assert.Matches(new Regex(@"(?m)^## \[" + Regex.Escape(version) + @"\] - \d{4}-\d{2}-\d{2}$"), changelog);
            Assert.Matches(new Regex(@"(?m)^\[" + Regex.Escape(version) + @"\]: \S+$"), changelog);
        }

        [Fact]
        public void ExportsNothingButCmdlets()
        {
            foreach (var key in new[] { "FunctionsToExport", "VariablesToExport", "AliasesToExport" })
                Assert.Matches(new Regex(@"(?m)^\s*" + key + @"\s*=\s*@\(\)"), Text);
        }

        [Fact]
        public void TheReadmeTableListsEveryExportedCmdlet()
        {
            string readme = File.ReadAllText(Path.Combine(Repo.Root, "README.md"));
            foreach (var cmdlet in ModuleContract.ManifestList(Text, "CmdletsToExport"))
                Assert.Matches(new Regex(@"(?m)^\|\s*`?" + Regex.Escape(cmdlet) + @"`?\s*\|"), readme);
        }

        [Fact]
        public void PesterFilesImportThePackagedModuleRelativeToTheirOwnFolder()
        {
            foreach (var file in Directory.GetFiles(Repo.Module.PesterDirectory, "*.Tests.ps1"))
            {
                string text = File.ReadAllText(file);
                // A suite that uses no cmdlet of the module (the parser check over the repository) imports nothing.
                if (!Regex.IsMatch(text, @"\b[A-Z][a-z]+-WeChat[A-Za-z]+\b") && !text.Contains("WeChatNet.psd1")) continue;
                Assert.True(text.Contains("$PSScriptRoot") && Regex.IsMatch(text, @"out[\\/]WeChatNet[\\/]WeChatNet\.psd1"),
                    $"{Path.GetFileName(file)} must import out/WeChatNet/WeChatNet.psd1 relative to $PSScriptRoot.");
            }
        }
    }
}
