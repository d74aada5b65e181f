using System;
using System.Net;
using System.Text;

namespace WeChatNet.Packets
{
    /// <summary>Address formatting for output objects (allocates: use off the hot path).</summary>
    internal static class AddressText
    {
        /// <summary>"192.0.2.1", "2001:db8::1" (RFC 5952), or "" for an empty span. Other lengths print as hex.</summary>
        public static string Format(ReadOnlySpan<byte> address)
        {
            if (address.Length == 4) return $"{address[0]}.{address[1]}.{address[2]}.{address[3]}";
            if (address.Length == 16) return new IPAddress(address.ToArray()).ToString();
            return FormatMac(address);
        }

        /// <summary>"aa:bb:cc:dd:ee:ff" for a hardware address.</summary>
        public static string FormatMac(ReadOnlySpan<byte> mac)
        {
            if (mac.IsEmpty) return "";
            var sb = new StringBuilder(mac.Length * 3);
            for (int i = 0; i < mac.Length; i++)
            {
                if (i > 0) sb.Append(':');
                sb.Append(mac[i].ToString("x2"));
            }
            return sb.ToString();
        }
    }
}
