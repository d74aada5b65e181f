using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;

namespace WeChatNet.Capture.Live
{
    /// <summary>What Start-WeChatCapture asks of a live capture.</summary>
    internal sealed class LiveCaptureOptions
    {
        /// <summary>The device name (Get-WeChatCaptureDevice's Name); empty: the device carrying the default route.</summary>
        public string? Interface { get; set; }
        /// <summary>The user's BPF filter; null: WeChat's default filter (see <see cref="CaptureFilter.WeChatDefault"/>) unless CaptureAll.</summary>
        public string? Filter { get; set; }
        /// <summary>No filter at all (-All).</summary>
        public bool CaptureAll { get; set; }
        /// <summary>The Tencent prefix list the default filter is built from (null: the module's data/tencent-asn-prefixes.txt).</summary>
        public string? PrefixFile { get; set; }
        public PcapOpenOptions Open { get; set; } = new PcapOpenOptions();
        /// <summary>Stop after this many packets (0: no limit).</summary>
        public long Count { get; set; }
        /// <summary>Stop after this long (null: no limit).</summary>
        public TimeSpan? Duration { get; set; }
        /// <summary>Write every packet to this pcapng file (null: no file).</summary>
        public string? OutFile { get; set; }
        /// <summary>Roll over to a new numbered file past this many bytes (0: one file).</summary>
        public long MaxFileBytes { get; set; }
        /// <summary>Keep only the newest this-many files (0: keep all).</summary>
        public int MaxFiles { get; set; }
        /// <summary>Hand each packet to the consumer (ReadFrames) as well.</summary>
        public bool EmitFrames { get; set; } = true;
        /// <summary>Most packets waiting for the consumer; past it (or QueueByteLimit) objects are skipped and counted.</summary>
        public int QueueCapacity { get; set; } = 50_000;
        public long QueueByteLimit { get; set; } = 128L * 1024 * 1024;
        /// <summary>Load libpcap from this path instead of the platform's usual places.</summary>
        public string? LibraryPath { get; set; }
    }

    /// <summary>
    /// A running live capture. libpcap is read on a dedicated thread; each packet goes to the file first, then (if wanted)
    /// into a bounded queue the consumer drains with <see cref="ReadFrames"/>. A consumer that falls behind never slows the
    /// capture: objects beyond the queue's bounds are skipped and counted in the summary, while the file keeps every packet.
    /// -Count, -Duration, Stop() and cancellation end the capture cleanly: the reading thread stops, reads the kernel's
    /// counters, closes the file complete, then the queue drains.
    /// </summary>
    internal sealed partial class LiveCapture : IDisposable
    {
        private readonly LiveCaptureOptions _options;
        private readonly PcapHandle _handle;
        private readonly CaptureFileSet? _files;
        private readonly BlockingCollection<CapturedFrame> _queue = new BlockingCollection<CapturedFrame>();
        private readonly Thread _thread;
        private readonly Stopwatch _clock = new Stopwatch();
        private readonly DateTimeOffset _start;
        private readonly CancellationTokenRegistration _registration;
        private readonly Timer? _durationTimer;
        private readonly byte[] _buffer;
        private long _queuedCount, _queuedBytes;
        // Written only by the capture thread (plain 64-bit stores, atomic on 64-bit runtimes); read elsewhere with Volatile/Interlocked.Read.
        private long _packets, _bytes, _skipped, _emitted;
        private string? _stopReason;
        private Exception? _failure;
        private CaptureSummary? _summary;
        private readonly ManualResetEventSlim _closed = new ManualResetEventSlim();

        /// <summary>
        /// A libpcap name as given; a friendly name or description ("Wi-Fi") becomes the device's libpcap name. On Windows a
        /// name no listed device has is InterfaceNotFound.
        /// </summary>
        private static string ResolveDevice(string name, string? libraryPath)
        {
            IReadOnlyList<CaptureDevice> devices;
            try { devices = CaptureDevices.List(libraryPath); }
            catch (LiveCaptureException e) when (e.Kind != LiveCaptureErrorKind.LibraryMissing) { return name; } // let pcap_activate say what is wrong
            var found = CaptureDevices.Find(devices, name);
            if (found != null) return found.Name;
            // Npcap opens only the adapters it lists, and its error for any other name names no cause the module can
            // recognise; libpcap elsewhere also opens devices it does not list ("any", an interface made since).
            if (NativeLibraryLoader.IsWindows)
                throw new LiveCaptureException(LiveCaptureErrorKind.InterfaceNotFound,
                    $"There is no capture interface named '{name}'. Run Get-WeChatCaptureDevice to list the interfaces: Windows names them " +
                    "\\Device\\NPF_{GUID}, and -Interface also takes the adapter's name, such as 'Wi-Fi' or 'Ethernet'.");
            return name;
        }

        private static string DefaultDevice(string? libraryPath)
        {
            var devices = CaptureDevices.List(libraryPath);
            return CaptureDevices.Default(devices)?.Name ?? throw new LiveCaptureException(LiveCaptureErrorKind.InterfaceNotFound,
                "No interface carries a default route and none is up with an address; name one with -Interface (Get-WeChatCaptureDevice lists them).");
        }

        private LiveCapture(LiveCaptureOptions options, string device, string filter, PcapHandle handle, CaptureFileSet? files, CancellationToken cancellation)
        {
            _options = options;
            Interface = device;
            Filter = filter;
            _handle = handle;
            _files = files;
            _buffer = new byte[Math.Max(options.Open.SnapLength, 65536)];
            _start = DateTimeOffset.UtcNow;
            _clock.Start();
            CaptureShutdown.Register(this);
            _thread = new Thread(Run) { IsBackground = true, Name = "WeChatNet capture " + device };
            _thread.Start();
            if (options.Duration is TimeSpan d)
                _durationTimer = new Timer(_ => RequestStop("Duration"), null, d, Timeout.InfiniteTimeSpan);
            _registration = cancellation.Register(() => RequestStop("Stopped"));
        }

        /// <summary>
        /// Opens and activates the interface, installs the filter and opens the first file, all before returning, so every
        /// setup problem (library, rights, interface, filter, file) surfaces here as a LiveCaptureException; then starts reading.
        /// </summary>
        public static LiveCapture Start(LiveCaptureOptions options, CancellationToken cancellation = default) =>
            Start(options, cancellation, null);

        internal static LiveCapture Start(LiveCaptureOptions options, CancellationToken cancellation, LiveFileWriterFactory? writerFactory)
        {
            if (options is null) throw new ArgumentNullException(nameof(options));
            if ((options.MaxFileBytes > 0 || options.MaxFiles > 0) && options.OutFile is null)
                throw new ArgumentException("A size limit or a file ring (MaxFileBytes, MaxFiles) needs an output file.", nameof(options));
            if (options.MaxFiles > 0 && options.MaxFileBytes <= 0)
                throw new ArgumentException("A ring of MaxFiles files rolls over by size: MaxFileBytes is needed too.", nameof(options));
            if (options.Duration is TimeSpan d && d <= TimeSpan.Zero)
                throw new ArgumentException("The duration must be positive.", nameof(options));
            if (options.Open.SnapLength < 64 || options.Open.SnapLength > 262144)
                throw new ArgumentException("The snap length must be 64 to 262144 bytes.", nameof(options));
            var lib = PcapLibrary.Load(options.LibraryPath);
            string device = string.IsNullOrEmpty(options.Interface) ? DefaultDevice(options.LibraryPath) : ResolveDevice(options.Interface!, options.LibraryPath);
            string filter = options.CaptureAll ? "" : options.Filter ?? CaptureFilter.WeChatDefaultFromFile(options.PrefixFile);
            var handle = PcapHandle.Open(lib, device, options.Open);
            CaptureFileSet? files = null;
            try
            {
                if (filter.Length > 0) handle.SetFilter(filter);
                if (options.OutFile != null)
                {
                    var factory = writerFactory ?? LiveFileWriters.PcapNg;
                    files = new CaptureFileSet(options.OutFile, options.MaxFileBytes, options.MaxFiles,
                        path => factory(path, handle.LinkType, options.Open.SnapLength, handle.Nanoseconds, device));
                }
                return new LiveCapture(options, device, filter, handle, files, cancellation);
            }
            catch
            {
                files?.Dispose();
                handle.Dispose();
                throw;
            }
        }

        /// <summary>The device being captured (the default one if none was named).</summary>
        public string Interface { get; }
        /// <summary>The BPF filter in force (empty: everything).</summary>
        public string Filter { get; }

        /// <summary>Warnings from pcap_activate (the capture runs anyway).</summary>
        public IReadOnlyList<string> Warnings => _handle.Warnings;
        public int LinkType => _handle.LinkType;
        public bool Nanoseconds => _handle.Nanoseconds;

        /// <summary>The summary; null until the capture has ended.</summary>
        public CaptureSummary? Summary => Volatile.Read(ref _summary);

        /// <summary>Ends the capture (as Ctrl+C does). Safe from any thread.</summary>
        public void Stop() => RequestStop("Stopped");

        /// <summary>Stops the capture because the process is being ended from outside (a signal, ProcessExit).</summary>
        internal void StopFromOutside(string reason) => RequestStop(reason);

        /// <summary>Waits until the capture has ended and its files are closed; false if that took longer than <paramref name="timeout"/>.</summary>
        internal bool WaitClosed(TimeSpan timeout) => _closed.Wait(timeout);

        private void RequestStop(string reason)
        {
            Interlocked.CompareExchange(ref _stopReason, reason, null);
            _handle.BreakLoop();
        }

        public CaptureProgress Progress() => new CaptureProgress(Interlocked.Read(ref _packets), Interlocked.Read(ref _bytes),
            _files?.FilesWritten ?? 0, Interlocked.Read(ref _skipped), _clock.Elapsed.TotalMilliseconds, _options.Duration?.TotalMilliseconds);

        /// <summary>
        /// The captured packets, as they arrive, until the capture ends (on the calling thread). <paramref name="progress"/> is
        /// called on the same thread about every <paramref name="progressInterval"/>. Ends by rethrowing a capture failure
        /// (after the file was closed and the summary made).
        /// </summary>
        public IEnumerable<CapturedFrame> ReadFrames(Action<CaptureProgress>? progress = null, TimeSpan? progressInterval = null)
        {
            long interval = (long)(progressInterval ?? TimeSpan.FromMilliseconds(500)).TotalMilliseconds;
            long nextProgress = _clock.ElapsedMilliseconds + interval;
            while (true)
            {
                if (_queue.TryTake(out var frame, (int)Math.Min(interval, 250)))
                {
                    Interlocked.Decrement(ref _queuedCount);
                    Interlocked.Add(ref _queuedBytes, -frame.Data.Length);
                    yield return frame;
                }
                else if (_queue.IsCompleted)
                {
                    break;
                }
                if (progress != null && _clock.ElapsedMilliseconds >= nextProgress)
                {
                    progress(Progress());
                    nextProgress = _clock.ElapsedMilliseconds + interval;
                }
            }
            _thread.Join();
            if (_failure != null) throw _failure;
        }

        /// <summary>Waits for the capture to end without consuming frames (for file-only captures); rethrows a failure.</summary>
        public CaptureSummary Wait(Action<CaptureProgress>? progress = null, TimeSpan? progressInterval = null)
        {
            foreach (var _ in ReadFrames(progress, progressInterval)) { }
            return Summary!;
        }

        private void Run()
        {
            long limit = _options.Count;
            bool emit = _options.EmitFrames;
            int linkType = _handle.LinkType;
            bool unflushed = false;
            try
            {
                while (true)
                {
                    var r = _handle.Next(out var raw);
                    if (r == NextResult.Break) break;
                    if (r == NextResult.Timeout)
                    {
                        // Idle: put what is buffered on disk, so the file is readable (and survives a kill) up to here.
                        if (unflushed && _files != null) { _files.Flush(); unflushed = false; }
                        continue;
                    }
                    int caplen = Math.Min(raw.CapturedLength, _buffer.Length);
                    long number = _packets + 1;
                    Volatile.Write(ref _packets, number);
                    Volatile.Write(ref _bytes, _bytes + caplen);
                    Marshal.Copy(raw.Data, _buffer, 0, caplen);
                    if (_files != null)
                    {
                        try
                        {
                            _files.Write(raw.TimestampNs, new ReadOnlySpan<byte>(_buffer, 0, caplen), raw.OriginalLength);
                            unflushed = true;
                        }
                        catch (IOException e)
                        {
                            throw new LiveCaptureException(LiveCaptureErrorKind.FileWriteFailed, $"Writing the capture file failed after {number - 1} packets: {e.Message}", e);
                        }
                    }
                    if (emit) Offer(number, raw, caplen, linkType);
                    if (limit > 0 && number >= limit)
                    {
                        Interlocked.CompareExchange(ref _stopReason, "Count", null);
                        break;
                    }
                }
            }
            catch (Exception e)
            {
                _failure = e;
                Interlocked.Exchange(ref _stopReason, "Error");
            }
            finally
            {
                try { Finish(); }
                finally
                {
                    CaptureShutdown.Unregister(this);
                    _closed.Set();
                }
            }
        }

        private void Offer(long number, RawPacket raw, int caplen, int linkType)
        {
            if (Interlocked.Read(ref _queuedCount) >= _options.QueueCapacity || Interlocked.Read(ref _queuedBytes) + caplen > _options.QueueByteLimit)
            {
                Volatile.Write(ref _skipped, _skipped + 1);
                return;
            }
            var data = new byte[caplen];
            Buffer.BlockCopy(_buffer, 0, data, 0, caplen);
            Interlocked.Increment(ref _queuedCount);
            Interlocked.Add(ref _queuedBytes, caplen);
            _emitted++;
            _queue.Add(new CapturedFrame(number, raw.TimestampNs, raw.OriginalLength, data, linkType, _files?.Current));
        }

        private void Finish()
        {
            PcapStatistics stats = default;
            try { stats = _handle.Statistics(); }
            catch (Exception e) when (e is LiveCaptureException) { }
            try
            {
                string reason = Volatile.Read(ref _stopReason) ?? "Stopped";
                _files?.Close(stats, $"WeChatNet Start-WeChatCapture: stopped by {reason} after {Interlocked.Read(ref _packets)} packets " +
                                     $"in {_files.FilesWritten} file(s); kernel received {stats.Received}, dropped {stats.Dropped}.");
            }
            catch (IOException e)
            {
                _failure ??= new LiveCaptureException(LiveCaptureErrorKind.FileWriteFailed, $"Closing the capture file failed: {e.Message}", e);
                Interlocked.Exchange(ref _stopReason, "Error");
            }
            _handle.Dispose();
            _durationTimer?.Dispose();
            var summary = new CaptureSummary(Interface, Filter, LinkTypeName(_handle.LinkType),
                _handle.Nanoseconds ? "Nanosecond" : "Microsecond", _start, _start + _clock.Elapsed, Interlocked.Read(ref _packets),
                Interlocked.Read(ref _bytes), stats.Received, stats.Dropped, stats.InterfaceDropped, _emitted, Interlocked.Read(ref _skipped),
                _files?.Files.ToArray() ?? Array.Empty<string>(), _files?.FilesWritten ?? 0, _stopReason ?? "Stopped", _handle.LibraryVersion);
            Volatile.Write(ref _summary, summary);
            _queue.CompleteAdding();
        }

        /// <summary>The n-th (1-based) file of a capture to <paramref name="path"/>: the path itself, or name_0000n.ext when rotating.</summary>
        public static string RotatedFileName(string path, long maxFileBytes, int n) => CaptureFileSet.NameOf(path, maxFileBytes, n);

        /// <summary>A readable name for a DLT_ link type (the same names Import-WeChatCapture gives).</summary>
        public static string LinkTypeName(int dlt) => LinkTypeNames.Name((ushort)dlt);

        /// <summary>Stops the capture if it still runs and waits until the file is closed.</summary>
        public void Dispose()
        {
            RequestStop("Stopped");
            if (_thread.IsAlive) _thread.Join();
            _registration.Dispose();
            _durationTimer?.Dispose();
            while (_queue.TryTake(out _)) { }
            _queue.Dispose();
        }
    }
}
