using System;
using System.Runtime.InteropServices;

namespace WeChatNet.Capture.Live
{
    /// <summary>
    /// Loads a native library and resolves its exports at run time on every platform the module runs on.
    /// netstandard2.0 has no System.Runtime.InteropServices.NativeLibrary (and .NET Framework 4.7.2 never will),
    /// so this calls the platform loader directly: LoadLibraryExW/GetProcAddress on Windows, dlopen/dlsym elsewhere.
    /// Exports become delegates through Marshal.GetDelegateForFunctionPointer, which works on .NET Framework and .NET 6+.
    /// </summary>
    internal static class NativeLibraryLoader
    {
        private const int RtldNow = 2;
        private const uint LoadWithAlteredSearchPath = 0x00000008;

        public static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        public static bool IsMacOS => RuntimeInformation.IsOSPlatform(OSPlatform.OSX);
        public static bool IsLinux => RuntimeInformation.IsOSPlatform(OSPlatform.Linux);

        /// <summary>Loads <paramref name="path"/> (a file path or a soname); returns Zero and the loader's reason on failure.</summary>
        public static IntPtr TryLoad(string path, out string? error)
        {
            error = null;
            if (IsWindows)
            {
                // LOAD_WITH_ALTERED_SEARCH_PATH: wpcap.dll's own dependency (Packet.dll) is found next to it in the Npcap folder.
                IntPtr h = Kernel32.LoadLibraryExW(path, IntPtr.Zero, System.IO.Path.IsPathRooted(path) ? LoadWithAlteredSearchPath : 0);
                if (h == IntPtr.Zero) error = $"LoadLibraryEx error {Marshal.GetLastWin32Error()}";
                return h;
            }
            IntPtr handle = Dl.Open(path, RtldNow);
            if (handle == IntPtr.Zero) error = Dl.LastError();
            return handle;
        }

        public static IntPtr Symbol(IntPtr library, string name)
        {
            if (IsWindows) return Kernel32.GetProcAddress(library, name);
            return Dl.Sym(library, name);
        }

        public static void Free(IntPtr library)
        {
            if (library == IntPtr.Zero) return;
            if (IsWindows) Kernel32.FreeLibrary(library);
            else Dl.Close(library);
        }

        private static class Kernel32
        {
            [DllImport("kernel32", SetLastError = true, CharSet = CharSet.Unicode)]
            public static extern IntPtr LoadLibraryExW(string lpLibFileName, IntPtr hFile, uint dwFlags);

            [DllImport("kernel32", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
            public static extern IntPtr GetProcAddress(IntPtr hModule, string procName);

            [DllImport("kernel32", SetLastError = true)]
            [return: MarshalAs(UnmanagedType.Bool)]
            public static extern bool FreeLibrary(IntPtr hModule);
        }

        /// <summary>
        /// dlopen and friends live in libdl.so.2 on glibc before 2.34 (a stub after), in libc.so.6 from 2.34,
        /// in musl's libc, and in libSystem on macOS. Each entry point tries those in turn, once.
        /// </summary>
        private static class Dl
        {
            private static int s_flavour = -1; // 0 libdl.so.2, 1 libc.so.6, 2 libSystem, 3 "libc" (musl)

            public static IntPtr Open(string path, int flags) => Call(
                () => LibDl.dlopen(path, flags), () => LibC6.dlopen(path, flags), () => LibSystem.dlopen(path, flags), () => LibC.dlopen(path, flags));

            public static IntPtr Sym(IntPtr h, string name) => Call(
                () => LibDl.dlsym(h, name), () => LibC6.dlsym(h, name), () => LibSystem.dlsym(h, name), () => LibC.dlsym(h, name));

            public static void Close(IntPtr h) => Call(
                () => (IntPtr)LibDl.dlclose(h), () => (IntPtr)LibC6.dlclose(h), () => (IntPtr)LibSystem.dlclose(h), () => (IntPtr)LibC.dlclose(h));

            public static string LastError()
            {
                IntPtr p = Call(LibDl.dlerror, LibC6.dlerror, LibSystem.dlerror, LibC.dlerror);
                return p == IntPtr.Zero ? "dlopen failed" : Marshal.PtrToStringAnsi(p) ?? "dlopen failed";
            }

            private static IntPtr Call(Func<IntPtr> libdl, Func<IntPtr> libc6, Func<IntPtr> libSystem, Func<IntPtr> libc)
            {
                var choices = new[] { libdl, libc6, libSystem, libc };
                if (s_flavour >= 0) return choices[s_flavour]();
                int[] order = IsMacOS ? new[] { 2, 3 } : new[] { 0, 1, 3 };
                Exception? last = null;
                foreach (int i in order)
                {
                    try
                    {
                        IntPtr r = choices[i]();
                        s_flavour = i;
                        return r;
                    }
                    catch (DllNotFoundException e) { last = e; }
                    catch (EntryPointNotFoundException e) { last = e; }
                }
                throw new DllNotFoundException("The platform's dynamic loader (dlopen) could not be found.", last);
            }

            private static class LibDl
            {
                [DllImport("libdl.so.2", CharSet = CharSet.Ansi, BestFitMapping = false)] public static extern IntPtr dlopen(string file, int mode);
                [DllImport("libdl.so.2", CharSet = CharSet.Ansi, BestFitMapping = false)] public static extern IntPtr dlsym(IntPtr handle, string name);
                [DllImport("libdl.so.2")] public static extern int dlclose(IntPtr handle);
                [DllImport("libdl.so.2")] public static extern IntPtr dlerror();
            }

            private static class LibC6
            {
                [DllImport("libc.so.6", CharSet = CharSet.Ansi, BestFitMapping = false)] public static extern IntPtr dlopen(string file, int mode);
                [DllImport("libc.so.6", CharSet = CharSet.Ansi, BestFitMapping = false)] public static extern IntPtr dlsym(IntPtr handle, string name);
                [DllImport("libc.so.6")] public static extern int dlclose(IntPtr handle);
                [DllImport("libc.so.6")] public static extern IntPtr dlerror();
            }

            private static class LibSystem
            {
                [DllImport("/usr/lib/libSystem.B.dylib", CharSet = CharSet.Ansi, BestFitMapping = false)] public static extern IntPtr dlopen(string file, int mode);
                [DllImport("/usr/lib/libSystem.B.dylib", CharSet = CharSet.Ansi, BestFitMapping = false)] public static extern IntPtr dlsym(IntPtr handle, string name);
                [DllImport("/usr/lib/libSystem.B.dylib")] public static extern int dlclose(IntPtr handle);
                [DllImport("/usr/lib/libSystem.B.dylib")] public static extern IntPtr dlerror();
            }

            private static class LibC
            {
                [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false)] public static extern IntPtr dlopen(string file, int mode);
                [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false)] public static extern IntPtr dlsym(IntPtr handle, string name);
                [DllImport("libc")] public static extern int dlclose(IntPtr handle);
                [DllImport("libc")] public static extern IntPtr dlerror();
            }
        }
    }
}
