using System;
using System.IO;
using System.Linq;
using Xunit;

namespace WeChatNet.ModuleTests
{
    public sealed class ModuleContractTests
    {
        [Fact]
        public void TheModuleKeepsItsContract()
        {
            var problems = ModuleContract.Check(Repo.Module);
            Assert.True(problems.Count == 0, "Contract violations:\n" + string.Join("\n", problems));
        }

        [Fact]
        public void TheModuleHasCmdletsAndEveryOneIsRead()
        {
            using var context = ModuleContract.CreateContext(Repo.Module);
            var cmdlets = ModuleContract.ReadCmdlets(context.LoadFromAssemblyPath(Repo.Module.AssemblyPath));
            Assert.Contains(cmdlets, c => c.Name == "Get-WeChatEndpoint" && c.OutputTypes.Contains("WeChatNet.Endpoint"));
        }

        [Fact]
        public void EveryAliasIsOneDecidedForOneZeroAndNoParameterIsHidden()
        {
            // docs/conventions.md, "Names from before 1.0": PowerShell's own names and pipeline bindings only. A new alias
            // or hidden parameter is a decision too: add it here and there.
            var decided = new System.Collections.Generic.Dictionary<string, string>
            {
                ["Get-WeChatDispatch -Timeout"] = "TimeoutSec",
                ["Test-WeChatConnection -Name"] = "ComputerName",
                // Pipeline bindings: Flow/HeartbeatReport.ServerAddress, DnsAnswer.Addresses, Connection.RemoteAddress, Get-Process's Id.
                ["Get-WeChatRoute -Target"] = "ServerAddress, Name, ComputerName, RemoteAddress",
                ["Get-WeChatIpInfo -Address"] = "ServerAddress, IPAddress, AddressesText, Addresses, Server, Destination, RemoteAddress",
                ["Get-WeChatConnection -ProcessId"] = "Id",
                // Pipeline binding: DnsAnswer.AddressesText (kept by Export-Csv), DnsAnswer/DispatchDomain.Addresses.
                ["Test-WeChatConnection -ResolvedAddress"] = "AddressesText, Addresses",
                ["Get-WeChatRoute -ResolvedAddress"] = "AddressesText, Addresses",
            };
            using var context = ModuleContract.CreateContext(Repo.Module);
            var cmdlets = ModuleContract.ReadCmdlets(context.LoadFromAssemblyPath(Repo.Module.AssemblyPath));
            var problems = new System.Collections.Generic.List<string>();
            int literalPaths = 0;
            foreach (var c in cmdlets)
                foreach (var p in c.Parameters.GroupBy(p => p.Name).Select(g => g.First()))
                {
                    if (c.Parameters.Any(q => q.Name == p.Name && q.DontShow)) problems.Add($"{c.Name} -{p.Name} is hidden (DontShow): 1.0 has no compatibility twins.");
                    string key = $"{c.Name} -{p.Name}", aliases = string.Join(", ", p.Aliases);
                    if (p.Name == "LiteralPath")
                    {
                        literalPaths++;
                        if (aliases != "PSPath, LP") problems.Add($"{key} has the aliases '{aliases}'; PowerShell's -LiteralPath has PSPath, LP.");
                    }
                    else if (decided.TryGetValue(key, out var expected) ? aliases != expected : aliases.Length > 0)
                        problems.Add($"{key} has the aliases '{aliases}', not the decided '{expected}'.");
                }
            Assert.True(problems.Count == 0, string.Join("\n", problems));
            Assert.True(literalPaths >= 8, $"only {literalPaths} -LiteralPath parameters read");
        }

        [Theory]
        [InlineData("Get-NoOutputType: no [OutputType] attribute.")]
        [InlineData("Grab-Thing: verb 'Grab' is not an approved PowerShell verb.")]
        [InlineData("Get-UnsealedThing: class BrokenModule.GetUnsealedThingCommand is not sealed.")]
        [InlineData("Get-AmbiguousThing: parameter sets are ambiguous: set 'ByName'")]
        [InlineData("Get-AmbiguousThing: parameter sets are ambiguous: set 'ById'")]
        [InlineData("Get-Thing: not listed in BrokenModule.psd1 CmdletsToExport.")]
        [InlineData("Get-UnsealedThing: not listed in BrokenModule.psd1 CmdletsToExport.")]
        [InlineData("BrokenModule.psd1: CmdletsToExport lists 'Get-Phantom', which is no cmdlet in the assembly.")]
        [InlineData("BrokenModule.Format.ps1xml: view 'BrokenModule.Thing' uses property 'Colour'")]
        [InlineData("BrokenModule.Format.ps1xml: view 'BrokenModule.Ghost' names type BrokenModule.Ghost")]
        [InlineData("Get-NoOutputType: no help page docs/Get-NoOutputType.md.")]
        [InlineData("Get-Thing: help page has no OUTPUTS section.")]
        [InlineData("Get-Thing: help page has 1 example(s); at least two are required.")]
        [InlineData("Get-PipelineThing: help page says -Name accepts pipeline input 'True (ByValue)'")]
        [InlineData("Get-NoOutputType: no Pester file under pester/ names it.")]
        [InlineData("Get-PipelineThing: no Pester file under pester/ names it.")]
        [InlineData("Get-VocabularyThing: -Wait is a TimeSpan without [DurationTransformation]")]
        [InlineData("Get-VocabularyThing: -TimeoutMs is a duration as a number with a unit in its name")]
        [InlineData("Get-VocabularyThing: -MaxFileSizeMB is a size with a unit in its name")]
        [InlineData("Get-VocabularyThing: -Severity is a [ValidateSet] over strings")]
        [InlineData("Get-VocabularyThing: -Verbosely is a Boolean")]
        [InlineData("Get-VocabularyThing: -InputObject does not take the pipeline object by value")]
        [InlineData("Get-VocabularyThing: -Path takes wildcards but there is no -LiteralPath")]
        [InlineData("Get-VocabularyThing: the wildcard -Path has the alias FullName")]
        public void TheCheckerReportsEveryPlantedDefect(string expected)
        {
            var problems = ModuleContract.Check(Repo.Broken);
            Assert.True(problems.Any(p => p.StartsWith(expected, StringComparison.Ordinal)),
                $"Expected a violation starting '{expected}'; got:\n" + string.Join("\n", problems));
        }

        [Fact]
        public void TheBrokenFixtureReportsNothingUnplanted()
        {
            // Every violation in the fixture is one it plants; a checker that reports noise is as bad as one that misses.
            var problems = ModuleContract.Check(Repo.Broken);
            Assert.Equal(24, problems.Count);
        }

        [Fact]
        public void RemovingAHelpPageAManifestEntryOrAFormatViewBreaksTheRealModule()
        {
            string temp = Directory.CreateTempSubdirectory("wechatnet-contract-").FullName;
            try
            {
                var m = Repo.Module;
                string docs = Path.Combine(temp, "docs");
                Directory.CreateDirectory(docs);
                foreach (var f in Directory.GetFiles(m.DocsDirectory, "*.md").Where(f => !f.EndsWith("Get-WeChatEndpoint.md")))
                    File.Copy(f, Path.Combine(docs, Path.GetFileName(f)));
                string manifest = Path.Combine(temp, "WeChatNet.psd1");
                File.WriteAllText(manifest, File.ReadAllText(m.ManifestPath).Replace("'Get-WeChatEndpoint'", "'Get-Nothing'"));
                string format = Path.Combine(temp, "WeChatNet.Format.ps1xml");
                File.WriteAllText(format, File.ReadAllText(m.FormatPath).Replace("<TypeName>WeChatNet.Endpoint</TypeName>", "<TypeName>WeChatNet.Nothing</TypeName>"));

                var problems = ModuleContract.Check(m with { DocsDirectory = docs, ManifestPath = manifest, FormatPath = format });
                Assert.Contains("Get-WeChatEndpoint: no help page docs/Get-WeChatEndpoint.md.", problems);
                Assert.Contains("Get-WeChatEndpoint: not listed in WeChatNet.psd1 CmdletsToExport.", problems);
                Assert.Contains("Get-WeChatEndpoint: output type WeChatNet.Endpoint has no table view in WeChatNet.Format.ps1xml.", problems);
            }
            finally
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }
}
