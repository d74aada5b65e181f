using System;

namespace WeChatNet
{
    /// <summary>One plain-language conclusion from an analysis: output of Get-WeChatFinding. Plain data.</summary>
    public sealed class Finding
    {
        /// <summary>The capture file of the finding: its first flow's file, or the analysed capture's (first) file.</summary>
        public string? File { get; set; }
        /// <summary>Info, Warning or Error.</summary>
        public string Severity { get; set; } = "Info";
        /// <summary>Dns, Dispatch, LongLink, ShortLink, Path or Capture.</summary>
        public string Area { get; set; } = "";
        public string Title { get; set; } = "";
        /// <summary>The numbers behind the finding, with flow ids.</summary>
        public string Evidence { get; set; } = "";
        public string Recommendation { get; set; } = "";
        /// <summary>The rule that produced it (see docs/findings.md).</summary>
        public string RuleId { get; set; } = "";
        public int[] FlowIds { get; set; } = Array.Empty<int>();
        /// <summary>What the finding is about (servers by host name or address, DNS names), for folding effects into their cause; not output.</summary>
        internal string[] Subjects { get; set; } = Array.Empty<string>();

        public override string ToString() => $"[{Severity}] {Area}: {Title}";
    }
}
