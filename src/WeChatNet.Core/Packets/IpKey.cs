using System;
using System.Buffers.Binary;
using System.Net;

namespace WeChatNet.Packets
{
    /// <summary>An IPv4 or IPv6 address as a value usable as a dictionary key without allocating.</summary>
    internal readonly struct IpKey : IEquatable<IpKey>
    {
        private readonly ulong _hi;
        private readonly ulong _lo;
        private readonly bool _v6;

        private IpKey(ulong hi, ulong lo, bool v6) { _hi = hi; _lo = lo; _v6 = v6; }

        /// <summary>From 4 or 16 address bytes; false for any other length.</summary>
        public static bool TryCreate(ReadOnlySpan<byte> address, out IpKey key)
        {
            if (address.Length == 4) { key = new IpKey(0, BinaryPrimitives.ReadUInt32BigEndian(address), false); return true; }
            if (address.Length == 16)
            {
                key = new IpKey(BinaryPrimitives.ReadUInt64BigEndian(address), BinaryPrimitives.ReadUInt64BigEndian(address.Slice(8)), true);
                return true;
            }
            key = default;
            return false;
        }

        public static bool TryParse(string? text, out IpKey key)
        {
            key = default;
            if (text is null || !IPAddress.TryParse(text.Trim(), out var ip)) return false;
            return TryCreate(ip.GetAddressBytes(), out key);
        }

        public bool IsV6 => _v6;

        public IPAddress ToIPAddress()
        {
            if (!_v6) return new IPAddress(new[] { (byte)(_lo >> 24), (byte)(_lo >> 16), (byte)(_lo >> 8), (byte)_lo });
            var b = new byte[16];
            BinaryPrimitives.WriteUInt64BigEndian(b, _hi);
            BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(8), _lo);
            return new IPAddress(b);
        }

        /// <summary>RFC 1918, loopback, link-local, CGNAT (100.64/10), IPv6 ULA/link-local/loopback: the client side of a flow.</summary>
        public bool IsPrivate
        {
            get
            {
                if (!_v6)
                {
                    uint a = (uint)_lo;
                    return (a >> 24) == 10 || (a >> 24) == 127 || (a >> 20) == (172 << 4 | 1) || (a >> 16) == (192 << 8 | 168)
                        || (a >> 16) == (169 << 8 | 254) || (a >> 22) == (100 << 2 | 1);
                }
                return (_hi >> 57) == (0xFC >> 1) || (_hi >> 54) == (0xFE80 >> 6) || (_hi == 0 && _lo == 1);
            }
        }

        public int CompareTo(IpKey other)
        {
            if (_v6 != other._v6) return _v6 ? 1 : -1;
            int c = _hi.CompareTo(other._hi);
            return c != 0 ? c : _lo.CompareTo(other._lo);
        }

        public bool Equals(IpKey other) => _hi == other._hi && _lo == other._lo && _v6 == other._v6;
        public override bool Equals(object? obj) => obj is IpKey k && Equals(k);
        public override int GetHashCode() => (_hi.GetHashCode() * 31) ^ _lo.GetHashCode() ^ (_v6 ? 0x5555 : 0);
        public override string ToString() => ToIPAddress().ToString();

        /// <summary><c>a.b.c.d:port</c> or <c>[v6]:port</c>.</summary>
        public string WithPort(int port) => _v6 ? "[" + ToString() + "]:" + port : ToString() + ":" + port;
    }
}
