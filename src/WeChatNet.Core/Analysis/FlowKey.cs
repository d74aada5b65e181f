using System;

namespace WeChatNet.Analysis
{
    /// <summary>A bidirectional 5-tuple: the same key for both directions of a conversation.</summary>
    public readonly struct FlowKey : IEquatable<FlowKey>
    {
        public readonly FlowAddress A;
        public readonly FlowAddress B;
        public readonly ushort PortA;
        public readonly ushort PortB;
        public readonly byte Protocol;

        private FlowKey(FlowAddress a, ushort portA, FlowAddress b, ushort portB, byte protocol)
        {
            A = a;
            PortA = portA;
            B = b;
            PortB = portB;
            Protocol = protocol;
        }

        /// <summary>The canonical key, and whether the packet travels from A to B.</summary>
        public static FlowKey Of(in FlowPacket p, out bool fromA)
        {
            int c = p.Source.CompareTo(p.Destination);
            fromA = c < 0 || (c == 0 && p.SourcePort <= p.DestinationPort);
            return fromA
                ? new FlowKey(p.Source, p.SourcePort, p.Destination, p.DestinationPort, p.Protocol)
                : new FlowKey(p.Destination, p.DestinationPort, p.Source, p.SourcePort, p.Protocol);
        }

        public bool Equals(FlowKey o) => PortA == o.PortA && PortB == o.PortB && Protocol == o.Protocol && A.Equals(o.A) && B.Equals(o.B);
        public override bool Equals(object? obj) => obj is FlowKey k && Equals(k);
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
