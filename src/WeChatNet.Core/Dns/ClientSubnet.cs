using System;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace WeChatNet.Dns
{
    /// <summary>
    /// The EDNS Client Subnet option (RFC 7871, option code 8): FAMILY (1 IPv4, 2 IPv6), SOURCE PREFIX-LENGTH,
    /// SCOPE PREFIX-LENGTH, then the address truncated to ceil(source/8) bytes with the bits past the prefix zeroed.
    /// </summary>
    internal sealed class ClientSubnet
    {
        public const ushort OptionCode = 8;

        public ClientSubnet(IPAddress address, byte sourcePrefix, byte scopePrefix = 0)
        {
            int max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : -1;
            if (max < 0) throw new ArgumentException("Client Subnet takes an IPv4 or IPv6 address.", nameof(address));
            if (sourcePrefix > max) throw new ArgumentOutOfRangeException(nameof(sourcePrefix), $"An {(max == 32 ? "IPv4" : "IPv6")} prefix is at most /{max}.");
            if (scopePrefix > max) throw new ArgumentOutOfRangeException(nameof(scopePrefix), $"An {(max == 32 ? "IPv4" : "IPv6")} scope is at most /{max}.");
            Family = (ushort)(max == 32 ? 1 : 2);
            SourcePrefix = sourcePrefix;
            ScopePrefix = scopePrefix;
            Address = Mask(address, sourcePrefix);
        }

        /// <summary>1 = IPv4, 2 = IPv6 (IANA address family numbers).</summary>
        public ushort Family { get; }
        public byte SourcePrefix { get; }
        public byte ScopePrefix { get; }
        /// <summary>The network address, host bits zeroed.</summary>
        public IPAddress Address { get; }

        /// <summary>"a.b.c.0/24" (scope not included).</summary>
        public override string ToString() => Address + "/" + SourcePrefix.ToString(CultureInfo.InvariantCulture);

        /// <summary>Parses "a.b.c.d/n", "x::/n" or a bare address (/32 or /128).</summary>
        public static bool TryParse(string? text, out ClientSubnet? subnet, out string? error)
        {
            subnet = null;
            error = null;
            if (string.IsNullOrWhiteSpace(text)) { error = "the subnet is empty"; return false; }
            string t = text!.Trim();
            int slash = t.IndexOf('/');
            string addrText = slash < 0 ? t : t.Substring(0, slash);
            if (!IPAddress.TryParse(addrText, out IPAddress? addr) || addr is null ||
                (addr.AddressFamily != AddressFamily.InterNetwork && addr.AddressFamily != AddressFamily.InterNetworkV6))
            { error = $"'{addrText}' is not an IP address"; return false; }
            if (addr.AddressFamily == AddressFamily.InterNetworkV6 && addr.ScopeId != 0) { error = "a subnet has no scope id"; return false; }
            int max = addr.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            int prefix = max;
            if (slash >= 0 && (!int.TryParse(t.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > max))
            { error = $"'{t.Substring(slash + 1)}' is not a prefix length from 0 to {max}"; return false; }
            subnet = new ClientSubnet(addr, (byte)prefix);
            return true;
        }

        /// <summary>Zeroes the bits of <paramref name="address"/> past <paramref name="prefix"/>.</summary>
        public static IPAddress Mask(IPAddress address, int prefix)
        {
            byte[] b = address.GetAddressBytes();
            for (int i = 0; i < b.Length; i++)
            {
                int bitsHere = Math.Max(0, Math.Min(8, prefix - i * 8));
                b[i] &= (byte)(0xFF << (8 - bitsHere));
            }
            return new IPAddress(b);
        }

        /// <summary>Option data (without the option code and length): 4 + ceil(source/8) bytes.</summary>
        public byte[] EncodeData()
        {
            int n = (SourcePrefix + 7) / 8;
            var data = new byte[4 + n];
            BinaryPrimitives.WriteUInt16BigEndian(data, Family);
            data[2] = SourcePrefix;
            data[3] = ScopePrefix;
            Array.Copy(Address.GetAddressBytes(), 0, data, 4, n);
            return data;
        }

        /// <summary>
        /// Decodes option data. Refuses unknown families, prefixes past the family's width, an address field whose length
        /// is not ceil(source/8), and set bits past the source prefix (RFC 7871 section 6 says such a message is refused).
        /// </summary>
        public static bool TryDecode(ReadOnlySpan<byte> data, out ClientSubnet? subnet, out string? error)
        {
            subnet = null;
            error = null;
            if (data.Length < 4) { error = "Client Subnet option shorter than 4 bytes"; return false; }
            ushort family = BinaryPrimitives.ReadUInt16BigEndian(data);
            int width = family == 1 ? 4 : family == 2 ? 16 : 0;
            if (width == 0) { error = $"Client Subnet family {family} is neither 1 (IPv4) nor 2 (IPv6)"; return false; }
            byte source = data[2], scope = data[3];
            if (source > width * 8 || scope > width * 8) { error = $"Client Subnet prefix /{source} or scope /{scope} exceeds /{width * 8}"; return false; }
            int n = (source + 7) / 8;
            if (data.Length - 4 != n) { error = $"Client Subnet address is {data.Length - 4} bytes; a /{source} needs {n}"; return false; }
            var full = new byte[width];
            data.Slice(4).CopyTo(full);
            if (source % 8 != 0 && (full[n - 1] & (0xFF >> (source % 8))) != 0) { error = $"Client Subnet address has bits set past /{source}"; return false; }
            subnet = new ClientSubnet(new IPAddress(full), source, scope);
            return true;
        }
    }
}
