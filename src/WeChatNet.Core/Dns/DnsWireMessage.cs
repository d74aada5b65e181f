using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace WeChatNet.Dns
{
    /// <summary>The outcome of decoding a DNS message: success, or what was wrong and at which byte offset.</summary>
    internal readonly struct DnsDecodeResult
    {
        public DnsDecodeResult(DnsDecodeError error, int offset, string section)
        {
            Error = error;
            Offset = offset;
            Section = section;
        }

        public DnsDecodeError Error { get; }
        /// <summary>Byte offset in the message where the problem was found.</summary>
        public int Offset { get; }
        /// <summary>"header", "question", "answer", "authority", "additional".</summary>
        public string Section { get; }
        public bool Success => Error == DnsDecodeError.None;

        public override string ToString() => Success ? "ok" : $"{Error} in the {Section} section at byte {Offset}";
    }

    /// <summary>
    /// A whole DNS message (RFC 1035 section 4) as the codec sees it: header flags, the four sections and EDNS.
    /// <see cref="TryDecode"/> reads one from a span and never throws; <see cref="Encode"/> writes one with name
    /// compression for owner names and questions.
    /// </summary>
    internal sealed class DnsWireMessage
    {
        public const int HeaderLength = 12;
        /// <summary>Cap on questions plus records a decoded message may hold.</summary>
        public const int MaxRecords = 4096;
        /// <summary>Cap on encoded size (the TCP length prefix is 16 bits).</summary>
        public const int MaxLength = 65535;

        public ushort Id { get; set; }
        /// <summary>QR: true for a response.</summary>
        public bool IsResponse { get; set; }
        public byte Opcode { get; set; }
        public bool AuthoritativeAnswer { get; set; }
        public bool Truncated { get; set; }
        public bool RecursionDesired { get; set; }
        public bool RecursionAvailable { get; set; }
        /// <summary>The Z bit (must be zero).</summary>
        public bool Zero { get; set; }
        public bool AuthenticData { get; set; }
        public bool CheckingDisabled { get; set; }
        /// <summary>The 4-bit header rcode; <see cref="ResponseCode"/> adds the EDNS extension.</summary>
        public byte HeaderRcode { get; set; }

        public List<DnsQuestion> Questions { get; } = new List<DnsQuestion>();
        public List<DnsRecord> Answers { get; } = new List<DnsRecord>();
        public List<DnsRecord> Authorities { get; } = new List<DnsRecord>();
        /// <summary>Additional records, the OPT record excluded (see <see cref="Edns"/>).</summary>
        public List<DnsRecord> Additionals { get; } = new List<DnsRecord>();
        public Edns? Edns { get; set; }

        /// <summary>The full response code: header rcode plus the EDNS extended bits.</summary>
        public DnsResponseCode ResponseCode => (DnsResponseCode)(((Edns?.ExtendedRcode ?? 0) << 4) | HeaderRcode);

        /// <summary>A recursive query for one name and type, with EDNS (and Client Subnet when given).</summary>
        public static DnsWireMessage CreateQuery(ushort id, string name, DnsRecordType type, Edns? edns, bool recursionDesired = true)
        {
            var m = new DnsWireMessage { Id = id, RecursionDesired = recursionDesired, Edns = edns };
            m.Questions.Add(new DnsQuestion(name, type));
            return m;
        }

        // ------------------------------------------------------------------ header only

        /// <summary>Reads the id, flags and counts without decoding anything else (enough to see TC or match an id).</summary>
        public static bool TryReadHeader(ReadOnlySpan<byte> message, out ushort id, out ushort flags, out ushort qdCount, out ushort anCount, out ushort nsCount, out ushort arCount)
        {
            id = flags = qdCount = anCount = nsCount = arCount = 0;
            if (message.Length < HeaderLength) return false;
            id = BinaryPrimitives.ReadUInt16BigEndian(message);
            flags = BinaryPrimitives.ReadUInt16BigEndian(message.Slice(2));
            qdCount = BinaryPrimitives.ReadUInt16BigEndian(message.Slice(4));
            anCount = BinaryPrimitives.ReadUInt16BigEndian(message.Slice(6));
            nsCount = BinaryPrimitives.ReadUInt16BigEndian(message.Slice(8));
            arCount = BinaryPrimitives.ReadUInt16BigEndian(message.Slice(10));
            return true;
        }

        // ------------------------------------------------------------------ decode

        /// <summary>
        /// Decodes <paramref name="message"/>. On failure <paramref name="decoded"/> still holds the header and everything
        /// read before the bad byte (useful for truncated UDP answers), and the result names the error and its offset.
        /// </summary>
        public static DnsDecodeResult TryDecode(ReadOnlySpan<byte> message, out DnsWireMessage decoded)
        {
            decoded = new DnsWireMessage();
            if (!TryReadHeader(message, out ushort id, out ushort flags, out ushort qd, out ushort an, out ushort ns, out ushort ar))
                return new DnsDecodeResult(DnsDecodeError.HeaderTruncated, message.Length, "header");
            decoded.Id = id;
            decoded.IsResponse = (flags & 0x8000) != 0;
            decoded.Opcode = (byte)((flags >> 11) & 0xF);
            decoded.AuthoritativeAnswer = (flags & 0x0400) != 0;
            decoded.Truncated = (flags & 0x0200) != 0;
            decoded.RecursionDesired = (flags & 0x0100) != 0;
            decoded.RecursionAvailable = (flags & 0x0080) != 0;
            decoded.Zero = (flags & 0x0040) != 0;
            decoded.AuthenticData = (flags & 0x0020) != 0;
            decoded.CheckingDisabled = (flags & 0x0010) != 0;
            decoded.HeaderRcode = (byte)(flags & 0xF);

            // Every question needs at least 5 bytes and every record 11: counts that cannot fit are refused before any
            // work. Records are checked after the questions, so a truncated (TC) answer that keeps its original counts
            // still yields its header and question.
            if ((long)qd * 5 > message.Length - HeaderLength || qd + an + ns + ar > MaxRecords)
                return new DnsDecodeResult(DnsDecodeError.TooManyRecords, 4, "header");

            int pos = HeaderLength;
            for (int i = 0; i < qd; i++)
            {
                if (!DnsName.TryRead(message, pos, out string name, out int next, out var err, out int errAt))
                    return new DnsDecodeResult(err, errAt, "question");
                if (next + 4 > message.Length) return new DnsDecodeResult(DnsDecodeError.RecordTruncated, next, "question");
                var type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(message.Slice(next));
                var cls = (DnsClass)BinaryPrimitives.ReadUInt16BigEndian(message.Slice(next + 2));
                decoded.Questions.Add(new DnsQuestion(name, type, cls));
                pos = next + 4;
            }
            if (((long)an + ns + ar) * 11 > message.Length - pos)
                return new DnsDecodeResult(DnsDecodeError.TooManyRecords, 6, "header");
            var r = ReadSection(message, ref pos, an, decoded.Answers, "answer", decoded);
            if (!r.Success) return r;
            r = ReadSection(message, ref pos, ns, decoded.Authorities, "authority", decoded);
            if (!r.Success) return r;
            r = ReadSection(message, ref pos, ar, decoded.Additionals, "additional", decoded);
            return r;
        }

        private static DnsDecodeResult ReadSection(ReadOnlySpan<byte> message, ref int pos, int count, List<DnsRecord> into, string section, DnsWireMessage decoded)
        {
            for (int i = 0; i < count; i++)
            {
                int start = pos;
                if (!DnsName.TryRead(message, pos, out string name, out int next, out var err, out int errAt))
                    return new DnsDecodeResult(err, errAt, section);
                if (next + 10 > message.Length) return new DnsDecodeResult(DnsDecodeError.RecordTruncated, next, section);
                var fixedPart = message.Slice(next, 10);
                var type = (DnsRecordType)BinaryPrimitives.ReadUInt16BigEndian(fixedPart);
                ushort cls = BinaryPrimitives.ReadUInt16BigEndian(fixedPart.Slice(2));
                uint ttl = BinaryPrimitives.ReadUInt32BigEndian(fixedPart.Slice(4));
                int rdlength = BinaryPrimitives.ReadUInt16BigEndian(fixedPart.Slice(8));
                int rdStart = next + 10;
                if (rdStart + rdlength > message.Length) return new DnsDecodeResult(DnsDecodeError.RdataTruncated, next + 8, section);
                if (!DnsRecord.TryDecode(message, name, type, cls, ttl, rdStart, rdlength, out DnsRecord? record, out err, out errAt))
                    return new DnsDecodeResult(err, errAt, section);
                pos = rdStart + rdlength;
                if (type == DnsRecordType.OPT && section == "additional")
                {
                    if (decoded.Edns != null || name != ".") return new DnsDecodeResult(DnsDecodeError.BadOpt, start, section);
                    if (!Edns.TryDecode(record!, out Edns? edns, out int badAt)) return new DnsDecodeResult(DnsDecodeError.RdataMalformed, rdStart + badAt, section);
                    decoded.Edns = edns;
                    continue;
                }
                into.Add(record!);
            }
            return new DnsDecodeResult(DnsDecodeError.None, pos, section);
        }

        // ------------------------------------------------------------------ encode

        /// <summary>
        /// Encodes the message. Owner names and question names are compressed against earlier names; RDATA is written
        /// as stored. Throws <see cref="ArgumentException"/> for an invalid name and <see cref="InvalidOperationException"/>
        /// past 65535 bytes: encoding is for messages this program builds, decoding is for what arrives.
        /// </summary>
        public byte[] Encode()
        {
            var w = new Writer();
            w.U16(Id);
            int flags = (IsResponse ? 0x8000 : 0) | ((Opcode & 0xF) << 11) | (AuthoritativeAnswer ? 0x0400 : 0) | (Truncated ? 0x0200 : 0)
                | (RecursionDesired ? 0x0100 : 0) | (RecursionAvailable ? 0x0080 : 0) | (Zero ? 0x0040 : 0) | (AuthenticData ? 0x0020 : 0)
                | (CheckingDisabled ? 0x0010 : 0) | (HeaderRcode & 0xF);
            w.U16((ushort)flags);
            w.U16((ushort)Questions.Count);
            w.U16((ushort)Answers.Count);
            w.U16((ushort)Authorities.Count);
            w.U16((ushort)(Additionals.Count + (Edns != null ? 1 : 0)));
            foreach (var q in Questions)
            {
                w.Name(q.Name);
                w.U16((ushort)q.Type);
                w.U16((ushort)q.Class);
            }
            foreach (var rr in Answers) w.Record(rr.Name, (ushort)rr.Type, rr.RawClass, rr.Ttl, rr.Data);
            foreach (var rr in Authorities) w.Record(rr.Name, (ushort)rr.Type, rr.RawClass, rr.Ttl, rr.Data);
            foreach (var rr in Additionals) w.Record(rr.Name, (ushort)rr.Type, rr.RawClass, rr.Ttl, rr.Data);
            if (Edns != null) w.Record(".", (ushort)DnsRecordType.OPT, Edns.UdpPayloadSize, Edns.EncodeTtl(), Edns.EncodeData());
            if (w.Length > MaxLength) throw new InvalidOperationException($"The message is {w.Length} bytes; DNS messages are at most {MaxLength}.");
            return w.ToArray();
        }

        private sealed class Writer
        {
            private readonly List<byte> _b = new List<byte>(512);
            private readonly Dictionary<string, int> _suffixes = new Dictionary<string, int>(StringComparer.Ordinal);

            public int Length => _b.Count;
            public byte[] ToArray() => _b.ToArray();

            public void U16(ushort v)
            {
                _b.Add((byte)(v >> 8));
                _b.Add((byte)v);
            }

            public void U32(uint v)
            {
                U16((ushort)(v >> 16));
                U16((ushort)v);
            }

            public void Name(string name)
            {
                var labels = DnsName.TryParseLabels(name, out string? error) ?? throw new ArgumentException($"'{name}' is not a valid DNS name: {error}.", nameof(name));
                for (int i = 0; i < labels.Count; i++)
                {
                    string key = SuffixKey(labels, i);
                    if (_suffixes.TryGetValue(key, out int at))
                    {
                        U16((ushort)(0xC000 | at));
                        return;
                    }
                    if (_b.Count <= 0x3FFF) _suffixes[key] = _b.Count;
                    _b.Add((byte)labels[i].Length);
                    _b.AddRange(labels[i]);
                }
                _b.Add(0);
            }

            private static string SuffixKey(List<byte[]> labels, int from)
            {
                var sb = new System.Text.StringBuilder();
                for (int i = from; i < labels.Count; i++)
                {
                    foreach (byte c in labels[i]) sb.Append((char)(c >= 'A' && c <= 'Z' ? c + 32 : c));
                    sb.Append('\0').Append((char)labels[i].Length);
                }
                return sb.ToString();
            }

            public void Record(string name, ushort type, ushort cls, uint ttl, byte[] data)
            {
                Name(name);
                U16(type);
                U16(cls);
                U32(ttl);
                if (data.Length > 0xFFFF) throw new InvalidOperationException("RDATA is at most 65535 bytes.");
                U16((ushort)data.Length);
                _b.AddRange(data);
            }
        }
    }
}
