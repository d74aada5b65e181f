using System;
using System.Text;
using WeChatNet.WeChat;

namespace WeChatNet.Fuzz.Targets
{
    /// <summary>
    /// MMTLS key-log text (-KeyLogPath): JSON lines with layer, key, nonce, metadata and tail. Input: the file's bytes,
    /// read as UTF-8 as StreamReader does. Contract: malformed lines are skipped with a counted warning naming the line;
    /// never an exception; the warnings list stays bounded.
    /// </summary>
    internal sealed class KeyLogTarget : FuzzTarget
    {
        public override string Name => "keylog";
        public override string Description => "MMTLS key-log lines: the JSON line reader and the entry checks";
        public override long AllocationBudget(int inputLength) => 4L * 1024 * 1024 + 256L * inputLength;

        public override void Run(byte[] input)
        {
            string text = Encoding.UTF8.GetString(input);
            var log = MmtlsKeyLog.Parse(text, "fuzz.keys");
            Require(log.MalformedLines >= 0 && log.OuterEntries >= 0 && log.InnerEntries >= 0, "negative counts");
            int lines = 1;
            foreach (char c in text) if (c == '\n' || c == '\r') lines++;
            Require(log.MalformedLines + log.OuterEntries + log.InnerEntries <= lines, $"more entries and warnings than the {lines} lines");
            foreach (var w in log.Warnings) Require(w.StartsWith("fuzz.keys", StringComparison.Ordinal), $"a warning that does not name the file: {w}");
            foreach (var line in text.Split('\n'))
                if (KeyLogJsonLine.TryParse(line, out var values, out string? error)) Require(values != null, "success without values");
                else Require(!string.IsNullOrEmpty(error), "a failure without a reason");
        }
    }
}
