using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace WeChatNet.Benchmarks
{
    /// <summary>One side-by-side benchmark: runs WeChatNet and its peer on the same input and prints ratios.</summary>
    public interface IBenchmark
    {
        /// <summary>Short name used on the command line (e.g. "capture-read").</summary>
        string Name { get; }

        /// <summary>What it measures, for --list.</summary>
        string Description { get; }

        /// <summary>Runs and returns a Markdown section for docs/benchmarks.md.</summary>
        string Run(string[] args);
    }

    public static class Program
    {
        // dotnet run --project tests/WeChatNet.Benchmarks -c Release -- <name> [args]   (or --list)
        public static int Main(string[] args)
        {
            var all = typeof(Program).Assembly.GetTypes()
                .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && !t.IsInterface && !t.IsAbstract)
                .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
                .OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
            if (args.Length == 0 || args[0] == "--list")
            {
                Console.WriteLine("Benchmarks (dotnet run --project tests/WeChatNet.Benchmarks -c Release -- <name>):");
                foreach (var b in all) Console.WriteLine($"  {b.Name,-20} {b.Description}");
                return args.Length == 0 ? 2 : 0;
            }
            var bench = all.FirstOrDefault(b => b.Name == args[0]);
            if (bench is null)
            {
                Console.Error.WriteLine($"No benchmark named '{args[0]}'. Use --list.");
                return 2;
            }
            Console.WriteLine(bench.Run(args.Skip(1).ToArray()));
            return 0;
        }
    }
}
