using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace WeChatNet.Tests.Capture.Live
{
    /// <summary>A dedicated thread for traffic generators (the test thread consumes the capture); Join rethrows its failure.</summary>
    internal sealed class Worker
    {
        private readonly Thread _thread;
        private ExceptionDispatchInfo? _error;

        private Worker(Action action)
        {
            _thread = new Thread(() =>
            {
                try { action(); }
                catch (Exception e) { _error = ExceptionDispatchInfo.Capture(e); }
            }) { IsBackground = true };
            _thread.Start();
        }

        public static Worker Run(Action action) => new Worker(action);

        public void Join()
        {
            _thread.Join();
            _error?.Throw();
        }
    }
}
