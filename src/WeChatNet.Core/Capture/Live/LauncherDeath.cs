using System;
using System.IO;
using System.Runtime.InteropServices;

namespace WeChatNet.Capture.Live
{
    /// <summary>
    /// Ends a capture's process when PowerShell's .NET-tool launcher, which the user sees as "pwsh", is ended.
    /// <para>
    /// PowerShell installed as a .NET tool (<c>dotnet tool install PowerShell</c>, or <c>dotnet pwsh</c> from a tool manifest, as
    /// this repository's README uses) starts through Microsoft.PowerShell.GlobalTool.Shim: a small process that starts the real
    /// <c>dotnet pwsh.dll</c> as its child and waits for it. It forwards no signal. <c>kill -TERM</c> or <c>-HUP</c> to the
    /// process named pwsh ends the launcher at once (exit 143/129) while the real pwsh, orphaned, goes on capturing: the file
    /// stays empty or ends at its last buffer flush, and the capture runs until something else ends it. Measured on Linux with
    /// PowerShell 7.6.9 from the tool feed: idle or 100 packets a second for 20 s, the file was 0 bytes when the launcher had
    /// exited.
    /// </para>
    /// <para>
    /// So while a capture runs, on Linux, if this process's parent is that launcher, the capture thread asks the kernel for
    /// SIGTERM when the parent goes (prctl PR_SET_PDEATHSIG): the signal reaches <see cref="CaptureShutdown"/>'s handler,
    /// which closes every file complete, and the process ends as the user meant. Only under the launcher: a capture started
    /// under <c>nohup</c> from a shell that then exits must keep running. The setting belongs to the capture thread and ends
    /// with it. macOS has no parent-death signal; Windows has no signals of this kind.
    /// </para>
    /// </summary>
    internal static class LauncherDeath
    {
        private const string LauncherAssembly = "Microsoft.PowerShell.GlobalTool.Shim.dll";
        private const int PR_SET_PDEATHSIG = 1, SIGTERM = 15;

        /// <summary>Arms the parent-death signal for the calling thread when the parent is PowerShell's tool launcher.</summary>
        public static void ArmForThisThread()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return;
            try
            {
                int parent = Native.getppid();
                if (parent <= 1 || !IsToolLauncher(parent)) return;
                if (Native.prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) != 0) return;
                // The launcher may have ended between our start and the prctl: then nothing will send the signal.
                if (Native.getppid() != parent) Native.kill(Native.getpid(), SIGTERM);
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException) { } // not glibc: no launcher watch
        }

        /// <summary>True when process <paramref name="pid"/> has PowerShell's tool launcher assembly mapped.</summary>
        internal static bool IsToolLauncher(int pid)
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{pid}/maps"))
                    if (line.EndsWith("/" + LauncherAssembly, StringComparison.Ordinal)) return true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { }
            return false;
        }

        private static class Native
        {
            [DllImport("libc.so.6")] public static extern int getppid();
            [DllImport("libc.so.6")] public static extern int getpid();
            [DllImport("libc.so.6")] public static extern int kill(int pid, int signal);
            [DllImport("libc.so.6")] public static extern int prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);
        }
    }
}
