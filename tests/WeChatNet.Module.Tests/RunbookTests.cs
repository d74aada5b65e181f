using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace WeChatNet.ModuleTests
{
    /// <summary>
    /// The runbooks under docs/runbooks use only cmdlets the module exports, with parameters those cmdlets really have
    /// (read from the built assembly), and every runbook is listed in the folder's README. They are not run here:
    /// they judge a real network.
    /// </summary>
    public sealed class RunbookTests
    {
        private static readonly string Folder = Path.Combine(Repo.Root, "docs", "runbooks");
        private static readonly HashSet<string> Common = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ErrorVariable", "WarningVariable",
            "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm",
        };

        [Fact]
        public void RunbooksCallExportedCmdletsWithRealParametersAndAreListed()
        {
            var files = Directory.GetFiles(Folder, "*.Tests.ps1");
            Assert.True(files.Length >= 3, "docs/runbooks should hold the runbooks");
            string readme = File.ReadAllText(Path.Combine(Folder, "README.md"));
            using var context = ModuleContract.CreateContext(Repo.Module);
            var cmdlets = ModuleContract.ReadCmdlets(context.LoadFromAssemblyPath(Repo.Module.AssemblyPath))
                .ToDictionary(c => c.Name, c => new HashSet<string>(c.Parameters.Select(p => p.Name), StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
            var exported = ModuleContract.ManifestList(File.ReadAllText(Repo.Module.ManifestPath), "CmdletsToExport");
            var problems = new List<string>();
            foreach (var file in files)
            {
                string name = Path.GetFileName(file);
                if (!readme.Contains("(" + name + ")")) problems.Add($"{name} is not listed in docs/runbooks/README.md");
                string text = File.ReadAllText(file);
                if (!text.Contains("Describe")) problems.Add($"{name} has no Describe block");
                foreach (Match call in Regex.Matches(text, @"\b(?<cmd>[A-Z][a-z]+-WeChat[A-Za-z]+)(?<args>[^|)};\r\n]*)"))
                {
                    string cmd = call.Groups["cmd"].Value;
                    if (!exported.Contains(cmd, StringComparer.OrdinalIgnoreCase) || !cmdlets.TryGetValue(cmd, out var parameters))
                    {
                        problems.Add($"{name}: {cmd} is not a cmdlet the module exports");
                        continue;
                    }
                    foreach (Match p in Regex.Matches(call.Groups["args"].Value, @"(?<=\s)-(?<p>[A-Za-z]+)\b"))
                        if (!parameters.Contains(p.Groups["p"].Value) && !Common.Contains(p.Groups["p"].Value))
                            problems.Add($"{name}: {cmd} has no parameter -{p.Groups["p"].Value}");
                }
            }
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
    }
}
