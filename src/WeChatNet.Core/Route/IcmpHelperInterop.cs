using System;
using System.Runtime.InteropServices;

namespace WeChatNet.Route
{
    /// <summary>
    /// Windows' ICMP helper API (iphlpapi.dll): echo requests sent by the system on the caller's behalf, without raw
    /// sockets and so without Administrator, as tracert, ping and Test-NetConnection -TraceRoute do. The TTL travels in
    /// IP_OPTION_INFORMATION; a router's time-exceeded comes back as a reply with status IP_TTL_EXPIRED_TRANSIT and the
    /// router's address. Requests run asynchronously: each is given an event that the system sets when its reply buffer
    /// is filled (by a reply, an ICMP error, or the request's timeout).
    /// </summary>
    internal static class IcmpHelperInterop
    {
        public const int ErrorIoPending = 997;
        public const int ErrorCallNotImplemented = 120;
        public const int ErrorNetworkUnreachable = 1231;
        public const int ErrorHostUnreachable = 1232;

        /// <summary>IP_STATUS values (ipexport.h); IPv6 reuses the numbers with its own names where noted.</summary>
        public const uint IpSuccess = 0;
        public const uint IpStatusBase = 11000;
        public const uint IpDestNetUnreachable = IpStatusBase + 2;   // IPv6: IP_DEST_NO_ROUTE
        public const uint IpDestHostUnreachable = IpStatusBase + 3;  // IPv6: IP_DEST_ADDR_UNREACHABLE
        public const uint IpDestProtUnreachable = IpStatusBase + 4;  // IPv6: IP_DEST_PROHIBITED
        public const uint IpDestPortUnreachable = IpStatusBase + 5;
        public const uint IpPacketTooBig = IpStatusBase + 9;
        public const uint IpReqTimedOut = IpStatusBase + 10;
        public const uint IpTtlExpiredTransit = IpStatusBase + 13;   // IPv6: IP_HOP_LIMIT_EXCEEDED
        public const uint IpDestUnreachable = IpStatusBase + 40;     // IPv6 only
        public const uint IpTimeExceeded = IpStatusBase + 41;        // IPv6 only
        public const uint IpDestScopeMismatch = IpStatusBase + 45;   // IPv6 only

        /// <summary>Windows' AF_INET6 (23; Linux's is 10).</summary>
        public const ushort WindowsAfInet6 = 23;

        /// <summary>Size of a Windows sockaddr_in6: family, port, flow info, address, scope id.</summary>
        public const int SockaddrIn6Length = 28;

        /// <summary>ICMP_ECHO_REPLY: Address (IPAddr) at 0, Status at 4 (the same for the 32-bit ICMP_ECHO_REPLY32).</summary>
        public const int EchoReplyAddressOffset = 0, EchoReplyStatusOffset = 4;

        /// <summary>
        /// ICMPV6_ECHO_REPLY: IPV6_ADDRESS_EX (packed: port 2, flow info 4, address 16, scope id 4 = 26 bytes) then Status,
        /// aligned to 4 (offset 28).
        /// </summary>
        public const int Echo6ReplyAddressOffset = 6, Echo6ReplyStatusOffset = 28;

        [StructLayout(LayoutKind.Sequential)]
        public struct IpOptionInformation
        {
            public byte Ttl;
            public byte Tos;
            public byte Flags;
            public byte OptionsSize;
            public IntPtr OptionsData;
        }

        [DllImport("iphlpapi.dll", SetLastError = true)]
        public static extern IntPtr IcmpCreateFile();

        [DllImport("iphlpapi.dll", SetLastError = true)]
        public static extern IntPtr Icmp6CreateFile();

        [DllImport("iphlpapi.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool IcmpCloseHandle(IntPtr handle);

        [DllImport("iphlpapi.dll", SetLastError = true)]
        public static extern uint IcmpSendEcho2(IntPtr handle, IntPtr evt, IntPtr apcRoutine, IntPtr apcContext, uint destination,
            IntPtr requestData, ushort requestSize, ref IpOptionInformation options, IntPtr replyBuffer, uint replySize, uint timeoutMs);

        [DllImport("iphlpapi.dll", SetLastError = true)]
        public static extern uint Icmp6SendEcho2(IntPtr handle, IntPtr evt, IntPtr apcRoutine, IntPtr apcContext, byte[] source, byte[] destination,
            IntPtr requestData, ushort requestSize, ref IpOptionInformation options, IntPtr replyBuffer, uint replySize, uint timeoutMs);

        [DllImport("iphlpapi.dll", SetLastError = true)]
        public static extern uint IcmpParseReplies(IntPtr replyBuffer, uint replySize);

        [DllImport("iphlpapi.dll", SetLastError = true)]
        public static extern uint Icmp6ParseReplies(IntPtr replyBuffer, uint replySize);

        /// <summary>What a reply's IP_STATUS means for a trace; None for "no answer" (timed out) and for failures that are no answer.</summary>
        public static ReplyKind KindOf(uint status, bool v6) => status switch
        {
            IpSuccess => ReplyKind.EchoReply,
            IpTtlExpiredTransit or IpTimeExceeded => ReplyKind.TimeExceeded,
            IpDestNetUnreachable => ReplyKind.NetworkUnreachable,
            IpDestHostUnreachable => ReplyKind.HostUnreachable,
            IpDestProtUnreachable => v6 ? ReplyKind.AdminProhibited : ReplyKind.ProtocolUnreachable,
            IpDestPortUnreachable => ReplyKind.PortUnreachable,
            IpPacketTooBig => ReplyKind.FragmentationNeeded,
            IpDestUnreachable or IpDestScopeMismatch => ReplyKind.OtherUnreachable,
            _ => ReplyKind.None,
        };
    }
}
