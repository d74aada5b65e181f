using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace WeChatNet.WeChat
{
    /// <summary>Bounds of HTTP decoding.</summary>
    internal sealed class HttpLimits
    {
        public int MaxHeaderBytes { get; set; } = 64 * 1024;
        /// <summary>Body bytes kept per message (longer bodies are counted, not kept). Default 4 MiB.</summary>
        public int MaxBodyBytes { get; set; } = 4 * 1024 * 1024;
        /// <summary>Bytes a compressed body may expand to. Default 16 MiB.</summary>
        public int MaxDecodedBytes { get; set; } = 16 * 1024 * 1024;
    }

    /// <summary>
    /// Reads HTTP/1.x messages from one direction of a reassembled stream: start line, headers, and a body framed by
    /// Content-Length, chunked transfer coding, or (responses) the end of the connection. Never throws on bad input:
    /// a stream that is not HTTP makes <see cref="Feed"/> return false with a reason.
    /// </summary>
    internal sealed class HttpStreamReader
    {
        private enum State { StartLine, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailer, UntilClose, Stopped }

        private readonly bool _responses;
        private readonly HttpLimits _limits;
        private readonly Action<HttpMessage> _onMessage;
        private readonly MemoryStream _head = new MemoryStream();
        private readonly MemoryStream _body = new MemoryStream();
        private readonly StringBuilder _line = new StringBuilder();
        private State _state;
        private HttpMessage? _current;
        private long _remaining;

        public HttpStreamReader(bool responses, HttpLimits limits, Action<HttpMessage> onMessage)
        {
            _responses = responses;
            _limits = limits;
            _onMessage = onMessage;
        }

        /// <summary>Set by the pairing logic when the next response answers a HEAD request (no body).</summary>
        public Func<bool>? NextResponseHasNoBody { get; set; }

        /// <summary>True when the bytes start like an HTTP request (method SP) or response (HTTP/1.).</summary>
        public static bool LooksLikeHttp(ReadOnlySpan<byte> data, bool response)
        {
            if (response) return StartsWith(data, "HTTP/1.");
            foreach (var m in new[] { "GET ", "POST ", "HEAD ", "PUT ", "OPTIONS ", "DELETE " })
                if (StartsWith(data, m)) return true;
            return false;
        }

        private static bool StartsWith(ReadOnlySpan<byte> data, string s)
        {
            if (data.Length < s.Length) return false;
            for (int i = 0; i < s.Length; i++) if (data[i] != s[i]) return false;
            return true;
        }

        public bool Feed(ReadOnlySpan<byte> data, long ts, out string? stopReason)
        {
            stopReason = null;
            while (data.Length > 0)
            {
                switch (_state)
                {
                    case State.Stopped:
                        return true;
                    case State.StartLine:
                    {
                        if (_current is null) _current = new HttpMessage { IsResponse = _responses, StartTicks = ts };
                        int end = FindHeadEnd(data, out int consumed);
                        if (end < 0)
                        {
                            if (_head.Length + data.Length > _limits.MaxHeaderBytes) { stopReason = $"HTTP header longer than {_limits.MaxHeaderBytes} bytes"; return Stop(); }
                            _head.Write(data.ToArray(), 0, data.Length);
                            return true;
                        }
                        _head.Write(data.Slice(0, consumed).ToArray(), 0, consumed);
                        data = data.Slice(consumed);
                        if (!ParseHead(_current, out stopReason)) return Stop();
                        _head.SetLength(0);
                        StartBody(ts);
                        break;
                    }
                    case State.Body:
                    case State.ChunkData:
                    {
                        int n = (int)Math.Min(_remaining, data.Length);
                        Keep(data.Slice(0, n));
                        data = data.Slice(n);
                        _remaining -= n;
                        if (_remaining == 0)
                        {
                            if (_state == State.Body) Complete(ts);
                            else _state = State.ChunkDataEnd;
                        }
                        break;
                    }
                    case State.UntilClose:
                        Keep(data);
                        return true;
                    case State.ChunkSize:
                    case State.ChunkDataEnd:
                    case State.Trailer:
                    {
                        int nl = data.IndexOf((byte)'\n');
                        int take = nl < 0 ? data.Length : nl + 1;
                        if (_line.Length + take > 4096) { stopReason = "chunk line longer than 4096 bytes"; return Stop(); }
                        for (int i = 0; i < take; i++) _line.Append((char)data[i]);
                        data = data.Slice(take);
                        if (nl < 0) break;
                        string line = _line.ToString().TrimEnd('\r', '\n');
                        _line.Clear();
                        if (_state == State.ChunkDataEnd)
                        {
                            if (line.Length != 0) { stopReason = "chunk data not followed by CRLF"; return Stop(); }
                            _state = State.ChunkSize;
                        }
                        else if (_state == State.ChunkSize)
                        {
                            int semi = line.IndexOf(';');
                            string hex = (semi >= 0 ? line.Substring(0, semi) : line).Trim();
                            if (!TryParseHex(hex, out long size)) { stopReason = $"bad chunk size '{Printable(hex)}'"; return Stop(); }
                            if (size == 0) _state = State.Trailer;
                            else { _remaining = size; _state = State.ChunkData; }
                        }
                        else if (line.Length == 0) Complete(ts);
                        break;
                    }
                }
            }
            return true;
        }

        /// <summary>The stream ended: a body read until close completes; anything else half-read is reported incomplete.</summary>
        public void End(long ts)
        {
            if (_state == State.UntilClose) { Complete(ts); return; }
            if (_current != null && (_state != State.StartLine || _head.Length > 0) && _state != State.Stopped)
            {
                if (_state == State.StartLine && !ParseHead(_current, out _)) { _current = null; return; }
                _current.Incomplete = true;
                Complete(ts);
            }
        }

        private bool Stop()
        {
            _state = State.Stopped;
            _current = null;
            return false;
        }

        private void StartBody(long ts)
        {
            var m = _current!;
            _body.SetLength(0);
            string? te = m.Header("Transfer-Encoding");
            string? cl = m.Header("Content-Length");
            if (m.IsResponse && m.StatusCode / 100 == 1)
            {
                // An interim response (100 Continue): the final response to the same request follows.
                _current = null;
                _state = State.StartLine;
                return;
            }
            bool noBody = m.IsResponse && (m.StatusCode == 204 || m.StatusCode == 304 || (NextResponseHasNoBody?.Invoke() ?? false));
            if (noBody) { Complete(ts); return; }
            if (te != null && te.IndexOf("chunked", StringComparison.OrdinalIgnoreCase) >= 0) { _state = State.ChunkSize; return; }
            if (cl != null && long.TryParse(cl.Trim(), out long length) && length >= 0)
            {
                if (length == 0) { Complete(ts); return; }
                _remaining = length;
                _state = State.Body;
                return;
            }
            if (m.IsResponse) { _state = State.UntilClose; return; }
            Complete(ts);
        }

        private void Keep(ReadOnlySpan<byte> data)
        {
            var m = _current!;
            m.BodyLength += data.Length;
            int room = (int)Math.Max(0, _limits.MaxBodyBytes - _body.Length);
            if (data.Length > room) m.BodyTruncated = true;
            int n = Math.Min(room, data.Length);
            if (n > 0) _body.Write(data.Slice(0, n).ToArray(), 0, n);
        }

        private void Complete(long ts)
        {
            var m = _current!;
            m.Body = _body.ToArray();
            m.EndTicks = ts;
            _body.SetLength(0);
            _current = null;
            _state = State.StartLine;
            _onMessage(m);
        }

        private int FindHeadEnd(ReadOnlySpan<byte> data, out int consumed)
        {
            // The head ends at the first empty line ("\n\n" or "\n\r\n"); it may straddle the bytes already held.
            var held = _head.GetBuffer();
            int heldLength = (int)_head.Length;
            for (int i = 0; i < data.Length; i++)
            {
                if (data[i] != '\n') continue;
                int p1 = At(data, held, heldLength, i - 1);
                int p2 = At(data, held, heldLength, i - 2);
                if (p1 == '\n' || (p1 == '\r' && p2 == '\n'))
                {
                    consumed = i + 1;
                    return i;
                }
            }
            consumed = 0;
            return -1;
        }

        private static int At(ReadOnlySpan<byte> data, byte[] held, int heldLength, int index)
        {
            if (index >= 0) return data[index];
            int h = heldLength + index;
            return h >= 0 ? held[h] : -1;
        }

        private bool ParseHead(HttpMessage m, out string? reason)
        {
            reason = null;
            var raw = _head.GetBuffer();
            var chars = new char[(int)_head.Length];
            for (int i = 0; i < chars.Length; i++) chars[i] = (char)raw[i];
            string text = new string(chars);
            var lines = text.Split('\n');
            string start = lines[0].TrimEnd('\r');
            var parts = start.Split(new[] { ' ' }, 3);
            if (_responses)
            {
                if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || !int.TryParse(parts[1], out int status) || status < 100 || status > 999)
                {
                    reason = $"not an HTTP status line: '{Printable(start)}'";
                    return false;
                }
                m.Version = parts[0];
                m.StatusCode = status;
            }
            else
            {
                if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || parts[0].Length == 0)
                {
                    reason = $"not an HTTP request line: '{Printable(start)}'";
                    return false;
                }
                m.Method = parts[0];
                m.Target = parts[1];
                m.Version = parts[2];
            }
            for (int i = 1; i < lines.Length && m.Headers.Count < 256; i++)
            {
                string line = lines[i].TrimEnd('\r');
                if (line.Length == 0) continue;
                int colon = line.IndexOf(':');
                if (colon <= 0) continue;
                m.Headers.Add(new KeyValuePair<string, string>(line.Substring(0, colon).Trim(), line.Substring(colon + 1).Trim()));
            }
            return true;
        }

        private static bool TryParseHex(string s, out long value)
        {
            value = 0;
            if (s.Length == 0 || s.Length > 15) return false;
            foreach (char c in s)
            {
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                if (d < 0) return false;
                value = value * 16 + d;
            }
            return true;
        }

        private static string Printable(string s)
        {
            var sb = new StringBuilder(Math.Min(s.Length, 80));
            foreach (char c in s)
            {
                if (sb.Length >= 80) { sb.Append("..."); break; }
                sb.Append(c >= ' ' && c < 0x7F ? c : '.');
            }
            return sb.ToString();
        }
    }
}
