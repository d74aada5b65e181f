using System;
using System.Buffers.Binary;
using System.IO;

namespace WeChatNet.Capture.Live
{
    /// <summary>
    /// The file under a live capture's pcapng writer: only whole blocks reach the disk, so the file always ends at a block
    /// boundary, whatever stops the process (even SIGKILL) and whenever a write fails. Whole blocks in a write go to the file
    /// straight from the caller's array (the live capture hands over 64 KiB of encoded packets at a time); a block that
    /// arrives in pieces (the writer's own per-packet path, used for a packet larger than that buffer) is held until its
    /// last byte. When a write fails (disk full, a read-only file system), the blocks the system took whole are kept and a
    /// block it took only in part is cut off, so the file stays readable; every later write is refused with that failure.
    /// A file removed from outside (or its folder) is noticed at the next write. <see cref="PacketsOnDisk"/> counts the
    /// packet blocks in the file.
    /// </summary>
    internal sealed class WholeBlockFile : Stream
    {
        private const uint EnhancedPacketBlock = 6;
        private readonly FileStream _file;
        private byte[] _partial = new byte[256];
        private int _partialCount;
        private IOException? _broken;

        public WholeBlockFile(string path)
        {
            Path = path;
            // No FileStream buffer: this class decides what reaches the disk, whole blocks at a time.
            _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1);
        }

        public string Path { get; }
        /// <summary>Bytes on disk: always the end of a whole block.</summary>
        public long LengthOnDisk { get; private set; }
        /// <summary>Packet blocks on disk.</summary>
        public long PacketsOnDisk { get; private set; }

        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        public override void Write(byte[] buffer, int offset, int count)
        {
            if (_broken != null) throw _broken;
            int end = offset + count;
            while (offset < end)
            {
                if (_partialCount > 0)
                {
                    int wanted = _partialCount < 8 ? 8 : BlockLength(_partial, 0);
                    int take = Math.Min(wanted - _partialCount, end - offset);
                    Hold(buffer, offset, take);
                    offset += take;
                    if (_partialCount >= 8 && _partialCount == BlockLength(_partial, 0))
                    {
                        Commit(_partial, 0, _partialCount, IsPacket(_partial, 0) ? 1 : 0);
                        _partialCount = 0;
                    }
                    continue;
                }
                int at = offset, packets = 0;
                while (at + 8 <= end)
                {
                    int length = BlockLength(buffer, at);
                    if (at + length > end) break;
                    if (IsPacket(buffer, at)) packets++;
                    at += length;
                }
                if (at > offset) Commit(buffer, offset, at - offset, packets);
                if (at < end) Hold(buffer, at, end - at);
                offset = end;
            }
        }

        private static int BlockLength(byte[] b, int at)
        {
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at + 4));
            if (length < 12 || length % 4 != 0 || length > int.MaxValue)
                throw new InvalidOperationException($"The live capture wrote a block of {length} bytes, which is not a pcapng block length.");
            return (int)length;
        }

        private static bool IsPacket(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at)) == EnhancedPacketBlock;

        private void Hold(byte[] buffer, int offset, int count)
        {
            if (_partialCount + count > _partial.Length) Array.Resize(ref _partial, Math.Max(_partial.Length * 2, _partialCount + count));
            Buffer.BlockCopy(buffer, offset, _partial, _partialCount, count);
            _partialCount += count;
        }

        /// <summary>Writes <paramref name="count"/> bytes of whole blocks (<paramref name="packets"/> of them packets).</summary>
        private void Commit(byte[] blocks, int offset, int count, int packets)
        {
            try
            {
                if (!File.Exists(Path))
                {
                    string? folder = System.IO.Path.GetDirectoryName(Path);
                    throw new FileNotFoundException($"The capture file '{Path}' was removed during the capture" +
                        (folder != null && !Directory.Exists(folder) ? $" (its folder '{folder}' no longer exists)." : "."), Path);
                }
                _file.Write(blocks, offset, count);
            }
            catch (FileNotFoundException e)
            {
                // Removed from outside: what was written went with it.
                _broken = e;
                PacketsOnDisk = 0;
                LengthOnDisk = 0;
                throw;
            }
            catch (IOException e)
            {
                _broken = e;
                KeepWholeBlocksOnDisk(blocks, offset, count);
                throw;
            }
            LengthOnDisk += count;
            PacketsOnDisk += packets;
        }

        /// <summary>After a failed write: keeps the blocks the system took whole and cuts off one it took in part.</summary>
        private void KeepWholeBlocksOnDisk(byte[] blocks, int offset, int count)
        {
            long onDisk;
            try { onDisk = _file.Length; }
            catch (IOException) { return; }
            long taken = Math.Max(0, Math.Min(onDisk - LengthOnDisk, count));
            int whole = 0;
            long packets = 0;
            while (whole + 8 <= taken)
            {
                int length = BlockLength(blocks, offset + whole);
                if (whole + length > taken) break;
                if (IsPacket(blocks, offset + whole)) packets++;
                whole += length;
            }
            if (onDisk != LengthOnDisk + whole)
            {
                try { _file.SetLength(LengthOnDisk + whole); }
                catch (IOException) { } // the file system refuses even that (read-only): what is on disk stays
            }
            LengthOnDisk += whole;
            PacketsOnDisk += packets;
        }

        /// <summary>Nothing is buffered below this class; a failed write is reported again.</summary>
        public override void Flush()
        {
            if (_broken != null) throw _broken;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                // A block still held in pieces never completed: it never reaches the disk.
                try { _file.Dispose(); }
                catch (IOException) { } // nothing is buffered in the FileStream; a failing close loses nothing of ours
            }
            base.Dispose(disposing);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => LengthOnDisk + _partialCount;
        public override long Position { get => Length; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
