using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.PowerShell;

namespace WeChatNet.Build.WindowsPwsh
{
    /// <summary>
    /// pwsh.exe for the Windows test layer (docs/testing.md, "The Windows layer"). It is PowerShell's own console host
    /// (ConsoleShell.Start, pwsh.exe's command line) when it has a console. Under Wine the console host needs a
    /// terminal ("Invalid handle" otherwise), so a run whose output is redirected, with -File or -Command, goes through a
    /// hosted runspace instead: output and Write-Host text to stdout (UTF-8, so the reader on Linux gets every
    /// character; [Console]::OutputEncoding stays the Windows console's), errors to stderr, and the exit code is the
    /// script's (exit N; 1 when it throws; 0 otherwise), as pwsh -File gives. -Hosted forces that mode.
    /// Execution policy is Bypass in both modes (Windows' default refuses scripts).
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            Environment.SetEnvironmentVariable("PSExecutionPolicyPreference", "Bypass");
            var forced = args.Length > 0 && string.Equals(args[0], "-Hosted", StringComparison.OrdinalIgnoreCase);
            var rest = forced ? args[1..] : args;
            var request = HostedRequest.Parse(rest);
            if (request != null && (forced || Console.IsOutputRedirected))
            {
                return RunHosted(request);
            }
            if (forced)
            {
                Console.Error.WriteLine("pwsh.exe -Hosted: give -File <script> [arguments] or -Command <text> (with -NoProfile, -NonInteractive, -NoLogo, -ExecutionPolicy as needed).");
                return 64;
            }
            var iss = InitialSessionState.CreateDefault2();
            iss.ExecutionPolicy = ExecutionPolicy.Bypass;
            return ConsoleShell.Start(iss, "PowerShell (Windows layer)", string.Empty, args);
        }

        private static string Quote(string value) => "'" + value.Replace("'", "''") + "'";

        private static int RunHosted(HostedRequest request)
        {
            var iss = InitialSessionState.CreateDefault2();
            iss.ExecutionPolicy = ExecutionPolicy.Bypass;
            using var runspace = RunspaceFactory.CreateRunspace(iss);
            runspace.Open();
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            string? commandFile = null;
            try
            {
                return Run(ps, runspace, request, ref commandFile);
            }
            finally
            {
                if (commandFile != null)
                {
                    File.Delete(commandFile);
                }
            }
        }

        private static int Run(PowerShell ps, Runspace runspace, HostedRequest request, ref string? commandFile)
        {
            var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
            var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
            if (request.File != null)
            {
                // As pwsh -File does: "-Name" is a parameter name, everything else a literal value.
                var script = new StringBuilder("& ").Append(Quote(Path.GetFullPath(request.File)));
                foreach (var a in request.Arguments)
                {
                    script.Append(' ').Append(Regex.IsMatch(a, @"^-[A-Za-z_][A-Za-z0-9_]*:?$") ? a : Quote(a));
                }
                ps.AddScript(script.ToString());
            }
            else
            {
                // Through a script file, so that "exit N" ends the command with N as pwsh -Command does.
                commandFile = Path.Combine(Path.GetTempPath(), "winpwsh-" + Guid.NewGuid().ToString("n") + ".ps1");
                File.WriteAllText(commandFile, request.Command!, new UTF8Encoding(true));
                ps.AddScript("& " + Quote(commandFile));
            }
            ps.AddCommand("Out-String").AddParameter("Stream").AddParameter("Width", 120);
            var sync = new object();
            void Out(StreamWriter w, string? line)
            {
                lock (sync)
                {
                    w.WriteLine(line);
                }
            }
            ps.Streams.Information.DataAdded += (s, e) => Out(stdout, ps.Streams.Information[e.Index].ToString());
            ps.Streams.Warning.DataAdded += (s, e) => Out(stdout, "WARNING: " + ps.Streams.Warning[e.Index].Message);
            ps.Streams.Error.DataAdded += (s, e) => Out(stderr, ps.Streams.Error[e.Index].ToString());
            var output = new PSDataCollection<PSObject>();
            output.DataAdded += (s, e) => Out(stdout, output[e.Index]?.ToString());
            Console.CancelKeyPress += (s, e) =>
            {
                e.Cancel = true;
                ps.BeginStop(null, null);
            };
            try
            {
                ps.Invoke(null, output);
            }
            catch (RuntimeException ex)
            {
                Out(stderr, ex.ErrorRecord?.ToString() ?? ex.Message);
                return 1;
            }
            using var exitPs = PowerShell.Create();
            exitPs.Runspace = runspace;
            var code = exitPs.AddScript("$global:LASTEXITCODE").Invoke();
            return code.Count > 0 && code[0]?.BaseObject is int exit ? exit : 0;
        }
    }
}
