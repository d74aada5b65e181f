using System;
using System.IO;

namespace WeChatNet.Capture
{
    /// <summary>
    /// A forward-only window over a stream: <see cref="Ensure"/> makes N bytes contiguous, spans point into one
    /// reused buffer (valid until the next Ensure/Advance). The buffer grows only to the largest record actually read
    /// (as its bytes arrive, not as a header declares it), capped at <see cref="MaxCapacity"/>, so memory stays
    /// constant whatever the file size and whatever its headers claim.
    /// </summary>
    internal sealed class ByteSource : IDisposable
    {
        public const int MaxCapacity = 17 * 1024 * 1024;
        private readonly Stream _stream;
        private readonly bool _leaveOpen;
        private byte[] _buffer;
        private int _start;
        private int _end;
        private bool _eof;

        public ByteSource(Stream stream, bool leaveOpen, int initialCapacity = 256 * 1024)
        {
            _stream = stream;
            _leaveOpen = leaveOpen;
            _buffer = new byte[initialCapacity];
        }

        /// <summary>Offset in the (decompressed) data of the first unconsumed byte.</summary>
        public long Position { get; private set; }
        public int Available => _end - _start;
        /// <summary>Set when the stream failed (I/O error, damaged gzip); reading then behaves as end of data.</summary>
        public Exception? ReadError { get; private set; }
        public bool AtEnd => _eof && _start == _end;

        /// <summary>Tries to make <paramref name="count"/> bytes available; returns how many are (fewer only at the end of data).</summary>
        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        public int Ensure(int count)
        {
            int available = _end - _start;
            if (available >= count || _eof) return available;
            if (count > MaxCapacity) count = MaxCapacity;
            if (_start > 0 && _buffer.Length - _start < count)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, available);
                _start = 0;
                _end = available;
            }
            while (_end - _start < count)
            {
                if (_end == _buffer.Length)
                {
                    // Grow only as bytes arrive (doubling): a header that declares 16 MiB in a 5 KB file must not cost a
                    // 16 MiB buffer (found by fuzzing, docs/testing.md). A real large record costs a few copies, once.
                    var bigger = new byte[Math.Min(MaxCapacity, Math.Max(_buffer.Length * 2, 1024))];
                    Buffer.BlockCopy(_buffer, _start, bigger, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                    _buffer = bigger;
                }
                int read;
                try
                {
                    read = _stream.Read(_buffer, _end, _buffer.Length - _end);
                }
                catch (Exception e) when (e is IOException || e is InvalidDataException || e is NotSupportedException || e is UnauthorizedAccessException)
                {
                    ReadError = e;
                    _eof = true;
                    break;
                }
                if (read <= 0) { _eof = true; break; }
                _end += read;
            }
            return _end - _start;
        }

        public ReadOnlySpan<byte> Span(int count) => new ReadOnlySpan<byte>(_buffer, _start, Math.Min(count, _end - _start));
        public ReadOnlySpan<byte> Span(int offset, int count) => new ReadOnlySpan<byte>(_buffer, _start + offset, count);

        public void Advance(int count)
        {
            if (count > _end - _start) count = _end - _start;
            _start += count;
            Position += count;
        }

        public void Dispose()
        {
            if (!_leaveOpen) _stream.Dispose();
        }
    }
}
