using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace WeChatNet.IpIntel
{
    /// <summary>
    /// An IPv4 or IPv6 prefix (network and length), held as a 128-bit value: IPv4 in the low 32 bits.
    /// Host bits are always zero.
    /// </summary>
    internal readonly struct IpPrefix : IEquatable<IpPrefix>
    {
        public IpPrefix(bool isIPv4, ulong high, ulong low, int length)
        {
            int max = isIPv4 ? 32 : 128;
            if (length < 0 || length > max) throw new ArgumentOutOfRangeException(nameof(length), $"A prefix length must be 0..{max}.");
            IsIPv4 = isIPv4;
            Length = length;
            var net = U128.Mask(new U128(high, low), isIPv4 ? 96 + length : length);
            High = net.High;
            Low = net.Low;
        }

        public bool IsIPv4 { get; }
        public ulong High { get; }
        public ulong Low { get; }
        public int Length { get; }

        internal U128 First => new U128(High, Low);

        internal U128 Last
        {
            get
            {
                int hostBits = (IsIPv4 ? 32 : 128) - Length;
                return U128.Or(First, U128.LowBits(hostBits));
            }
        }

        /// <summary>Parses "a.b.c.d/n" or "x:y::/n" (a bare address is a /32 or /128). Host bits are cleared.</summary>
        public static bool TryParse(string? text, out IpPrefix prefix, out string error)
        {
            prefix = default;
            text = text?.Trim();
            if (string.IsNullOrEmpty(text)) { error = "empty prefix"; return false; }
            int slash = text!.IndexOf('/');
            string addressText = slash < 0 ? text : text.Substring(0, slash);
            if (!IPAddress.TryParse(addressText, out var address) || addressText.IndexOf('%') >= 0)
            {
                error = $"'{addressText}' is not an IP address";
                return false;
            }
            bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
            if (!v4 && address.AddressFamily != AddressFamily.InterNetworkV6) { error = $"'{addressText}' is not IPv4 or IPv6"; return false; }
            if (v4 && addressText.Split('.').Length != 4) { error = $"'{addressText}' is not a dotted-quad IPv4 address"; return false; }
            int max = v4 ? 32 : 128;
            int length = max;
            if (slash >= 0 && (!int.TryParse(text.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > max))
            {
                error = $"'{text.Substring(slash + 1)}' is not a prefix length 0..{max}";
                return false;
            }
            var bytes = address.GetAddressBytes();
            var value = U128.FromBytes(bytes);
            prefix = new IpPrefix(v4, value.High, value.Low, length);
            error = string.Empty;
            return true;
        }

        public static IpPrefix Parse(string text) =>
            TryParse(text, out var p, out var error) ? p : throw new FormatException($"'{text}' is not an IP prefix: {error}.");

        public bool Contains(IpPrefix other) =>
            other.IsIPv4 == IsIPv4 && other.Length >= Length && U128.Mask(other.First, (IsIPv4 ? 96 : 0) + Length).Equals(First);

        public override string ToString()
        {
            if (IsIPv4)
            {
                uint v = (uint)Low;
                return string.Format(CultureInfo.InvariantCulture, "{0}.{1}.{2}.{3}/{4}", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff, Length);
            }
            return new IPAddress(First.ToBytes()).ToString() + "/" + Length.ToString(CultureInfo.InvariantCulture);
        }

        public bool Equals(IpPrefix other) => IsIPv4 == other.IsIPv4 && High == other.High && Low == other.Low && Length == other.Length;
        public override bool Equals(object? obj) => obj is IpPrefix p && Equals(p);
        public override int GetHashCode() => (High.GetHashCode() * 31 + Low.GetHashCode()) * 131 + Length * 2 + (IsIPv4 ? 1 : 0);
    }

    /// <summary>A 128-bit unsigned value for prefix arithmetic (netstandard2.0 has no UInt128).</summary>
    internal readonly struct U128 : IComparable<U128>, IEquatable<U128>
    {
        public static readonly U128 Max = new U128(ulong.MaxValue, ulong.MaxValue);

        public U128(ulong high, ulong low)
        {
            High = high;
            Low = low;
        }

        public ulong High { get; }
        public ulong Low { get; }

        public static U128 FromBytes(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length == 4) return new U128(0, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes));
            if (bytes.Length == 16)
                return new U128(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes),
                    System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes.Slice(8)));
            throw new ArgumentException("An IP address has 4 or 16 bytes.", nameof(bytes));
        }

        public byte[] ToBytes()
        {
            var b = new byte[16];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(b, High);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(8), Low);
            return b;
        }

        /// <summary>Keeps the top <paramref name="bits"/> bits.</summary>
        public static U128 Mask(U128 v, int bits)
        {
            if (bits <= 0) return default;
            if (bits >= 128) return v;
            if (bits <= 64) return new U128(bits == 64 ? v.High : v.High & ~(ulong.MaxValue >> bits), 0);
            return new U128(v.High, v.Low & ~(ulong.MaxValue >> (bits - 64)));
        }

        /// <summary>A value with the low <paramref name="bits"/> bits set.</summary>
        public static U128 LowBits(int bits)
        {
            if (bits <= 0) return default;
            if (bits >= 128) return Max;
            if (bits >= 64) return new U128(bits == 64 ? 0 : ulong.MaxValue >> (128 - bits), ulong.MaxValue);
            return new U128(0, ulong.MaxValue >> (64 - bits));
        }

        public static U128 Or(U128 a, U128 b) => new U128(a.High | b.High, a.Low | b.Low);

        public U128 Increment() => Low == ulong.MaxValue ? new U128(High + 1, 0) : new U128(High, Low + 1);

        public U128 Decrement() => Low == 0 ? new U128(High - 1, ulong.MaxValue) : new U128(High, Low - 1);

        public int CompareTo(U128 other) => High != other.High ? High.CompareTo(other.High) : Low.CompareTo(other.Low);
        public bool Equals(U128 other) => High == other.High && Low == other.Low;
        public override bool Equals(object? obj) => obj is U128 u && Equals(u);
        public override int GetHashCode() => High.GetHashCode() ^ Low.GetHashCode();
    }
}
