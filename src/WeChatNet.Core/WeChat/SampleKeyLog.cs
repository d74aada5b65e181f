using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// The key log the sample generator writes beside an encrypted sample, in the Citizen Lab's format (one JSON object per
    /// line, with a few non-JSON lines as an instrumentation hook prints them), and the record layer of one direction that
    /// encrypts with fixed sample keys through <see cref="MmtlsAead"/> and logs each record.
    /// </summary>
    internal sealed class SampleKeyLog
    {
        private readonly StringBuilder _text = new StringBuilder();

        public SampleKeyLog()
        {
            _text.Append("[*] WeChatNet sample key log: fixed keys, made up for the mmtls-keylog sample; not from any real client\n");
        }

        /// <summary>OUTER entries written.</summary>
        public int OuterEntries { get; private set; }
        public int InnerEntries { get; private set; }
        public string Text => _text.ToString();

        public void Comment(string line) => _text.Append("[*] ").Append(line).Append('\n');

        public void Outer(bool encrypt, byte[] key, byte[] nonce, byte[] metadata, ReadOnlySpan<byte> tail)
        {
            _text.Append("{\"layer\": \"OUTER\", \"encrypt\": ").Append(encrypt ? "true" : "false")
                .Append(", \"key\": \"").Append(MmtlsRecords.Hex(key)).Append("\", \"nonce\": \"").Append(MmtlsRecords.Hex(nonce))
                .Append("\", \"metadata\": \"").Append(MmtlsRecords.Hex(metadata)).Append("\", \"tail\": \"").Append(MmtlsRecords.Hex(tail)).Append("\"}\n");
            OuterEntries++;
        }

        public void Inner(bool encrypt, byte[] key, byte[] iv, byte[] metadata, ReadOnlySpan<byte> tag)
        {
            _text.Append("{\"layer\": \"INNER\", \"encrypt\": ").Append(encrypt ? "true" : "false")
                .Append(", \"key\": \"").Append(MmtlsRecords.Hex(key)).Append("\", \"iv\": \"").Append(MmtlsRecords.Hex(iv))
                .Append("\", \"metadata\": \"").Append(MmtlsRecords.Hex(metadata)).Append("\", \"tag\": \"").Append(MmtlsRecords.Hex(tag))
                .Append("\", \"tail\": \"").Append(MmtlsRecords.Hex(tag.Slice(8))).Append("\"}\n");
            InnerEntries++;
        }

        /// <summary>
        /// A business packet (0xBF header, no cookie, AES crypto) whose body is AES-GCM encrypted with an INNER entry: header,
        /// ciphertext, tag. The INNER entry is logged.
        /// </summary>
        public byte[] BusinessPacket(bool encrypt, uint clientVersion, byte[] key, byte[] iv, byte[] body)
        {
            var header = new byte[LegacyBusinessHeader.FixedLength];
            header[0] = LegacyBusinessHeader.Magic;
            header[1] = (byte)(LegacyBusinessHeader.FixedLength << 2 | 2); // header length, no compression
            header[2] = 5 << 4; // AES, no cookie
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(3), clientVersion);
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(7), 0); // anonymous uin
            var sealedBody = MmtlsAead.Seal(key, iv, Array.Empty<byte>(), body);
            Inner(encrypt, key, iv, Array.Empty<byte>(), sealedBody.AsSpan(sealedBody.Length - MmtlsAead.TagLength));
            var packet = new byte[header.Length + sealedBody.Length];
            header.CopyTo(packet, 0);
            sealedBody.CopyTo(packet, header.Length);
            return packet;
        }
    }

    /// <summary>One direction's MMTLS record layer in a generated sample: a sequence counting every record, and a key.</summary>
    internal sealed class SampleRecordLayer
    {
        private readonly SampleKeyLog _log;
        private readonly bool _clientEncrypts;
        private byte[] _key;
        private byte[] _baseIv;

        public SampleRecordLayer(SampleKeyLog log, bool clientEncrypts, byte[] key, byte[] baseIv)
        {
            _log = log;
            _clientEncrypts = clientEncrypts;
            _key = key;
            _baseIv = baseIv;
        }

        /// <summary>The next record's sequence number (its 0-based position in this direction).</summary>
        public ulong Sequence { get; private set; }
        /// <summary>Encrypted records written, and how many of them got a key log entry.</summary>
        public int Sealed { get; private set; }

        /// <summary>Switch to other keys (handshake keys, then application keys).</summary>
        public void Rekey(byte[] key, byte[] baseIv)
        {
            _key = key;
            _baseIv = baseIv;
        }

        /// <summary>A clear-text record (a hello): it takes a sequence number too.</summary>
        public byte[] Clear(byte type, byte[] body)
        {
            Sequence++;
            return WeChatWireBuilder.Record(type, body);
        }

        /// <summary>An encrypted record; its key log entry carries the AAD as metadata unless <paramref name="emptyMetadata"/>.</summary>
        public byte[] Seal(byte type, byte[] plaintext, bool emptyMetadata = false)
        {
            ulong seq = Sequence++;
            var nonce = MmtlsRecordDecryptor.Nonce(_baseIv, seq);
            var aad = MmtlsRecordDecryptor.Aad(seq, type, 0xF104, (ushort)(plaintext.Length + MmtlsAead.TagLength));
            var record = WeChatWireBuilder.Record(type, MmtlsAead.Seal(_key, nonce, aad, plaintext));
            _log.Outer(_clientEncrypts, _key, nonce, emptyMetadata ? Array.Empty<byte>() : aad, record.AsSpan(record.Length - 8));
            Sealed++;
            return record;
        }

        /// <summary>Fixed sample key material: <paramref name="length"/> bytes counting up from <paramref name="first"/>.</summary>
        public static byte[] Fixed(byte first, int length)
        {
            var b = new byte[length];
            for (int i = 0; i < length; i++) b[i] = (byte)(first + i * 7);
            return b;
        }
    }
}
