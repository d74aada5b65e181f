using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.WeChat
{
    /// <summary>
    /// Key-log decryption on the generated mmtls-keylog sample, whose keys and records the generator knows: every record with
    /// an entry decrypts (and nothing else does), a wrong or foreign key log decrypts nothing and raises nothing, entries
    /// without metadata and records without entries are handled, and System.Security.Cryptography.AesGcm agrees with
    /// BouncyCastle on every plaintext.
    /// </summary>
    public sealed class MmtlsKeyLogTests
    {
        private static readonly SampleCapture Sample = SampleCaptureGenerator.Generate("mmtls-keylog");

        internal static (List<object> Output, MmtlsDecryptionTally Tally) Decode(byte[] file, string keyLog, bool show = false)
        {
            var options = new WeChatDecodeOptions { KeyLog = MmtlsKeyLog.Parse(keyLog), ShowIdentifiers = show };
            var session = new WeChatDecodeSession(options);
            using var temp = new WeChatNet.Tests.Infrastructure.TempDirectory("mmtls-keylog");
            string path = System.IO.Path.Combine(temp.Path, "s.pcapng");
            System.IO.File.WriteAllBytes(path, file);
            var output = session.ReadFile(path, null, System.Threading.CancellationToken.None).ToList();
            output.AddRange(session.Complete());
            return (output, session.Decoder.Decryption);
        }

        private static List<JsonElement> Entries(string keyLog, string layer = "OUTER") =>
            keyLog.Split('\n').Where(l => l.StartsWith("{", StringComparison.Ordinal)).Select(l => JsonDocument.Parse(l).RootElement)
                .Where(e => e.GetProperty("layer").GetString() == layer).ToList();

        private static byte[] Hex(string s) => Convert.FromHexString(s);

        /// <summary>One OUTER key log line for a record built by a test.</summary>
        private static string EntryLine(byte[] key, byte[] nonce, byte[] metadata, byte[] record) =>
            "{\"layer\": \"OUTER\", \"encrypt\": true, \"key\": \"" + Convert.ToHexString(key) + "\", \"nonce\": \"" + Convert.ToHexString(nonce)
            + "\", \"metadata\": \"" + Convert.ToHexString(metadata) + "\", \"tail\": \"" + Convert.ToHexString(record, record.Length - 8, 8) + "\"}\n";

        /// <summary>A record of the given type sealed with key, nonce and AAD, and its key log line (with or without the AAD as metadata).</summary>
        private static (byte[] Record, string Line) Sealed(byte type, string key, string nonce, string aad, byte[] plaintext, bool withMetadata = true)
        {
            var record = WeChatWireBuilder.Record(type, MmtlsAead.Seal(Hex(key), Hex(nonce), Hex(aad), plaintext));
            return (record, EntryLine(Hex(key), Hex(nonce), withMetadata ? Hex(aad) : Array.Empty<byte>(), record));
        }

        [Fact]
        public void TheShippedKeyLogIsTheGeneratorsOutput()
        {
            string shipped = System.IO.Path.Combine(WeChatNet.Tests.Infrastructure.ExternalTool.RepoRoot, "samples", Sample.KeyLogFileName);
            Assert.True(System.IO.File.Exists(shipped), $"{shipped} is missing: regenerate the samples (see samples/README.md).");
            Assert.Equal(Sample.KeyLog, System.IO.File.ReadAllText(shipped));
            // only the key-log sample has one
            Assert.All(SampleCaptureGenerator.Names.Where(n => n != "mmtls-keylog"), n => Assert.Null(SampleCaptureGenerator.Generate(n).KeyLog));
        }

        [Fact]
        public void EveryEncryptedRecordOfTheSampleDecryptsAndNothingElse()
        {
            var (output, tally) = Decode(Sample.File, Sample.KeyLog!);
            var records = output.OfType<MmtlsRecord>().ToList();
            var candidates = records.Where(r => r.DecryptionStatus != "NotAttempted").ToList();
            Assert.Equal(Sample.KeyLogEntries, candidates.Count);
            Assert.All(candidates, r => Assert.True(r.Decrypted, r.Summary + ": " + r.DecryptionNote));
            Assert.All(records.Where(r => !r.Decrypted), r => Assert.Contains(r.HandshakeType, new[] { "ClientHello", "ServerHello" }));
            Assert.Equal(Sample.KeyLogEntries, tally.Decrypted);
            Assert.Equal(Sample.KeyLogEntries, tally.Records);
            Assert.Equal(0, tally.TagMismatches + tally.NoEntry + tally.PredictedNonce);
            Assert.Equal($"{Sample.KeyLogEntries} of {Sample.KeyLogEntries} MMTLS records decrypted with a key log", tally.Describe());
            Assert.All(candidates, r => Assert.Equal(r.Length - 16, r.PlaintextLength));
            // without -ShowIdentifiers the plaintext itself is never in the output
            Assert.All(records, r => Assert.Null(r.Plaintext));
        }

        [Fact]
        public void DecryptedLongLinkFramesCarryTheRealCommandsAndSequences()
        {
            var (output, _) = Decode(Sample.File, Sample.KeyLog!);
            var frames = output.OfType<LongLinkFrame>().ToList();
            Assert.All(frames, f => Assert.True(f.Decrypted));
            var expected = Sample.ExpectedDecrypted.Where(e => e.Kind == "LongLinkFrame").Select(e => e.ToString()).OrderBy(s => s, StringComparer.Ordinal);
            var actual = frames.Select(SampleCaptureTests.Describe).OrderBy(s => s, StringComparer.Ordinal);
            Assert.Equal(expected, actual);
            // the sync reply spans two records over three TCP segments and still decodes as one 3000-byte frame
            var reply = Assert.Single(frames, f => f.Command == 1_000_000_121);
            Assert.Equal(3000, reply.Length);
            Assert.NotNull(reply.RoundTripMs);
            Assert.Equal(3, frames.Count(f => f.CommandName == "Heartbeat" && f.Sequence == 0xFFFFFFFF));
            Assert.Equal(3, frames.Count(f => f.Command == 1_000_000_006));
            // without a key log the same capture shows no frames at all
            Assert.Empty(SampleCaptureTests.Decode(Sample.File).OfType<LongLinkFrame>());
        }

        [Fact]
        public void ShortLinkEarlyDataGivesTheCgiAndEveryRecordOfBothBodiesDecrypts()
        {
            var (output, _) = Decode(Sample.File, Sample.KeyLog!);
            var exchanges = output.OfType<ShortLinkExchange>().ToList();
            Assert.Equal(new[] { "newsendmsg", "newsync" }, exchanges.Select(x => x.CgiName).OrderBy(x => x));
            Assert.Equal(new int?[] { 138, 522 }, exchanges.Select(x => x.RequestType).OrderBy(x => x));
            Assert.All(exchanges, x =>
            {
                Assert.True(x.Decrypted);
                Assert.StartsWith("/mmtls/", x.Path);
                Assert.StartsWith("/cgi-bin/micromsg-bin/", x.DecryptedPath);
                Assert.Equal(6, x.DecryptedRecordCount); // 3 of 4 request records, 3 of 4 response records (the hellos are clear)
                Assert.Equal(200, x.StatusCode);
                Assert.True(x.ResponsePlaintextLength > 0);
            });
            Assert.Contains("mmtls newsync(138)", exchanges.Single(x => x.CgiName == "newsync").Summary);
            var shortRecords = output.OfType<MmtlsRecord>().Where(r => r.Carrier == "ShortLink").ToList();
            Assert.Equal(16, shortRecords.Count);
            Assert.Equal(12, shortRecords.Count(r => r.Decrypted));
        }

        [Fact]
        public void BusinessLayerCiphertextsVerifyWithTheirInnerEntries()
        {
            var (output, tally) = Decode(Sample.File, Sample.KeyLog!);
            var inner = output.OfType<MmtlsRecord>().Where(r => r.InnerStatus.Length > 0).ToList();
            int innerEntries = Entries(Sample.KeyLog!, "INNER").Count;
            Assert.Equal(5, innerEntries); // identify + two short-link requests and responses
            Assert.Equal(innerEntries, inner.Count(r => r.InnerStatus == "Decrypted"));
            Assert.Equal(innerEntries, tally.InnerDecrypted);
            Assert.All(inner.Where(r => r.InnerStatus == "Decrypted"), r =>
            {
                Assert.Contains("client 0x28003A30", r.InnerHeader);
                Assert.Contains("crypto AES", r.InnerHeader);
                Assert.True(r.InnerPlaintextLength > 0);
            });
            // records whose plaintext ends in no INNER entry's tag say so rather than guess
            Assert.All(inner.Where(r => r.InnerStatus != "Decrypted"), r => Assert.Equal("NoEntry", r.InnerStatus));
        }

        [Fact]
        public void EntriesWithoutMetadataGetTheirAadFromTheRecordSequenceAndHeader()
        {
            int empty = Entries(Sample.KeyLog!).Count(e => e.GetProperty("metadata").GetString()!.Length == 0);
            Assert.Equal(3, empty);
            var (output, tally) = Decode(Sample.File, Sample.KeyLog!);
            Assert.Equal(empty, tally.AadBuilt);
            Assert.Equal(empty, output.OfType<MmtlsRecord>().Count(r => r.DecryptionNote.Contains("AAD built from sequence")));
        }

        [Fact]
        public void EmptyMetadataThatCannotVerifySaysSo()
        {
            // every entry stripped of its metadata and of its own nonce's meaning: the AAD built from the position cannot verify
            var lines = Sample.KeyLog!.Split('\n').Select(l => l.Contains("\"OUTER\"") ? System.Text.RegularExpressions.Regex.Replace(l, "\"metadata\": \"[0-9a-f]*\"", "\"metadata\": \"\"") : l);
            var broken = string.Join("\n", lines.Select(l => l.Contains("\"OUTER\"") ? System.Text.RegularExpressions.Regex.Replace(l, "\"nonce\": \"([0-9a-f]{23})([0-9a-f])\"", m => "\"nonce\": \"" + m.Groups[1].Value + (m.Groups[2].Value == "0" ? "1" : "0") + "\"") : l));
            var (output, tally) = Decode(Sample.File, broken);
            Assert.Equal(0, tally.Decrypted);
            var failed = output.OfType<MmtlsRecord>().Where(r => r.DecryptionStatus == "TagMismatch").ToList();
            Assert.Equal(Sample.KeyLogEntries, failed.Count);
            Assert.All(failed, r => Assert.Contains("the AAD built from the record's sequence", r.DecryptionNote));
        }

        [Fact]
        public void AWrongKeyDecryptsNothingAndCountsTagMismatches()
        {
            // one hex digit of every key changed
            string wrong = System.Text.RegularExpressions.Regex.Replace(Sample.KeyLog!, "\"key\": \"([0-9a-f])", m => "\"key\": \"" + (m.Groups[1].Value == "f" ? "0" : "f"));
            var (output, tally) = Decode(Sample.File, wrong, show: true);
            var records = output.OfType<MmtlsRecord>().ToList();
            Assert.DoesNotContain(records, r => r.Decrypted || r.PlaintextLength != null || r.Plaintext != null);
            Assert.Empty(output.OfType<LongLinkFrame>());
            Assert.Equal(Sample.KeyLogEntries, tally.TagMismatches);
            Assert.Equal(0, tally.Decrypted);
            Assert.Equal($"0 of {Sample.KeyLogEntries} MMTLS records decrypted with a key log", tally.Describe());
            Assert.All(records.Where(r => r.DecryptionStatus == "TagMismatch"), r => Assert.StartsWith("tag mismatch", r.DecryptionNote));
            Assert.All(output.OfType<ShortLinkExchange>(), x => Assert.Equal("", x.CgiName));
            // the notes name key log lines, never key material
            var keys = Entries(wrong).Select(e => e.GetProperty("key").GetString()!).ToList();
            Assert.DoesNotContain(records, r => keys.Any(k => r.DecryptionNote.Contains(k, StringComparison.OrdinalIgnoreCase)));
        }

        [Fact]
        public void AKeyLogOfAnotherCaptureMatchesNothing()
        {
            var other = SampleCaptureGenerator.Generate("mmtls-longlink");
            var (output, tally) = Decode(other.File, Sample.KeyLog!);
            Assert.Equal(0, tally.Decrypted);
            Assert.Equal(0, tally.TagMismatches);
            Assert.True(tally.NoEntry > 0);
            Assert.Equal(tally.Records, tally.NoEntry);
            Assert.All(output.OfType<MmtlsRecord>().Where(r => r.DecryptionStatus == "NoEntry"), r => Assert.Equal("no key log entry has this record's tail", r.DecryptionNote));
            // everything else decodes as without a key log
            Assert.Equal(other.Expected.Count, output.Count);
        }

        [Fact]
        public void RecordsWithoutEntriesDecryptByPredictedNonceOnlyWhenTheTagVerifies()
        {
            // drop the entries of the client's heartbeats: their nonces follow from the identify's (base IV XOR sequence)
            var dropped = new HashSet<string>();
            var (plain, _) = Decode(Sample.File, Sample.KeyLog!);
            var keep = new List<string>();
            var heartbeatTails = new HashSet<string>();
            foreach (var line in Sample.KeyLog!.Split('\n'))
            {
                if (line.Contains("\"encrypt\": true") && line.Contains("17f1040020")) { dropped.Add(line); continue; }
                keep.Add(line);
            }
            Assert.Equal(2, dropped.Count); // the two heartbeats whose entries have metadata (the third has none and is kept out of this count)
            var (output, tally) = Decode(Sample.File, string.Join("\n", keep));
            Assert.Equal(2, tally.PredictedNonce);
            Assert.Equal(Sample.KeyLogEntries, tally.Decrypted);
            Assert.Equal(2, output.OfType<MmtlsRecord>().Count(r => r.DecryptionNote.StartsWith("no key log entry: nonce predicted")));
            Assert.Equal(plain.OfType<LongLinkFrame>().Count(), output.OfType<LongLinkFrame>().Count());
        }

        [Fact]
        public void SystemAesGcmAgreesWithEveryDecryptedRecord()
        {
            // Differential: the platform's AES-GCM, given each entry and the plaintext BouncyCastle returned, must produce a
            // tag ending in the entry's tail (the record's last 8 bytes on the wire).
            var (output, _) = Decode(Sample.File, Sample.KeyLog!, show: true);
            var entries = Entries(Sample.KeyLog!).ToDictionary(e => e.GetProperty("tail").GetString()!);
            int checkedRecords = 0;
            foreach (var r in output.OfType<MmtlsRecord>().Where(r => r.Decrypted))
            {
                Assert.NotNull(r.Plaintext);
                Assert.Equal(r.PlaintextLength, r.Plaintext!.Length);
                Assert.Equal(16, r.Tail.Length);
                Assert.True(ContainsBytes(Sample.File, Hex(r.Tail)), "the tail is on the wire");
                var match = entries.Values.Where(e => e.GetProperty("tail").GetString() == r.Tail).Where(e =>
                {
                    var key = Hex(e.GetProperty("key").GetString()!);
                    var nonce = Hex(e.GetProperty("nonce").GetString()!);
                    var meta = Hex(e.GetProperty("metadata").GetString()!);
                    // the record's own sequence and header: an entry for another record with the same plaintext cannot match
                    var aad = Aad(r);
                    if (meta.Length > 0 && !meta.AsSpan().SequenceEqual(aad)) return false;
                    var ct = new byte[r.Plaintext.Length];
                    var tag = new byte[16];
                    using var gcm = new AesGcm(key, 16);
                    gcm.Encrypt(nonce, r.Plaintext, ct, tag, aad);
                    return Convert.ToHexString(tag, 8, 8).Equals(e.GetProperty("tail").GetString(), StringComparison.OrdinalIgnoreCase);
                }).ToList();
                Assert.True(match.Count == 1, $"{r.Summary} {r.Direction} {r.Connection}: {string.Join(" | ", match.Select(m => m.GetProperty("tail").GetString()))}");
                checkedRecords++;
            }
            Assert.Equal(Sample.KeyLogEntries, checkedRecords);
        }

        private static bool ContainsBytes(byte[] hay, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= hay.Length; i++)
                if (hay.AsSpan(i, needle.Length).SequenceEqual(needle)) return true;
            return false;
        }

        private static byte[] Aad(MmtlsRecord r)
        {
            var aad = new byte[13];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(aad, (ulong)r.Sequence!.Value);
            aad[8] = (byte)r.ContentTypeCode;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(aad.AsSpan(9), Convert.ToUInt16(r.Version, 16));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(aad.AsSpan(11), (ushort)r.Length);
            return aad;
        }

        [Fact]
        public void ALostRecordCostsItsFramesAndDecodingResumesAtTheNextFrameStart()
        {
            // the first half of the 3000-byte sync reply gets a wrong key: that frame is lost, nothing after it is
            string firstHalfTail = Entries(Sample.KeyLog!).Single(e => e.GetProperty("metadata").GetString()!.EndsWith("17f10405ec", StringComparison.Ordinal)).GetProperty("tail").GetString()!;
            string keys = string.Join("\n", Sample.KeyLog!.Split('\n').Select(l => l.Contains(firstHalfTail) ? l.Replace("\"key\": \"4", "\"key\": \"5") : l));
            var (output, tally) = Decode(Sample.File, keys);
            Assert.Equal(1, tally.TagMismatches);
            Assert.Equal(Sample.KeyLogEntries - 1, tally.Decrypted);
            var frames = output.OfType<LongLinkFrame>().ToList();
            Assert.DoesNotContain(frames, f => f.Command == 1_000_000_121);
            Assert.Contains(frames, f => f.Command == 1_000_000_190); // the client's sync done, and everything before
            Assert.Equal(Sample.ExpectedDecrypted.Count(e => e.Kind == "LongLinkFrame") - 1, frames.Count);
            Assert.DoesNotContain(output.OfType<StreamEvent>(), e => e.Event == "DecodingStopped");
        }

        [Fact]
        public void PlaintextThatIsNotFramesStopsFrameDecodingOnceWithAReason()
        {
            // three verified records whose plaintext is not long-link frames: one DecodingStopped event, no storm
            var payload = new List<byte>();
            var log = new StringBuilder();
            for (int seq = 0; seq < 3; seq++)
            {
                var (record, line) = Sealed(0x17, "000102030405060708090a0b0c0d0e0f", "a0a1a2a3a4a5a6a7a8a9aaa" + seq.ToString("x1"), "000000000000000" + seq + "17f1040030",
                    Encoding.ASCII.GetBytes("not a frame, just 32 bytes text."));
                payload.AddRange(record);
                log.Append(line);
            }
            var session = new WeChatDecodeSession(new WeChatDecodeOptions { KeyLog = MmtlsKeyLog.Parse(log.ToString()) });
            var output = session.AddPayload(payload.ToArray(), out _);
            Assert.Equal(3, output.OfType<MmtlsRecord>().Count(r => r.Decrypted));
            Assert.Empty(output.OfType<LongLinkFrame>());
            var stop = Assert.Single(output.OfType<StreamEvent>());
            Assert.Contains("implausible long-link header", stop.Reason);
        }

        [Fact]
        public void TooManyEntriesForOneTailAreAWarning()
        {
            string line = Sample.KeyLog!.Split('\n').First(l => l.Contains("\"OUTER\""));
            var log = MmtlsKeyLog.Parse(string.Join("\n", Enumerable.Repeat(line, MmtlsKeyLog.MaxEntriesPerTail + 3)), "dup.keys");
            Assert.Equal(MmtlsKeyLog.MaxEntriesPerTail, log.OuterEntries);
            Assert.Equal(3, log.Warnings.Count);
            Assert.All(log.Warnings, w => Assert.Contains("entries have this tail", w));
        }

        [Fact]
        public void AnEntryWithoutMetadataUnderANewKeyMayStartItsSequenceAgain()
        {
            // TLS 1.3 style: handshake key for record 0, then a new key whose sequence starts again at 0 (at position 1)
            var (first, firstLine) = Sealed(0x16, "000102030405060708090a0b0c0d0e0f", "a0a1a2a3a4a5a6a7a8a9aaab", "000000000000000016f1040030", new byte[32]);
            var (second, secondLine) = Sealed(0x17, "f0e0d0c0b0a090807060504030201000", "b0b1b2b3b4b5b6b7b8b9babb", "000000000000000017f1040020",
                WeChatWireBuilder.Frame(6, 0xFFFFFFFF), withMetadata: false);
            string log = firstLine + secondLine;
            var session = new WeChatDecodeSession(new WeChatDecodeOptions { KeyLog = MmtlsKeyLog.Parse(log) });
            var output = session.AddPayload(first.Concat(second).ToArray(), out _);
            var records = output.OfType<MmtlsRecord>().ToList();
            Assert.All(records, r => Assert.True(r.Decrypted, r.DecryptionNote));
            Assert.Contains("AAD built from sequence 0", records[1].DecryptionNote);
            Assert.Equal("Heartbeat", Assert.Single(output.OfType<LongLinkFrame>()).CommandName);
        }

        [Fact]
        public void TheGcmSpecificationsTestCase4Decrypts()
        {
            // McGrew and Viega, "The Galois/Counter Mode of Operation", test case 4 (AES-128, 60-byte plaintext, 20-byte AAD)
            var key = Hex("feffe9928665731c6d6a8f9467308308");
            var iv = Hex("cafebabefacedbaddecaf888");
            var aad = Hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
            var plain = Hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
            var sealedText = Hex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
                + "5bc94fbc3221a5db94fae95ae7121a47");
            Assert.Equal(sealedText, MmtlsAead.Seal(key, iv, aad, plain));
            var output = new byte[plain.Length];
            Assert.True(MmtlsAead.TryOpen(key, iv, aad, sealedText, 0, sealedText.Length, output));
            Assert.Equal(plain, output);
        }

        [Fact]
        public void ALonePayloadDecryptsWithItsEntry()
        {
            // ConvertFrom-WeChatPacket -Hex: one record carrying a heartbeat frame, sequence 0, AAD from the metadata
            var (record, line) = Sealed(0x17, "000102030405060708090a0b0c0d0e0f", "a0a1a2a3a4a5a6a7a8a9aaab", "000000000000000017f1040020", WeChatWireBuilder.Frame(6, 0xFFFFFFFF));
            var session = new WeChatDecodeSession(new WeChatDecodeOptions { KeyLog = MmtlsKeyLog.Parse(line) });
            var output = session.AddPayload(record, out bool recognised);
            Assert.True(recognised);
            var r = Assert.Single(output.OfType<MmtlsRecord>());
            Assert.True(r.Decrypted);
            Assert.Equal(0, r.Sequence);
            var f = Assert.Single(output.OfType<LongLinkFrame>());
            Assert.Equal("Heartbeat", f.CommandName);
            Assert.True(f.Decrypted);
            Assert.Equal(1, session.Decoder.Decryption.Decrypted);
        }

        [Fact]
        public void BouncyCastleAndSystemAesGcmAgreeOnRandomInputs()
        {
            var rng = new Random(1515);
            for (int i = 0; i < 300; i++)
            {
                var key = new byte[new[] { 16, 24, 32 }[i % 3]];
                var nonce = new byte[12];
                var aad = new byte[rng.Next(0, 40)];
                var plain = new byte[rng.Next(0, 3000)];
                rng.NextBytes(key); rng.NextBytes(nonce); rng.NextBytes(aad); rng.NextBytes(plain);
                var ours = MmtlsAead.Seal(key, nonce, aad, plain);
                var ct = new byte[plain.Length];
                var tag = new byte[16];
                using (var gcm = new AesGcm(key, 16)) gcm.Encrypt(nonce, plain, ct, tag, aad);
                Assert.Equal(ct.Concat(tag).ToArray(), ours);
                var back = new byte[plain.Length];
                Assert.True(MmtlsAead.TryOpen(key, nonce, aad, ours, 0, ours.Length, back));
                Assert.Equal(plain, back);
                // any flipped bit: both libraries refuse, and ours leaves nothing behind
                ours[rng.Next(ours.Length)] ^= (byte)(1 << rng.Next(8));
                Assert.False(MmtlsAead.TryOpen(key, nonce, aad, ours, 0, ours.Length, back));
                Assert.All(back, b => Assert.Equal(0, b));
                using var check = new AesGcm(key, 16);
                Assert.ThrowsAny<CryptographicException>(() => check.Decrypt(nonce, ours.AsSpan(0, plain.Length), ours.AsSpan(plain.Length), new byte[plain.Length], aad));
            }
        }
    }
}
