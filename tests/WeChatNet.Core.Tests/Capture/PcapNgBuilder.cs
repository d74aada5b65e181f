using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace WeChatNet.Tests.Capture
{
    /// <summary>Builds pcapng blocks in either byte order for tests (independent of the product's writer).</summary>
    public sealed class PcapNgBuilder
    {
        private readonly MemoryStream _out = new MemoryStream();
        public bool BigEndian { get; set; }

        public byte[] ToArray() => _out.ToArray();
        public long Length => _out.Length;

        private byte[] U16(int v) { var b = new byte[2]; if (BigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)v); else BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v); return b; }
        private byte[] U32(uint v) { var b = new byte[4]; if (BigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v); return b; }
        private byte[] U64(ulong v) { var b = new byte[8]; if (BigEndian) BinaryPrimitives.WriteUInt64BigEndian(b, v); else BinaryPrimitives.WriteUInt64LittleEndian(b, v); return b; }

        public byte[] Option(int code, byte[] value)
        {
            var l = new List<byte>();
            l.AddRange(U16(code));
            l.AddRange(U16(value.Length));
            l.AddRange(value);
            while (l.Count % 4 != 0) l.Add(0);
            return l.ToArray();
        }

        public byte[] Options(params byte[][] options)
        {
            var l = new List<byte>();
            foreach (var o in options) l.AddRange(o);
            if (options.Length > 0) l.AddRange(new byte[4]);
            return l.ToArray();
        }

        public long Block(uint type, params byte[][] parts)
        {
            long at = _out.Length;
            var body = new List<byte>();
            foreach (var p in parts) body.AddRange(p);
            while (body.Count % 4 != 0) body.Add(0);
            uint len = (uint)(12 + body.Count);
            Write(U32(type));
            Write(U32(len));
            Write(body.ToArray());
            Write(U32(len));
            return at;
        }

        public void Raw(byte[] bytes) => Write(bytes);

        private void Write(byte[] b) => _out.Write(b, 0, b.Length);

        public long SectionHeader(params byte[][] options) =>
            Block(0x0A0D0D0A, U32(0x1A2B3C4D), U16(1), U16(0), U64(ulong.MaxValue), Options(options));

        public long Interface(ushort linkType, uint snap = 65535, params byte[][] options) =>
            Block(1, U16(linkType), U16(0), U32(snap), Options(options));

        public long Enhanced(uint ifid, ulong ticks, byte[] data, int? orig = null, params byte[][] options) =>
            Block(6, U32(ifid), U32((uint)(ticks >> 32)), U32((uint)ticks), U32((uint)data.Length), U32((uint)(orig ?? data.Length)), Pad(data), Options(options));

        public long Simple(byte[] data, int orig) => Block(3, U32((uint)orig), Pad(data));

        public long Obsolete(ushort ifid, ulong ticks, byte[] data) =>
            Block(2, U16(ifid), U16(0), U32((uint)(ticks >> 32)), U32((uint)ticks), U32((uint)data.Length), U32((uint)data.Length), Pad(data));

        public long Statistics(uint ifid, ulong ticks, ulong received, ulong dropped) =>
            Block(5, U32(ifid), U32((uint)(ticks >> 32)), U32((uint)ticks), Options(Option(4, U64(received)), Option(5, U64(dropped))));

        public long Names(byte[] ipv4, string name)
        {
            var value = new List<byte>(ipv4);
            value.AddRange(Encoding.UTF8.GetBytes(name));
            value.Add(0);
            var rec = new List<byte>();
            rec.AddRange(U16(1));
            rec.AddRange(U16(value.Count));
            rec.AddRange(value);
            while (rec.Count % 4 != 0) rec.Add(0);
            rec.AddRange(new byte[4]);
            return Block(4, rec.ToArray());
        }

        public byte[] Int64Option(int code, long v) => Option(code, U64((ulong)v));

        private static byte[] Pad(byte[] data)
        {
            var p = new byte[(data.Length + 3) & ~3];
            Array.Copy(data, p, data.Length);
            return p;
        }
    }
}
