using System;

namespace WeChatNet.Packets
{
    /// <summary>Both ends of a flow, in a canonical order so both directions find the same entry.</summary>
    internal readonly struct FlowKey : IEquatable<FlowKey>
    {
        public FlowKey(IpKey a, ushort portA, IpKey b, ushort portB)
        {
            int c = a.CompareTo(b);
            bool swap = c > 0 || (c == 0 && portA > portB);
            if (swap) { A = b; PortA = portB; B = a; PortB = portA; }
            else { A = a; PortA = portA; B = b; PortB = portB; }
        }

        public IpKey A { get; }
        public ushort PortA { get; }
        public IpKey B { get; }
        public ushort PortB { get; }

        public bool Equals(FlowKey o) => PortA == o.PortA && PortB == o.PortB && A.Equals(o.A) && B.Equals(o.B);
        public override bool Equals(object? obj) => obj is FlowKey k && Equals(k);
        public override int GetHashCode() => (A.GetHashCode() * 397) ^ (B.GetHashCode() * 17) ^ (PortA << 16) ^ PortB;
    }
}
