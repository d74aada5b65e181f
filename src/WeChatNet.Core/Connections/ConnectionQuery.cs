using System;
using System.Collections.Generic;

namespace WeChatNet.Connections
{
    /// <summary>Which connections Get-WeChatConnection lists.</summary>
    internal sealed class ConnectionQuery
    {
        /// <summary>Every TCP connection, not only WeChat's (-All).</summary>
        public bool All { get; set; }
        /// <summary>Only these processes (-ProcessId).</summary>
        public IReadOnlyList<int> ProcessIds { get; set; } = Array.Empty<int>();
        /// <summary>Only processes with these names, wildcards allowed, without case or ".exe" (-ProcessName).</summary>
        public IReadOnlyList<string> ProcessNames { get; set; } = Array.Empty<string>();

        public bool NamesProcesses => ProcessIds.Count > 0 || ProcessNames.Count > 0;
    }
}
