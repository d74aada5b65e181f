using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace WeChatNet.ModuleTests
{
    /// <summary>Paths of the repository and the built module, passed in at build time.</summary>
    public static class Repo
    {
        private static string Meta(string key) =>
            typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
            ?? throw new InvalidOperationException($"Assembly metadata {key} is missing.");

        public static string Root => Path.GetFullPath(Meta("RepoRoot"));
        public static string Configuration => Meta("Configuration");
        public static string SmaPath => Meta("SmaPath");
        public static string Net472ReferencePath => Meta("Net472ReferencePath");

        public static string Built(string project, string assembly) =>
            Path.Combine(Root, project, "bin", Configuration, "netstandard2.0", assembly);

        public static ModuleLayout Module => new ModuleLayout(
            Built(Path.Combine("src", "WeChatNet"), "WeChatNet.dll"),
            Path.Combine(Root, "WeChatNet.psd1"),
            Path.Combine(Root, "WeChatNet.Format.ps1xml"),
            Path.Combine(Root, "docs", "cmdlets"),
            Path.Combine(Root, "tests", "pester"),
            SmaPath);

        public static ModuleLayout Broken
        {
            get
            {
                string dir = Path.Combine(Root, "tests", "fixtures", "BrokenModule");
                return new ModuleLayout(
                    Built(Path.Combine("tests", "fixtures", "BrokenModule"), "BrokenModule.dll"),
                    Path.Combine(dir, "BrokenModule.psd1"),
                    Path.Combine(dir, "BrokenModule.Format.ps1xml"),
                    Path.Combine(dir, "docs"),
                    Path.Combine(dir, "pester"),
                    SmaPath);
            }
        }
    }
}
