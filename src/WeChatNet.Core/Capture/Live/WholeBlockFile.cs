using System;
using System.Buffers.Binary;
using System.IO;

namespace WeChatNet.Capture.Live
{
    /// <summary>
    /// The stream under a live capture's pcapng writer: it buffers what the writer writes and puts only whole blocks on disk,
    /// so the file on disk always ends at a block boundary, whatever stops the process (even SIGKILL) and whenever a write
    /// fails. The writer calls <see cref="EndBlock"/> after each block; <see cref="Flush"/> writes the whole blocks buffered.
    /// When a write fails (disk full, a read-only file system), the blocks the system did take whole are kept and a block it
    /// took only in part is cut off, so the file stays readable; every later write is refused with the first failure.
    /// <see cref="PacketsOnDisk"/> counts the packet blocks in the file.
    /// </summary>
    internal sealed class WholeBlockFile : Stream
    {
        private const uint EnhancedPacketBlock = 6;
        private readonly FileStream _file;
        private readonly byte[] _buffer;
        private int _count, _committed;
        private IOException? _broken;

        public WholeBlockFile(string path, int bufferSize)
        {
            Path = path;
            // No FileStream buffer: this class decides what reaches the disk, a whole block at a time.
            _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1);
            _buffer = new byte[bufferSize];
        }

        public string Path { get; }
        /// <summary>Bytes on disk: always the end of a whole block.</summary>
        public long LengthOnDisk { get; private set; }
        /// <summary>Packet blocks on disk.</summary>
        public long PacketsOnDisk { get; private set; }
        /// <summary>The first write that failed, if one did (the file then holds what was on disk before it).</summary>
        public IOException? Failure => _broken;

        /// <summary>Marks the end of a block: everything written so far may go to disk.</summary>
        public void EndBlock() => _committed = _count;

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (_count + count > _buffer.Length)
            {
                Flush();
                if (_count + count > _buffer.Length)
                    throw new InvalidOperationException($"A capture block larger than the {_buffer.Length}-byte write buffer.");
            }
            Buffer.BlockCopy(buffer, offset, _buffer, _count, count);
            _count += count;
        }

        /// <summary>Writes the whole blocks buffered; the block being written stays in the buffer.</summary>
        public override void Flush()
        {
            if (_broken != null) throw _broken;
            if (_committed == 0) return;
            try
            {
                if (!File.Exists(Path))
                    throw new FileNotFoundException($"The capture file '{Path}' was removed during the capture" +
                        (Directory.Exists(System.IO.Path.GetDirectoryName(Path)) ? "." : $" (its folder '{System.IO.Path.GetDirectoryName(Path)}' no longer exists)."), Path);
                _file.Write(_buffer, 0, _committed);
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
                KeepWholeBlocksOnDisk();
                throw;
            }
            PacketsOnDisk += CountPackets(_committed);
            LengthOnDisk += _committed;
            Buffer.BlockCopy(_buffer, _committed, _buffer, 0, _count - _committed);
            _count -= _committed;
            _committed = 0;
        }

        /// <summary>After a failed write: keeps the blocks the system took whole and cuts off one it took in part.</summary>
        private void KeepWholeBlocksOnDisk()
        {
            long onDisk;
            try { onDisk = _file.Length; }
            catch (IOException) { return; }
            long taken = Math.Max(0, Math.Min(onDisk - LengthOnDisk, _committed));
            int whole = 0;
            long packets = 0;
            while (whole + 8 <= taken)
            {
                int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(whole + 4));
                if (length < 12 || whole + length > taken) break;
                if (BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(whole)) == EnhancedPacketBlock) packets++;
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

        private long CountPackets(int end)
        {
            long packets = 0;
            for (int at = 0; at + 8 <= end;)
            {
                if (BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(at)) == EnhancedPacketBlock) packets++;
                at += (int)BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(at + 4));
            }
            return packets;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                try
                {
                    if (_broken == null) Flush();
                }
                finally
                {
                    try { _file.Dispose(); }
                    catch (IOException) { } // nothing is buffered in the FileStream; a failing close loses nothing of ours
                }
            }
            base.Dispose(disposing);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => LengthOnDisk + _count;
        public override long Position { get => Length; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
