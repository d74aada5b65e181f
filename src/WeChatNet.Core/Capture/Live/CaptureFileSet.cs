using System;
using System.Collections.Generic;
using System.IO;

namespace WeChatNet.Capture.Live
{

    /// <summary>Opens one capture file for a live capture: path, link type, snap length, nanosecond timestamps, interface name.</summary>
    internal delegate ILiveFileWriter LiveFileWriterFactory(string path, int linkType, int snapLength, bool nanoseconds, string interfaceName);

    /// <summary>
    /// The -OutFile, -MaxFileSizeMB, -MaxFiles logic: one file, or numbered files (name_00001.pcapng, ...) that roll over
    /// when the next packet would pass the size limit, keeping only the newest MaxFiles (a ring) when a limit is set.
    /// Every file is closed complete: packets are whole blocks, and a file is only ever removed once it is closed.
    /// </summary>
    internal sealed class CaptureFileSet : IDisposable
    {
        private readonly string _path;
        private readonly long _maxBytes;
        private readonly int _maxFiles;
        private readonly Func<string, ILiveFileWriter> _open;
        private readonly LinkedList<string> _onDisk = new LinkedList<string>();
        /// <summary>Room kept in a size-limited file for its closing statistics block (comment capped at <see cref="MaxCommentBytes"/>).</summary>
        internal const int StatisticsReserve = 24 + 6 * 12 + 4 + 4 + MaxCommentBytes;
        internal const int MaxCommentBytes = 200;
        private ILiveFileWriter? _current;
        private long _packetsInCurrent, _currentOpenedNs, _packetsInClosedFiles;

        public CaptureFileSet(string path, long maxBytes, int maxFiles, Func<string, ILiveFileWriter> open)
        {
            _path = Path.GetFullPath(path);
            _maxBytes = maxBytes;
            _maxFiles = maxFiles;
            _open = open;
            OpenNext();
        }

        public int FilesWritten { get; private set; }
        /// <summary>Packets in the files, whole blocks on disk (with -MaxFiles, including files the ring has removed since).</summary>
        public long PacketsWritten => _packetsInClosedFiles + (_current?.PacketsOnDisk ?? 0);
        public IReadOnlyCollection<string> Files => _onDisk;
        /// <summary>The file being written.</summary>
        public string? Current => _onDisk.Last?.Value;

        /// <summary>The name of the n-th file (1-based): the path itself without rotation, else name_0000n.ext.</summary>
        public static string NameOf(string path, long maxBytes, int n)
        {
            if (maxBytes <= 0) return path;
            string dir = Path.GetDirectoryName(path) ?? ".";
            string ext = Path.GetExtension(path);
            if (ext.Length == 0) ext = ".pcapng";
            return Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(path)}_{n:D5}{ext}");
        }

        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        public void Write(long timestampNs, ReadOnlySpan<byte> data, int originalLength)
        {
            var w = _current ?? throw new ObjectDisposedException(nameof(CaptureFileSet));
            if (_maxBytes > 0 && _packetsInCurrent > 0 && w.Length + w.SizeOf(data.Length) + StatisticsReserve > _maxBytes)
            {
                CloseCurrent(null, $"Rolled over to file {FilesWritten + 1} after {_packetsInCurrent} packets.");
                OpenNext();
                w = _current!;
            }
            w.Write(timestampNs, data, originalLength);
            _packetsInCurrent++;
        }

        private void OpenNext()
        {
            string name = NameOf(_path, _maxBytes, FilesWritten + 1);
            string? dir = Path.GetDirectoryName(name);
            if (Directory.Exists(name))   // the OS would say "access denied", which sends the user looking at rights
                throw new LiveCaptureException(LiveCaptureErrorKind.FileWriteFailed,
                    $"Cannot write the capture file '{name}': it is a folder. Give a file name, for example '{Path.Combine(name, "wechat.pcapng")}'.");
            if (!string.IsNullOrEmpty(dir) && !Directory.Exists(dir))
                throw new LiveCaptureException(LiveCaptureErrorKind.FileWriteFailed, $"Cannot write '{name}': the folder '{dir}' does not exist.");
            try
            {
                _current = _open(name);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new LiveCaptureException(LiveCaptureErrorKind.FileWriteFailed, $"Cannot write the capture file '{name}': {e.Message}", e);
            }
            FilesWritten++;
            _packetsInCurrent = 0;
            _currentOpenedNs = NowNs();
            _onDisk.AddLast(name);
            while (_maxFiles > 0 && _onDisk.Count > _maxFiles)
            {
                string oldest = _onDisk.First!.Value;
                _onDisk.RemoveFirst();
                try { File.Delete(oldest); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }

        private static long NowNs() => (DateTime.UtcNow.Ticks - 621355968000000000L) * 100;

        public void Flush() => _current?.Flush();

        /// <summary>
        /// Closes the file being written with a statistics block: the packets it holds, and (on the last file) the kernel's
        /// counters and why the capture ended. A file with this block at its end was closed complete.
        /// </summary>
        public void Close(PcapStatistics? kernel, string comment) => CloseCurrent(kernel, comment);

        private void CloseCurrent(PcapStatistics? kernel, string comment)
        {
            var w = _current;
            if (w == null) return;
            _current = null;
            try
            {
                w.WriteStatistics(new LiveFileStatistics(_currentOpenedNs, NowNs(), _packetsInCurrent, kernel, comment));
            }
            finally
            {
                try { w.Dispose(); }
                finally { _packetsInClosedFiles += w.PacketsOnDisk; }
            }
        }

        /// <summary>Closes the file being written without a statistics block (a capture that failed to start).</summary>
        public void Dispose()
        {
            var w = _current;
            _current = null;
            if (w == null) return;
            try { w.Dispose(); }
            finally { _packetsInClosedFiles += w.PacketsOnDisk; }
        }
    }
}
