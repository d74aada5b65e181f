using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using WeChatNet.Packets;
using WeChatNet.Streams;
using WeChatNet.WeChat;

namespace WeChatNet.Benchmarks
{
    /// <summary>
    /// What a key log costs: an MMTLS long link of N application records (each one 16-byte-header frame) decoded by the
    /// core (reassembly, record reading, tail lookup, AES-GCM, frame decoding) with and without its key log; the
    /// difference is the decryption cost per record and per MB of ciphertext. Side by side, the bare AES-GCM of
    /// BouncyCastle (what the module uses) against the platform's System.Security.Cryptography.AesGcm on the same
    /// records. Usage: mmtls-decrypt [records=200000] [plaintext bytes per record: 32,1024,16000]
    /// </summary>
    public sealed class MmtlsDecryptBenchmark : IBenchmark
    {
        public string Name => "mmtls-decrypt";
        public string Description => "key-log decryption cost per MMTLS record and per MB (decode with vs without -KeyLogPath; BouncyCastle vs AesGcm)";

        public string Run(string[] args)
        {
            int records = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
            var sizes = args.Length > 1 ? Array.ConvertAll(args[1].Split(','), s => int.Parse(s, CultureInfo.InvariantCulture)) : new[] { 32, 1024, 16000 };
            var sb = new StringBuilder();
            sb.AppendLine($"## MMTLS decryption with a key log (mmtls-decrypt {records})");
            sb.AppendLine();
            sb.AppendLine("| Plaintext per record | Records | Decode without key log | With key log | Decryption cost per record | Per MB of records | BouncyCastle AES-GCM alone | System AesGcm alone | BC / AesGcm |");
            sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (int size in sizes)
            {
                int n = size >= 8000 ? Math.Max(1000, records / 20) : records;
                var (stream, keyLog, sealedRecords, keys) = Build(n, size);
                double mb = stream.Length / 1e6;
                var log = MmtlsKeyLog.Parse(keyLog);
                Decode(stream, null); Decode(stream, log); // warm up
                double plain = Median(() => Decode(stream, null));
                double decrypted = Median(() =>
                {
                    var t = Decode(stream, log, out long frames);
                    if (frames != n) throw new InvalidOperationException($"decoded {frames} frames of {n}");
                    return t;
                });
                double bc = Median(() => Bare(sealedRecords, keys, bouncy: true));
                double sys = Median(() => Bare(sealedRecords, keys, bouncy: false));
                double perRecordUs = (decrypted - plain) / n * 1e6;
                double perMbMs = (decrypted - plain) / mb * 1e3;
                sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "| {0:N0} B | {1:N0} | {2:0.000} s | {3:0.000} s | {4:0.00} µs | {5:0.0} ms | {6:0.00} µs/record | {7:0.00} µs/record | {8:0.0}x |",
                    size, n, plain, decrypted, perRecordUs, perMbMs, bc / n * 1e6, sys / n * 1e6, bc / sys));
            }
            sb.AppendLine();
            var bcAssembly = typeof(Org.BouncyCastle.Crypto.Modes.GcmBlockCipher).Assembly;
            string tfm = (Attribute.GetCustomAttribute(bcAssembly, typeof(System.Runtime.Versioning.TargetFrameworkAttribute)) as System.Runtime.Versioning.TargetFrameworkAttribute)?.FrameworkName ?? "unknown";
            sb.AppendLine($"Median of 3 timed runs after a warm-up, single thread; \"per MB\" is per MB of record bytes on the wire. BouncyCastle {bcAssembly.GetName().Version} built for {tfm} (the build the module ships).");
            return sb.ToString();
        }

        private static double Median(Func<double> run)
        {
            var t = new[] { run(), run(), run() };
            Array.Sort(t);
            return t[1];
        }

        /// <summary>A client-to-server byte stream of N records (seq 0..N-1, AAD in the metadata) and its key log.</summary>
        private static (byte[] Stream, string KeyLog, byte[][] Records, (byte[] Key, byte[] Nonce, byte[] Aad)[] Keys) Build(int n, int size)
        {
            var key = new byte[16];
            var baseIv = new byte[12];
            new Random(7).NextBytes(key);
            new Random(8).NextBytes(baseIv);
            var frame = new byte[size];
            BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)size);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(4), 16);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(6), 1);
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8), 121);
            var ms = new System.IO.MemoryStream();
            var log = new StringBuilder();
            var records = new byte[n][];
            var keys = new (byte[], byte[], byte[])[n];
            for (int i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(12), (uint)i + 1);
                var nonce = (byte[])baseIv.Clone();
                BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), BinaryPrimitives.ReadUInt64BigEndian(baseIv.AsSpan(4)) ^ (ulong)i);
                var aad = new byte[13];
                BinaryPrimitives.WriteUInt64BigEndian(aad, (ulong)i);
                aad[8] = 0x17; aad[9] = 0xF1; aad[10] = 0x04;
                BinaryPrimitives.WriteUInt16BigEndian(aad.AsSpan(11), (ushort)(size + 16));
                var body = MmtlsAead.Seal(key, nonce, aad, frame);
                var record = WeChatWireBuilder.Record(0x17, body);
                ms.Write(record, 0, record.Length);
                records[i] = body;
                keys[i] = (key, nonce, aad);
                log.Append("{\"layer\": \"OUTER\", \"encrypt\": true, \"key\": \"").Append(Convert.ToHexString(key)).Append("\", \"nonce\": \"").Append(Convert.ToHexString(nonce))
                   .Append("\", \"metadata\": \"").Append(Convert.ToHexString(aad)).Append("\", \"tail\": \"").Append(Convert.ToHexString(record, record.Length - 8, 8)).Append("\"}\n");
            }
            return (ms.ToArray(), log.ToString(), records, keys);
        }

        private static double Decode(byte[] stream, MmtlsKeyLog? log) => Decode(stream, log, out _);

        private static double Decode(byte[] stream, MmtlsKeyLog? log, out long frames)
        {
            long count = 0;
            var decoder = new WeChatTrafficDecoder(new WeChatDecodeOptions { KeyLog = log }, o => { if (o is LongLinkFrame) count++; });
            var client = new byte[] { 192, 168, 31, 20 };
            var server = new byte[] { 101, 226, 1, 1 };
            var sw = Stopwatch.StartNew();
            decoder.AddTcp(client, 40000, server, 443, new StreamSegment(0, TcpFlags.Syn, default, 0));
            uint seq = 1;
            for (int off = 0; off < stream.Length; off += 1400)
            {
                int len = Math.Min(1400, stream.Length - off);
                decoder.AddTcp(client, 40000, server, 443, new StreamSegment(seq, TcpFlags.Ack, stream.AsSpan(off, len), 1));
                seq += (uint)len;
            }
            decoder.Complete();
            sw.Stop();
            frames = count;
            return sw.Elapsed.TotalSeconds;
        }

        private static double Bare(byte[][] records, (byte[] Key, byte[] Nonce, byte[] Aad)[] keys, bool bouncy)
        {
            var output = new byte[records[0].Length];
            var sw = Stopwatch.StartNew();
            using var gcm = new AesGcm(keys[0].Key, 16);
            for (int i = 0; i < records.Length; i++)
            {
                var r = records[i];
                if (bouncy)
                {
                    if (!MmtlsAead.TryOpen(keys[i].Key, keys[i].Nonce, keys[i].Aad, r, 0, r.Length, output)) throw new InvalidOperationException("tag");
                }
                else gcm.Decrypt(keys[i].Nonce, r.AsSpan(0, r.Length - 16), r.AsSpan(r.Length - 16), output.AsSpan(0, r.Length - 16), keys[i].Aad);
            }
            return sw.Elapsed.TotalSeconds;
        }
    }
}
