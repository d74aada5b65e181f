using System;

namespace WeChatNet
{
    /// <summary>What happened to a connection between two readings of Get-WeChatConnection -Watch.</summary>
    internal enum ConnectionChange
    {
        /// <summary>Open when watching began (written once, first).</summary>
        Existing,
        /// <summary>New since the previous reading.</summary>
        Opened,
        /// <summary>Gone since the previous reading; the connection carries its last statistics.</summary>
        Closed,
        /// <summary>Its TCP state changed.</summary>
        Changed,
    }

    /// <summary>One change seen by Get-WeChatConnection -Watch, with the connection it happened to. Plain data.</summary>
    public sealed class ConnectionEvent
    {
        public DateTimeOffset Timestamp { get; set; }
        /// <summary>Existing, Opened, Closed or Changed (a <see cref="ConnectionChange"/> name).</summary>
        public string Change { get; set; } = "";
        /// <summary>The state before (Changed, Closed); null for Existing and Opened.</summary>
        public string? OldState { get; set; }
        /// <summary>The state after (Existing, Opened, Changed); "Closed" for Closed.</summary>
        public string? NewState { get; set; }
        /// <summary>The connection as last read (for Closed: its last statistics before it disappeared).</summary>
        public Connection Connection { get; set; } = new Connection();

        public override string ToString() => $"{Change} {Connection}";
    }
}
