using System;
using System.Buffers.Binary;

namespace WeChatNet.Capture.Live
{
    /// <summary>
    /// The live capture's packet blocks, encoded straight from libpcap's buffer into one large array and handed to the
    /// pcapng writer a full array at a time: one copy per packet and one write per megabyte, where the writer's
    /// per-packet path makes four buffered writes (header, data, padding, trailer) and copies the data twice. Holds
    /// whole enhanced packet blocks only, so every write the file sees ends on a block boundary.
    /// </summary>
    internal sealed class PcapNgBlockBuffer
    {
        private readonly byte[] _blocks;
        private readonly int _interfaceId;
        private int _fill;
        private int _packets;

        public PcapNgBlockBuffer(int capacity, int interfaceId)
        {
            _blocks = new byte[capacity];
            _interfaceId = interfaceId;
        }

        /// <summary>Bytes encoded and not yet handed to the writer.</summary>
        public int Pending => _fill;

        /// <summary>An enhanced packet block: 32 bytes of header and trailer plus the data padded to 4.</summary>
        public static int SizeOf(int capturedLength) => 32 + ((capturedLength + 3) & ~3);

        /// <summary>
        /// Encodes one packet as an enhanced packet block (nanosecond timestamp, no options), first handing what is held
        /// to <paramref name="writer"/> if the block does not fit; a block larger than the whole buffer goes to the writer directly.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        public void Add(PcapNgWriter writer, long timestampNs, ReadOnlySpan<byte> data, int originalLength)
        {
            int length = SizeOf(data.Length);
            if (length > _blocks.Length - _fill)
            {
                DrainTo(writer);
                if (length > _blocks.Length)
                {
                    writer.WritePacket(_interfaceId, timestampNs, data, originalLength);
                    return;
                }
            }
            var b = new Span<byte>(_blocks, _fill, length);
            // The padding: the last word of the padded data is zeroed first and the data copied over its start (no call
            // per packet); without data that word is the original-length field, written next.
            BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(length - 8), 0);
            PcapNgWriter.WriteEnhancedPacketHeader(b, length, _interfaceId, timestampNs, data.Length, originalLength);
            data.CopyTo(b.Slice(28));
            BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(length - 4), (uint)length);
            _fill += length;
            _packets++;
        }

        /// <summary>Hands every block held to the writer (whole blocks, in order).</summary>
        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        public void DrainTo(PcapNgWriter writer)
        {
            if (_fill == 0) return;
            int count = _fill, packets = _packets;
            _fill = 0;
            _packets = 0;
            writer.WriteEncodedPackets(_blocks, count, packets);
        }
    }
}
