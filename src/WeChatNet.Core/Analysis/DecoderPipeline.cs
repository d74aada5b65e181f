using System;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Threading;
using WeChatNet.Packets;
using WeChatNet.Streams;
using WeChatNet.WeChat;

namespace WeChatNet.Analysis
{
    /// <summary>
    /// The second core of a capture analysis: the reading thread reads, decodes and counts packets into the flow table
    /// and hands each TCP segment and UDP datagram here; a thread of its own feeds them to the WeChat decoders (stream
    /// reassembly, frames, MMTLS, HTTP, DNS) and so to the analysis' message handler. The decoders see exactly the
    /// packets, in exactly the order, the single-threaded path gives them; only the thread differs. Packets travel in
    /// a few recycled batches (headers in an array of structs, payloads copied into one byte array), so nothing is
    /// allocated per packet, and the reader is at most <see cref="Depth"/> batches ahead.
    /// </summary>
    internal sealed class DecoderPipeline : IDisposable
    {
        private const int MaxEntries = 4096;
        private const int InitialBytes = 1 << 20;
        /// <summary>Batches in flight: one being filled, the rest queued or being decoded.</summary>
        private const int Depth = 4;

        private struct Entry
        {
            public IpKey Source, Destination;
            public long Ticks;
            public uint Sequence;
            public int Offset, Length;
            public ushort SourcePort, DestinationPort;
            public TcpFlags Flags;
            public bool Tcp;
        }

        private sealed class Batch
        {
            public readonly Entry[] Entries = new Entry[MaxEntries];
            public byte[] Bytes = new byte[InitialBytes];
            public int Count, Used;
        }

        private readonly WeChatTrafficDecoder _decoder;
        private readonly BlockingCollection<Batch> _full = new BlockingCollection<Batch>(new ConcurrentQueue<Batch>());
        private readonly BlockingCollection<Batch> _free = new BlockingCollection<Batch>(new ConcurrentQueue<Batch>());
        private readonly Thread _thread;
        private Batch _current;
        private volatile Exception? _failure;
        private bool _finished;

        public DecoderPipeline(WeChatTrafficDecoder decoder)
        {
            _decoder = decoder;
            for (int i = 1; i < Depth; i++) _free.Add(new Batch());
            _current = new Batch();
            _thread = new Thread(Run) { IsBackground = true, Name = "WeChatNet analysis decoder" };
            _thread.Start();
        }

        /// <summary>One TCP segment (<paramref name="tcp"/>) or UDP datagram, in capture order; the payload is copied.</summary>
        [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimize)]
        public void Add(bool tcp, IpKey source, ushort sourcePort, IpKey destination, ushort destinationPort, uint sequence, TcpFlags flags,
            ReadOnlySpan<byte> payload, long ticks)
        {
            var b = _current;
            if (b.Count == MaxEntries || payload.Length > b.Bytes.Length - b.Used)
            {
                Hand();
                b = _current;
                if (payload.Length > b.Bytes.Length) b.Bytes = new byte[payload.Length]; // a record larger than any before: the batch keeps the room
            }
            ref var e = ref b.Entries[b.Count++];
            e.Tcp = tcp;
            e.Source = source;
            e.SourcePort = sourcePort;
            e.Destination = destination;
            e.DestinationPort = destinationPort;
            e.Sequence = sequence;
            e.Flags = flags;
            e.Ticks = ticks;
            e.Offset = b.Used;
            e.Length = payload.Length;
            payload.CopyTo(new Span<byte>(b.Bytes, b.Used, payload.Length));
            b.Used += payload.Length;
        }

        /// <summary>Hands what is batched to the decoder thread and waits until it has decoded everything; rethrows its failure.</summary>
        public void Finish()
        {
            if (_finished) return;
            _finished = true;
            if (_current.Count > 0) _full.Add(_current);
            _full.CompleteAdding();
            _thread.Join();
            if (_failure != null) ExceptionDispatchInfo.Capture(_failure).Throw();
        }

        private void Hand()
        {
            if (_failure != null) Finish();
            _full.Add(_current);
            _current = _free.Take();
        }

        private void Run()
        {
            foreach (var b in _full.GetConsumingEnumerable())
            {
                try
                {
                    if (_failure is null) Decode(b);
                }
                catch (Exception e)
                {
                    _failure = e;
                }
                b.Count = 0;
                b.Used = 0;
                _free.Add(b);
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimize)]
        private void Decode(Batch b)
        {
            var entries = b.Entries;
            for (int i = 0; i < b.Count; i++)
            {
                ref var e = ref entries[i];
                var payload = new ReadOnlySpan<byte>(b.Bytes, e.Offset, e.Length);
                if (e.Tcp)
                    _decoder.AddTcp(e.Source, e.SourcePort, e.Destination, e.DestinationPort, new StreamSegment(e.Sequence, e.Flags, payload, e.Ticks));
                else
                    _decoder.AddUdp(e.Source, e.SourcePort, e.Destination, e.DestinationPort, payload, e.Ticks);
            }
        }

        /// <summary>Stops the decoder thread without waiting for a result (the reading side failed or was cancelled).</summary>
        public void Dispose()
        {
            if (!_finished)
            {
                _finished = true;
                _failure ??= new OperationCanceledException("The analysis was abandoned.");
                _full.CompleteAdding();
                _thread.Join();
            }
            _full.Dispose();
            _free.Dispose();
        }
    }
}
