using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using WeChatNet.Capture;
using WeChatNet.Packets;

namespace WeChatNet.WeChat
{
    /// <summary>One TCP connection of a sample: handshake, data in MSS-sized segments with ACKs, FIN or RST.</summary>
    internal sealed class SampleTcp
    {
        public const int Mss = 1400;
        private readonly SampleNetwork _net;
        private uint _clientSeq, _serverSeq;
        private double _rttMs;

        /// <summary>
        /// The server's ACK of the client's data comes one round trip later (as a capture on the phone sees it), not at once;
        /// off for the shipped samples, whose bytes stay as they were.
        /// </summary>
        public bool RealisticAcks { get; set; }

        /// <summary>
        /// Packets the client sends from now on vanish just past it (a home router's NAT that forgot the connection drops
        /// them): a capture at the client sees them, one in between or at the server does not.
        /// </summary>
        public bool VanishBeyondClient { get; set; }

        /// <summary>How long the client takes to acknowledge the server's data (a phone's delayed ACK); 0.3 ms unless set.</summary>
        public double ClientAckDelayMs { get; set; } = 0.3;

        public SampleTcp(SampleNetwork net, IPAddress server, ushort serverPort, string host)
        {
            _net = net;
            Server = server;
            ServerPort = serverPort;
            ClientPort = net.NextPort();
            Host = host;
            _clientSeq = (uint)net.Random.Next();
            _serverSeq = (uint)net.Random.Next();
        }

        public IPAddress Server { get; }
        public ushort ServerPort { get; }
        public ushort ClientPort { get; }
        public string Host { get; }

        public SampleTcp Open(double rttMs = 30) => Open(rttMs, Array.Empty<double>(), newIsnSynAck: false);

        /// <summary>
        /// Handshake with SYN retries: the SYN is sent again after each of <paramref name="retryAfterMs"/> (same ISN), then
        /// answered after <paramref name="rttMs"/>. With <paramref name="newIsnSynAck"/> a first SYN/ACK is answered by the
        /// client's RST-less retry and the server sends a second SYN/ACK with a new ISN, which the client acknowledges.
        /// </summary>
        public SampleTcp Open(double rttMs, double[] retryAfterMs, bool newIsnSynAck)
        {
            _rttMs = rttMs;
            Segment(true, _clientSeq, 0, 0x02, default, "SYN");
            foreach (var ms in retryAfterMs)
            {
                _net.Wait(ms);
                Segment(true, _clientSeq, 0, 0x02, default, $"SYN again after {ms:0} ms");
            }
            _clientSeq++;
            _net.Wait(rttMs);
            if (newIsnSynAck)
            {
                Segment(false, _serverSeq, _clientSeq, 0x12, default, "SYN/ACK (to the first SYN)");
                _net.Wait(rttMs * 0.8);
                _serverSeq = unchecked(_serverSeq + 0x01000000u + (uint)_net.Random.Next(1 << 20));
                Segment(false, _serverSeq, _clientSeq, 0x12, default, "SYN/ACK with a new ISN");
            }
            else
            {
                Segment(false, _serverSeq, _clientSeq, 0x12, default);
            }
            _serverSeq++;
            _net.Wait(0.2);
            Segment(true, _clientSeq, _serverSeq, 0x10, default);
            return this;
        }

        private void Segment(bool fromClient, uint seq, uint ack, byte flags, ReadOnlySpan<byte> payload, string? comment = null)
        {
            if (VanishBeyondClient && fromClient && _net.Point != CapturePoint.Client) return;
            var t = new byte[20 + payload.Length];
            BinaryPrimitives.WriteUInt16BigEndian(t, fromClient ? ClientPort : ServerPort);
            BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(2), fromClient ? ServerPort : ClientPort);
            BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(4), seq);
            BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(8), ack);
            t[12] = 0x50;
            t[13] = flags;
            BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(14), 0xFFFF);
            payload.CopyTo(t.AsSpan(20));
            // Away from the client (realistic timing only): a client packet passes the capture point later than it left, a
            // server packet earlier than it reaches the client, by the capture point's share of the one-way delay.
            double shift = RealisticAcks ? _net.CaptureShare * _rttMs / 2 : 0;
            _net.WriteIp(fromClient ? SampleNetwork.Phone : Server, fromClient ? Server : SampleNetwork.Phone, 6, t, comment, fromClient ? shift : -shift);
        }

        /// <summary>Sends bytes in MSS-sized segments, then the peer acknowledges them.</summary>
        public void Send(bool fromClient, byte[] data, string? comment = null, double spacingMs = 0.4)
        {
            for (int off = 0; off < data.Length; off += Mss)
            {
                int n = Math.Min(Mss, data.Length - off);
                Data(fromClient, off, data.AsSpan(off, n), off + n == data.Length, off == 0 ? comment : null);
                _net.Wait(spacingMs);
            }
            Advance(fromClient, data.Length);
            if (RealisticAcks && fromClient) _net.Wait(_rttMs);
            Ack(!fromClient, fromClient ? 0.3 : ClientAckDelayMs);
        }

        /// <summary>Sends bytes that nobody acknowledges (they were dropped on the way).</summary>
        public void SendUnanswered(bool fromClient, byte[] data, string? comment = null)
        {
            for (int off = 0; off < data.Length; off += Mss)
            {
                int n = Math.Min(Mss, data.Length - off);
                Data(fromClient, off, data.AsSpan(off, n), off + n == data.Length, off == 0 ? comment : null);
                _net.Wait(0.4);
            }
            Advance(fromClient, data.Length);
        }

        /// <summary>The last <paramref name="data"/> sent again (a retransmission after a timeout), unacknowledged.</summary>
        public void SendAgainUnanswered(bool fromClient, byte[] data, string? comment = null)
        {
            Advance(fromClient, -data.Length);
            SendUnanswered(fromClient, data, comment);
        }

        /// <summary>Like <see cref="Send"/>, but the capture misses the first <paramref name="missedSegments"/> segments.</summary>
        public void SendMissingStart(bool fromClient, byte[] data, int missedSegments, string? comment = null)
        {
            int index = 0;
            for (int off = 0; off < data.Length; off += Mss, index++)
            {
                int n = Math.Min(Mss, data.Length - off);
                if (index >= missedSegments) Data(fromClient, off, data.AsSpan(off, n), off + n == data.Length, index == missedSegments ? comment : null);
                _net.Wait(0.4);
            }
            Advance(fromClient, data.Length);
            Ack(!fromClient);
        }

        /// <summary>
        /// Sends bytes in the given pieces (offset, length) in the given order, possibly repeated or overlapping:
        /// retransmissions and out-of-order delivery. The sequence advances by the whole length afterwards.
        /// </summary>
        public void SendPieces(bool fromClient, byte[] data, IEnumerable<(int Offset, int Length, string? Comment)> pieces) =>
            SendPieces(fromClient, data, pieces.Select(p => (p.Offset, p.Length, p.Comment, 0.6)));

        /// <summary>Like the other overload, with the wait after each piece (a retransmission after a timeout waits longer).</summary>
        public void SendPieces(bool fromClient, byte[] data, IEnumerable<(int Offset, int Length, string? Comment, double WaitAfterMs)> pieces)
        {
            foreach (var (off, len, comment, wait) in pieces)
            {
                Data(fromClient, off, data.AsSpan(off, len), true, comment);
                _net.Wait(wait);
            }
            Advance(fromClient, data.Length);
            Ack(!fromClient);
        }

        private void Data(bool fromClient, int offset, ReadOnlySpan<byte> bytes, bool push, string? comment)
        {
            uint seq = (fromClient ? _clientSeq : _serverSeq) + (uint)offset;
            Segment(fromClient, seq, fromClient ? _serverSeq : _clientSeq, (byte)(push ? 0x18 : 0x10), bytes, comment);
        }

        private void Advance(bool fromClient, int n)
        {
            if (fromClient) _clientSeq += (uint)n; else _serverSeq += (uint)n;
        }

        private void Ack(bool fromClient, double afterMs = 0.3)
        {
            _net.Wait(afterMs);
            Segment(fromClient, fromClient ? _clientSeq : _serverSeq, fromClient ? _serverSeq : _clientSeq, 0x10, default);
        }

        /// <summary>FIN from one side, FIN-ACK from the other, final ACK.</summary>
        public void Close(bool clientFirst = true)
        {
            bool a = clientFirst;
            Segment(a, a ? _clientSeq : _serverSeq, a ? _serverSeq : _clientSeq, 0x11, default, "FIN");
            Advance(a, 1);
            _net.Wait(20);
            Segment(!a, !a ? _clientSeq : _serverSeq, !a ? _serverSeq : _clientSeq, 0x11, default);
            Advance(!a, 1);
            _net.Wait(0.2);
            Segment(a, a ? _clientSeq : _serverSeq, a ? _serverSeq : _clientSeq, 0x10, default);
        }

        public void Reset(bool fromClient, string comment) =>
            Segment(fromClient, fromClient ? _clientSeq : _serverSeq, fromClient ? _serverSeq : _clientSeq, 0x14, default, comment);
    }
}
