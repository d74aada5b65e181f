using System.Collections.Generic;

namespace WeChatNet.Analysis
{
    /// <summary>How one TCP segment was judged.</summary>
    internal enum SegmentVerdict : byte
    {
        Normal,
        Retransmission,
        SpuriousRetransmission,
        OutOfOrder,
        KeepAlive,
        DuplicateAck,
    }

    /// <summary>
    /// Sequence-space bookkeeping for one direction of a TCP connection: sequence numbers unwrapped to 64 bits
    /// from the first one seen, the highest byte sent, holes (data skipped, later filled or never seen), and what
    /// the peer has acknowledged. Bounded: at most <see cref="MaxHoles"/> holes are remembered.
    /// </summary>
    internal sealed class TcpDirection
    {
        public const int MaxHoles = 32;

        private bool _started;
        private uint _lastRawSeq;
        private long _lastSeq;
        private bool _ackStarted;
        private uint _lastRawAckForPeer;
        private long _lastAckForPeer;
        private readonly List<Hole> _holes = new List<Hole>();

        public long Packets;
        public long FrameBytes;
        public long PayloadBytes;
        public long MaxEnd;            // one past the highest sequence number sent (unwrapped)
        public long AckedByPeer = long.MinValue; // highest of our bytes the peer acknowledged (unwrapped)
        public long LastSegmentNs = long.MinValue;
        private long _maxEndNs;
        /// <summary>Duplicate ACKs in a row (reset when the acknowledgment moves).</summary>
        public int DuplicateAcksInRow;
        public uint LastAck;
        public ushort LastWindow;
        public bool HasLastAck;

        public int Retransmissions;
        /// <summary>Retransmissions of segments that carried data (a retried SYN or FIN is not one): the loss rate's numerator.</summary>
        public int DataRetransmissions;
        /// <summary>Lowest round trip from a data segment of this direction to the peer's ACK of it (Karn: retransmitted data is not timed).</summary>
        public long MinRttNs = long.MaxValue;
        private bool _rttArmed;
        private long _rttEnd;
        private long _rttSentNs;
        public int SpuriousRetransmissions;
        public int OutOfOrder;
        public int KeepAlives;
        public int DuplicateAcks;
        public int ZeroWindows;
        public int Resets;
        public long FinNs = long.MinValue;
        public long HolesSkippedBytes;  // holes given up on when the table overflowed
        public int HolesCreated;

        /// <summary>Bytes of holes never filled: data the capture missed (or never sent).</summary>
        public long UnfilledHoleBytes
        {
            get
            {
                long sum = HolesSkippedBytes;
                foreach (var h in _holes) sum += h.End - h.Start;
                return sum;
            }
        }

        public int UnfilledHoles => _holes.Count;

        public bool Started => _started;

        /// <summary>Unwraps a raw sequence number against the last one seen in this direction.</summary>
        public long Unwrap(uint raw)
        {
            if (!_started)
            {
                _started = true;
                _lastRawSeq = raw;
                _lastSeq = raw;
                MaxEnd = raw;
                return raw;
            }
            long value = _lastSeq + (int)(raw - _lastRawSeq);
            _lastRawSeq = raw;
            _lastSeq = value;
            return value;
        }

        /// <summary>Unwraps an acknowledgment number the peer sent for our sequence space.</summary>
        public long UnwrapPeerAck(uint raw)
        {
            if (!_ackStarted)
            {
                _ackStarted = true;
                _lastRawAckForPeer = raw;
                // Place the first ack near our own sequence space when we have one.
                _lastAckForPeer = _started ? _lastSeq + (int)(raw - _lastRawSeq) : raw;
                return _lastAckForPeer;
            }
            long value = _lastAckForPeer + (int)(raw - _lastRawAckForPeer);
            _lastRawAckForPeer = raw;
            _lastAckForPeer = value;
            return value;
        }

        /// <summary>
        /// Judges a segment occupying [start, end) of sequence space (payload plus SYN/FIN), seen at time now, with
        /// tshark's rules: below the highest byte sent it is a fast retransmission when the peer has sent two or more
        /// duplicate ACKs for it; else reordering when it came within <paramref name="reorderWindowNs"/> (the initial RTT,
        /// or 3 ms) of the segment that last advanced the stream and does not end where that one ended; else spurious when
        /// the peer had already acknowledged it; else a retransmission. Holes are remembered only to report capture gaps.
        /// </summary>
        public SegmentVerdict Judge(long start, long end, int payloadLength, bool synOrFin, long nowNs, long reorderWindowNs, bool fastRetransmission)
        {
            LastSegmentNs = nowNs;
            if (start >= MaxEnd)
            {
                if (start > MaxEnd) AddHole(MaxEnd, start, nowNs);
                MaxEnd = end;
                _maxEndNs = nowNs;
                if (payloadLength > 0 && !_rttArmed) { _rttArmed = true; _rttEnd = end; _rttSentNs = nowNs; }
                return SegmentVerdict.Normal;
            }
            if (_rttArmed && start < _rttEnd) _rttArmed = false; // sent again: its ACK cannot be timed
            if (payloadLength <= 1 && !synOrFin && start == MaxEnd - 1 && end <= MaxEnd)
                return SegmentVerdict.KeepAlive;
            FillHoles(start, end);
            bool endsAtHighest = end == MaxEnd;
            long sinceAdvance = nowNs - _maxEndNs;
            if (end > MaxEnd) { MaxEnd = end; _maxEndNs = nowNs; }
            if (fastRetransmission) return SegmentVerdict.Retransmission;
            if (sinceAdvance < reorderWindowNs && !endsAtHighest) return SegmentVerdict.OutOfOrder;
            if (AckedByPeer != long.MinValue && end <= AckedByPeer) return SegmentVerdict.SpuriousRetransmission;
            return SegmentVerdict.Retransmission;
        }

        private void AddHole(long start, long end, long nowNs)
        {
            HolesCreated++;
            if (_holes.Count == MaxHoles)
            {
                HolesSkippedBytes += _holes[0].End - _holes[0].Start;
                _holes.RemoveAt(0);
            }
            _holes.Add(new Hole { Start = start, End = end, CreatedNs = nowNs });
        }

        private void FillHoles(long start, long end)
        {
            for (int i = _holes.Count - 1; i >= 0; i--)
            {
                var h = _holes[i];
                if (end <= h.Start || start >= h.End) continue;
                _holes.RemoveAt(i);
                if (h.Start < start) _holes.Insert(i, new Hole { Start = h.Start, End = start, CreatedNs = h.CreatedNs });
                if (end < h.End) _holes.Insert(i + (h.Start < start ? 1 : 0), new Hole { Start = end, End = h.End, CreatedNs = h.CreatedNs });
            }
        }

        /// <summary>The peer acknowledged our bytes up to <paramref name="ack"/>: holes below it were delivered, just not captured.</summary>
        public void PeerAcknowledged(long ack, long nowNs)
        {
            if (ack > AckedByPeer) AckedByPeer = ack;
            if (_rttArmed && ack >= _rttEnd)
            {
                _rttArmed = false;
                long rtt = nowNs - _rttSentNs;
                if (rtt >= 0 && rtt < MinRttNs) MinRttNs = rtt;
            }
        }

        /// <summary>
        /// The sender started over with a new initial sequence number before sending data (a second SYN or SYN/ACK with a
        /// new ISN, as tshark treats it): the old sequence space, its holes and the peer's acknowledgments of it are dropped.
        /// </summary>
        public void RestartSequenceSpace()
        {
            _started = false;
            _ackStarted = false;
            _holes.Clear();
            MaxEnd = 0;
            AckedByPeer = long.MinValue;
            _rttArmed = false;
        }

        private struct Hole
        {
            public long Start;
            public long End;
            public long CreatedNs;
        }
    }
}
