using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// Writes WeChat wire messages exactly as wechat-wire-facts.md describes them: long-link frames, MMTLS records and
    /// handshake messages. Used by the sample-capture generator and by tests; the decoders read what this writes.
    /// </summary>
    internal static class WeChatWireBuilder
    {
        /// <summary>A 16-byte-header long-link frame: total length, 0x0010, version 1, command, sequence, body.</summary>
        public static byte[] Frame(uint command, uint sequence, ReadOnlySpan<byte> body = default)
        {
            var f = new byte[16 + body.Length];
            BinaryPrimitives.WriteUInt32BigEndian(f, (uint)f.Length);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(4), 16);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(6), 1);
            BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(8), command);
            BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(12), sequence);
            body.CopyTo(f.AsSpan(16));
            return f;
        }

        /// <summary>An MMTLS record: type, version, 2-byte body length, body.</summary>
        public static byte[] Record(byte type, ReadOnlySpan<byte> body, ushort version = 0xF104)
        {
            if (body.Length > ushort.MaxValue) throw new ArgumentOutOfRangeException(nameof(body), "An MMTLS record body holds at most 65535 bytes.");
            var r = new byte[5 + body.Length];
            r[0] = type;
            BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(1), version);
            BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(3), (ushort)body.Length);
            body.CopyTo(r.AsSpan(5));
            return r;
        }

        /// <summary>
        /// A ClientHello handshake message: 4-byte length, type 0x01, version little-endian, suite count, suites,
        /// 32-byte random, 4-byte unix time, extensions block (4-byte length, count, entries of 4-byte length + 2-byte type + data).
        /// </summary>
        public static byte[] ClientHello(ushort[] suites, byte[] random, uint unixTime, IEnumerable<(ushort Type, byte[] Data)> extensions, ushort version = 0xF104)
        {
            var m = new List<byte> { 0x01, (byte)version, (byte)(version >> 8), (byte)suites.Length };
            foreach (var s in suites) { m.Add((byte)(s >> 8)); m.Add((byte)s); }
            m.AddRange(Check32(random));
            m.AddRange(Be32(unixTime));
            m.AddRange(Extensions(extensions));
            return WithLength(m);
        }

        /// <summary>A ServerHello: 4-byte length, type 0x02, version little-endian, chosen suite, 32-byte random, extensions block.</summary>
        public static byte[] ServerHello(ushort suite, byte[] random, IEnumerable<(ushort Type, byte[] Data)> extensions, ushort version = 0xF104)
        {
            var m = new List<byte> { 0x02, (byte)version, (byte)(version >> 8), (byte)(suite >> 8), (byte)suite };
            m.AddRange(Check32(random));
            m.AddRange(Extensions(extensions));
            return WithLength(m);
        }

        /// <summary>A Finished message: 4-byte length, type 0x14, verify data.</summary>
        public static byte[] Finished(byte[] verifyData)
        {
            var m = new List<byte> { 0x14 };
            m.AddRange(verifyData);
            return WithLength(m);
        }

        private static byte[] Check32(byte[] random) =>
            random.Length == 32 ? random : throw new ArgumentException("The hello random is 32 bytes.", nameof(random));

        private static List<byte> Extensions(IEnumerable<(ushort Type, byte[] Data)> extensions)
        {
            var block = new List<byte>();
            int count = 0;
            foreach (var (type, data) in extensions)
            {
                block.AddRange(Be32((uint)(2 + data.Length)));
                block.Add((byte)(type >> 8));
                block.Add((byte)type);
                block.AddRange(data);
                count++;
            }
            block.Insert(0, (byte)count);
            var result = new List<byte>(Be32((uint)block.Count));
            result.AddRange(block);
            return result;
        }

        private static byte[] WithLength(List<byte> message)
        {
            var b = new byte[4 + message.Count];
            BinaryPrimitives.WriteUInt32BigEndian(b, (uint)message.Count);
            message.CopyTo(b, 4);
            return b;
        }

        private static byte[] Be32(uint v)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(b, v);
            return b;
        }
    }
}
