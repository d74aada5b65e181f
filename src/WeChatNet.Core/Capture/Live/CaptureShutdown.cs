using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;

namespace WeChatNet.Capture.Live
{
    /// <summary>
    /// Closes running captures' files complete when the process is told to end from outside: SIGTERM (how a remote
    /// session, a job's process or a service manager ends pwsh), SIGHUP (a closed terminal or SSH connection), SIGQUIT,
    /// and AppDomain.ProcessExit (Environment.Exit, the end of a job's process, Windows PowerShell).
    /// <para>
    /// Measured with pwsh 7.6.9 on Linux: SIGTERM ends pwsh with exit code 143 without running <c>finally</c> blocks,
    /// Dispose, StopProcessing or AppDomain.ProcessExit; only handlers registered with PosixSignalRegistration run first
    /// (and the process ends once they return). So while a capture runs, a handler for each signal stops every running
    /// capture and waits (up to <see cref="Grace"/>) until its files are closed with their statistics block; it does not
    /// cancel the signal, so the process still ends as the sender meant. PosixSignalRegistration is .NET 6+ and this
    /// assembly is netstandard2.0 (the module also runs on Windows PowerShell 5.1), so it is found by reflection;
    /// where it is missing only ProcessExit is hooked.
    /// </para>
    /// </summary>
    internal static class CaptureShutdown
    {
        /// <summary>How long a signal handler waits for the running captures to close their files.</summary>
        public static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

        private static readonly object Gate = new object();
        private static readonly HashSet<LiveCapture> Running = new HashSet<LiveCapture>();
        private static readonly List<IDisposable> Registrations = new List<IDisposable>();
        private static bool _processExitHooked;

        public static void Register(LiveCapture capture)
        {
            lock (Gate)
            {
                Running.Add(capture);
                if (Registrations.Count == 0) RegisterSignals();
                if (!_processExitHooked)
                {
                    AppDomain.CurrentDomain.ProcessExit += (_, __) => StopAll("ProcessExit");
                    _processExitHooked = true;
                }
            }
        }

        public static void Unregister(LiveCapture capture)
        {
            lock (Gate)
            {
                Running.Remove(capture);
                if (Running.Count > 0) return;
                foreach (var r in Registrations) r.Dispose();
                Registrations.Clear();
            }
        }

        /// <summary>Stops every running capture with <paramref name="reason"/> and waits until each has closed its files.</summary>
        public static void StopAll(string reason)
        {
            LiveCapture[] running;
            lock (Gate) running = Running.ToArray();
            foreach (var c in running) c.StopFromOutside(reason);
            var deadline = DateTime.UtcNow + Grace;
            foreach (var c in running)
            {
                var left = deadline - DateTime.UtcNow;
                c.WaitClosed(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
        }

        // PosixSignalRegistration.Create(PosixSignal, Action<PosixSignalContext>) through reflection (absent before .NET 6).
        private static void RegisterSignals()
        {
            var registration = Type.GetType("System.Runtime.InteropServices.PosixSignalRegistration, System.Runtime.InteropServices", false)
                               ?? Type.GetType("System.Runtime.InteropServices.PosixSignalRegistration", false);
            var signalType = registration?.Assembly.GetType("System.Runtime.InteropServices.PosixSignal", false);
            var contextType = registration?.Assembly.GetType("System.Runtime.InteropServices.PosixSignalContext", false);
            if (registration == null || signalType == null || contextType == null) return;
            var create = registration.GetMethod("Create", BindingFlags.Public | BindingFlags.Static);
            if (create == null) return;
            var handlerType = typeof(Action<>).MakeGenericType(contextType);
            var handler = Delegate.CreateDelegate(handlerType, typeof(CaptureShutdown).GetMethod(nameof(OnSignal), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(contextType));
            foreach (var name in new[] { "SIGTERM", "SIGHUP", "SIGQUIT" })
            {
                try
                {
                    if (create.Invoke(null, new[] { Enum.Parse(signalType, name), handler }) is IDisposable r) Registrations.Add(r);
                }
                catch (TargetInvocationException) { } // a platform without that signal (PlatformNotSupportedException)
            }
        }

        private static void OnSignal<TContext>(TContext context)
        {
            string name = context?.GetType().GetProperty("Signal")?.GetValue(context)?.ToString() ?? "signal";
            StopAll(name);
        }
    }
}
