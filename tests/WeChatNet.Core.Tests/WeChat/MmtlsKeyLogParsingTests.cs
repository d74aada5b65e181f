using System;
using System.Linq;
using System.Text;
using WeChatNet.WeChat;
using Xunit;

namespace WeChatNet.Tests.WeChat
{
    /// <summary>Reading key log lines: what is used, what is ignored, what is a warning (with its line, never its text).</summary>
    public sealed class MmtlsKeyLogParsingTests
    {
        private const string Key = "00112233445566778899aabbccddeeff";
        private const string Nonce = "0102030405060708090a0b0c";
        private static string Line(string extra = "") =>
            "{\"layer\": \"OUTER\", \"encrypt\": true, \"key\": \"" + Key + "\", \"nonce\": \"" + Nonce + "\", \"metadata\": \"\", \"tail\": \"1122334455667788\"" + extra + "}";

        [Fact]
        public void NonJsonLinesAreIgnoredAndEntriesCounted()
        {
            var log = MmtlsKeyLog.Parse("[*] frida attached\n\n" + Line() + "\nsome other output\n" + Line(", \"extra\": {\"a\": [1, 2, {\"b\": null}]}") + "\n");
            Assert.Equal(2, log.OuterEntries);
            Assert.Equal(0, log.MalformedLines);
            Assert.Empty(log.Warnings);
        }

        [Theory]
        [InlineData("{\"layer\": \"OUTER\", \"encrypt\": true, \"key\": \"00112233", "not valid JSON")] // truncated line
        [InlineData("{\"layer\": \"MIDDLE\", \"key\": \"00\"}", "neither OUTER nor INNER")]
        [InlineData("{\"layer\": \"OUTER\", \"nonce\": \"0102030405060708090a0b0c\", \"tail\": \"1122334455667788\"}", "no \"key\"")]
        [InlineData("{\"layer\": \"OUTER\", \"key\": \"0011\", \"nonce\": \"0102030405060708090a0b0c\", \"tail\": \"1122334455667788\"}", "not an AES key")]
        [InlineData("{\"layer\": \"OUTER\", \"key\": \"00112233445566778899aabbccddeeff\", \"nonce\": \"0102\", \"tail\": \"1122334455667788\"}", "not 12")]
        [InlineData("{\"layer\": \"OUTER\", \"key\": \"00112233445566778899aabbccddeeff\", \"nonce\": \"0102030405060708090a0b0c\", \"tail\": \"11\"}", "not 8")]
        [InlineData("{\"layer\": \"OUTER\", \"key\": \"zz112233445566778899aabbccddeeff\", \"nonce\": \"0102030405060708090a0b0c\", \"tail\": \"1122334455667788\"}", "not hex")]
        [InlineData("{\"layer\": \"OUTER\", \"encrypt\": \"yes\", \"key\": \"00112233445566778899aabbccddeeff\", \"nonce\": \"0102030405060708090a0b0c\", \"tail\": \"1122334455667788\"}", "not true or false")]
        [InlineData("{\"layer\": \"OUTER\"} trailing", "unexpected text")]
        public void AMalformedLineIsAWarningWithItsLineNumberAndNoKeyMaterial(string bad, string why)
        {
            var log = MmtlsKeyLog.Parse(Line() + "\n# note\n" + bad + "\n" + Line(), "test.keys");
            Assert.Equal(2, log.OuterEntries);
            Assert.Equal(1, log.MalformedLines);
            var w = Assert.Single(log.Warnings);
            Assert.StartsWith("test.keys line 3: ", w);
            Assert.Contains(why, w);
            Assert.DoesNotContain("00112233", w);
            Assert.DoesNotContain("0102030405", w);
        }

        [Fact]
        public void WarningsStopAtALimitAndTheRestAreCounted()
        {
            var text = string.Join("\n", Enumerable.Range(0, 50).Select(i => "{\"layer\": \"OUTER\", \"key\": \"" + Key + "\""));
            var log = MmtlsKeyLog.Parse(text, "big.keys");
            Assert.Equal(50, log.MalformedLines);
            Assert.Equal(MmtlsKeyLog.MaxWarnings + 1, log.Warnings.Count);
            Assert.Equal("big.keys: 30 more malformed lines were skipped (not listed)", log.Warnings.Last());
        }

        [Fact]
        public void InnerEntriesTakeIvAndTagAndCheckTheTail()
        {
            string tag = "aabbccddeeff00112233445566778899";
            var log = MmtlsKeyLog.Parse("{\"layer\": \"INNER\", \"encrypt\": false, \"key\": \"" + Key + Key + "\", \"iv\": \"" + Nonce + "\", \"metadata\": \"\", \"tag\": \"" + tag + "\"}\n"
                + "{\"layer\": \"INNER\", \"key\": \"" + Key + "\", \"iv\": \"" + Nonce + "\", \"tag\": \"" + tag + "\", \"tail\": \"0000000000000000\"}");
            Assert.Equal(1, log.InnerEntries);
            Assert.Contains("line 2: \"tail\" is not the end of \"tag\"", Assert.Single(log.Warnings));
        }

        [Fact]
        public void StringsWithEscapesAreRead()
        {
            var log = MmtlsKeyLog.Parse("{\"layer\": \"OUT\\u0045R\", \"note\": \"a\\\"b\\\\c\\n\", \"key\": \"" + Key + "\", \"nonce\": \"" + Nonce + "\", \"tail\": \"1122334455667788\"}");
            Assert.Equal(1, log.OuterEntries);
        }

        [Fact]
        public void MutatedAndFuzzedLinesNeverThrowAndDecodingStaysSound()
        {
            // Every line of the sample's key log mutated many ways (bytes flipped, cut, duplicated, characters swapped):
            // reading never throws, warnings never quote key material, and decoding with whatever was read decrypts only
            // records whose tags verify (no more than the sample has entries).
            var sample = SampleCaptureGenerator.Generate("mmtls-keylog");
            var lines = sample.KeyLog!.Split('\n');
            var rng = new Random(4242);
            const string junk = "{}[]\":,\\ 0123456789abcdefxyzINNEROUTERtruefalsenull\u00e9\u0000";
            for (int round = 0; round < 40; round++)
            {
                var sb = new StringBuilder();
                foreach (var original in lines)
                {
                    var chars = original.ToCharArray();
                    int edits = rng.Next(0, 4);
                    string line = original;
                    for (int e = 0; e < edits && line.Length > 0; e++)
                    {
                        int at = rng.Next(line.Length);
                        switch (rng.Next(4))
                        {
                            case 0: line = line.Substring(0, at); break;
                            case 1: line = line.Remove(at, 1).Insert(at, junk[rng.Next(junk.Length)].ToString()); break;
                            case 2: line = line.Insert(at, line.Substring(at, Math.Min(8, line.Length - at))); break;
                            default: line = line.Remove(at, 1); break;
                        }
                    }
                    sb.Append(line).Append('\n');
                }
                var log = MmtlsKeyLog.Parse(sb.ToString(), "fuzz.keys");
                Assert.All(log.Warnings, w => Assert.DoesNotContain("\"key\": \"", w));
                Assert.All(log.Warnings, w => Assert.Matches(@"^fuzz\.keys( line \d+:|: \d+ more)", w));
                var (output, tally) = MmtlsKeyLogTests.Decode(sample.File, sb.ToString());
                Assert.InRange(tally.Decrypted, 0, sample.KeyLogEntries);
                Assert.Equal(tally.Records, tally.Decrypted + tally.NoEntry + tally.TagMismatches);
                Assert.All(output.OfType<MmtlsRecord>(), r => Assert.Equal(r.Decrypted, r.PlaintextLength.HasValue));
            }
        }

        [Fact]
        public void RandomTextNeverThrows()
        {
            var rng = new Random(99);
            for (int i = 0; i < 2000; i++)
            {
                var bytes = new byte[rng.Next(0, 300)];
                rng.NextBytes(bytes);
                if (bytes.Length > 0) bytes[0] = (byte)'{';
                var log = MmtlsKeyLog.Parse(Encoding.UTF8.GetString(bytes) + "\n" + Encoding.Latin1.GetString(bytes));
                Assert.Equal(0, log.OuterEntries + log.InnerEntries);
            }
        }
    }
}
