using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;

namespace WeChatNet.Benchmarks
{
    /// <summary>What the side-by-side benchmarks share: peers found and timed the way a user runs them, child processes
    /// for clean memory figures, versions for the record.</summary>
    public static class BenchmarkSupport
    {
        /// <summary>The repository root (the folder holding WeChatNet.sln above the binary).</summary>
        public static string RepoRoot()
        {
            var dir = new System.IO.DirectoryInfo(System.AppContext.BaseDirectory);
            while (dir != null && !System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "WeChatNet.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new System.InvalidOperationException("Run from inside the repository (WeChatNet.sln not found above the binary).");
        }

        public static string RuntimeInfo => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

        public static string FindTool(string name, string? package = null)
        {
            foreach (var d in new[] { "/usr/bin", "/usr/sbin", "/bin", "/sbin" })
                if (File.Exists(Path.Combine(d, name))) return Path.Combine(d, name);
            throw new InvalidOperationException($"{name} is not installed: apt-get install -y {package ?? name}.");
        }

        /// <summary>Runs "tool arguments > /dev/null" through /bin/sh, exactly as the peer command is written; seconds of wall time.</summary>
        public static double TimeTool(string tool, string arguments)
        {
            var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add($"exec {tool} {arguments} > /dev/null");
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            string error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            sw.Stop();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {arguments} failed: {error}");
            return sw.Elapsed.TotalSeconds;
        }

        /// <summary>
        /// Runs "tool arguments > /dev/null" as <see cref="TimeTool"/> does and returns its wall time and its CPU time
        /// (user+system of the tool and its children, the shell's cutime+cstime after waiting for it, 10 ms ticks).
        /// </summary>
        public static (double Wall, double Cpu) TimeToolCpu(string tool, string arguments)
        {
            var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add($"{tool} {arguments} > /dev/null || exit 1; cat /proc/$$/stat");
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            var outTask = p.StandardOutput.ReadToEndAsync();
            string error = p.StandardError.ReadToEnd();
            string stat = outTask.GetAwaiter().GetResult();
            p.WaitForExit();
            sw.Stop();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {arguments} failed: {error}");
            // /proc/PID/stat after "(comm) ": cutime and cstime are fields 16 and 17 (indexes 13 and 14 here), in ticks.
            var f = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
            double cpu = (long.Parse(f[13], CultureInfo.InvariantCulture) + long.Parse(f[14], CultureInfo.InvariantCulture)) / 100.0;
            return (sw.Elapsed.TotalSeconds, cpu);
        }

        /// <summary>The 1-minute load average.</summary>
        public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

        public static string ToolVersion(string tool, string flag)
        {
            try
            {
                var psi = new ProcessStartInfo(tool, flag) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                using var p = Process.Start(psi)!;
                string text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
                p.WaitForExit();
                var first = text.Split('\n').FirstOrDefault(l => l.Contains("version", StringComparison.OrdinalIgnoreCase) || l.StartsWith("TShark", StringComparison.Ordinal)) ?? "";
                var m = System.Text.RegularExpressions.Regex.Match(first, @"\d+\.\d+(\.\d+)?");
                return m.Success ? m.Value : "?";
            }
            catch (Exception e) when (e is InvalidOperationException || e is System.ComponentModel.Win32Exception) { return "?"; }
        }

        /// <summary>Peak resident memory of this process (VmHWM), in MB.</summary>
        public static double PeakRssMb()
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Substring(6).Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
            return double.NaN;
        }

        /// <summary>
        /// Runs this benchmark program again as a child (<c>benchmark --child args...</c>) so memory figures cover one job
        /// only; returns the fields of the child's "RESULT ..." line.
        /// </summary>
        public static string[] RunChild(string benchmark, params string[] args)
        {
            string host = Environment.ProcessPath!;
            string dll = typeof(BenchmarkSupport).Assembly.Location;
            var psi = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(host) == "dotnet") psi.ArgumentList.Add(dll);
            psi.ArgumentList.Add(benchmark);
            psi.ArgumentList.Add("--child");
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment["DOTNET_gcServer"] = "0";
            using var p = Process.Start(psi)!;
            var stdoutTask = p.StandardOutput.ReadToEndAsync();
            string stderr = p.StandardError.ReadToEnd();
            string stdout = stdoutTask.GetAwaiter().GetResult();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"child failed: {stderr}\n{stdout}");
            return stdout.Split('\n').First(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).Split(' ').Skip(1).ToArray();
        }
    }
}
