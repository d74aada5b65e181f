using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace WeChatNet.ModuleTests
{
    /// <summary>
    /// What Windows PowerShell 5.1 (.NET Framework 4.7.2+) needs from the module folder to load it, read from metadata:
    /// .NET Framework binds a strong-named reference to exactly the version it names, and a module gets no binding
    /// redirects (they belong to powershell.exe.config), so every reference to an assembly shipped beside it must name
    /// that file's exact version and key; every other reference must be one the framework (or PowerShell itself) provides,
    /// at that version or lower. On PowerShell 7 (.NET) a higher version beside it loads fine: a drift fails on 5.1 only.
    /// </summary>
    public static class DesktopBinding
    {
        /// <summary>Provided by Windows PowerShell 5.1 itself (PowerShellStandard.Library compiles against 3.0.0.0).</summary>
        private static readonly Dictionary<string, Version> Host = new Dictionary<string, Version>(StringComparer.OrdinalIgnoreCase)
        {
            ["System.Management.Automation"] = new Version(3, 0, 0, 0),
        };

        public sealed record AssemblyFacts(string Name, Version Version, string PublicKeyToken, IReadOnlyList<(string Name, Version Version, string PublicKeyToken)> References);

        public static AssemblyFacts? Read(string path)
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata) return null;
            var md = pe.GetMetadataReader();
            if (!md.IsAssembly) return null;
            var def = md.GetAssemblyDefinition();
            string Token(BlobHandle key, bool isFullKey)
            {
                if (key.IsNil) return "";
                byte[] bytes = md.GetBlobBytes(key);
                if (isFullKey)
                {
                    using var sha1 = System.Security.Cryptography.SHA1.Create();
                    bytes = sha1.ComputeHash(bytes).Reverse().Take(8).ToArray();
                }
                return Convert.ToHexString(bytes).ToLowerInvariant();
            }
            var refs = md.AssemblyReferences.Select(h => md.GetAssemblyReference(h))
                .Select(r => (md.GetString(r.Name), r.Version, Token(r.PublicKeyOrToken, (r.Flags & System.Reflection.AssemblyFlags.PublicKey) != 0)))
                .ToList();
            return new AssemblyFacts(md.GetString(def.Name), def.Version, Token(def.PublicKey, true), refs);
        }

        /// <summary>Every way the folder's assemblies would fail to bind on .NET Framework 4.7.2, one line each.</summary>
        public static List<string> Check(string moduleFolder, string net472ReferenceFolder)
        {
            var problems = new List<string>();
            var shipped = new Dictionary<string, AssemblyFacts>(StringComparer.OrdinalIgnoreCase);
            foreach (var dll in Directory.GetFiles(moduleFolder, "*.dll"))
            {
                var facts = Read(dll);
                if (facts is null) { problems.Add($"{Path.GetFileName(dll)}: not a .NET assembly."); continue; }
                if (!string.Equals(facts.Name + ".dll", Path.GetFileName(dll), StringComparison.OrdinalIgnoreCase))
                    problems.Add($"{Path.GetFileName(dll)}: holds the assembly {facts.Name}, which .NET Framework looks for as {facts.Name}.dll.");
                shipped[facts.Name] = facts;
            }
            var framework = new Dictionary<string, Version>(StringComparer.OrdinalIgnoreCase);
            foreach (var dll in Directory.GetFiles(net472ReferenceFolder, "*.dll").Concat(Directory.GetFiles(Path.Combine(net472ReferenceFolder, "Facades"), "*.dll")))
                if (Read(dll) is { } f) framework[f.Name] = f.Version;
            if (framework.Count < 100) problems.Add($"{net472ReferenceFolder}: only {framework.Count} reference assemblies read; not .NET Framework 4.7.2's.");

            foreach (var a in shipped.Values.OrderBy(a => a.Name, StringComparer.Ordinal))
                foreach (var r in a.References)
                {
                    if (shipped.TryGetValue(r.Name, out var beside))
                    {
                        if (r.Version != beside.Version)
                            problems.Add($"{a.Name} {a.Version} references {r.Name} {r.Version}, but {r.Name}.dll beside it is {beside.Version}: Windows PowerShell 5.1 cannot load it (no binding redirects for a module).");
                        else if (r.PublicKeyToken != beside.PublicKeyToken)
                            problems.Add($"{a.Name} references {r.Name} with public key token '{r.PublicKeyToken}', but {r.Name}.dll beside it has '{beside.PublicKeyToken}'.");
                    }
                    else if (Host.TryGetValue(r.Name, out var hostVersion) || framework.TryGetValue(r.Name, out hostVersion))
                    {
                        if (r.Version > hostVersion)
                            problems.Add($"{a.Name} references {r.Name} {r.Version}, newer than .NET Framework 4.7.2 / Windows PowerShell 5.1 provides ({hostVersion}), and the module does not ship it.");
                    }
                    else
                        problems.Add($"{a.Name} references {r.Name} {r.Version}, which is neither shipped in the module nor part of .NET Framework 4.7.2 or Windows PowerShell 5.1.");
                }
            return problems;
        }
    }
}
