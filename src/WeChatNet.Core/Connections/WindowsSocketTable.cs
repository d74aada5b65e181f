using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;

namespace WeChatNet.Connections
{
    /// <summary>
    /// Windows: the TCP tables of the IP Helper API. GetExtendedTcpTable (TCP_TABLE_OWNER_MODULE_ALL, falling back to
    /// OWNER_PID_ALL) gives every connection with its owning process id, unprivileged, and its creation time;
    /// GetPerTcpConnectionEStats / GetPerTcp6ConnectionEStats give the extended statistics (Data: bytes; Path: round trip,
    /// variation, retransmitted segments; SndCong: congestion window in bytes) of connections whose collection is
    /// enabled. Enabling it (SetPerTcpConnectionEStats) needs Administrator; when refused, those fields stay empty and
    /// <see cref="Limitations"/> says so. Windows gives no lost-segment count or time since the last send or receive.
    /// </summary>
    internal sealed class WindowsSocketTable : ISocketTable
    {
        private const int AF_INET = 2, AF_INET6 = 23;
        private const int TCP_TABLE_OWNER_PID_ALL = 5, TCP_TABLE_OWNER_MODULE_ALL = 8;
        private const int ERROR_INSUFFICIENT_BUFFER = 122, ERROR_ACCESS_DENIED = 5;
        private const int EstatsData = 1, EstatsSndCong = 2, EstatsPath = 3;

        [DllImport("iphlpapi.dll")] private static extern uint GetExtendedTcpTable(byte[]? table, ref int size, bool order, int af, int tableClass, int reserved);
        [DllImport("iphlpapi.dll")] private static extern uint GetPerTcpConnectionEStats(byte[] row, int type, byte[]? rw, int rwVersion, int rwSize, byte[]? ros, int rosVersion, int rosSize, byte[]? rod, int rodVersion, int rodSize);
        [DllImport("iphlpapi.dll")] private static extern uint GetPerTcp6ConnectionEStats(byte[] row, int type, byte[]? rw, int rwVersion, int rwSize, byte[]? ros, int rosVersion, int rosSize, byte[]? rod, int rodVersion, int rodSize);
        [DllImport("iphlpapi.dll")] private static extern uint SetPerTcpConnectionEStats(byte[] row, int type, byte[] rw, int rwVersion, int rwSize, int offset);
        [DllImport("iphlpapi.dll")] private static extern uint SetPerTcp6ConnectionEStats(byte[] row, int type, byte[] rw, int rwVersion, int rwSize, int offset);

        private readonly List<string> _limitations = new List<string>();
        private readonly Dictionary<int, string?> _names = new Dictionary<int, string?>();
        private bool _enableRefused, _estatsMissing;

        public IReadOnlyList<string> Limitations => _limitations;

        public IReadOnlyList<SocketEntry> Read()
        {
            var list = new List<SocketEntry>();
            ReadFamily(AF_INET, list);
            ReadFamily(AF_INET6, list);
            _names.Clear();
            _limitations.Clear();
            _limitations.Add("Windows gives no lost-segment count and no time since the last send or receive: LostSegments, LastSendMs and LastReceiveMs are empty.");
            if (_enableRefused)
                _limitations.Add("RttMs, RttVarMs, Retransmissions, CongestionWindow, BytesSent and BytesReceived need Administrator to switch on the " +
                                 "kernel's per-connection statistics (SetPerTcpConnectionEStats); they are empty where nobody has switched them on.");
            if (_estatsMissing)
                _limitations.Add("This system does not give per-connection statistics (GetPerTcpConnectionEStats failed): RttMs, RttVarMs, Retransmissions, " +
                                 "CongestionWindow, BytesSent and BytesReceived are empty.");
            return list;
        }

        private void ReadFamily(int af, List<SocketEntry> list)
        {
            bool module = true;
            byte[]? table = Fetch(af, TCP_TABLE_OWNER_MODULE_ALL);
            if (table is null) { module = false; table = Fetch(af, TCP_TABLE_OWNER_PID_ALL); }
            if (table is null)
                throw new ConnectionException(ConnectionException.Unavailable, $"GetExtendedTcpTable refused the {(af == AF_INET ? "IPv4" : "IPv6")} table.");
            int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(table);
            int rowSize = af == AF_INET ? (module ? 160 : 24) : (module ? 192 : 56);
            int start = module ? 8 : 4;
            long nowFileTime = DateTime.UtcNow.ToFileTimeUtc();
            for (int i = 0; i < count && start + (i + 1) * rowSize <= table.Length; i++)
            {
                var row = table.AsSpan(start + i * rowSize, rowSize);
                var e = new SocketEntry { Source = "GetExtendedTcpTable" };
                int pid;
                if (af == AF_INET)
                {
                    e.State = FromWindows(BinaryPrimitives.ReadUInt32LittleEndian(row));
                    e.LocalAddress = new IPAddress(row.Slice(4, 4).ToArray());
                    e.LocalPort = BinaryPrimitives.ReadUInt16BigEndian(row.Slice(8));
                    e.RemoteAddress = new IPAddress(row.Slice(12, 4).ToArray());
                    e.RemotePort = BinaryPrimitives.ReadUInt16BigEndian(row.Slice(16));
                    pid = (int)BinaryPrimitives.ReadUInt32LittleEndian(row.Slice(20));
                    if (module) Age(e, BinaryPrimitives.ReadInt64LittleEndian(row.Slice(24)), nowFileTime);
                }
                else
                {
                    e.LocalAddress = new IPAddress(row.Slice(0, 16).ToArray(), BinaryPrimitives.ReadUInt32LittleEndian(row.Slice(16)));
                    e.LocalPort = BinaryPrimitives.ReadUInt16BigEndian(row.Slice(20));
                    e.RemoteAddress = new IPAddress(row.Slice(24, 16).ToArray(), BinaryPrimitives.ReadUInt32LittleEndian(row.Slice(40)));
                    e.RemotePort = BinaryPrimitives.ReadUInt16BigEndian(row.Slice(44));
                    e.State = FromWindows(BinaryPrimitives.ReadUInt32LittleEndian(row.Slice(48)));
                    pid = (int)BinaryPrimitives.ReadUInt32LittleEndian(row.Slice(52));
                    if (module) Age(e, BinaryPrimitives.ReadInt64LittleEndian(row.Slice(56)), nowFileTime);
                }
                if (e.State == TcpState.Listen) continue;
                if (pid > 0)
                {
                    e.ProcessId = pid;
                    e.ProcessName = ProcessName(pid);
                    if (e.ProcessName is null) e.Attribution = $"Process {pid} ended, or its name is hidden from this user.";
                }
                else e.Attribution = e.State == TcpState.TimeWait
                    ? "No process holds this socket any more (TimeWait)."
                    : "The system names no owning process (process id 0): Windows gives it for the System Idle Process's sockets, Wine for every socket.";
                if (e.State == TcpState.Established) Statistics(af, row, e);
                list.Add(e);
            }
        }

        private static void Age(SocketEntry e, long created, long now)
        {
            if (created > 0 && created <= now) e.AgeSec = (now - created) / 1e7;
        }

        private static byte[]? Fetch(int af, int tableClass)
        {
            int size = 0;
            for (int attempt = 0; attempt < 5; attempt++)
            {
                byte[]? buffer = size == 0 ? null : new byte[size];
                uint rc = GetExtendedTcpTable(buffer, ref size, false, af, tableClass, 0);
                if (rc == 0 && buffer != null) return buffer;
                if (rc != ERROR_INSUFFICIENT_BUFFER && !(rc == 0 && buffer is null)) return null;
                size += 4096; // the table may grow between the two calls
            }
            return null;
        }

        /// <summary>The EStats row: MIB_TCPROW (IPv4: state, addresses, ports) or MIB_TCP6ROW.</summary>
        private static byte[] EstatsRow(int af, ReadOnlySpan<byte> row, SocketEntry e)
        {
            if (af == AF_INET)
            {
                var r = new byte[20];
                row.Slice(0, 20).CopyTo(r);
                return r;
            }
            var r6 = new byte[52];
            BinaryPrimitives.WriteUInt32LittleEndian(r6, (uint)ToWindows(e.State));
            row.Slice(0, 48).CopyTo(r6.AsSpan(4));
            return r6;
        }

        private void Statistics(int af, ReadOnlySpan<byte> tableRow, SocketEntry e)
        {
            var row = EstatsRow(af, tableRow, e);
            var data = Rod(af, row, EstatsData, 96);
            var path = Rod(af, row, EstatsPath, 160);
            var cong = Rod(af, row, EstatsSndCong, 88);
            if (data != null)
            {
                e.BytesSent = (long)BinaryPrimitives.ReadUInt64LittleEndian(data);
                e.BytesReceived = (long)BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(16));
            }
            if (path != null)
            {
                e.Retransmissions = BinaryPrimitives.ReadUInt32LittleEndian(path.AsSpan(20));
                uint smoothed = BinaryPrimitives.ReadUInt32LittleEndian(path.AsSpan(108));
                if (smoothed != uint.MaxValue) e.RttMs = smoothed;
                uint var = BinaryPrimitives.ReadUInt32LittleEndian(path.AsSpan(112));
                if (var != uint.MaxValue) e.RttVarMs = var;
            }
            if (cong != null) e.CongestionWindow = BinaryPrimitives.ReadUInt32LittleEndian(cong.AsSpan(60));
            if (data != null || path != null || cong != null) e.Source = "GetExtendedTcpTable, EStats";
        }

        /// <summary>One EStats read-only block, switching collection on first when it is off and this process may; null when unavailable.</summary>
        private byte[]? Rod(int af, byte[] row, int type, int size)
        {
            if (_estatsMissing) return null;
            var rw = new byte[1];
            var rod = new byte[size];
            uint rc;
            try { rc = Get(af, row, type, rw, rod); }
            catch (Exception ex) when (ex is EntryPointNotFoundException || ex is DllNotFoundException) { _estatsMissing = true; return null; }
            if (rc != 0) { if (rc != 1168 /* ERROR_NOT_FOUND: closed meanwhile */) _estatsMissing = true; return null; }
            if (rw[0] != 0) return rod;
            if (_enableRefused) return null;
            uint set;
            try { set = af == AF_INET ? SetPerTcpConnectionEStats(row, type, new byte[] { 1 }, 0, 1, 0) : SetPerTcp6ConnectionEStats(row, type, new byte[] { 1 }, 0, 1, 0); }
            catch (EntryPointNotFoundException) { _estatsMissing = true; return null; }
            if (set == ERROR_ACCESS_DENIED) { _enableRefused = true; return null; }
            if (set != 0) return null;
            return Get(af, row, type, rw, rod) == 0 && rw[0] != 0 ? rod : null;
        }

        private static uint Get(int af, byte[] row, int type, byte[] rw, byte[] rod) => af == AF_INET
            ? GetPerTcpConnectionEStats(row, type, rw, 0, rw.Length, null, 0, 0, rod, 0, rod.Length)
            : GetPerTcp6ConnectionEStats(row, type, rw, 0, rw.Length, null, 0, 0, rod, 0, rod.Length);

        private string? ProcessName(int pid)
        {
            if (_names.TryGetValue(pid, out var name)) return name;
            try
            {
                using var p = Process.GetProcessById(pid);
                name = p.ProcessName;
            }
            catch (Exception ex) when (ex is ArgumentException || ex is InvalidOperationException || ex is System.ComponentModel.Win32Exception) { name = null; }
            _names[pid] = name;
            return name;
        }

        /// <summary>MIB_TCP_STATE: 1 CLOSED ... 12 DELETE_TCB.</summary>
        internal static TcpState FromWindows(uint state) => state >= 1 && state <= 12 ? (TcpState)state : TcpState.Unknown;

        private static int ToWindows(TcpState state) => (int)state;
    }
}
