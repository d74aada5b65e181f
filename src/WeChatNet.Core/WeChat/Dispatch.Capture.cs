using System;
using WeChatNet.Packets;

namespace WeChatNet
{
    // The properties a dispatch document has when it was decoded from captured traffic (ConvertFrom-WeChatPacket),
    // shared with every other decoded message. Fetched documents (Get-WeChatDispatch) leave them empty.
    public sealed partial class Dispatch
    {
        /// <summary>When the response was complete on the wire (captured documents); null for fetched ones.</summary>
        public DateTimeOffset? CapturedAt { get; internal set; }
        /// <summary><c>client:port -> server:port</c> of the dispatch request; empty for fetched documents.</summary>
        public string Connection { get; internal set; } = "";
        /// <summary>The same connection as a typed key, as on <see cref="WeChatMessage.Flow"/>; null for fetched documents.</summary>
        internal FlowKey? Flow { get; set; }
        /// <summary>ServerToClient for a captured answer; empty for fetched documents.</summary>
        public string Direction { get; internal set; } = "";
        /// <summary>The dispatch server's name (capture) or the host asked (fetch).</summary>
        public string Host { get; internal set; } = "";
        public string Role { get; internal set; } = nameof(EndpointRole.Dispatch);
        public string Kind => "Dispatch";
        /// <summary>The newgetdns request's query parameters (name=value), identifiers masked unless shown.</summary>
        public string[] RequestParameters { get; internal set; } = Array.Empty<string>();
        public string Summary => $"Dispatch retcode {RetCode}: {Domains.Length} domains, {Builtin.Length} built-in addresses" + (Compression != "None" ? $" ({Compression})" : "");
    }
}
