using System;
using System.Buffers.Binary;
using WeChatNet.Streams;

namespace WeChatNet.WeChat
{
    /// <summary>What one direction of a TCP stream turned out to carry.</summary>
    internal enum StreamProtocol
    {
        Detecting,
        LongLink,
        Mmtls,
        Http,
        /// <summary>Not recognised as WeChat; ignored.</summary>
        NotWeChat,
        /// <summary>DNS over TCP (2-byte length, then a DNS message).</summary>
        Dns,
        /// <summary>Was WeChat, then decoding stopped (implausible data).</summary>
        Stopped,
        /// <summary>TLS: the client's first record is read for its server name (SNI), the rest is skipped.</summary>
        Tls,
    }

    /// <summary>
    /// Decodes one direction of a reassembled TCP stream: decides from its first bytes whether it is a long link
    /// (16-byte frames, or Mars' 20-byte demo frames), MMTLS records or HTTP, then reads messages forward-only.
    /// Frame and record bodies are skipped without copying, except MMTLS handshake bodies (at most 64 KiB) whose
    /// clear-text start is read. After a gap the decoder looks for a message start again at the next segments.
    /// </summary>
    internal sealed class StreamDecoder : ITcpStreamSink
    {
        private const int DetectBytes = 16;
        private const int MaxResyncAttempts = 8;

        private readonly IStreamEvents _events;
        private readonly bool _fromClient;
        private readonly uint _maxFrame;
        private readonly byte[] _prefix = new byte[DetectBytes];
        private int _prefixLength;
        private int _resyncAttempts;

        // long link
        private LongLinkHeaderFormat _format;
        private readonly byte[] _header = new byte[LongLinkHeader.MarsHeaderLength];
        private int _headerFilled;
        private LongLinkHeader _frame;
        private long _bodyRemaining;
        private bool _inBody;

        // MMTLS
        private MmtlsRecordHeader _record;
        private byte[]? _recordBody;
        private int _recordBodyFilled;
        private long _recordIndex;
        // With a key log every record body is kept (for decryption) in one buffer reused from record to record.
        private bool _keepBodies;
        private byte[]? _bodyBuffer;

        private HttpStreamReader? _http;

        internal StreamDecoder(IStreamEvents events, bool fromClient, uint maxFrameLength)
        {
            _events = events;
            _fromClient = fromClient;
            _maxFrame = maxFrameLength;
        }

        public StreamProtocol Protocol { get; private set; }

        /// <summary>True for the decoder of a long link's decrypted MMTLS payload (its frames are marked decrypted).</summary>
        public bool DecryptedPlaintext { get; private set; }

        /// <summary>Keep every MMTLS record body (not only handshakes) for decryption.</summary>
        internal void KeepRecordBodies() => _keepBodies = true;

        /// <summary>
        /// Decode this decoder's input as 16-byte-header long-link frames from decrypted MMTLS payloads; called again to
        /// start afresh at a record boundary after a record that could not be decrypted.
        /// </summary>
        internal void DecodeDecryptedLongLink()
        {
            DecryptedPlaintext = true;
            Protocol = StreamProtocol.LongLink;
            _format = LongLinkHeaderFormat.WeChat16;
            ResetReaders();
        }

        /// <summary>Decode this direction as DNS over TCP (the connection is to port 53).</summary>
        internal void UseDns() => Protocol = StreamProtocol.Dns;
        public bool FromClient => _fromClient;
        public LongLinkHeaderFormat LongLinkFormat => _format;
        public long Frames { get; private set; }
        public long Records { get; private set; }

        public void OnData(ReadOnlySpan<byte> data, long ts)
        {
            if (Protocol == StreamProtocol.Detecting)
            {
                if (_prefixLength == 0 && data.Length >= DetectBytes)
                {
                    if (!TryDetect(data, ts)) return;
                }
                else
                {
                    int n = Math.Min(DetectBytes - _prefixLength, data.Length);
                    data.Slice(0, n).CopyTo(_prefix.AsSpan(_prefixLength));
                    _prefixLength += n;
                    data = data.Slice(n);
                    var held = _prefix.AsSpan(0, _prefixLength);
                    var verdict = Detect(held);
                    if (verdict == StreamProtocol.Detecting && _prefixLength < DetectBytes) return;
                    _prefixLength = 0;
                    if (!Choose(verdict, held, ts)) return;
                    Feed(held, ts);
                }
            }
            if (data.Length > 0) Feed(data, ts);
        }

        public void OnGap(long missingBytes, long ts)
        {
            _events.OnGap(this, missingBytes, ts);
            if (Protocol == StreamProtocol.Dns)
            {
                StopDecoding("DNS over TCP lost its framing at a capture gap", ts);
                return;
            }
            if (Protocol == StreamProtocol.LongLink || Protocol == StreamProtocol.Mmtls || Protocol == StreamProtocol.Http
                || Protocol == StreamProtocol.Detecting)
            {
                // Frame boundaries are lost: look for a message start again at the next segments.
                Protocol = StreamProtocol.Detecting;
                _prefixLength = 0;
                _resyncAttempts = 0;
                ResetReaders();
            }
        }

        public void OnEnd(TcpStreamEnd reason, long ts)
        {
            if (Protocol == StreamProtocol.LongLink && (_inBody || _headerFilled > 0))
                _events.OnDecodingStopped(this, _inBody
                    ? $"stream ended inside a {_frame.TotalLength}-byte frame ({LongLinkCommands.Name(_frame.Command)}), {_bodyRemaining} bytes short"
                    : $"stream ended inside a frame header ({_headerFilled} bytes)", ts);
            else if (Protocol == StreamProtocol.Mmtls && (_inBody || _headerFilled > 0))
                _events.OnDecodingStopped(this, _inBody
                    ? $"stream ended inside a {_record.BodyLength}-byte MMTLS record, {_bodyRemaining} bytes short"
                    : $"stream ended inside an MMTLS record header ({_headerFilled} bytes)", ts);
            _http?.End(ts);
            _events.OnEnd(this, reason, ts);
        }

        private void ResetReaders()
        {
            _headerFilled = 0;
            _inBody = false;
            _bodyRemaining = 0;
            _recordBody = null;
            _recordBodyFilled = 0;
            _http = null;
        }

        private bool TryDetect(ReadOnlySpan<byte> data, long ts) => Choose(Detect(data), data, ts);

        private bool Choose(StreamProtocol verdict, ReadOnlySpan<byte> data, long ts)
        {
            if (verdict == StreamProtocol.Detecting || verdict == StreamProtocol.NotWeChat)
            {
                // Not a message start here (capture began mid-stream, or after a gap): try again at the next segments.
                if (++_resyncAttempts >= MaxResyncAttempts) Protocol = StreamProtocol.NotWeChat;
                return false;
            }
            Protocol = verdict;
            if (verdict == StreamProtocol.LongLink)
                _format = LongLinkHeader.LooksLikeMarsDemo(data) ? LongLinkHeaderFormat.MarsDemo20 : LongLinkHeaderFormat.WeChat16;
            if (verdict == StreamProtocol.Http)
            {
                _http = new HttpStreamReader(!_fromClient, _events.HttpLimits, m => _events.OnHttpMessage(this, m));
                if (!_fromClient) _http.NextResponseHasNoBody = _events.NextResponseIsToHead;
            }
            _events.OnDetected(this, ts);
            return true;
        }

        /// <summary>What a stream starting with these bytes carries; Detecting when more bytes are needed to tell.</summary>
        public StreamProtocol Detect(ReadOnlySpan<byte> data)
        {
            if (data.Length == 0) return StreamProtocol.Detecting;
            if (MmtlsRecordHeader.LooksLikeRecord(data)) return StreamProtocol.Mmtls;
            if (TlsClientHello.LooksLikeTlsHandshake(data)) return StreamProtocol.Tls;
            if (HttpStreamReader.LooksLikeHttp(data, response: !_fromClient)) return StreamProtocol.Http;
            if (data.Length < DetectBytes) return StreamProtocol.Detecting;
            return LooksLikeLongLink(data, _maxFrame) ? StreamProtocol.LongLink : StreamProtocol.NotWeChat;
        }

        /// <summary>A plausible 16-byte WeChat header (header length 16, version below 0x100) or Mars demo header.</summary>
        public static bool LooksLikeLongLink(ReadOnlySpan<byte> data, uint maxFrame)
        {
            if (data.Length < DetectBytes) return false;
            var format = LongLinkHeader.LooksLikeMarsDemo(data) ? LongLinkHeaderFormat.MarsDemo20 : LongLinkHeaderFormat.WeChat16;
            if (format == LongLinkHeaderFormat.MarsDemo20 && data.Length < LongLinkHeader.MarsHeaderLength)
                return BinaryPrimitives.ReadUInt32BigEndian(data.Slice(8)) < 0x10000; // command of the demo header
            var status = LongLinkHeader.TryRead(data, format, maxFrame, out var h, out _, out _);
            return status == LongLinkHeaderStatus.Ok && (format == LongLinkHeaderFormat.MarsDemo20 || h.Version < 0x100);
        }

        private void Feed(ReadOnlySpan<byte> data, long ts)
        {
            switch (Protocol)
            {
                case StreamProtocol.LongLink: FeedLongLink(data, ts); break;
                case StreamProtocol.Mmtls: FeedMmtls(data, ts); break;
                case StreamProtocol.Dns: FeedDns(data, ts); break;
                case StreamProtocol.Tls: FeedTls(data, ts); break;
                case StreamProtocol.Http:
                    if (!_http!.Feed(data, ts, out var reason)) StopDecoding("HTTP: " + reason, ts);
                    break;
            }
        }

        private void StopDecoding(string reason, long ts)
        {
            Protocol = StreamProtocol.Stopped;
            ResetReaders();
            _events.OnDecodingStopped(this, reason, ts);
        }

        [System.Runtime.CompilerServices.MethodImpl(WeChatNet.Packets.HotPath.Optimize)]
        private void FeedLongLink(ReadOnlySpan<byte> data, long ts)
        {
            int headerLength = _format == LongLinkHeaderFormat.MarsDemo20 ? LongLinkHeader.MarsHeaderLength : LongLinkHeader.WeChatHeaderLength;
            while (data.Length > 0 && Protocol == StreamProtocol.LongLink)
            {
                if (_inBody)
                {
                    int n = (int)Math.Min(_bodyRemaining, data.Length);
                    _bodyRemaining -= n;
                    data = data.Slice(n);
                    if (_bodyRemaining == 0) { _inBody = false; Frames++; _events.OnFrame(this, in _frame, ts); }
                    continue;
                }
                ReadOnlySpan<byte> header;
                if (_headerFilled == 0 && data.Length >= headerLength)
                {
                    header = data.Slice(0, headerLength);
                    data = data.Slice(headerLength);
                }
                else
                {
                    int n = Math.Min(headerLength - _headerFilled, data.Length);
                    data.Slice(0, n).CopyTo(_header.AsSpan(_headerFilled));
                    _headerFilled += n;
                    data = data.Slice(n);
                    if (_headerFilled < headerLength) return;
                    _headerFilled = 0;
                    header = _header.AsSpan(0, headerLength);
                }
                var status = LongLinkHeader.TryRead(header, _format, _maxFrame, out _frame, out var reason, out int offset);
                if (status != LongLinkHeaderStatus.Ok)
                {
                    StopDecoding($"implausible long-link header after {Frames} frames ({reason}, header offset {offset})", ts);
                    return;
                }
                _bodyRemaining = _frame.BodyLength;
                if (_bodyRemaining == 0) { Frames++; _events.OnFrame(this, in _frame, ts); }
                else _inBody = true;
            }
        }

        private void FeedMmtls(ReadOnlySpan<byte> data, long ts)
        {
            while (data.Length > 0 && Protocol == StreamProtocol.Mmtls)
            {
                if (_inBody)
                {
                    int n = (int)Math.Min(_bodyRemaining, data.Length);
                    if (_recordBody != null)
                    {
                        data.Slice(0, n).CopyTo(_recordBody.AsSpan(_recordBodyFilled));
                        _recordBodyFilled += n;
                    }
                    _bodyRemaining -= n;
                    data = data.Slice(n);
                    if (_bodyRemaining == 0) CompleteRecord(ts);
                    continue;
                }
                ReadOnlySpan<byte> header;
                if (_headerFilled == 0 && data.Length >= MmtlsRecordHeader.Length)
                {
                    header = data.Slice(0, MmtlsRecordHeader.Length);
                    data = data.Slice(MmtlsRecordHeader.Length);
                }
                else
                {
                    int n = Math.Min(MmtlsRecordHeader.Length - _headerFilled, data.Length);
                    data.Slice(0, n).CopyTo(_header.AsSpan(_headerFilled));
                    _headerFilled += n;
                    data = data.Slice(n);
                    if (_headerFilled < MmtlsRecordHeader.Length) return;
                    _headerFilled = 0;
                    header = _header.AsSpan(0, MmtlsRecordHeader.Length);
                }
                if (!MmtlsRecordHeader.TryRead(header, out _record, out var reason))
                {
                    StopDecoding($"implausible MMTLS record header after {Records} records ({reason})", ts);
                    return;
                }
                bool handshake = _record.Type == MmtlsRecordHeader.Handshake || _record.Type == MmtlsRecordHeader.EarlyDataHandshake;
                _recordBody = null;
                if ((handshake || _keepBodies) && _record.BodyLength > 0)
                {
                    if (_bodyBuffer is null || _bodyBuffer.Length < _record.BodyLength)
                        _bodyBuffer = new byte[Math.Max(_record.BodyLength, Math.Min(ushort.MaxValue, (_bodyBuffer?.Length ?? 256) * 2))];
                    _recordBody = _bodyBuffer;
                }
                _recordBodyFilled = 0;
                _bodyRemaining = _record.BodyLength;
                if (_bodyRemaining == 0) CompleteRecord(ts);
                else _inBody = true;
            }
        }

        /// <summary>Collects the client's first TLS record (at most one record, 16 KiB) and reports its server name.</summary>
        private void FeedTls(ReadOnlySpan<byte> data, long ts)
        {
            if (!_fromClient || _tlsDone || data.Length == 0) return;
            if (_recordBody is null)
            {
                if (_headerFilled < MmtlsRecordHeader.Length)
                {
                    int n = Math.Min(MmtlsRecordHeader.Length - _headerFilled, data.Length);
                    data.Slice(0, n).CopyTo(_header.AsSpan(_headerFilled));
                    _headerFilled += n;
                    data = data.Slice(n);
                    if (_headerFilled < MmtlsRecordHeader.Length) return;
                }
                int length = TlsClientHello.RecordLength(_header.AsSpan(0, MmtlsRecordHeader.Length));
                if (length - MmtlsRecordHeader.Length > TlsClientHello.MaxRecordBody) { _tlsDone = true; return; }
                _recordBody = new byte[length];
                _header.AsSpan(0, MmtlsRecordHeader.Length).CopyTo(_recordBody);
                _recordBodyFilled = MmtlsRecordHeader.Length;
            }
            int take = Math.Min(_recordBody.Length - _recordBodyFilled, data.Length);
            data.Slice(0, take).CopyTo(_recordBody.AsSpan(_recordBodyFilled));
            _recordBodyFilled += take;
            if (_recordBodyFilled < _recordBody.Length) return;
            _tlsDone = true;
            string? name = TlsClientHello.TryReadServerName(_recordBody, out _);
            _recordBody = null;
            _headerFilled = 0;
            if (!string.IsNullOrEmpty(name)) _events.OnServerName(this, name!, ts);
        }

        private bool _tlsDone;

        private void FeedDns(ReadOnlySpan<byte> data, long ts)
        {
            while (data.Length > 0)
            {
                if (_inBody)
                {
                    int n = (int)Math.Min(_bodyRemaining, data.Length);
                    data.Slice(0, n).CopyTo(_recordBody.AsSpan(_recordBodyFilled));
                    _recordBodyFilled += n;
                    _bodyRemaining -= n;
                    data = data.Slice(n);
                    if (_bodyRemaining == 0)
                    {
                        _inBody = false;
                        _events.OnDnsMessage(this, _recordBody!, ts);
                        _recordBody = null;
                    }
                    continue;
                }
                int take = Math.Min(2 - _headerFilled, data.Length);
                data.Slice(0, take).CopyTo(_header.AsSpan(_headerFilled));
                _headerFilled += take;
                data = data.Slice(take);
                if (_headerFilled < 2) return;
                _headerFilled = 0;
                int length = BinaryPrimitives.ReadUInt16BigEndian(_header);
                if (length == 0) continue;
                _recordBody = new byte[length];
                _recordBodyFilled = 0;
                _bodyRemaining = length;
                _inBody = true;
            }
        }

        private void CompleteRecord(long ts)
        {
            _inBody = false;
            Records++;
            _recordIndex++;
            var body = _recordBody;
            _recordBody = null;
            _events.OnRecord(this, in _record, body, body is null ? 0 : _record.BodyLength, _recordIndex, ts);
        }
    }
}
