using System;
using System.Buffers.Binary;
using WeChatNet.Packets;

namespace WeChatNet.Capture
{
    /// <summary>What <see cref="CaptureFileReader.ReadNext"/> found.</summary>
    internal enum CaptureReadResult
    {
        /// <summary>A packet: the out record is valid until the next call.</summary>
        Packet,
        /// <summary>Damage: see <see cref="CaptureFileReader.LastError"/>; call again to go on (the reader resynchronises where it can).</summary>
        Error,
        /// <summary>No more packets.</summary>
        EndOfFile,
    }
}
