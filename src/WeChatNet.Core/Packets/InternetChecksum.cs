using System;
using System.Buffers.Binary;

namespace WeChatNet.Packets
{
    /// <summary>The RFC 1071 one's-complement checksum.</summary>
    internal static class InternetChecksum
    {
        /// <summary>Folded one's-complement sum, complemented: 0 when data already contains a correct checksum.</summary>
        public static ushort Compute(ReadOnlySpan<byte> data, uint initial = 0)
        {
            ulong sum = initial;
            int i = 0;
            for (; i + 1 < data.Length; i += 2) sum += (uint)(data[i] << 8 | data[i + 1]);
            if (i < data.Length) sum += (uint)(data[i] << 8);
            while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
            return (ushort)~sum;
        }
    }
}
