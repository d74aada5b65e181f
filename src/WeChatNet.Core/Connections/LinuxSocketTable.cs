using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace WeChatNet.Connections
{
    /// <summary>
    /// Linux: the socket table from <see cref="LinuxSocketDiag"/>, joined to processes by socket inode through
    /// /proc/PID/fd (as ss -p does). Unprivileged, only the caller's own processes' descriptors are readable: another
    /// user's connection keeps its owner (uid and name) and an <see cref="SocketEntry.Attribution"/> saying why its process is unknown.
    /// </summary>
    internal sealed class LinuxSocketTable : ISocketTable
    {
        private readonly string _proc;
        private Dictionary<uint, string>? _users;

        public LinuxSocketTable(string procRoot = "/proc") { _proc = procRoot; }

        [DllImport("libc", SetLastError = true)] private static extern IntPtr readlink(string path, byte[] buf, UIntPtr size);
        [DllImport("libc")] private static extern uint geteuid();

        public IReadOnlyList<string> Limitations { get; } = new[]
        {
            "Linux does not record when a connection was opened: AgeSec is empty (Get-WeChatConnection -Watch says when it saw one open).",
        };

        public IReadOnlyList<SocketEntry> Read()
        {
            var entries = LinuxSocketDiag.Dump();
            var wanted = new Dictionary<ulong, SocketEntry>();
            foreach (var e in entries)
                if (e.Inode != 0) wanted[e.Inode] = e;
            bool denied = false;
            if (wanted.Count > 0) denied = Attribute(wanted);
            uint me = geteuid();
            foreach (var e in entries)
            {
                if (e.Uid.HasValue) e.User = UserName(e.Uid.Value);
                if (e.ProcessId.HasValue) continue;
                if (e.Inode == 0)
                    e.Attribution = e.State == TcpState.Established || e.State == TcpState.SynReceived
                        ? "No process holds this socket yet: it waits in a listening socket's accept queue."
                        : $"No process holds this socket any more ({e.State}): the kernel keeps it only to finish closing.";
                else if (e.Uid.HasValue && e.Uid.Value != me && me != 0)
                    e.Attribution = $"Owned by user {e.User ?? e.Uid.Value.ToString(CultureInfo.InvariantCulture)} (uid {e.Uid.Value}): " +
                                    "only root can see which of another user's processes holds a socket (run as root, e.g. with sudo).";
                else if (denied && me != 0)
                    e.Attribution = "Its process's descriptors could not be read (another user's process, or /proc mounted with hidepid).";
                else
                    e.Attribution = "No process in this PID namespace holds it (the process exited, or lives in another container).";
            }
            return entries;
        }

        /// <summary>Finds the processes of the wanted inodes; true when some process's descriptors were not readable.</summary>
        private bool Attribute(Dictionary<ulong, SocketEntry> wanted)
        {
            bool denied = false;
            int left = wanted.Count;
            var buffer = new byte[256];
            IEnumerable<string> pids;
            try { pids = Directory.EnumerateDirectories(_proc); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { return true; }
            foreach (string dir in pids)
            {
                string name = Path.GetFileName(dir);
                if (name.Length == 0 || name[0] < '0' || name[0] > '9' || !int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
                IEnumerable<string> fds;
                try { fds = Directory.EnumerateFileSystemEntries(dir + "/fd"); }
                catch (UnauthorizedAccessException) { denied = true; continue; }
                catch (IOException) { continue; }
                string? processName = null;
                try
                {
                    foreach (string fd in fds)
                    {
                        long n = (long)readlink(fd, buffer, (UIntPtr)buffer.Length);
                        // "socket:[12345]"
                        if (n < 10 || buffer[0] != (byte)'s' || buffer[6] != (byte)':' || buffer[7] != (byte)'[') continue;
                        ulong inode = 0;
                        for (int i = 8; i < n && buffer[i] != (byte)']'; i++) inode = inode * 10 + (ulong)(buffer[i] - '0');
                        if (!wanted.TryGetValue(inode, out var entry) || entry.ProcessId.HasValue) continue;
                        entry.ProcessId = pid;
                        entry.ProcessName = processName ??= Comm(dir);
                        left--;
                    }
                }
                catch (UnauthorizedAccessException) { denied = true; }
                catch (IOException) { /* the process ended while we read it */ }
                if (left == 0) break;
            }
            return denied;
        }

        private static string? Comm(string dir)
        {
            try { return File.ReadAllText(dir + "/comm").TrimEnd('\n'); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { return null; }
        }

        /// <summary>A uid's name from /etc/passwd (read once), or null.</summary>
        private string? UserName(uint uid)
        {
            if (_users is null)
            {
                _users = new Dictionary<uint, string>();
                try
                {
                    foreach (string line in File.ReadLines("/etc/passwd", Encoding.UTF8))
                    {
                        var cols = line.Split(':');
                        if (cols.Length > 2 && uint.TryParse(cols[2], NumberStyles.None, CultureInfo.InvariantCulture, out uint id) && !_users.ContainsKey(id))
                            _users[id] = cols[0];
                    }
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { /* names stay unknown */ }
            }
            return _users.TryGetValue(uid, out var n) ? n : null;
        }
    }
}
