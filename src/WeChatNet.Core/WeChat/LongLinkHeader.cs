using System;
using System.Buffers.Binary;

namespace WeChatNet.WeChat
{
    /// <summary>Which header a long-link frame carries.</summary>
    internal enum LongLinkHeaderFormat
    {
        /// <summary>WeChat's 16-byte header: total length, header length 16, version, command, sequence.</summary>
        WeChat16,
        /// <summary>Tencent Mars' open-source demo packer: header length 20, client version, command, sequence, body length.</summary>
        MarsDemo20,
    }

    /// <summary>Result of reading a frame header.</summary>
    internal enum LongLinkHeaderStatus
    {
        Ok,
        /// <summary>Fewer bytes than a header; not an error on a stream.</summary>
        NeedMoreData,
        Implausible,
    }

    /// <summary>A decoded long-link frame header.</summary>
    internal readonly struct LongLinkHeader
    {
        public const int WeChatHeaderLength = 16;
        public const int MarsHeaderLength = 20;
        /// <summary>Frames longer than this end long-link decoding of a stream as implausible.</summary>
        public const uint DefaultMaxFrameLength = 16 * 1024 * 1024;

        public LongLinkHeader(LongLinkHeaderFormat format, uint totalLength, int headerLength, uint version, uint command, uint sequence)
        {
            Format = format;
            TotalLength = totalLength;
            HeaderLength = headerLength;
            Version = version;
            Command = command;
            Sequence = sequence;
        }

        public LongLinkHeaderFormat Format { get; }
        /// <summary>Frame length including the header.</summary>
        public uint TotalLength { get; }
        public int HeaderLength { get; }
        /// <summary>Protocol version (WeChat16) or client version (MarsDemo20).</summary>
        public uint Version { get; }
        public uint Command { get; }
        public uint Sequence { get; }
        public uint BodyLength => TotalLength - (uint)HeaderLength;

        /// <summary>
        /// True when the bytes start like Mars' 20-byte demo header rather than WeChat's: the first word is 20 and
        /// bytes 4..7 are not WeChat's <c>0010 0001</c> (a 20-byte WeChat push notify also starts with 20).
        /// </summary>
        public static bool LooksLikeMarsDemo(ReadOnlySpan<byte> data)
        {
            if (data.Length < 8) return false;
            return BinaryPrimitives.ReadUInt32BigEndian(data) == MarsHeaderLength
                && BinaryPrimitives.ReadUInt16BigEndian(data.Slice(4)) != WeChatHeaderLength;
        }

        /// <summary>
        /// Reads a header of the given format from the start of <paramref name="data"/>. On Implausible,
        /// <paramref name="reason"/> says what and <paramref name="errorOffset"/> at which offset of the header.
        /// </summary>
        public static LongLinkHeaderStatus TryRead(ReadOnlySpan<byte> data, LongLinkHeaderFormat format, uint maxFrameLength,
            out LongLinkHeader header, out string? reason, out int errorOffset)
        {
            header = default;
            reason = null;
            errorOffset = 0;
            if (format == LongLinkHeaderFormat.MarsDemo20)
            {
                if (data.Length < MarsHeaderLength) return LongLinkHeaderStatus.NeedMoreData;
                uint headerLength = BinaryPrimitives.ReadUInt32BigEndian(data);
                uint clientVersion = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(4));
                uint cmd = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(8));
                uint seq = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(12));
                uint bodyLength = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(16));
                if (headerLength != MarsHeaderLength)
                {
                    reason = $"Mars demo header length is {headerLength}, not 20";
                    return LongLinkHeaderStatus.Implausible;
                }
                if (bodyLength > maxFrameLength - MarsHeaderLength)
                {
                    reason = $"Mars demo body length {bodyLength} is beyond the {maxFrameLength}-byte bound";
                    errorOffset = 16;
                    return LongLinkHeaderStatus.Implausible;
                }
                header = new LongLinkHeader(format, bodyLength + MarsHeaderLength, MarsHeaderLength, clientVersion, cmd, seq);
                return LongLinkHeaderStatus.Ok;
            }

            if (data.Length < WeChatHeaderLength) return LongLinkHeaderStatus.NeedMoreData;
            uint total = BinaryPrimitives.ReadUInt32BigEndian(data);
            ushort hdrLen = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(4));
            ushort version = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(6));
            uint command = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(8));
            uint sequence = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(12));
            if (total < WeChatHeaderLength)
            {
                reason = $"frame length {total} is below the 16-byte header";
                return LongLinkHeaderStatus.Implausible;
            }
            if (hdrLen != WeChatHeaderLength)
            {
                reason = $"header length is {hdrLen}, not 16";
                errorOffset = 4;
                return LongLinkHeaderStatus.Implausible;
            }
            if (total > maxFrameLength)
            {
                reason = $"frame length {total} is beyond the {maxFrameLength}-byte bound";
                return LongLinkHeaderStatus.Implausible;
            }
            header = new LongLinkHeader(LongLinkHeaderFormat.WeChat16, total, WeChatHeaderLength, version, command, sequence);
            return LongLinkHeaderStatus.Ok;
        }
    }
}
