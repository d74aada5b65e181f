using System;
using WeChatNet.Packets;

namespace WeChatNet
{
    /// <summary>
    /// What every decoded WeChat message has in common (ConvertFrom-WeChatPacket). The concrete output types are
    /// sealed and carry plain data only.
    /// </summary>
    public abstract class WeChatMessage
    {
        /// <summary>When the message was complete on the wire (its last byte), UTC.</summary>
        public DateTimeOffset Timestamp { get; internal set; }
        /// <summary><c>client:port -> server:port</c>; empty for a payload decoded without a connection.</summary>
        public string Connection { get; internal set; } = "";
        /// <summary>
        /// The same connection as a typed key (equal for both directions), what the analysis joins messages to flows by;
        /// null for a payload decoded without a connection. Not part of the output.
        /// </summary>
        internal FlowKey? Flow { get; set; }
        /// <summary>ClientToServer or ServerToClient (Unknown for a lone payload).</summary>
        public string Direction { get; internal set; } = "";
        /// <summary>The server's name from DNS or dispatch seen earlier in the capture, else the HTTP Host header; empty when unnamed.</summary>
        public string Host { get; internal set; } = "";
        /// <summary>The server's role (an EndpointRole name) from the catalog, else from what the traffic is; empty when unknown.</summary>
        public string Role { get; internal set; } = "";
        /// <summary>The output type's short name: LongLinkFrame, MmtlsRecord, ShortLinkExchange, Dispatch, DnsMessage, VoipPacket, StreamEvent.</summary>
        public abstract string Kind { get; }
        /// <summary>One line saying what the message is.</summary>
        public abstract string Summary { get; }

        public override string ToString() => Summary;

        /// <summary>Sets <see cref="Connection"/> and <see cref="Flow"/> from the two ends.</summary>
        internal void SetConnection(IpKey client, ushort clientPort, IpKey server, ushort serverPort)
        {
            Connection = ConnectionText(client, clientPort, server, serverPort);
            Flow = new FlowKey(client, clientPort, server, serverPort);
        }

        /// <summary>The <see cref="Connection"/> text: <c>client:port -> server:port</c>.</summary>
        internal static string ConnectionText(IpKey client, ushort clientPort, IpKey server, ushort serverPort) =>
            client.WithPort(clientPort) + " -> " + server.WithPort(serverPort);
    }
}
