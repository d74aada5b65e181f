using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;

namespace WeChatNet.Tests.Infrastructure
{
    /// <summary>The result of running an external program.</summary>
    public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError)
    {
        public ToolResult EnsureSuccess(string what)
        {
            if (ExitCode != 0) throw new InvalidOperationException($"{what} failed with exit code {ExitCode}:\n{StandardError}\n{StandardOutput}");
            return this;
        }
    }

    /// <summary>
    /// Finds and runs the real programs tests compare against (tshark, knotd, unbound, ip, traceroute...).
    /// A missing program fails the test with a message naming the Debian package: never a silent pass.
    /// </summary>
    public static class ExternalTool
    {
        private static readonly string[] SearchPath =
            (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Concat(new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin" })
            .Where(p => p.Length > 0).Distinct().ToArray();

        public static string RepoRoot =>
            typeof(ExternalTool).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;

        /// <summary>Full path of <paramref name="program"/>, or an exception naming the package that provides it.</summary>
        public static string Require(string program, string debianPackage)
        {
            foreach (var dir in SearchPath)
            {
                string candidate = Path.Combine(dir, program);
                if (File.Exists(candidate)) return candidate;
            }
            throw new InvalidOperationException(
                $"This test needs '{program}', which is not installed: apt-get install -y {debianPackage} (.ci/run installs it).");
        }

        /// <summary>Fails unless the test runs as root (raw sockets, namespaces, capture).</summary>
        public static void RequireRoot(string why)
        {
            if (!string.Equals(Environment.UserName, "root", StringComparison.Ordinal) && GetEuid() != 0)
                throw new InvalidOperationException($"This test must run as root: {why}.");
        }

        private static uint GetEuid()
        {
            try { return uint.Parse(File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Uid:")).Split('\t', StringSplitOptions.RemoveEmptyEntries)[2]); }
            catch (Exception e) when (e is IOException || e is FormatException || e is InvalidOperationException) { return uint.MaxValue; }
        }

        /// <summary>Runs a program to completion (or kills it at the timeout and throws).</summary>
        public static ToolResult Run(string program, IEnumerable<string> arguments, TimeSpan? timeout = null, string? standardInput = null)
        {
            var psi = new ProcessStartInfo(program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = standardInput != null,
                UseShellExecute = false,
            };
            foreach (var a in arguments) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {program}.");
            Task<string> stdout = p.StandardOutput.ReadToEndAsync();
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            if (standardInput != null)
            {
                p.StandardInput.Write(standardInput);
                p.StandardInput.Close();
            }
            var limit = timeout ?? TimeSpan.FromMinutes(2);
            if (!p.WaitForExit((int)limit.TotalMilliseconds))
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw new TimeoutException($"{program} {string.Join(" ", arguments)} did not finish within {limit.TotalSeconds} s.");
            }
            p.WaitForExit();
            return new ToolResult(p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
        }

        public static ToolResult Run(string program, params string[] arguments) => Run(program, (IEnumerable<string>)arguments);
    }
}
