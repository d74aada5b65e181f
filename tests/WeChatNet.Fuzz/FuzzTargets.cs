using System;
using System.Collections.Generic;
using System.Linq;
using WeChatNet.Fuzz.Targets;

namespace WeChatNet.Fuzz
{
    /// <summary>Every fuzz target, by name.</summary>
    internal static class FuzzTargets
    {
        public static IReadOnlyList<FuzzTarget> All { get; } = new FuzzTarget[]
        {
            new CaptureTarget(),
            new GzipCaptureTarget(),
            new PacketTarget(),
            new DnsTarget(),
            new DispatchTarget(),
            new HttpTarget(),
            new LongLinkTarget(),
            new MmtlsTarget(),
            new KeyLogTarget(),
        };

        public static FuzzTarget? Find(string name) =>
            All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
    }
}
