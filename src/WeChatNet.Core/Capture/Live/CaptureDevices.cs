using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;

namespace WeChatNet.Capture.Live
{
    /// <summary>Lists capture devices through pcap_findalldevs and marks the one carrying the default route.</summary>
    internal static class CaptureDevices
    {
        private const uint IfLoopback = 0x1, IfUp = 0x2, IfRunning = 0x4, IfWireless = 0x8, IfConnectionStatus = 0x30;

        /// <summary>Every device libpcap can open, in libpcap's order (it puts the most useful first).</summary>
        public static IReadOnlyList<CaptureDevice> List(string? libraryPath = null)
        {
            var lib = PcapLibrary.Load(libraryPath);
            var routes = DefaultRoutes();
            string? defaultKey = routes.Count > 0 ? routes[0].Interface : null;
            var friendlyNames = FriendlyNames();
            var result = new List<CaptureDevice>();
            IntPtr errbuf = Marshal.AllocHGlobal(PcapLibrary.ErrbufSize);
            try
            {
                Marshal.WriteByte(errbuf, 0);
                if (lib.pcap_findalldevs(out IntPtr all, errbuf) != 0)
                {
                    string err = Marshal.PtrToStringAnsi(errbuf) ?? "";
                    throw new LiveCaptureException(IsPermission(err) ? LiveCaptureErrorKind.PermissionDenied : LiveCaptureErrorKind.OpenFailed,
                        $"Listing capture devices failed: {err}" + (IsPermission(err) ? " " + PcapHandle.PermissionAdvice() : ""));
                }
                try
                {
                    // struct pcap_if { pcap_if *next; char *name; char *description; pcap_addr *addresses; bpf_u_int32 flags; }
                    for (IntPtr dev = all; dev != IntPtr.Zero; dev = Marshal.ReadIntPtr(dev))
                    {
                        string name = Marshal.PtrToStringAnsi(Marshal.ReadIntPtr(dev, IntPtr.Size)) ?? "";
                        IntPtr descPtr = Marshal.ReadIntPtr(dev, 2 * IntPtr.Size);
                        string description = descPtr == IntPtr.Zero ? "" : Marshal.PtrToStringAnsi(descPtr) ?? "";
                        var addresses = ReadAddresses(Marshal.ReadIntPtr(dev, 3 * IntPtr.Size));
                        uint flags = (uint)Marshal.ReadInt32(dev, 4 * IntPtr.Size);
                        string status = (flags & IfConnectionStatus) switch
                        {
                            0x10 => "Connected",
                            0x20 => "Disconnected",
                            0x30 => "NotApplicable",
                            _ => "Unknown",
                        };
                        string key = RouteKey(name);
                        string? gateway = routes.Where(r => string.Equals(r.Interface, key, StringComparison.OrdinalIgnoreCase)).Select(r => r.Gateway).FirstOrDefault();
                        bool isDefault = defaultKey != null && string.Equals(defaultKey, key, StringComparison.OrdinalIgnoreCase);
                        string friendly = friendlyNames.TryGetValue(key, out var f) ? f : name;
                        result.Add(new CaptureDevice(name, friendly, description, addresses, (flags & IfLoopback) != 0, (flags & IfUp) != 0,
                            (flags & IfRunning) != 0, (flags & IfWireless) != 0, status, isDefault, gateway));
                    }
                }
                finally
                {
                    lib.pcap_freealldevs(all);
                }
            }
            finally
            {
                Marshal.FreeHGlobal(errbuf);
            }
            return result;
        }

        /// <summary>
        /// The device a user means by <paramref name="name"/>: its libpcap name, else (for Windows, where libpcap names are
        /// \Device\NPF_{GUID}) the adapter's friendly name such as "Wi-Fi" or "Ethernet", else its description; null if none.
        /// </summary>
        public static CaptureDevice? Find(IReadOnlyList<CaptureDevice> devices, string name) =>
            devices.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal))
            ?? devices.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? devices.FirstOrDefault(d => string.Equals(d.FriendlyName, name, StringComparison.OrdinalIgnoreCase))
            ?? devices.FirstOrDefault(d => string.Equals(d.Description, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>Windows: adapter GUID -> friendly name ("Wi-Fi"); elsewhere libpcap's names are already the friendly ones.</summary>
        private static Dictionary<string, string> FriendlyNames()
        {
            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (!NativeLibraryLoader.IsWindows) return map;
            try
            {
                foreach (var nic in NetworkInterface.GetAllNetworkInterfaces()) map[nic.Id] = nic.Name;
            }
            catch (NetworkInformationException) { }
            return map;
        }

        /// <summary>The device carrying the default route, else the first up, running, non-loopback one, else null.</summary>
        public static CaptureDevice? Default(IReadOnlyList<CaptureDevice> devices) =>
            devices.FirstOrDefault(d => d.IsDefault)
            ?? devices.FirstOrDefault(d => d.IsUp && d.IsRunning && !d.IsLoopback && d.Addresses.Length > 0);

        internal static bool IsPermission(string text) =>
            text.IndexOf("permission", StringComparison.OrdinalIgnoreCase) >= 0 ||
            text.IndexOf("Operation not permitted", StringComparison.OrdinalIgnoreCase) >= 0 ||
            text.IndexOf("Access is denied", StringComparison.OrdinalIgnoreCase) >= 0;   // Npcap in admin-only mode

        private static string[] ReadAddresses(IntPtr addr)
        {
            var list = new List<string>();
            // struct pcap_addr { pcap_addr *next; sockaddr *addr; sockaddr *netmask; sockaddr *broadaddr; sockaddr *dstaddr; }
            for (int guard = 0; addr != IntPtr.Zero && guard < 256; addr = Marshal.ReadIntPtr(addr), guard++)
            {
                var ip = SockAddr(Marshal.ReadIntPtr(addr, IntPtr.Size));
                if (ip is null) continue;
                var mask = SockAddr(Marshal.ReadIntPtr(addr, 2 * IntPtr.Size));
                list.Add(mask is null || mask.AddressFamily != ip.AddressFamily ? ip.ToString() : ip + "/" + PrefixLength(mask));
            }
            return list.ToArray();
        }

        /// <summary>An IPv4 or IPv6 address from a struct sockaddr, or null for other families (AF_PACKET, AF_LINK) or no address.</summary>
        internal static IPAddress? SockAddr(IntPtr sa)
        {
            if (sa == IntPtr.Zero) return null;
            // BSD and macOS start with sa_len (1 byte) then sa_family (1 byte); Linux and Windows with a 2-byte family.
            int family = NativeLibraryLoader.IsMacOS ? Marshal.ReadByte(sa, 1) : (ushort)Marshal.ReadInt16(sa);
            if (family == 2)
            {
                var b = new byte[4];
                Marshal.Copy(sa + 4, b, 0, 4);
                return new IPAddress(b);
            }
            bool v6 = NativeLibraryLoader.IsWindows ? family == 23 : NativeLibraryLoader.IsMacOS ? family == 30 : family == 10;
            if (!v6) return null;
            var a = new byte[16];
            Marshal.Copy(sa + 8, a, 0, 16);
            uint scope = (uint)Marshal.ReadInt32(sa, 24);
            return new IPAddress(a, a[0] == 0xfe && (a[1] & 0xc0) == 0x80 ? scope : 0);
        }

        internal static int PrefixLength(IPAddress mask)
        {
            int bits = 0;
            foreach (byte b in mask.GetAddressBytes())
            {
                for (int i = 7; i >= 0 && (b & (1 << i)) != 0; i--) bits++;
                if (b != 0xff) break;
            }
            return bits;
        }

        /// <summary>Npcap names devices \Device\NPF_{GUID}; .NET names the same interface by {GUID}.</summary>
        private static string RouteKey(string pcapName)
        {
            const string npf = @"\Device\NPF_";
            return pcapName.StartsWith(npf, StringComparison.OrdinalIgnoreCase) ? pcapName.Substring(npf.Length) : pcapName;
        }

        /// <summary>Default routes as (interface name or Windows GUID, gateway), the preferred one first.</summary>
        internal static List<(string Interface, string Gateway)> DefaultRoutes()
        {
            var map = new List<(string Interface, string Gateway)>();
            if (NativeLibraryLoader.IsLinux)
            {
                ReadProcRoutes(map);
                return map;
            }
            try
            {
                foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
                {
                    foreach (var gw in nic.GetIPProperties().GatewayAddresses)
                    {
                        if (gw.Address is null || gw.Address.Equals(IPAddress.Any) || gw.Address.Equals(IPAddress.IPv6Any)) continue;
                        if (nic.OperationalStatus != OperationalStatus.Up) continue;
                        map.Add((nic.Id, gw.Address.ToString()));
                        map.Add((nic.Name, gw.Address.ToString()));
                    }
                }
            }
            catch (Exception e) when (e is PlatformNotSupportedException || e is NetworkInformationException)
            {
                // macOS: no gateway information from .NET; no interface is marked, Default() falls back to the first usable one.
            }
            return map;
        }

        /// <summary>Linux: the lowest-metric default route of /proc/net/route, then of /proc/net/ipv6_route.</summary>
        private static void ReadProcRoutes(List<(string Interface, string Gateway)> map)
        {
            var best = new List<(string If, string Gw, long Metric)>();
            try
            {
                foreach (var line in File.ReadLines("/proc/net/route").Skip(1))
                {
                    var f = line.Split(new[] { '\t', ' ' }, StringSplitOptions.RemoveEmptyEntries);
                    if (f.Length < 8 || f[1] != "00000000" || f[7] != "00000000") continue;
                    if (!uint.TryParse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint flags) || (flags & 1) == 0) continue;
                    uint gw = uint.Parse(f[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    // The kernel prints the gateway in host byte order of a little-endian u32 holding network-order bytes.
                    var bytes = BitConverter.GetBytes(gw);
                    if (!BitConverter.IsLittleEndian) Array.Reverse(bytes);
                    best.Add((f[0], new IPAddress(bytes).ToString(), long.Parse(f[6], CultureInfo.InvariantCulture)));
                }
                if (File.Exists("/proc/net/ipv6_route"))
                {
                    foreach (var line in File.ReadLines("/proc/net/ipv6_route"))
                    {
                        var f = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                        if (f.Length < 10 || f[0] != new string('0', 32) || f[1] != "00" || f[9] == "lo") continue;
                        var gwBytes = new byte[16];
                        for (int i = 0; i < 16; i++) gwBytes[i] = byte.Parse(f[4].Substring(2 * i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                        var gw = new IPAddress(gwBytes);
                        if (!uint.TryParse(f[8], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint flags6) || (flags6 & 1) == 0) continue; // RTF_UP
                        if ((flags6 & 0x200) != 0) continue; // RTF_REJECT: an unreachable default, not a route out
                        best.Add((f[9], gw.ToString(), long.Parse(f[5], NumberStyles.HexNumber, CultureInfo.InvariantCulture) + (1L << 33)));
                    }
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            catch (FormatException) { }
            foreach (var r in best.OrderBy(r => r.Metric)) map.Add((r.If, r.Gw));
        }
    }
}
