using System;
using System.IO;
using System.Linq;
using WeChatNet.IpIntel;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.IpIntel
{
    /// <summary>These tests change process-wide state (environment variables, IpIntelligence.Configure): they run alone.</summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class IpIntelSettingsCollection
    {
        public const string Name = "IpIntel process-wide settings";
    }

    [Collection(IpIntelSettingsCollection.Name)]
    public sealed class IpIntelSettingsTests
    {
        [Fact]
        public void TheModuleWideSettingComesFromTheEnvironmentAndFromConfigure()
        {
            using var dir = new TempDirectory("ipintel-setting");
            File.WriteAllText(dir.File("cn.txt"), "8.8.8.0/24\n");
            string? saved = Environment.GetEnvironmentVariable(IpIntelOptions.MainlandPrefixVariable);
            try
            {
                Assert.Equal("Overseas", IpIntelligence.Default.Lookup("8.8.8.8").Region);
                Environment.SetEnvironmentVariable(IpIntelOptions.MainlandPrefixVariable, dir.File("cn.txt"));
                Assert.Equal("MainlandChina", IpIntelligence.Default.Lookup("8.8.8.8").Region);
                Assert.Equal("cn.txt", IpIntelligence.Default.Lookup("8.8.8.8").Source);
                IpIntelligence.Configure(new IpIntelOptions());
                Assert.Equal("Overseas", IpIntelligence.Default.Lookup("8.8.8.8").Region);
                Assert.Throws<FileNotFoundException>(() => IpIntelligence.Configure(new IpIntelOptions { Databases = { dir.File("missing.mmdb") } }));
                Assert.Equal("Overseas", IpIntelligence.Default.Lookup("8.8.8.8").Region);
            }
            finally
            {
                IpIntelligence.Configure(null);
                Environment.SetEnvironmentVariable(IpIntelOptions.MainlandPrefixVariable, saved);
            }
            Assert.Equal("Overseas", IpIntelligence.Default.Lookup("8.8.8.8").Region);
        }

        [Fact]
        public void ACommandsDatabasesComeBeforeTheModuleSetting()
        {
            using var dir = new TempDirectory("mmdb-forcommand");
            string city = dir.File("City.mmdb");
            MmdbOracle.Write(city, 24, 6);
            Assert.Same(IpIntelligence.Default, IpIntelligence.ForCommand(null, null, null));
            Assert.Same(IpIntelligence.Default, IpIntelligence.ForCommand(new[] { " " }, null, null));
            string? saved = Environment.GetEnvironmentVariable(IpIntelOptions.DatabaseVariable);
            try
            {
                Environment.SetEnvironmentVariable(IpIntelOptions.DatabaseVariable, Path.Combine(ExternalTool.RepoRoot, "data", "mainland-china.mmdb"));
                // The setting alone: the chnroutes2 MMDB answers 1.12.16.1 (country CN, no city, no ASN).
                Assert.Equal("mainland-china.mmdb, tencent-asn-prefixes", IpIntelligence.Default.Lookup("1.12.16.1").Source);
                // -Database first: the City+ASN file answers first, the setting's file adds nothing new.
                var intel = IpIntelligence.ForCommand(new[] { city }, null, null);
                Assert.Equal(new[] { "City.mmdb", "mainland-china.mmdb" }, intel.Databases.Select(d => d.Name));
                var info = intel.Lookup("1.12.16.1");
                Assert.Equal("Shenzhen", info.City);
                Assert.Equal("City.mmdb", info.Source);
            }
            finally { Environment.SetEnvironmentVariable(IpIntelOptions.DatabaseVariable, saved); }
        }
    }
}
