using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace WeChatNet.Capture.Live
{
    /// <summary>How a live handle is opened (pcap_create + pcap_set_* before pcap_activate).</summary>
    internal sealed class PcapOpenOptions
    {
        public int SnapLength { get; set; } = 262144;
        public bool Promiscuous { get; set; }
        public bool ImmediateMode { get; set; } = true;
        /// <summary>Kernel buffer in bytes (pcap_set_buffer_size).</summary>
        public int BufferSize { get; set; } = 8 * 1024 * 1024;
        /// <summary>Packet buffer timeout in milliseconds: how long pcap_next_ex waits before returning with nothing.</summary>
        public int TimeoutMs { get; set; } = 100;
        /// <summary>Ask for nanosecond timestamps (pcap_set_tstamp_precision); falls back to microseconds where unsupported.</summary>
        public bool NanosecondTimestamps { get; set; } = true;
    }

    /// <summary>One packet as libpcap returned it; Data is only valid until the next call on the handle.</summary>
    internal readonly struct RawPacket
    {
        public RawPacket(long timestampNs, int capturedLength, int originalLength, IntPtr data)
        {
            TimestampNs = timestampNs;
            CapturedLength = capturedLength;
            OriginalLength = originalLength;
            Data = data;
        }

        /// <summary>Unix time in nanoseconds.</summary>
        public long TimestampNs { get; }
        public int CapturedLength { get; }
        public int OriginalLength { get; }
        public IntPtr Data { get; }
    }

    /// <summary>Kernel counters from pcap_stats.</summary>
    internal readonly struct PcapStatistics
    {
        public PcapStatistics(long received, long dropped, long interfaceDropped)
        {
            Received = received;
            Dropped = dropped;
            InterfaceDropped = interfaceDropped;
        }

        /// <summary>ps_recv: packets that passed the filter (platform-specific meaning, see pcap_stats(3PCAP)).</summary>
        public long Received { get; }
        /// <summary>ps_drop: packets dropped because the capture buffer was full.</summary>
        public long Dropped { get; }
        /// <summary>ps_ifdrop: packets dropped by the interface or its driver.</summary>
        public long InterfaceDropped { get; }
    }

    internal enum NextResult
    {
        Packet,
        Timeout,
        Break,
    }

    /// <summary>
    /// An activated libpcap capture handle. Reading (Next, Statistics, Dispose) belongs to one thread;
    /// BreakLoop may be called from any thread to make a blocked Next return.
    /// </summary>
    internal sealed class PcapHandle : IDisposable
    {
        private const int PcapError = -1, PcapErrorBreak = -2, NoSuchDevice = -5, PermDenied = -8, IfaceNotUp = -9,
            PromiscPermDenied = -11, TstampPrecisionNotSup = -12;
        private const int WarningPromiscNotSup = 2, WarningTstampTypeNotSup = 3;

        private readonly PcapLibrary _lib;
        private IntPtr _p;
        private int _breakRequested;
        private bool _nonBlocking;
        /// <summary>Buffered mode on Linux: the packet socket Next waits on itself, with the read timeout (-1: libpcap waits).</summary>
        private int _idleWaitFd = -1;
        private int _idleWaitMs;
        private readonly object _closeGate = new object();
        private readonly bool _windowsTimeval;
        private readonly bool _macTimeval;
        private readonly IntPtr _nextEx;

        private PcapHandle(PcapLibrary lib, IntPtr p, string device)
        {
            _lib = lib;
            _p = p;
            Device = device;
            _windowsTimeval = NativeLibraryLoader.IsWindows;
            _macTimeval = NativeLibraryLoader.IsMacOS;
            _nextEx = lib.NextExEntry;
        }

        public string Device { get; }
        public int LinkType { get; private set; }
        public bool Nanoseconds { get; private set; }
        /// <summary>Warnings pcap_activate or pcap_setfilter reported (the capture still runs).</summary>
        public System.Collections.Generic.List<string> Warnings { get; } = new System.Collections.Generic.List<string>();
        public string LibraryVersion => _lib.Version;

        /// <summary>pcap_create, pcap_set_*, pcap_activate; every failure becomes a LiveCaptureException with a clear message.</summary>
        public static PcapHandle Open(PcapLibrary lib, string device, PcapOpenOptions options)
        {
            IntPtr errbuf = Marshal.AllocHGlobal(PcapLibrary.ErrbufSize);
            IntPtr p;
            try
            {
                Marshal.WriteByte(errbuf, 0);
                p = lib.pcap_create(device, errbuf);
                if (p == IntPtr.Zero)
                {
                    string err = Marshal.PtrToStringAnsi(errbuf) ?? "";
                    throw new LiveCaptureException(CaptureDevices.IsPermission(err) ? LiveCaptureErrorKind.PermissionDenied : LiveCaptureErrorKind.OpenFailed,
                        $"Cannot open interface '{device}': {err}");
                }
            }
            finally
            {
                Marshal.FreeHGlobal(errbuf);
            }
            var handle = new PcapHandle(lib, p, device);
            try
            {
                handle.Activate(options);
                return handle;
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }

        private void Activate(PcapOpenOptions o)
        {
            Check(_lib.pcap_set_snaplen(_p, o.SnapLength), "set the snapshot length");
            Check(_lib.pcap_set_promisc(_p, o.Promiscuous ? 1 : 0), "set promiscuous mode");
            Check(_lib.pcap_set_timeout(_p, o.TimeoutMs), "set the read timeout");
            if (o.BufferSize > 0) Check(_lib.pcap_set_buffer_size(_p, o.BufferSize), "set the buffer size");
            if (o.ImmediateMode && _lib.pcap_set_immediate_mode != null) Check(_lib.pcap_set_immediate_mode(_p, 1), "set immediate mode");
            if (o.NanosecondTimestamps && _lib.pcap_set_tstamp_precision != null)
            {
                int rc = _lib.pcap_set_tstamp_precision(_p, 1);
                if (rc != 0 && rc != TstampPrecisionNotSup) Check(rc, "set nanosecond timestamps");
            }

            int status = _lib.pcap_activate(_p);
            if (status < 0) throw ActivateError(status);
            if (status > 0)
            {
                string detail = _lib.ErrorText(_p);
                Warnings.Add(status switch
                {
                    WarningPromiscNotSup => $"Interface '{Device}' does not support promiscuous mode; capturing only traffic to and from this machine. {detail}",
                    WarningTstampTypeNotSup => $"Interface '{Device}' does not support the requested timestamp type; using the default. {detail}",
                    _ => $"libpcap warning on '{Device}': {(detail.Length > 0 ? detail : _lib.StatusText(status))}",
                });
            }
            LinkType = _lib.pcap_datalink(_p);
            Nanoseconds = _lib.pcap_get_tstamp_precision != null && _lib.pcap_get_tstamp_precision(_p) == 1;
            if (!o.ImmediateMode && NativeLibraryLoader.IsLinux) UseOwnIdleWait(o.TimeoutMs);
        }

        /// <summary>
        /// In buffered mode (TPACKET_V3) libpcap on Linux waits for the kernel's next block with no timeout of its own: the
        /// kernel times out only a block that holds packets, so once the interface goes quiet pcap_next_ex never returns and
        /// the reader never learns it is idle (what it buffered would stay in memory until the next packet). Instead the
        /// handle reads without blocking and Next waits on the packet socket itself, for at most the read timeout. Without
        /// pcap_get_selectable_fd, pcap_setnonblock or libc's poll, libpcap's own wait stays (the old behaviour).
        /// </summary>
        private void UseOwnIdleWait(int timeoutMs)
        {
            if (_lib.pcap_get_selectable_fd is null || _lib.pcap_setnonblock is null || timeoutMs <= 0) return;
            int fd = _lib.pcap_get_selectable_fd(_p);
            if (fd < 0) return;
            try { Libc.WaitReadable(fd, 0); }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException) { return; }
            IntPtr errbuf = Marshal.AllocHGlobal(PcapLibrary.ErrbufSize);
            try { if (_lib.pcap_setnonblock(_p, 1, errbuf) != 0) return; }
            finally { Marshal.FreeHGlobal(errbuf); }
            _nonBlocking = true;
            _idleWaitFd = fd;
            _idleWaitMs = timeoutMs;
        }

        private void Check(int rc, string what)
        {
            if (rc == 0) return;
            throw new LiveCaptureException(LiveCaptureErrorKind.OpenFailed, $"Cannot {what} on '{Device}': {_lib.StatusText(rc)}.");
        }

        private LiveCaptureException ActivateError(int status)
        {
            string detail = _lib.ErrorText(_p);
            string text = detail.Length > 0 ? detail : _lib.StatusText(status);
            switch (status)
            {
                case NoSuchDevice:
                    return new LiveCaptureException(LiveCaptureErrorKind.InterfaceNotFound,
                        $"There is no capture interface named '{Device}' ({text}). Run Get-WeChatCaptureDevice to list the interfaces.");
                case PermDenied:
                case PromiscPermDenied:
                    return new LiveCaptureException(LiveCaptureErrorKind.PermissionDenied,
                        $"This process may not capture on '{Device}' ({text}). {PermissionAdvice()}");
                case IfaceNotUp:
                    return new LiveCaptureException(LiveCaptureErrorKind.InterfaceNotUp,
                        $"Interface '{Device}' is down ({text}). Bring it up (e.g. 'ip link set {Device} up') or pick another one with Get-WeChatCaptureDevice.");
                default:
                    // Some platforms report a missing device or missing rights only in the text of PCAP_ERROR.
                    if (CaptureDevices.IsPermission(text))
                        return new LiveCaptureException(LiveCaptureErrorKind.PermissionDenied, $"This process may not capture on '{Device}' ({text}). {PermissionAdvice()}");
                    if (text.IndexOf("No such device", StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("doesn't exist", StringComparison.OrdinalIgnoreCase) >= 0)
                        return new LiveCaptureException(LiveCaptureErrorKind.InterfaceNotFound,
                            $"There is no capture interface named '{Device}' ({text}). Run Get-WeChatCaptureDevice to list the interfaces.");
                    return new LiveCaptureException(LiveCaptureErrorKind.OpenFailed, $"Cannot start capturing on '{Device}': {text}");
            }
        }

        /// <summary>The exact remedy for missing capture rights on this platform.</summary>
        public static string PermissionAdvice()
        {
            if (NativeLibraryLoader.IsWindows)
                return "Npcap was installed with 'Restrict Npcap driver's access to Administrators only': run PowerShell as Administrator, " +
                       "or reinstall Npcap without that option.";
            if (NativeLibraryLoader.IsMacOS)
                return "Capturing needs read access to /dev/bpf*: run 'sudo pwsh', or install Wireshark's ChmodBPF helper " +
                       "(adds you to the access_bpf group) and log in again.";
            return "Capturing needs root or the CAP_NET_RAW and CAP_NET_ADMIN capabilities: run 'sudo pwsh', or grant them once with " +
                   "'sudo setcap cap_net_raw,cap_net_admin+eip \"$(readlink -f \"$(command -v pwsh)\")\"'.";
        }

        /// <summary>Compiles and installs a BPF filter (optimised, netmask unknown); libpcap's own error text on failure.</summary>
        public void SetFilter(string filter)
        {
            // struct bpf_program { u_int bf_len; struct bpf_insn *bf_insns; }: 2 pointers' worth is enough with padding.
            IntPtr program = Marshal.AllocHGlobal(2 * IntPtr.Size);
            try
            {
                for (int i = 0; i < 2 * IntPtr.Size; i++) Marshal.WriteByte(program, i, 0);
                if (_lib.pcap_compile(_p, program, filter, 1, 0xFFFFFFFF) != 0)
                    throw new LiveCaptureException(LiveCaptureErrorKind.FilterInvalid, $"The capture filter is not valid BPF: {_lib.ErrorText(_p)}. Filter: {Shorten(filter)}");
                try
                {
                    if (_lib.pcap_setfilter(_p, program) != 0)
                        throw new LiveCaptureException(LiveCaptureErrorKind.FilterInvalid, $"The capture filter could not be installed on '{Device}': {_lib.ErrorText(_p)}");
                }
                finally
                {
                    _lib.pcap_freecode(program);
                }
            }
            finally
            {
                Marshal.FreeHGlobal(program);
            }
        }

        private static string Shorten(string s) => s.Length <= 200 ? s : s.Substring(0, 200) + "...";

        /// <summary>pcap_next_ex: one packet, a timeout with nothing, or the end after BreakLoop.</summary>
        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        public NextResult Next(out RawPacket packet)
        {
            packet = default;
            if (Volatile.Read(ref _breakRequested) != 0) return NextResult.Break;
            int rc = NextEx(out IntPtr header, out IntPtr data);
            if (rc == 0 && _idleWaitFd >= 0)
            {
                // Nothing handed over yet: wait for the kernel's next block (or an error: the interface going away), for at
                // most the read timeout; a quiet timeout is the idle the caller acts on. A stop is seen within that timeout.
                if (Libc.WaitReadable(_idleWaitFd, _idleWaitMs) == 0 || Volatile.Read(ref _breakRequested) != 0)
                    return Volatile.Read(ref _breakRequested) != 0 ? NextResult.Break : NextResult.Timeout;
                rc = NextEx(out header, out data);
            }
            switch (rc)
            {
                case 1:
                    packet = ReadHeader(header, data);
                    return NextResult.Packet;
                case 0:
                    return Volatile.Read(ref _breakRequested) != 0 ? NextResult.Break : NextResult.Timeout;
                case PcapErrorBreak:
                    return NextResult.Break;
                default:
                    string text = rc == PcapError ? _lib.ErrorText(_p) : _lib.StatusText(rc);
                    if (text.IndexOf("went down", StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("no longer exists", StringComparison.OrdinalIgnoreCase) >= 0)
                        throw new LiveCaptureException(LiveCaptureErrorKind.ReadFailed, $"Interface '{Device}' went away during the capture: {text}");
                    throw new LiveCaptureException(LiveCaptureErrorKind.ReadFailed, $"Reading packets from '{Device}' failed: {text}");
            }
        }

        /// <summary>
        /// After a break: the next packet libpcap already holds or the kernel has already handed over, without waiting
        /// (the handle is switched to non-blocking on the first call). Timeout means nothing is pending right now. Packets
        /// the kernel accepted before a stop sit in a buffer block it hands over only when the block is full or its
        /// timeout (<see cref="PcapOpenOptions.TimeoutMs"/>) passes, so a caller drains until that timeout has passed.
        /// </summary>
        public NextResult NextPending(out RawPacket packet)
        {
            packet = default;
            if (!_nonBlocking)
            {
                if (_lib.pcap_setnonblock is null) return NextResult.Break;
                IntPtr errbuf = Marshal.AllocHGlobal(PcapLibrary.ErrbufSize);
                try { if (_lib.pcap_setnonblock(_p, 1, errbuf) != 0) return NextResult.Break; }
                finally { Marshal.FreeHGlobal(errbuf); }
                _nonBlocking = true;
            }
            int rc = NextEx(out IntPtr header, out IntPtr data);
            if (rc == PcapErrorBreak) rc = NextEx(out header, out data); // the break flag is cleared by the call that saw it
            if (rc == 1)
            {
                packet = ReadHeader(header, data);
                return NextResult.Packet;
            }
            return rc == 0 ? NextResult.Timeout : NextResult.Break;
        }

        /// <summary>pcap_next_ex through its address (see <see cref="PcapLibrary.NextExEntry"/>): no marshalling stub per packet.</summary>
        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        private unsafe int NextEx(out IntPtr header, out IntPtr data)
        {
            IntPtr h, d;
            int rc = ((delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr*, int>)_nextEx)(_p, &h, &d);
            header = h;
            data = d;
            return rc;
        }

        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        private unsafe RawPacket ReadHeader(IntPtr header, IntPtr data)
        {
            // struct pcap_pkthdr { struct timeval ts; bpf_u_int32 caplen; bpf_u_int32 len; }
            // timeval: Windows two 32-bit longs; Linux two C longs; macOS a 64-bit tv_sec and a 32-bit tv_usec padded to 8.
            byte* h = (byte*)header;
            long sec, frac;
            int lengths;
            if (_windowsTimeval || IntPtr.Size != 8)
            {
                sec = *(uint*)h;
                frac = *(int*)(h + 4);
                lengths = 8;
            }
            else
            {
                sec = *(long*)h;
                frac = _macTimeval ? *(int*)(h + 8) : *(long*)(h + 8);
                lengths = 16;
            }
            int caplen = *(int*)(h + lengths);
            int len = *(int*)(h + lengths + 4);
            long ns = sec * 1_000_000_000L + (Nanoseconds ? frac : frac * 1000L);
            return new RawPacket(ns, caplen, len, data);
        }

        public PcapStatistics Statistics()
        {
            IntPtr buf = Marshal.AllocHGlobal(64);
            try
            {
                for (int i = 0; i < 64; i++) Marshal.WriteByte(buf, i, 0);
                if (_lib.pcap_stats(_p, buf) != 0) return default;
                // struct pcap_stat { u_int ps_recv; u_int ps_drop; u_int ps_ifdrop; ... }
                return new PcapStatistics((uint)Marshal.ReadInt32(buf), (uint)Marshal.ReadInt32(buf, 4), (uint)Marshal.ReadInt32(buf, 8));
            }
            finally
            {
                Marshal.FreeHGlobal(buf);
            }
        }

        /// <summary>Makes a blocked or future Next return Break. Safe from any thread, any number of times.</summary>
        public void BreakLoop()
        {
            if (Interlocked.Exchange(ref _breakRequested, 1) != 0) return;
            lock (_closeGate)
            {
                if (_p != IntPtr.Zero) _lib.pcap_breakloop(_p);
            }
        }

        public void Dispose()
        {
            lock (_closeGate)
            {
                if (_p == IntPtr.Zero) return;
                _lib.pcap_close(_p);
                _p = IntPtr.Zero;
            }
        }

        private static class Libc
        {
            private const short PollIn = 1;

            [StructLayout(LayoutKind.Sequential)]
            private struct PollFd
            {
                public int Fd;
                public short Events;
                public short Revents;
            }

            [DllImport("libc.so.6", EntryPoint = "poll")] private static extern int Poll(ref PollFd fds, UIntPtr count, int timeoutMs);

            /// <summary>Waits until <paramref name="fd"/> is readable or in error (> 0), or <paramref name="timeoutMs"/> passed (0); -1 on EINTR and the like.</summary>
            public static int WaitReadable(int fd, int timeoutMs)
            {
                var p = new PollFd { Fd = fd, Events = PollIn };
                return Poll(ref p, (UIntPtr)1, timeoutMs);
            }
        }
    }
}
