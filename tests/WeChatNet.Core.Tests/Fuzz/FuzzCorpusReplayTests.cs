using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using WeChatNet.Fuzz;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.Fuzz
{
    /// <summary>
    /// The kept fuzzing corpora (tests/WeChatNet.Fuzz/corpus, what afl-cmin left after each campaign) and the inputs of
    /// every crash, hang or blow-up found (tests/WeChatNet.Fuzz/regressions) replayed against the normal build: each
    /// target's contract holds for every input (a result or a typed error, no other exception, the invariants, the
    /// allocation budget), and each target ends (a hang guard, not a timing assertion).
    /// </summary>
    public sealed class FuzzCorpusReplayTests
    {
        private static readonly string FuzzRoot = Path.Combine(ExternalTool.RepoRoot, "tests", "WeChatNet.Fuzz");

        public static IEnumerable<object[]> Targets() => FuzzTargets.All.Select(t => new object[] { t.Name });

        [Theory]
        [MemberData(nameof(Targets))]
        public void EveryKeptInputKeepsTheContract(string name)
        {
            var target = FuzzTargets.Find(name)!;
            string corpus = Path.Combine(FuzzRoot, "corpus", name);
            Assert.True(Directory.Exists(corpus), $"no corpus for fuzz target {name} at {corpus}: run build.ps1 -Task Fuzz -Target {name}");
            var files = Directory.GetFiles(corpus).OrderBy(f => f, StringComparer.Ordinal).ToList();
            Assert.True(files.Count >= 5, $"the {name} corpus holds {files.Count} inputs; a campaign keeps more");
            string regressions = Path.Combine(FuzzRoot, "regressions", name);
            var kept = Directory.Exists(regressions) ? Directory.GetFiles(regressions).OrderBy(f => f, StringComparer.Ordinal).ToList() : new List<string>();

            var failures = new List<string>();
            int ran = 0;
            double slowestMs = 0;
            string slowest = "";
            long mostBytes = 0;
            int mostInput = 0;
            Exception? crashed = null;
            // Its own thread with a large stack, like afl's child: a parser that recursed without bound would still
            // crash, and one that never ends is caught below without stopping the test run.
            var thread = new Thread(() =>
            {
                try
                {
                    foreach (var file in files.Concat(kept))
                    {
                        var input = File.ReadAllBytes(file);
                        var watch = System.Diagnostics.Stopwatch.StartNew();
                        try
                        {
                            long used = FuzzRunner.Run(target, input);
                            if (used > mostBytes) { mostBytes = used; mostInput = input.Length; }
                        }
                        catch (Exception e) { failures.Add($"{Path.GetRelativePath(FuzzRoot, file)}: {e.GetType().Name}: {e.Message}"); }
                        // Reported, never asserted (a loaded machine is slow): the slowest input is where to look for a near-hang.
                        // The first input pays for JIT and the targets' one-time set-up, so it is not counted.
                        if (ran > 0 && watch.Elapsed.TotalMilliseconds > slowestMs) { slowestMs = watch.Elapsed.TotalMilliseconds; slowest = Path.GetFileName(file); }
                        ran++;
                    }
                }
                catch (Exception e) { crashed = e; }
            }, 16 * 1024 * 1024) { IsBackground = true };
            thread.Start();
            Assert.True(thread.Join(TimeSpan.FromMinutes(3)), $"{name}: replay did not end ({ran} of {files.Count + kept.Count} inputs done): a hang");
            Assert.Null(crashed);
            Assert.Equal(files.Count + kept.Count, ran);
            Assert.True(failures.Count == 0, $"{name}: {failures.Count} inputs break the contract:\n" + string.Join("\n", failures.Take(20)));
            TestReport.Line($"fuzz corpus {name}: {files.Count} kept inputs and {kept.Count} regression inputs keep the contract (slowest {slowest}, {slowestMs:F0} ms; most allocated {mostBytes / 1024.0:N0} KiB, for {mostInput:N0} bytes)");
        }

        [Fact]
        public void EveryTargetHasADictionaryAndIsOfferedByBuildPs1()
        {
            string build = File.ReadAllText(Path.Combine(ExternalTool.RepoRoot, "build.ps1"));
            var set = Regex.Match(build, @"\[ValidateSet\(([^)]*)\)\]\s*\[string\]\s*\$Target");
            Assert.True(set.Success, "build.ps1 has no ValidateSet for -Target");
            var offered = Regex.Matches(set.Groups[1].Value, "'(\\w+)'").Select(m => m.Groups[1].Value).OrderBy(s => s).ToList();
            Assert.Equal(FuzzTargets.All.Select(t => t.Name).OrderBy(s => s).ToList(), offered);
            foreach (var t in FuzzTargets.All)
            {
                string dict = Path.Combine(FuzzRoot, "dictionaries", t.Name + ".dict");
                Assert.True(File.Exists(dict), $"fuzz target {t.Name} has no dictionary at {dict}");
                var entries = File.ReadAllLines(dict).Where(l => l.Length > 0 && l[0] != '#').ToList();
                Assert.True(entries.Count >= 10, $"{dict}: {entries.Count} entries");
                Assert.All(entries, l => Assert.Matches("^[a-z0-9_]+=\".*\"$", l));
            }
        }

        /// <summary>The replay can fail: an exception, a broken invariant and an allocation over budget are each caught.</summary>
        [Fact]
        public void TheRunnerCatchesEachKindOfBreach()
        {
            Assert.Throws<InvalidOperationException>(() => FuzzRunner.Run(new Planted(0), new byte[] { 1 }));
            Assert.Throws<ContractViolation>(() => FuzzRunner.Run(new Planted(1), new byte[] { 1 }));
            var e = Assert.Throws<ContractViolation>(() => FuzzRunner.Run(new Planted(2), new byte[] { 1 }));
            Assert.Contains("budget", e.Message);
            FuzzRunner.Run(new Planted(3), new byte[] { 1 });
        }

        private sealed class Planted : FuzzTarget
        {
            private readonly int _mode;
            public Planted(int mode) => _mode = mode;
            public override string Name => "planted";
            public override string Description => "planted breaches";
            public override long AllocationBudget(int inputLength) => 1024 * 1024;

            public override void Run(byte[] input)
            {
                switch (_mode)
                {
                    case 0: throw new InvalidOperationException("a parser bug");
                    case 1: Require(false, "an invariant"); break;
                    case 2: GC.KeepAlive(new byte[4 * 1024 * 1024]); break;
                    default: GC.KeepAlive(new byte[1024]); break;
                }
            }
        }
    }
}
