using System;

using WeChatNet.Packets;

namespace WeChatNet.Analysis
{
    /// <summary>A bidirectional 5-tuple: the same key for both directions of a conversation.</summary>
    internal readonly struct ConversationKey : IEquatable<ConversationKey>
    {
        public readonly IpKey A;
        public readonly IpKey B;
        public readonly ushort PortA;
        public readonly ushort PortB;
        public readonly byte Protocol;

        private ConversationKey(IpKey a, ushort portA, IpKey b, ushort portB, byte protocol)
        {
            A = a;
            PortA = portA;
            B = b;
            PortB = portB;
            Protocol = protocol;
        }

        /// <summary>The canonical key, and whether the packet travels from A to B.</summary>
        public static ConversationKey Of(in FlowPacket p, out bool fromA)
        {
            int c = p.Source.CompareTo(p.Destination);
            fromA = c < 0 || (c == 0 && p.SourcePort <= p.DestinationPort);
            return fromA
                ? new ConversationKey(p.Source, p.SourcePort, p.Destination, p.DestinationPort, p.Protocol)
                : new ConversationKey(p.Destination, p.DestinationPort, p.Source, p.SourcePort, p.Protocol);
        }

        public bool Equals(ConversationKey o) => PortA == o.PortA && PortB == o.PortB && Protocol == o.Protocol && A.Equals(o.A) && B.Equals(o.B);
        public override bool Equals(object? obj) => obj is ConversationKey k && Equals(k);
        public override int GetHashCode()
        {
            unchecked
            {
                int h = A.GetHashCode();
                h = h * 397 ^ B.GetHashCode();
                h = h * 397 ^ (PortA << 16 | PortB);
                return h * 397 ^ Protocol;
            }
        }
    }
}
