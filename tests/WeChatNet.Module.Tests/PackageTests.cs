using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace WeChatNet.ModuleTests
{
    /// <summary>The Package step (dotnet publish of the module project) lays out a ready-to-import folder.</summary>
    public sealed class PackageTests
    {
        [Fact]
        public async System.Threading.Tasks.Task PublishLaysOutAnImportableModuleFolder()
        {
            string outDir = Directory.CreateTempSubdirectory("wechatnet-package-").FullName;
            try
            {
                var psi = new ProcessStartInfo("dotnet")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    WorkingDirectory = Repo.Root,
                };
                foreach (var a in new[] { "publish", Path.Combine("src", "WeChatNet", "WeChatNet.csproj"), "-c", Repo.Configuration, "--no-build", "--nologo", "-o", outDir })
                    psi.ArgumentList.Add(a);
                using var p = Process.Start(psi)!;
                var stdoutTask = p.StandardOutput.ReadToEndAsync();
                string stderr = await p.StandardError.ReadToEndAsync();
                string stdout = await stdoutTask;
                Assert.True(p.WaitForExit(300_000), "dotnet publish did not finish in 5 minutes");
                Assert.True(p.ExitCode == 0, $"dotnet publish failed:\n{stdout}\n{stderr}");

                foreach (var f in new[] { "WeChatNet.dll", "WeChatNet.Core.dll", "WeChatNet.psd1", "WeChatNet.Format.ps1xml", "WeChatNet.Types.ps1xml", "LICENSE",
                             "System.Memory.dll", "System.Buffers.dll", "System.Runtime.CompilerServices.Unsafe.dll",
                             Path.Combine("help", "Get-WeChatEndpoint.md"),
                             Path.Combine("data", "mainland-china-ipv4.txt"), Path.Combine("data", "tencent-asn-prefixes.txt"),
                             Path.Combine("data", "mainland-china.mmdb"), Path.Combine("data", "README.md") })
                    Assert.True(File.Exists(Path.Combine(outDir, f)), $"the package lacks {f}");
                // The samples the README's main job and the help examples run on.
                foreach (var sample in Directory.GetFiles(Path.Combine(Repo.Root, "samples"), "*.pcapng"))
                    Assert.True(File.Exists(Path.Combine(outDir, "samples", Path.GetFileName(sample))), $"the package lacks samples/{Path.GetFileName(sample)}");
                Assert.True(File.Exists(Path.Combine(outDir, "samples", "nat-timeout.pcapng")), "the package lacks the README's main-job sample");
                // The runbooks users copy from the installed module (docs/runbooks).
                foreach (var runbook in Directory.GetFiles(Path.Combine(Repo.Root, "docs", "runbooks")))
                    Assert.True(File.Exists(Path.Combine(outDir, "runbooks", Path.GetFileName(runbook))), $"the package lacks runbooks/{Path.GetFileName(runbook)}");
                // PowerShell brings its own engine: shipping System.Management.Automation.dll would break the import.
                Assert.False(File.Exists(Path.Combine(outDir, "System.Management.Automation.dll")));
                // Every cmdlet in the manifest has its help page in the package, as Markdown and as MAML for Get-Help.
                var maml = System.Xml.Linq.XDocument.Load(Path.Combine(outDir, "en-US", "WeChatNet.dll-Help.xml"));
                System.Xml.Linq.XNamespace cmd = "http://schemas.microsoft.com/maml/dev/command/2004/10";
                foreach (var c in ModuleContract.ManifestList(File.ReadAllText(Path.Combine(outDir, "WeChatNet.psd1")), "CmdletsToExport"))
                {
                    Assert.True(File.Exists(Path.Combine(outDir, "help", c + ".md")), $"the package lacks help/{c}.md");
                    var command = maml.Descendants(cmd + "command").SingleOrDefault(e => (string?)e.Element(cmd + "details")?.Element(cmd + "name") == c);
                    Assert.True(command != null, $"en-US/WeChatNet.dll-Help.xml has no entry for {c}");
                    Assert.True(command!.Descendants(cmd + "example").Count() >= 2, $"the MAML help of {c} has fewer than two examples");
                    Assert.NotEmpty(command.Descendants(cmd + "parameters").SelectMany(p => p.Elements(cmd + "parameter")));
                }
            }
            finally
            {
                Directory.Delete(outDir, recursive: true);
            }
        }
    }
}
