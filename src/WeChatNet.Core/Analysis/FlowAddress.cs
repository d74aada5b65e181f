using System;
using System.Buffers.Binary;
using System.Net;

namespace WeChatNet.Analysis
{
    /// <summary>An IPv4 or IPv6 address as two integers: hashable and comparable without allocation.</summary>
    public readonly struct FlowAddress : IEquatable<FlowAddress>, IComparable<FlowAddress>
    {
        private readonly ulong _hi;
        private readonly ulong _lo;

        private FlowAddress(ulong hi, ulong lo, bool isV6)
        {
            _hi = hi;
            _lo = lo;
            IsIPv6 = isV6;
        }

        public bool IsIPv6 { get; }

        /// <summary>From 4 (IPv4) or 16 (IPv6) address bytes in network order.</summary>
        public static FlowAddress FromBytes(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length == 4) return new FlowAddress(0, BinaryPrimitives.ReadUInt32BigEndian(bytes), false);
            if (bytes.Length == 16)
                return new FlowAddress(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes.Slice(8)), true);
            throw new ArgumentException("An address is 4 or 16 bytes.", nameof(bytes));
        }

        public static FlowAddress FromIPv4(uint address) => new FlowAddress(0, address, false);

        public static FlowAddress Parse(string text) => FromIPAddress(IPAddress.Parse(text));

        public static FlowAddress FromIPAddress(IPAddress address) => FromBytes(address.GetAddressBytes());

        public IPAddress ToIPAddress()
        {
            if (!IsIPv6)
            {
                var b4 = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(b4, (uint)_lo);
                return new IPAddress(b4);
            }
            var b = new byte[16];
            BinaryPrimitives.WriteUInt64BigEndian(b, _hi);
            BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(8), _lo);
            return new IPAddress(b);
        }

        public bool Equals(FlowAddress other) => _hi == other._hi && _lo == other._lo && IsIPv6 == other.IsIPv6;
        public override bool Equals(object? obj) => obj is FlowAddress a && Equals(a);
        public override int GetHashCode() => unchecked((int)(_hi ^ (_hi >> 32) ^ _lo ^ (_lo >> 32)) * 31 + (IsIPv6 ? 1 : 0));

        public int CompareTo(FlowAddress other)
        {
            int c = IsIPv6.CompareTo(other.IsIPv6);
            if (c != 0) return c;
            c = _hi.CompareTo(other._hi);
            return c != 0 ? c : _lo.CompareTo(other._lo);
        }

        public override string ToString() => ToIPAddress().ToString();

        /// <summary>"a.b.c.d:p" or "[v6]:p".</summary>
        public string ToString(ushort port) => IsIPv6 ? $"[{this}]:{port}" : $"{this}:{port}";
    }
}
