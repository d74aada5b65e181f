using System;
using System.Buffers;
using System.Collections.Generic;
using WeChatNet.Packets;

namespace WeChatNet.Streams
{
    /// <summary>
    /// Reassembles one direction of a TCP connection into a byte stream. In-order data goes straight to the sink
    /// without copying; out-of-order segments are copied into a bounded buffer; retransmitted and overlapping
    /// bytes are delivered once (the first copy seen wins); when the buffer limits are reached, or the stream is
    /// released, the missing bytes are reported as a gap and skipped rather than stalling the stream.
    /// Sequence numbers are compared modulo 2^32.
    /// </summary>
    internal sealed class TcpStreamReassembler
    {
        private readonly ITcpStreamSink _sink;
        private readonly TcpReassemblyOptions _options;
        private readonly TcpMemoryBudget _budget;
        private readonly List<Chunk> _pending = new List<Chunk>();
        private bool _started;
        private uint _next;
        private bool _finSeen;
        private uint _finSeq;
        private int _pendingBytes;

        public TcpStreamReassembler(ITcpStreamSink sink, TcpReassemblyOptions options, TcpMemoryBudget budget)
        {
            _sink = sink ?? throw new ArgumentNullException(nameof(sink));
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _budget = budget ?? throw new ArgumentNullException(nameof(budget));
        }

        /// <summary>True once the stream ended (FIN delivered, RST, released); later segments are ignored.</summary>
        public bool IsClosed { get; private set; }
        public long DeliveredBytes { get; private set; }
        /// <summary>Bytes seen again (retransmissions, overlaps) and not delivered a second time.</summary>
        public long DuplicateBytes { get; private set; }
        public long GapBytes { get; private set; }
        public int GapCount { get; private set; }
        /// <summary>Segments that arrived after the stream ended.</summary>
        public long LateSegments { get; private set; }
        public int BufferedBytes => _pendingBytes;
        public int BufferedSegments => _pending.Count;
        public long LastActivityTicks { get; private set; }

        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        public void Add(in StreamSegment segment)
        {
            if (IsClosed) { LateSegments++; return; }
            long ts = segment.TimestampTicks;
            LastActivityTicks = ts;
            uint seq = segment.Sequence;
            var flags = segment.Flags;
            if ((flags & TcpFlags.Syn) != 0)
            {
                if (!_started) { _started = true; _next = seq + 1; }
                seq++;
            }
            else if (!_started)
            {
                // Capture started mid-connection: the first segment seen defines the start of the stream.
                _started = true;
                _next = seq;
            }

            var payload = segment.Payload;
            if (payload.Length > 0) Place(seq, payload, ts);

            if ((flags & TcpFlags.Rst) != 0)
            {
                Release(TcpStreamEnd.Reset, ts);
                return;
            }
            if ((flags & TcpFlags.Fin) != 0 && !_finSeen)
            {
                _finSeen = true;
                _finSeq = seq + (uint)payload.Length;
            }
            if (_finSeen && _pending.Count == 0 && _next == _finSeq) Close(TcpStreamEnd.Fin, ts);
        }

        /// <summary>
        /// Ends the stream now: buffered data is delivered with its gaps reported, a missing tail before a FIN is
        /// reported as a gap, and the sink is told why the stream ended.
        /// </summary>
        public void Release(TcpStreamEnd reason, long timestampTicks)
        {
            if (IsClosed) return;
            while (_pending.Count > 0) SkipToFirstPending(timestampTicks);
            if (_finSeen && _next != _finSeq && (int)(_finSeq - _next) > 0) ReportGap((int)(_finSeq - _next), timestampTicks);
            Close(reason, timestampTicks);
        }

        private void Close(TcpStreamEnd reason, long ts)
        {
            IsClosed = true;
            foreach (var c in _pending) ReturnChunk(c);
            _pending.Clear();
            _pendingBytes = 0;
            _sink.OnEnd(reason, ts);
        }

        private void Place(uint seq, ReadOnlySpan<byte> payload, long ts)
        {
            while (true)
            {
                int rel = (int)(seq - _next);
                if (rel <= 0)
                {
                    int overlap = -rel;
                    if (overlap >= payload.Length) { DuplicateBytes += payload.Length; return; }
                    DuplicateBytes += overlap;
                    Deliver(payload.Slice(overlap), ts);
                    DrainPending(ts);
                    return;
                }
                if (TryBuffer(seq, payload)) return;
                // No room: skip the hole before the earliest data we hold (or before this segment) and retry.
                if (_pending.Count > 0 && (int)(_pending[0].Seq - seq) < 0) SkipToFirstPending(ts);
                else { ReportGap(rel, ts); _next = seq; }
            }
        }

        private bool TryBuffer(uint seq, ReadOnlySpan<byte> payload)
        {
            int rel = (int)(seq - _next);
            int index = _pending.Count;
            for (int i = 0; i < _pending.Count; i++)
            {
                var c = _pending[i];
                int crel = (int)(c.Seq - _next);
                if (crel <= rel && crel + c.Length >= rel + payload.Length)
                {
                    DuplicateBytes += payload.Length; // already held in full
                    return true;
                }
                if (crel > rel || (crel == rel && c.Length < payload.Length)) { index = i; break; }
            }
            if (_pendingBytes + payload.Length > _options.MaxBufferedBytesPerStream) return false;
            if (_pending.Count >= _options.MaxBufferedSegmentsPerStream) return false;
            if (!_budget.TryReserve(payload.Length)) return false;
            var data = ArrayPool<byte>.Shared.Rent(payload.Length);
            payload.CopyTo(data);
            _pending.Insert(index, new Chunk(seq, data, payload.Length));
            _pendingBytes += payload.Length;
            return true;
        }

        private void SkipToFirstPending(long ts)
        {
            var first = _pending[0];
            int rel = (int)(first.Seq - _next);
            if (rel > 0) { ReportGap(rel, ts); _next = first.Seq; }
            DrainPending(ts);
        }

        private void DrainPending(long ts)
        {
            while (_pending.Count > 0)
            {
                var c = _pending[0];
                int rel = (int)(c.Seq - _next);
                if (rel > 0) return;
                _pending.RemoveAt(0);
                _pendingBytes -= c.Length;
                int overlap = -rel;
                if (overlap >= c.Length) DuplicateBytes += c.Length;
                else
                {
                    DuplicateBytes += overlap;
                    Deliver(new ReadOnlySpan<byte>(c.Data, overlap, c.Length - overlap), ts);
                }
                ReturnChunk(c);
            }
        }

        private void ReturnChunk(Chunk c)
        {
            _budget.Release(c.Length);
            ArrayPool<byte>.Shared.Return(c.Data);
        }

        private void Deliver(ReadOnlySpan<byte> data, long ts)
        {
            _next += (uint)data.Length;
            DeliveredBytes += data.Length;
            _sink.OnData(data, ts);
        }

        private void ReportGap(int bytes, long ts)
        {
            GapBytes += bytes;
            GapCount++;
            _sink.OnGap(bytes, ts);
        }

        private readonly struct Chunk
        {
            public Chunk(uint seq, byte[] data, int length) { Seq = seq; Data = data; Length = length; }
            public uint Seq { get; }
            public byte[] Data { get; }
            public int Length { get; }
        }
    }
}
