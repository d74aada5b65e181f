using System;
using WeChatNet.Packets;

namespace WeChatNet.Streams
{
    /// <summary>Why a reassembled stream ended.</summary>
    internal enum TcpStreamEnd
    {
        /// <summary>FIN seen and every byte before it delivered.</summary>
        Fin,
        /// <summary>RST seen.</summary>
        Reset,
        /// <summary>No segment for longer than the idle timeout.</summary>
        Idle,
        /// <summary>The input ended (end of capture) with the stream still open.</summary>
        EndOfInput,
        /// <summary>Evicted because too many streams were open at once.</summary>
        Evicted,
    }
}
