using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using Xunit;

namespace WeChatNet.ModuleTests
{
    /// <summary>The packaged module binds on .NET Framework 4.7.2 (Windows PowerShell 5.1), checked from metadata.</summary>
    public sealed class DesktopBindingTests : IClassFixture<DesktopBindingTests.PublishedModule>
    {
        /// <summary>The module folder as the Package step lays it out (dotnet publish), once for these tests.</summary>
        public sealed class PublishedModule : IDisposable
        {
            public string Folder { get; } = Directory.CreateTempSubdirectory("wechatnet-desktop-binding-").FullName;

            public PublishedModule()
            {
                var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
                foreach (var a in new[] { "publish", Path.Combine("src", "WeChatNet", "WeChatNet.csproj"), "-c", Repo.Configuration, "--no-build", "--nologo", "-o", Folder })
                    psi.ArgumentList.Add(a);
                using var p = Process.Start(psi)!;
                var stdout = p.StandardOutput.ReadToEndAsync();
                string stderr = p.StandardError.ReadToEnd();
                if (!p.WaitForExit(300_000) || p.ExitCode != 0) throw new InvalidOperationException($"dotnet publish failed:\n{stdout.Result}\n{stderr}");
            }

            public void Dispose() => Directory.Delete(Folder, recursive: true);
        }

        private readonly PublishedModule _module;

        public DesktopBindingTests(PublishedModule module) => _module = module;

        [Fact]
        public void EveryShippedAssemblyReferencesExactlyTheVersionsShippedBesideIt()
        {
            var problems = DesktopBinding.Check(_module.Folder, Repo.Net472ReferencePath);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
            // The check read what it should: the module, its dependencies, and their references to each other.
            var core = DesktopBinding.Read(Path.Combine(_module.Folder, "WeChatNet.Core.dll"))!;
            Assert.Contains(core.References, r => r.Name == "System.Memory");
            var memory = DesktopBinding.Read(Path.Combine(_module.Folder, "System.Memory.dll"))!;
            Assert.Contains(memory.References, r => r.Name == "System.Runtime.CompilerServices.Unsafe");
            Assert.True(Directory.GetFiles(_module.Folder, "*.dll").Length >= 8);
        }

        [Fact]
        public void APlantedDriftIsCaught()
        {
            // A copy of the module where System.Buffers.dll is another version than System.Memory was built against: what a
            // package update of one dependency without the other does. PowerShell 7 would load it; 5.1 would not.
            string copy = Directory.CreateTempSubdirectory("wechatnet-desktop-drift-").FullName;
            try
            {
                foreach (var f in Directory.GetFiles(_module.Folder, "*.dll")) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
                var shippedBuffers = DesktopBinding.Read(Path.Combine(copy, "System.Buffers.dll"))!;
                var drifted = new Version(shippedBuffers.Version.Major, shippedBuffers.Version.Minor, shippedBuffers.Version.Build + 7, 0);
                var builder = new PersistedAssemblyBuilder(new AssemblyName("System.Buffers") { Version = drifted }, typeof(object).Assembly);
                builder.DefineDynamicModule("System.Buffers.dll").DefineType("Planted", TypeAttributes.Public).CreateType();
                builder.Save(Path.Combine(copy, "System.Buffers.dll"));

                var problems = DesktopBinding.Check(copy, Repo.Net472ReferencePath);
                Assert.Contains(problems, p => p.StartsWith("System.Memory ", StringComparison.Ordinal)
                    && p.Contains($"references System.Buffers {shippedBuffers.Version}, but System.Buffers.dll beside it is {drifted}"));
                Assert.Contains(problems, p => p.Contains("Windows PowerShell 5.1 cannot load it"));
            }
            finally
            {
                Directory.Delete(copy, recursive: true);
            }
        }

        [Fact]
        public void AReferenceNeitherShippedNorInTheFrameworkIsCaught()
        {
            string copy = Directory.CreateTempSubdirectory("wechatnet-desktop-missing-").FullName;
            try
            {
                foreach (var f in Directory.GetFiles(_module.Folder, "*.dll").Where(f => Path.GetFileName(f) != "System.Runtime.CompilerServices.Unsafe.dll"))
                    File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
                var problems = DesktopBinding.Check(copy, Repo.Net472ReferencePath);
                Assert.Contains(problems, p => p.StartsWith("System.Memory ", StringComparison.Ordinal) && p.Contains("System.Runtime.CompilerServices.Unsafe")
                    && p.Contains("neither shipped in the module nor part of .NET Framework 4.7.2"));
            }
            finally
            {
                Directory.Delete(copy, recursive: true);
            }
        }
    }
}
