using System;
using System.Buffers.Binary;
using WeChatNet.Packets;

namespace WeChatNet.Capture
{
    /// <summary>pcapng option lists: code (2), length (2), value padded to 4, ended by code 0.</summary>
    internal static class PcapNgOptions
    {
        public static ReadOnlySpan<byte> Find(ReadOnlySpan<byte> options, ushort code, bool bigEndian)
        {
            int i = 0;
            while (i + 4 <= options.Length)
            {
                ushort c = bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(options.Slice(i)) : BinaryPrimitives.ReadUInt16LittleEndian(options.Slice(i));
                int len = bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(options.Slice(i + 2)) : BinaryPrimitives.ReadUInt16LittleEndian(options.Slice(i + 2));
                if (c == 0) break;
                if (i + 4 + len > options.Length) break;
                if (c == code) return options.Slice(i + 4, len);
                i += 4 + ((len + 3) & ~3);
            }
            return default;
        }
    }
}
