using System;
using System.IO;
using System.Linq;
using SharpFuzz;

namespace WeChatNet.Fuzz
{
    /// <summary>
    /// <c>WeChatNet.Fuzz TARGET</c>: the afl-fuzz child (SharpFuzz's out-of-process loop; the instrumented
    /// WeChatNet.Core.dll sits next to it). <c>WeChatNet.Fuzz TARGET FILE|DIR...</c>: runs inputs once each against
    /// whatever WeChatNet.Core.dll is beside it and prints the first failure with its stack (a crash's reproduction).
    /// <c>WeChatNet.Fuzz --list</c>: the targets. <c>WeChatNet.Fuzz --seeds DIR</c>: starting inputs, DIR/TARGET/*.
    /// </summary>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            if (args.Length == 0 || args[0] == "--list")
            {
                foreach (var t in FuzzTargets.All) Console.WriteLine($"{t.Name,-10} {t.Description}");
                return args.Length == 0 ? 2 : 0;
            }
            if (args[0] == "--seeds" && args.Length == 2)
            {
                Seeds.Write(args[1]);
                return 0;
            }
            var target = FuzzTargets.Find(args[0]);
            if (target is null)
            {
                Console.Error.WriteLine($"Unknown fuzz target '{args[0]}'; targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}");
                return 2;
            }
            if (args.Length == 1)
            {
                Fuzzer.OutOfProcess.Run(stream =>
                {
                    using var copy = new MemoryStream();
                    stream.CopyTo(copy);
                    FuzzRunner.Run(target, copy.ToArray());
                });
                return 0;
            }
            int failed = 0, ran = 0;
            foreach (var arg in args.Skip(1))
            {
                var files = Directory.Exists(arg) ? Directory.GetFiles(arg).OrderBy(f => f, StringComparer.Ordinal).ToArray() : new[] { arg };
                foreach (var file in files)
                {
                    ran++;
                    try { FuzzRunner.Run(target, File.ReadAllBytes(file)); }
                    catch (Exception e)
                    {
                        failed++;
                        Console.Error.WriteLine($"{file}: {e}");
                    }
                }
            }
            Console.WriteLine($"{target.Name}: {ran} inputs, {failed} failed");
            return failed == 0 ? 0 : 1;
        }
    }
}
