using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace WeChatNet.WeChat
{
    /// <summary>An MMTLS record header: type (1), version (2), length (2, header excluded).</summary>
    internal readonly struct MmtlsRecordHeader
    {
        public const int Length = 5;
        public const byte Alert = 0x15;
        public const byte Handshake = 0x16;
        public const byte ApplicationData = 0x17;
        public const byte EarlyDataHandshake = 0x19;

        public MmtlsRecordHeader(byte type, ushort version, ushort bodyLength)
        {
            Type = type;
            Version = version;
            BodyLength = bodyLength;
        }

        public byte Type { get; }
        public ushort Version { get; }
        public ushort BodyLength { get; }

        public static bool IsKnownType(byte type) => type == Alert || type == Handshake || type == ApplicationData || type == EarlyDataHandshake;

        /// <summary>0xF103 and 0xF104 are known; any 0xF1xx is accepted as MMTLS.</summary>
        public static bool IsPlausibleVersion(ushort version) => (version & 0xFF00) == 0xF100;

        public static string TypeName(byte type) => type switch
        {
            Alert => "Alert",
            Handshake => "Handshake",
            ApplicationData => "ApplicationData",
            EarlyDataHandshake => "EarlyDataHandshake",
            _ => "Unknown(0x" + type.ToString("X2") + ")",
        };

        /// <summary>True when the bytes start like an MMTLS record (known type, 0xF1xx version).</summary>
        public static bool LooksLikeRecord(ReadOnlySpan<byte> data) =>
            data.Length >= 3 && IsKnownType(data[0]) && data[1] == 0xF1 && data[2] >= 0x01 && data[2] <= 0x0F;

        /// <summary>Reads a header; false with a reason when fewer than 5 bytes or when type or version is not MMTLS.</summary>
        public static bool TryRead(ReadOnlySpan<byte> data, out MmtlsRecordHeader header, out string? reason)
        {
            header = default;
            if (data.Length < Length) { reason = "fewer than 5 bytes for a record header"; return false; }
            byte type = data[0];
            ushort version = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(1));
            if (!IsKnownType(type)) { reason = $"record type 0x{type:X2} is not an MMTLS record type"; return false; }
            if (!IsPlausibleVersion(version)) { reason = $"record version 0x{version:X4} is not an MMTLS version (0xF1xx)"; return false; }
            header = new MmtlsRecordHeader(type, version, BinaryPrimitives.ReadUInt16BigEndian(data.Slice(3)));
            reason = null;
            return true;
        }
    }

    /// <summary>What could be read of a handshake message in the clear.</summary>
    internal sealed class MmtlsHandshakeInfo
    {
        public string MessageType { get; internal set; } = "";
        public ushort Version { get; internal set; }
        public ushort[] CipherSuites { get; internal set; } = Array.Empty<ushort>();
        public byte[]? Random { get; internal set; }
        public uint? Timestamp { get; internal set; }
        public ushort[] ExtensionTypes { get; internal set; } = Array.Empty<ushort>();
        /// <summary>Set when part of the message could not be read: what and where (offset in the record body).</summary>
        public string? Problem { get; internal set; }
    }

    /// <summary>
    /// Reads the clear-text start of MMTLS handshake messages (ClientHello, ServerHello, Finished). The body
    /// begins with a 4-byte length then the message type; messages that start directly with the type followed by
    /// the little-endian version (<c>01 04 F1</c>) are accepted too, since sources describe both.
    /// Never throws; a message it cannot read is labelled Encrypted or carries a Problem.
    /// </summary>
    internal static class MmtlsHandshake
    {
        public const byte ClientHello = 0x01;
        public const byte ServerHello = 0x02;
        public const byte Finished = 0x14;
        private const int MaxSuites = 64;
        private const int MaxExtensions = 64;

        public static string SuiteName(ushort suite) => suite switch
        {
            0xC02B => "ECDHE-ECDSA-AES128-GCM-SHA256",
            0x00A8 => "PSK-AES128-GCM-SHA256",
            _ => "0x" + suite.ToString("X4"),
        };

        public static string ExtensionName(ushort type) => type switch
        {
            0x000F => "PskTicket",
            0x0010 => "ClientKeyShares",
            0x0011 => "ServerKeyShare",
            0x0013 => "Unknown0x0013",
            _ => "0x" + type.ToString("X4"),
        };

        private static bool IsHelloStart(ReadOnlySpan<byte> b) =>
            b.Length >= 3 && (b[0] == ClientHello || b[0] == ServerHello || b[0] == Finished) && b[2] == 0xF1 && b[1] >= 1 && b[1] <= 0x0F;

        /// <summary>Reads the handshake message at the start of a record body.</summary>
        public static MmtlsHandshakeInfo Read(ReadOnlySpan<byte> body)
        {
            var info = new MmtlsHandshakeInfo();
            int start;
            if (body.Length >= 8 && IsHelloStart(body.Slice(4)))
            {
                uint declared = BinaryPrimitives.ReadUInt32BigEndian(body);
                start = 4;
                if (declared > body.Length - 4) info.Problem = $"handshake length {declared} at offset 0 exceeds the record's {body.Length - 4} bytes";
            }
            else if (IsHelloStart(body)) start = 0;
            else if (body.Length >= 5 && body[4] == Finished && BinaryPrimitives.ReadUInt32BigEndian(body) <= (uint)(body.Length - 4)) start = 4;
            else { info.MessageType = "Encrypted"; return info; }

            var r = body.Slice(start);
            byte type = r[0];
            info.MessageType = type switch { ClientHello => "ClientHello", ServerHello => "ServerHello", _ => "Finished" };
            if (type == Finished) return info;
            info.Version = (ushort)(r[1] | (r[2] << 8));
            int o = 3;
            int Off() => start + o;
            if (type == ClientHello)
            {
                if (r.Length < o + 1) { info.Problem = $"truncated before the cipher-suite count at offset {Off()}"; return info; }
                int count = r[o++];
                if (count > MaxSuites || r.Length < o + 2 * count) { info.Problem = $"cipher-suite list of {count} at offset {Off() - 1} does not fit"; return info; }
                var suites = new ushort[count];
                for (int i = 0; i < count; i++, o += 2) suites[i] = BinaryPrimitives.ReadUInt16BigEndian(r.Slice(o));
                info.CipherSuites = suites;
            }
            else
            {
                if (r.Length < o + 2) { info.Problem = $"truncated before the cipher suite at offset {Off()}"; return info; }
                info.CipherSuites = new[] { BinaryPrimitives.ReadUInt16BigEndian(r.Slice(o)) };
                o += 2;
            }
            if (r.Length < o + 32) { info.Problem = $"truncated in the 32-byte random at offset {Off()}"; return info; }
            info.Random = r.Slice(o, 32).ToArray();
            o += 32;
            if (type == ClientHello)
            {
                if (r.Length < o + 4) { info.Problem = $"truncated in the timestamp at offset {Off()}"; return info; }
                info.Timestamp = BinaryPrimitives.ReadUInt32BigEndian(r.Slice(o));
                o += 4;
            }
            if (r.Length < o + 5) { info.Problem = $"truncated before the extensions block at offset {Off()}"; return info; }
            uint blockLength = BinaryPrimitives.ReadUInt32BigEndian(r.Slice(o));
            int blockStart = o + 4;
            if (blockLength > (uint)(r.Length - blockStart)) { info.Problem = $"extensions block of {blockLength} bytes at offset {Off()} exceeds the message"; return info; }
            var block = r.Slice(blockStart, (int)blockLength);
            if (block.Length < 1) { info.Problem = $"empty extensions block at offset {Off()}"; return info; }
            int extCount = block[0];
            int e = 1;
            var types = new List<ushort>(Math.Min(extCount, MaxExtensions));
            for (int i = 0; i < extCount && i < MaxExtensions; i++)
            {
                if (block.Length < e + 6) { info.Problem = $"extension {i} truncated at offset {start + blockStart + e}"; break; }
                uint len = BinaryPrimitives.ReadUInt32BigEndian(block.Slice(e));
                if (len < 2 || len > (uint)(block.Length - e - 4)) { info.Problem = $"extension {i} length {len} at offset {start + blockStart + e} does not fit"; break; }
                types.Add(BinaryPrimitives.ReadUInt16BigEndian(block.Slice(e + 4)));
                e += 4 + (int)len;
            }
            info.ExtensionTypes = types.ToArray();
            return info;
        }
    }
}
