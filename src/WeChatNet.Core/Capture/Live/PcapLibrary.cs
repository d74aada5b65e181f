using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace WeChatNet.Capture.Live
{
    /// <summary>
    /// The libpcap (or Npcap's wpcap.dll) functions the module uses, resolved at run time from the platform's runtime
    /// library: never the development symlink libpcap.so, which only -dev packages install.
    /// </summary>
    internal sealed class PcapLibrary
    {
        public const int ErrbufSize = 256;
        public const string LibraryPathVariable = "WECHATNET_PCAP_LIBRARY";

        private static readonly object s_gate = new object();
        private static PcapLibrary? s_default;
        private static readonly Dictionary<string, PcapLibrary> s_byPath = new Dictionary<string, PcapLibrary>(StringComparer.Ordinal);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int FindAllDevs(out IntPtr alldevs, IntPtr errbuf);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate void FreeAllDevs(IntPtr alldevs);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate IntPtr Create([MarshalAs(UnmanagedType.LPStr)] string source, IntPtr errbuf);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int SetInt(IntPtr p, int value);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int HandleOp(IntPtr p);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate void HandleVoid(IntPtr p);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate IntPtr HandleString(IntPtr p);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate IntPtr StatusToStr(int error);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate IntPtr LibVersion();
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int Compile(IntPtr p, IntPtr program, [MarshalAs(UnmanagedType.LPStr)] string filter, int optimize, uint netmask);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int SetFilter(IntPtr p, IntPtr program);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate void FreeCode(IntPtr program);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int Stats(IntPtr p, IntPtr stats);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] public delegate int SetNonBlock(IntPtr p, int nonblock, IntPtr errbuf);

        private PcapLibrary(IntPtr handle, string path)
        {
            Handle = handle;
            Path = path;
            pcap_findalldevs = Required<FindAllDevs>("pcap_findalldevs");
            pcap_freealldevs = Required<FreeAllDevs>("pcap_freealldevs");
            pcap_create = Required<Create>("pcap_create");
            pcap_set_snaplen = Required<SetInt>("pcap_set_snaplen");
            pcap_set_promisc = Required<SetInt>("pcap_set_promisc");
            pcap_set_timeout = Required<SetInt>("pcap_set_timeout");
            pcap_set_buffer_size = Required<SetInt>("pcap_set_buffer_size");
            pcap_set_immediate_mode = Optional<SetInt>("pcap_set_immediate_mode");
            pcap_set_tstamp_precision = Optional<SetInt>("pcap_set_tstamp_precision");
            pcap_get_tstamp_precision = Optional<HandleOp>("pcap_get_tstamp_precision");
            pcap_activate = Required<HandleOp>("pcap_activate");
            pcap_geterr = Required<HandleString>("pcap_geterr");
            pcap_statustostr = Required<StatusToStr>("pcap_statustostr");
            pcap_lib_version = Required<LibVersion>("pcap_lib_version");
            pcap_compile = Required<Compile>("pcap_compile");
            pcap_setfilter = Required<SetFilter>("pcap_setfilter");
            pcap_freecode = Required<FreeCode>("pcap_freecode");
            NextExEntry = RequiredSymbol("pcap_next_ex");
            pcap_stats = Required<Stats>("pcap_stats");
            pcap_breakloop = Required<HandleVoid>("pcap_breakloop");
            pcap_setnonblock = Optional<SetNonBlock>("pcap_setnonblock");
            pcap_get_selectable_fd = Optional<HandleOp>("pcap_get_selectable_fd");
            pcap_close = Required<HandleVoid>("pcap_close");
            pcap_datalink = Required<HandleOp>("pcap_datalink");
            IntPtr v = pcap_lib_version();
            Version = v == IntPtr.Zero ? "unknown" : Marshal.PtrToStringAnsi(v) ?? "unknown";
        }

        public IntPtr Handle { get; }
        public string Path { get; }
        public string Version { get; }

        public readonly FindAllDevs pcap_findalldevs;
        public readonly FreeAllDevs pcap_freealldevs;
        public readonly Create pcap_create;
        public readonly SetInt pcap_set_snaplen;
        public readonly SetInt pcap_set_promisc;
        public readonly SetInt pcap_set_timeout;
        public readonly SetInt pcap_set_buffer_size;
        public readonly SetInt? pcap_set_immediate_mode;
        public readonly SetInt? pcap_set_tstamp_precision;
        public readonly HandleOp? pcap_get_tstamp_precision;
        public readonly HandleOp pcap_activate;
        public readonly HandleString pcap_geterr;
        public readonly StatusToStr pcap_statustostr;
        public readonly LibVersion pcap_lib_version;
        public readonly Compile pcap_compile;
        public readonly SetFilter pcap_setfilter;
        public readonly FreeCode pcap_freecode;
        /// <summary>
        /// pcap_next_ex's address, for the capture loop's call through an unmanaged function pointer: a direct call the JIT
        /// inlines, where the delegate above goes through a marshalling stub for its two out parameters on every packet.
        /// </summary>
        public readonly IntPtr NextExEntry;
        public readonly Stats pcap_stats;
        public readonly HandleVoid pcap_breakloop;
        public readonly SetNonBlock? pcap_setnonblock;
        /// <summary>The descriptor a reader can poll (Linux, macOS; absent on Windows).</summary>
        public readonly HandleOp? pcap_get_selectable_fd;
        public readonly HandleVoid pcap_close;
        public readonly HandleOp pcap_datalink;

        /// <summary>
        /// The library for this process: <paramref name="explicitPath"/> if given, else the WECHATNET_PCAP_LIBRARY environment
        /// variable, else the platform's usual places. Each library is loaded once; a failure is reported on every call
        /// (tests use a wrong path to see the missing-library error).
        /// </summary>
        public static PcapLibrary Load(string? explicitPath = null)
        {
            if (string.IsNullOrEmpty(explicitPath)) explicitPath = Environment.GetEnvironmentVariable(LibraryPathVariable);
            lock (s_gate)
            {
                if (string.IsNullOrEmpty(explicitPath)) return s_default ??= LoadFrom(Candidates(), null);
                // Loaded libraries stay loaded for the process (as the runtime does with DllImport); failures are not cached.
                if (!s_byPath.TryGetValue(explicitPath!, out var lib)) s_byPath[explicitPath!] = lib = LoadFrom(new[] { explicitPath! }, explicitPath);
                return lib;
            }
        }

        /// <summary>Where each platform keeps its runtime capture library, in the order tried.</summary>
        public static IReadOnlyList<string> Candidates()
        {
            if (NativeLibraryLoader.IsWindows)
            {
                string system = Environment.GetFolderPath(Environment.SpecialFolder.System);
                return new[]
                {
                    System.IO.Path.Combine(system, "Npcap", "wpcap.dll"), // Npcap's own folder (the normal install)
                    System.IO.Path.Combine(system, "wpcap.dll"),          // Npcap in "WinPcap API-compatible mode", or old WinPcap
                };
            }
            if (NativeLibraryLoader.IsMacOS)
                return new[] { "/usr/lib/libpcap.A.dylib", "libpcap.A.dylib", "/opt/homebrew/opt/libpcap/lib/libpcap.A.dylib", "/usr/local/opt/libpcap/lib/libpcap.A.dylib" };
            // Linux and other Unix: the runtime sonames. libpcap.so.1 (Fedora, Arch, Alpine, SUSE), libpcap.so.0.8 (Debian, Ubuntu).
            return new[] { "libpcap.so.1", "libpcap.so.0.8" };
        }

        /// <summary>How to install the capture library on this platform (part of the CaptureLibraryMissing message).</summary>
        public static string InstallAdvice()
        {
            if (NativeLibraryLoader.IsWindows)
                return "Install Npcap from https://npcap.com/#download (the Wireshark installer offers it too), then open a new PowerShell window.";
            if (NativeLibraryLoader.IsMacOS)
                return "libpcap is part of macOS (/usr/lib/libpcap.A.dylib); if it was removed, reinstall the Command Line Tools (xcode-select --install) or run 'brew install libpcap'.";
            return "Install libpcap: 'sudo apt-get install libpcap0.8' (Debian, Ubuntu), 'sudo dnf install libpcap' (Fedora, RHEL), " +
                   "'sudo zypper install libpcap1' (SUSE), 'sudo pacman -S libpcap' (Arch) or 'sudo apk add libpcap' (Alpine).";
        }

        private static PcapLibrary LoadFrom(IReadOnlyList<string> candidates, string? explicitPath)
        {
            var reasons = new List<string>();
            foreach (var candidate in candidates)
            {
                if (NativeLibraryLoader.IsWindows && System.IO.Path.IsPathRooted(candidate) && !File.Exists(candidate))
                {
                    reasons.Add($"{candidate}: not found");
                    continue;
                }
                IntPtr h;
                string? error;
                try { h = NativeLibraryLoader.TryLoad(candidate, out error); }
                catch (DllNotFoundException e) { h = IntPtr.Zero; error = e.Message; }
                if (h == IntPtr.Zero)
                {
                    reasons.Add($"{candidate}: {error}");
                    continue;
                }
                try
                {
                    return new PcapLibrary(h, candidate);
                }
                catch (EntryPointNotFoundException e)
                {
                    NativeLibraryLoader.Free(h);
                    reasons.Add($"{candidate}: {e.Message}");
                }
            }
            string what = explicitPath != null
                ? $"The capture library '{explicitPath}' (given by -LibraryPath or {LibraryPathVariable}) could not be loaded"
                : "No packet-capture library (libpcap or Npcap) was found";
            throw new LiveCaptureException(LiveCaptureErrorKind.LibraryMissing,
                $"{what}. {InstallAdvice()} Tried: {string.Join("; ", reasons)}.");
        }

        private IntPtr RequiredSymbol(string name)
        {
            IntPtr p = NativeLibraryLoader.Symbol(Handle, name);
            return p != IntPtr.Zero ? p : throw new EntryPointNotFoundException($"{Path} has no function {name}; it is too old (libpcap 1.0 or later is needed).");
        }

        private T Required<T>(string name) where T : Delegate =>
            Optional<T>(name) ?? throw new EntryPointNotFoundException($"{Path} has no function {name}; it is too old (libpcap 1.0 or later is needed).");

        private T? Optional<T>(string name) where T : Delegate
        {
            IntPtr p = NativeLibraryLoader.Symbol(Handle, name);
            return p == IntPtr.Zero ? null : Marshal.GetDelegateForFunctionPointer<T>(p);
        }

        public string ErrorText(IntPtr pcap)
        {
            IntPtr p = pcap_geterr(pcap);
            return p == IntPtr.Zero ? "" : Marshal.PtrToStringAnsi(p) ?? "";
        }

        public string StatusText(int status)
        {
            IntPtr p = pcap_statustostr(status);
            return p == IntPtr.Zero ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : Marshal.PtrToStringAnsi(p) ?? "";
        }
    }
}
