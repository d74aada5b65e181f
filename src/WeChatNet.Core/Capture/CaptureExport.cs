using System;
using System.Collections.Generic;
using System.IO;

namespace WeChatNet
{
}

namespace WeChatNet.Capture
{
    /// <summary>The target exists and overwriting was not allowed.</summary>
    public sealed class CaptureFileExistsException : IOException
    {
        public CaptureFileExistsException(string path)
            : base($"'{path}' already exists. Use -Force to overwrite it.") { Path = path; }

        public string Path { get; }
    }

    /// <summary>
    /// Writes packets to a capture file safely: everything goes to a temporary file in the target's directory,
    /// renamed over the target only by <see cref="Commit"/>. Disposing without committing deletes the temporary
    /// file, so a stopped or failed export never leaves a half-written file under the final name.
    /// </summary>
    internal sealed class CaptureExport : IDisposable
    {
        private readonly string _path;
        private readonly string _tempPath;
        private readonly bool _overwrite;
        private readonly CaptureFileWriter _writer;
        private readonly Dictionary<(string, int, int), int> _interfaces = new Dictionary<(string, int, int), int>();
        private bool _done;

        private CaptureExport(string path, string tempPath, bool overwrite, CaptureFileWriter writer)
        {
            _path = path;
            _tempPath = tempPath;
            _overwrite = overwrite;
            _writer = writer;
        }

        /// <summary>Starts an export; throws <see cref="CaptureFileExistsException"/> when the target exists and <paramref name="overwrite"/> is false.</summary>
        public static CaptureExport Create(string path, CaptureFileFormat format, bool overwrite)
        {
            path = System.IO.Path.GetFullPath(path);
            if (Directory.Exists(path)) throw new IOException($"'{path}' is a directory; give a file name.");
            if (!overwrite && File.Exists(path)) throw new CaptureFileExistsException(path);
            string dir = System.IO.Path.GetDirectoryName(path) ?? ".";
            if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"The directory '{dir}' does not exist.");
            string temp = System.IO.Path.Combine(dir, "." + System.IO.Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".partial");
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            try
            {
                return new CaptureExport(path, temp, overwrite, CaptureFileWriter.Create(stream, format, leaveOpen: false));
            }
            catch
            {
                stream.Dispose();
                TryDelete(temp);
                throw;
            }
        }

        public string Path => _path;
        /// <summary>The temporary file being written (deleted or renamed at the end).</summary>
        public string TemporaryPath => _tempPath;
        public long PacketCount => _writer.PacketCount;

        /// <summary>
        /// Adds a packet. Interfaces are kept apart by (file, interface index, link type). Throws
        /// <see cref="InvalidOperationException"/> when a classic pcap would need a second link type.
        /// </summary>
        public void Add(Packet packet)
        {
            if (packet == null) throw new ArgumentNullException(nameof(packet));
            if (_done) throw new InvalidOperationException("The export is finished.");
            var key = (packet.File ?? "", packet.InterfaceIndex, packet.LinkTypeNumber);
            if (!_interfaces.TryGetValue(key, out int id))
            {
                if (packet.LinkTypeNumber < 0 || packet.LinkTypeNumber > ushort.MaxValue)
                    throw new ArgumentException($"Packet {packet.Number} has link type {packet.LinkTypeNumber}, which no capture file can hold.");
                id = _writer.AddInterface((ushort)packet.LinkTypeNumber, 262144, string.IsNullOrEmpty(packet.Interface) ? null : packet.Interface);
                _interfaces[key] = id;
            }
            var data = packet.Data ?? Array.Empty<byte>();
            _writer.WritePacket(id, packet.TimestampNanoseconds, data, packet.OriginalLength, packet.Comment);
        }

        /// <summary>Flushes, closes and renames the temporary file to the target.</summary>
        public CaptureFileSummary Commit()
        {
            if (_done) throw new InvalidOperationException("The export is finished.");
            _done = true;
            string format = _writer.Format.ToString();
            long packets = _writer.PacketCount;
            try
            {
                _writer.Dispose();
                bool exists = File.Exists(_path);
                if (exists && !_overwrite) throw new CaptureFileExistsException(_path);
                AtomicFile.MoveOver(_tempPath, _path, exists);
            }
            catch
            {
                TryDelete(_tempPath);
                throw;
            }
            return new CaptureFileSummary
            {
                Path = _path,
                Format = format,
                PacketCount = packets,
                InterfaceCount = _interfaces.Count,
                Bytes = new FileInfo(_path).Length,
            };
        }

        /// <summary>Abandons an uncommitted export: the temporary file is deleted, the target untouched.</summary>
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            try { _writer.Dispose(); } catch (IOException) { } catch (InvalidOperationException) { }
            TryDelete(_tempPath);
        }

        private static void TryDelete(string path)
        {
            try { File.Delete(path); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
