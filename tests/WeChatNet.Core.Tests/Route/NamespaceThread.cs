using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using WeChatNet.Tests.Infrastructure;

namespace WeChatNet.Tests.Route
{
    /// <summary>
    /// Runs code on a thread that has joined a test's network namespace (setns affects only the calling thread), so
    /// the sockets it opens live in that namespace: the tracer probes from the client namespace and a listener
    /// accepts in the server namespace while the test process stays where it is. Can also drop CAP_NET_RAW from the
    /// thread (capabilities are per thread on Linux) to exercise the unprivileged path.
    /// </summary>
    public static class NamespaceThread
    {
        private const int CloneNewNet = 0x40000000;

        [DllImport("libc", SetLastError = true)]
        private static extern int setns(int fd, int nstype);

        [DllImport("libc", SetLastError = true, EntryPoint = "syscall")]
        private static extern long syscall_capget(long number, ref CapHeader header, [Out] CapData[] data);

        [DllImport("libc", SetLastError = true, EntryPoint = "syscall")]
        private static extern long syscall_capset(long number, ref CapHeader header, CapData[] data);

        [StructLayout(LayoutKind.Sequential)]
        private struct CapHeader { public uint Version; public int Pid; }

        [StructLayout(LayoutKind.Sequential)]
        private struct CapData { public uint Effective; public uint Permitted; public uint Inheritable; }

        private const long SysCapget = 125, SysCapset = 126; // x86_64
        private const int CapNetRaw = 13;

        public static T Run<T>(NetNamespace ns, Func<T> body, bool dropNetRaw = false)
        {
            T result = default!;
            Exception? failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    Enter(ns);
                    if (dropNetRaw) DropNetRaw();
                    result = body();
                }
                catch (Exception e)
                {
                    failure = e;
                }
            }) { IsBackground = true, Name = "in " + ns.Name };
            thread.Start();
            if (!thread.Join(TimeSpan.FromMinutes(2))) throw new TimeoutException($"Code in namespace {ns.Name} did not finish within 2 minutes.");
            if (failure != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            return result;
        }

        /// <summary>Moves the calling thread into the namespace for good (use on a thread of your own).</summary>
        public static void Enter(NetNamespace ns)
        {
            using var handle = File.OpenHandle(Path.Combine("/var/run/netns", ns.Name));
            if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                throw new InvalidOperationException($"setns into {ns.Name} failed: errno {Marshal.GetLastWin32Error()}.");
        }

        private static void DropNetRaw()
        {
            if (RuntimeInformation.ProcessArchitecture != Architecture.X64) throw new PlatformNotSupportedException("capset numbers are x86_64 only.");
            var header = new CapHeader { Version = 0x20080522, Pid = 0 };
            var data = new CapData[2];
            if (syscall_capget(SysCapget, ref header, data) != 0) throw new InvalidOperationException($"capget failed: errno {Marshal.GetLastWin32Error()}.");
            data[0].Effective &= ~(1u << CapNetRaw);
            if (syscall_capset(SysCapset, ref header, data) != 0) throw new InvalidOperationException($"capset failed: errno {Marshal.GetLastWin32Error()}.");
        }
    }
}
