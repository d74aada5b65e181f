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
        private ILiveFileWriter? _current;
        private long _packetsInCurrent;

        public CaptureFileSet(string path, long maxBytes, int maxFiles, Func<string, ILiveFileWriter> open)
        {
            _path = Path.GetFullPath(path);
            _maxBytes = maxBytes;
            _maxFiles = maxFiles;
            _open = open;
            OpenNext();
        }

        public int FilesWritten { get; private set; }
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

        public void Write(long timestampNs, ReadOnlySpan<byte> data, int originalLength)
        {
            var w = _current ?? throw new ObjectDisposedException(nameof(CaptureFileSet));
            if (_maxBytes > 0 && _packetsInCurrent > 0 && w.Length + w.SizeOf(data.Length) > _maxBytes)
            {
                CloseCurrent();
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

        private void CloseCurrent()
        {
            var w = _current;
            _current = null;
            w?.Dispose();
        }

        public void Dispose() => CloseCurrent();
    }
}
