using System;
using System.Threading;

namespace WeChatNet.Streams
{
    /// <summary>The overall out-of-order memory shared by every stream of one reassembly run.</summary>
    internal sealed class TcpMemoryBudget
    {
        private long _used;

        public TcpMemoryBudget(long limit) { Limit = limit; }

        public long Limit { get; }
        public long Used => Interlocked.Read(ref _used);
        /// <summary>Highest <see cref="Used"/> seen.</summary>
        public long Peak { get; private set; }

        public bool TryReserve(int bytes)
        {
            if (_used + bytes > Limit) return false;
            _used += bytes;
            if (_used > Peak) Peak = _used;
            return true;
        }

        public void Release(int bytes) => _used -= bytes;
    }
}
