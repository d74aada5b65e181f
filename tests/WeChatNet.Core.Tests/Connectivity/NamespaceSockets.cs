using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;
using WeChatNet.Tests.Infrastructure;

namespace WeChatNet.Tests.Connectivity
{
    /// <summary>
    /// Creates sockets inside a test's network namespace: a dedicated thread joins the namespace (setns) and creates
    /// every socket asked of it. A socket belongs to the namespace it was created in, whatever thread uses it later,
    /// so the code under test runs in-process while its traffic stays inside the namespace.
    /// </summary>
    public sealed class NamespaceSockets : IDisposable
    {
        private const int CloneNewNet = 0x40000000;
        private readonly BlockingCollection<Action> _work = new BlockingCollection<Action>();
        private readonly Thread _thread;
        private Exception? _joinError;
        private readonly ManualResetEventSlim _joined = new ManualResetEventSlim();

        [DllImport("libc", SetLastError = true)]
        private static extern int setns(int fd, int nstype);

        public NamespaceSockets(NetNamespace ns)
        {
            _thread = new Thread(() =>
            {
                try
                {
                    using var handle = File.OpenHandle("/run/netns/" + ns.Name, FileMode.Open, FileAccess.Read);
                    if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                        throw new InvalidOperationException($"setns into {ns.Name} failed: errno {Marshal.GetLastWin32Error()}");
                }
                catch (Exception e) { _joinError = e; }
                finally { _joined.Set(); }
                if (_joinError != null) return;
                foreach (var work in _work.GetConsumingEnumerable()) work();
            }) { IsBackground = true, Name = "netns " + ns.Name };
            _thread.Start();
            _joined.Wait();
            if (_joinError != null) throw new InvalidOperationException($"Could not enter network namespace {ns.Name}.", _joinError);
        }

        public Socket Create(AddressFamily family)
        {
            Socket? socket = null;
            Exception? error = null;
            using var done = new ManualResetEventSlim();
            _work.Add(() =>
            {
                try { socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp); }
                catch (Exception e) { error = e; }
                finally { done.Set(); }
            });
            done.Wait();
            if (error != null) throw error;
            return socket!;
        }

        public void Dispose()
        {
            _work.CompleteAdding();
            _thread.Join(5000);
            _work.Dispose();
        }
    }
}
