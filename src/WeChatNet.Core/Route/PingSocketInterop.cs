using System;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace WeChatNet.Route
{
    /// <summary>
    /// Linux ICMP datagram ("ping") sockets: the unprivileged way to send echo requests, allowed to the groups in
    /// <c>net.ipv4.ping_group_range</c>. Routers' time-exceeded and unreachable messages for such a socket are not
    /// readable as data: with IP_RECVERR / IPV6_RECVERR the kernel queues them on the socket's error queue, read with
    /// recvmsg(MSG_ERRQUEUE): the echo request they refer to, plus a sock_extended_err (ICMP type and code) and the
    /// router's address. .NET has no API for the error queue, hence this small interop.
    /// </summary>
    internal static class PingSocketInterop
    {
        private const int SolIp = 0, IpRecvErr = 11, SolIpv6 = 41, Ipv6RecvErr = 25;
        private const int MsgDontWait = 0x40, MsgErrQueue = 0x2000;
        private const short PollIn = 0x1, PollErr = 0x8;
        private const byte OriginIcmp = 2, OriginIcmp6 = 3;
        private const int Eagain = 11, Eintr = 4;

        [StructLayout(LayoutKind.Sequential)]
        private struct PollFd { public int Fd; public short Events; public short Revents; }

        [StructLayout(LayoutKind.Sequential)]
        private struct IoVec { public IntPtr Base; public UIntPtr Length; }

        [StructLayout(LayoutKind.Sequential)]
        private struct MsgHdr
        {
            public IntPtr Name;
            public uint NameLength;
            public IntPtr Iov;
            public UIntPtr IovLength;
            public IntPtr Control;
            public UIntPtr ControlLength;
            public int Flags;
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int setsockopt(IntPtr socket, int level, int name, ref int value, uint length);

        [DllImport("libc", SetLastError = true)]
        private static extern IntPtr recvmsg(IntPtr socket, ref MsgHdr message, int flags);

        [DllImport("libc", SetLastError = true)]
        private static extern int poll(ref PollFd fds, UIntPtr count, int timeoutMs);

        public static bool IsSupported => RuntimeInformation.IsOSPlatform(OSPlatform.Linux);

        /// <summary>Asks the kernel to queue ICMP errors on the socket's error queue.</summary>
        public static void EnableErrorQueue(Socket socket)
        {
            bool v6 = socket.AddressFamily == AddressFamily.InterNetworkV6;
            int one = 1;
            if (setsockopt(socket.Handle, v6 ? SolIpv6 : SolIp, v6 ? Ipv6RecvErr : IpRecvErr, ref one, sizeof(int)) != 0)
                throw new SocketException(Marshal.GetLastWin32Error());
        }

        /// <summary>Waits up to <paramref name="timeoutMs"/> for data or a queued error; returns (readable, error queued).</summary>
        public static (bool Readable, bool ErrorQueued) Wait(Socket socket, int timeoutMs)
        {
            var fd = new PollFd { Fd = (int)socket.Handle, Events = PollIn | PollErr };
            int n = poll(ref fd, (UIntPtr)1, timeoutMs);
            if (n <= 0) return (false, false);
            return ((fd.Revents & PollIn) != 0, (fd.Revents & PollErr) != 0);
        }

        /// <summary>A reusable unmanaged buffer set for reading the error queue.</summary>
        public sealed class ErrorQueueReader : IDisposable
        {
            private const int DataSize = 2048, ControlSize = 512, NameSize = 128;
            private readonly IntPtr _data = Marshal.AllocHGlobal(DataSize);
            private readonly IntPtr _control = Marshal.AllocHGlobal(ControlSize);
            private readonly IntPtr _name = Marshal.AllocHGlobal(NameSize);
            private readonly IntPtr _iov = Marshal.AllocHGlobal(Marshal.SizeOf<IoVec>());
            private readonly byte[] _managedData = new byte[DataSize];
            private readonly byte[] _managedControl = new byte[ControlSize];

            /// <summary>
            /// Reads one queued ICMP error without blocking: the original datagram's payload (the echo request), the ICMP
            /// type and code, and the router's address. False when the queue is empty (or holds only non-ICMP errors).
            /// </summary>
            public bool TryRead(Socket socket, out ReadOnlySpan<byte> original, out byte type, out byte code, out IPAddress? offender)
            {
                original = default;
                type = code = 0;
                offender = null;
                while (true)
                {
                    Marshal.StructureToPtr(new IoVec { Base = _data, Length = (UIntPtr)DataSize }, _iov, false);
                    var msg = new MsgHdr
                    {
                        Name = _name, NameLength = NameSize, Iov = _iov, IovLength = (UIntPtr)1,
                        Control = _control, ControlLength = (UIntPtr)ControlSize,
                    };
                    long n = (long)recvmsg(socket.Handle, ref msg, MsgErrQueue | MsgDontWait);
                    if (n < 0)
                    {
                        int errno = Marshal.GetLastWin32Error();
                        if (errno == Eintr) continue;
                        return false; // EAGAIN: empty; anything else: nothing to read either
                    }
                    int dataLength = (int)Math.Min(n, DataSize);
                    int controlLength = (int)Math.Min((long)(ulong)msg.ControlLength, ControlSize);
                    Marshal.Copy(_data, _managedData, 0, dataLength);
                    Marshal.Copy(_control, _managedControl, 0, controlLength);
                    if (ParseExtendedError(_managedControl.AsSpan(0, controlLength), out type, out code, out offender))
                    {
                        original = _managedData.AsSpan(0, dataLength);
                        return true;
                    }
                }
            }

            public void Dispose()
            {
                Marshal.FreeHGlobal(_data);
                Marshal.FreeHGlobal(_control);
                Marshal.FreeHGlobal(_name);
                Marshal.FreeHGlobal(_iov);
            }
        }

        /// <summary>
        /// Finds the IP_RECVERR / IPV6_RECVERR control message: cmsghdr {size_t len; int level; int type} then
        /// sock_extended_err {u32 errno; u8 origin, type, code, pad; u32 info; u32 data} and the offender's sockaddr.
        /// </summary>
        internal static bool ParseExtendedError(ReadOnlySpan<byte> control, out byte type, out byte code, out IPAddress? offender)
        {
            type = code = 0;
            offender = null;
            int header = IntPtr.Size + 8; // cmsg_len is a size_t; CMSG_DATA is aligned to size_t
            int offset = 0;
            for (int guard = 0; guard < 16 && offset + header <= control.Length; guard++)
            {
                long length = IntPtr.Size == 8 ? (long)BinaryPrimitives.ReadUInt64LittleEndian(control.Slice(offset)) : BinaryPrimitives.ReadUInt32LittleEndian(control.Slice(offset));
                if (length < header || offset + length > control.Length) return false;
                int level = BinaryPrimitives.ReadInt32LittleEndian(control.Slice(offset + IntPtr.Size));
                int kind = BinaryPrimitives.ReadInt32LittleEndian(control.Slice(offset + IntPtr.Size + 4));
                var data = control.Slice(offset + header, (int)length - header);
                if (((level == SolIp && kind == IpRecvErr) || (level == SolIpv6 && kind == Ipv6RecvErr)) && data.Length >= 16)
                {
                    byte origin = data[4];
                    if (origin != OriginIcmp && origin != OriginIcmp6) return false;
                    type = data[5];
                    code = data[6];
                    var address = data.Slice(16);
                    if (address.Length >= 8 && BinaryPrimitives.ReadUInt16LittleEndian(address) == 2)
                        offender = new IPAddress(address.Slice(4, 4).ToArray());
                    else if (address.Length >= 24 && BinaryPrimitives.ReadUInt16LittleEndian(address) == 10)
                        offender = new IPAddress(address.Slice(8, 16).ToArray());
                    return offender != null;
                }
                offset += (int)((length + IntPtr.Size - 1) / IntPtr.Size * IntPtr.Size);
            }
            return false;
        }
    }
}
