using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Net;
using System.Runtime.InteropServices;

namespace WeChatNet.Connections
{
    /// <summary>
    /// Linux's TCP socket table through netlink NETLINK_SOCK_DIAG (what ss reads): one dump request per address family for
    /// every state but LISTEN, with tcp_info (INET_DIAG_INFO). .NET's Socket refuses AF_NETLINK, so the socket is opened
    /// through libc. No privilege is needed: the kernel lists every user's sockets with their owner uid and inode.
    /// </summary>
    internal static class LinuxSocketDiag
    {
        private const int AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16;
        private const int SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000;
        private const int NETLINK_SOCK_DIAG = 4;
        private const ushort SOCK_DIAG_BY_FAMILY = 20, NLMSG_ERROR = 2, NLMSG_DONE = 3;
        private const ushort NLM_F_REQUEST = 1, NLM_F_DUMP = 0x300;
        private const int IPPROTO_TCP = 6;
        private const int INET_DIAG_INFO = 2;
        private const int NlMsgHeaderSize = 16, DiagMsgSize = 72, RequestSize = NlMsgHeaderSize + 56;
        private const uint AllButListen = 0xFFF & ~(1u << 10);
        private const int EINTR = 4;

        [DllImport("libc", SetLastError = true)] private static extern int socket(int domain, int type, int protocol);
        [DllImport("libc", SetLastError = true)] private static extern IntPtr sendto(int fd, byte[] buf, UIntPtr len, int flags, byte[] addr, int addrLen);
        [DllImport("libc", SetLastError = true)] private static extern IntPtr recv(int fd, byte[] buf, UIntPtr len, int flags);
        [DllImport("libc", SetLastError = true)] private static extern int close(int fd);

        /// <summary>Every TCP socket of this network namespace except listeners, IPv4 then IPv6.</summary>
        public static List<SocketEntry> Dump()
        {
            int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
            if (fd < 0)
            {
                int errno = Marshal.GetLastWin32Error();
                throw new ConnectionException(ConnectionException.Unavailable,
                    $"The kernel refused a NETLINK_SOCK_DIAG socket (errno {errno}); is the inet_diag/tcp_diag module available?");
            }
            try
            {
                var list = new List<SocketEntry>();
                var buffer = new byte[64 * 1024];
                DumpFamily(fd, AF_INET, 1, buffer, list);
                DumpFamily(fd, AF_INET6, 2, buffer, list);
                return list;
            }
            finally
            {
                close(fd);
            }
        }

        private static void DumpFamily(int fd, byte family, uint seq, byte[] buffer, List<SocketEntry> list)
        {
            var request = new byte[RequestSize];
            BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(0), RequestSize);
            BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(4), SOCK_DIAG_BY_FAMILY);
            BinaryPrimitives.WriteUInt16LittleEndian(request.AsSpan(6), (ushort)(NLM_F_REQUEST | NLM_F_DUMP));
            BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(8), seq);
            request[16] = family;
            request[17] = IPPROTO_TCP;
            request[18] = 1 << (INET_DIAG_INFO - 1);
            BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(20), AllButListen);
            var kernel = new byte[12];
            BinaryPrimitives.WriteUInt16LittleEndian(kernel.AsSpan(0), AF_NETLINK);
            if ((long)sendto(fd, request, (UIntPtr)request.Length, 0, kernel, kernel.Length) < 0)
                throw new ConnectionException(ConnectionException.Unavailable, $"Sending the sock_diag request failed (errno {Marshal.GetLastWin32Error()}).");

            while (true)
            {
                long n = (long)recv(fd, buffer, (UIntPtr)buffer.Length, 0);
                if (n < 0)
                {
                    int errno = Marshal.GetLastWin32Error();
                    if (errno == EINTR) continue;
                    throw new ConnectionException(ConnectionException.Unavailable, $"Reading the sock_diag answer failed (errno {errno}).");
                }
                if (n == 0) return;
                int offset = 0;
                while (offset + NlMsgHeaderSize <= n)
                {
                    var header = buffer.AsSpan(offset);
                    int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(header);
                    ushort type = BinaryPrimitives.ReadUInt16LittleEndian(header.Slice(4));
                    if (length < NlMsgHeaderSize || offset + length > n) return; // damaged answer: keep what was read
                    if (type == NLMSG_DONE) return;
                    if (type == NLMSG_ERROR)
                    {
                        int error = length >= NlMsgHeaderSize + 4 ? -BinaryPrimitives.ReadInt32LittleEndian(header.Slice(NlMsgHeaderSize)) : 0;
                        throw new ConnectionException(ConnectionException.Unavailable, $"The kernel answered the sock_diag request with errno {error}.");
                    }
                    if (type == SOCK_DIAG_BY_FAMILY && length >= NlMsgHeaderSize + DiagMsgSize)
                        list.Add(Parse(buffer.AsSpan(offset + NlMsgHeaderSize, length - NlMsgHeaderSize)));
                    offset += (length + 3) & ~3;
                }
            }
        }

        /// <summary>One inet_diag_msg and its attributes.</summary>
        internal static SocketEntry Parse(ReadOnlySpan<byte> msg)
        {
            byte family = msg[0];
            int addressLength = family == AF_INET6 ? 16 : 4;
            var entry = new SocketEntry
            {
                State = FromLinux(msg[1]),
                LocalPort = BinaryPrimitives.ReadUInt16BigEndian(msg.Slice(4)),
                RemotePort = BinaryPrimitives.ReadUInt16BigEndian(msg.Slice(6)),
                LocalAddress = new IPAddress(msg.Slice(8, addressLength).ToArray()),
                RemoteAddress = new IPAddress(msg.Slice(24, addressLength).ToArray()),
                Uid = BinaryPrimitives.ReadUInt32LittleEndian(msg.Slice(64)),
                Inode = BinaryPrimitives.ReadUInt32LittleEndian(msg.Slice(68)),
                Source = "sock_diag",
            };
            int offset = DiagMsgSize;
            while (offset + 4 <= msg.Length)
            {
                int length = BinaryPrimitives.ReadUInt16LittleEndian(msg.Slice(offset));
                int type = BinaryPrimitives.ReadUInt16LittleEndian(msg.Slice(offset + 2));
                if (length < 4 || offset + length > msg.Length) break;
                if (type == INET_DIAG_INFO) ReadTcpInfo(msg.Slice(offset + 4, length - 4), entry);
                offset += (length + 3) & ~3;
            }
            return entry;
        }

        /// <summary>
        /// struct tcp_info (linux/tcp.h), as far as this kernel's copy reaches: a field past its end stays null. Offsets:
        /// 32 lost, 44 last_data_sent, 52 last_data_recv, 68 rtt (us), 72 rttvar (us), 80 snd_cwnd, 100 total_retrans,
        /// 128 bytes_received, 200 bytes_sent.
        /// </summary>
        internal static void ReadTcpInfo(ReadOnlySpan<byte> info, SocketEntry entry)
        {
            entry.LostSegments = U32(info, 32);
            entry.LastSendMs = U32(info, 44);
            entry.LastReceiveMs = U32(info, 52);
            entry.RttMs = U32(info, 68) / 1000.0;
            entry.RttVarMs = U32(info, 72) / 1000.0;
            entry.CongestionWindow = U32(info, 80);
            entry.Retransmissions = U32(info, 100);
            entry.BytesReceived = (long?)U64(info, 128);
            entry.BytesSent = (long?)U64(info, 200);
        }

        private static uint? U32(ReadOnlySpan<byte> info, int at) =>
            info.Length >= at + 4 ? BinaryPrimitives.ReadUInt32LittleEndian(info.Slice(at)) : (uint?)null;

        private static ulong? U64(ReadOnlySpan<byte> info, int at) =>
            info.Length >= at + 8 ? BinaryPrimitives.ReadUInt64LittleEndian(info.Slice(at)) : (ulong?)null;

        /// <summary>Linux's TCP_ESTABLISHED (1) ... TCP_CLOSING (11), TCP_NEW_SYN_RECV (12).</summary>
        internal static TcpState FromLinux(byte state) => state switch
        {
            1 => TcpState.Established,
            2 => TcpState.SynSent,
            3 => TcpState.SynReceived,
            4 => TcpState.FinWait1,
            5 => TcpState.FinWait2,
            6 => TcpState.TimeWait,
            7 => TcpState.Closed,
            8 => TcpState.CloseWait,
            9 => TcpState.LastAck,
            10 => TcpState.Listen,
            11 => TcpState.Closing,
            12 => TcpState.SynReceived,
            _ => TcpState.Unknown,
        };
    }
}
