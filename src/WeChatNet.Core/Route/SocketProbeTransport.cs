using System;
using System.Net;
using System.Net.Sockets;

namespace WeChatNet.Route
{
    /// <summary>
    /// Probing through sockets (Linux and other Unix systems): Paris-style probes built by <see cref="ProbeCodec"/>, sent
    /// on <see cref="ProbeSockets"/> (raw sockets, or a Linux ping socket for unprivileged ICMP), and answers matched to
    /// probe keys through the headers routers quote. Only matched answers allocate.
    /// </summary>
    internal sealed class SocketProbeTransport : IProbeTransport
    {
        private readonly ProbeSockets _sockets;
        private readonly ProbeCodec _codec;
        private readonly IPAddress _target;
        private readonly byte[] _buffer = new byte[128];
        private IProbeTransport.ReplyHandler _onReply = null!;

        private SocketProbeTransport(ProbeSockets sockets, ProbeCodec codec, IPAddress target)
        {
            _sockets = sockets;
            _codec = codec;
            _target = target;
        }

        public static SocketProbeTransport Open(RouteRequest request, IPAddress target)
        {
            var rng = new Random();
            var sockets = ProbeSockets.Open(request.Protocol, target, request.ProtocolParameter);
            try
            {
                // A ping socket's echo identifier is the one the kernel gave it (its "port").
                ushort icmpId = sockets.IsUnprivileged ? sockets.SourcePort : (ushort)rng.Next(1, 0xFFFF);
                var codec = new ProbeCodec(request.Protocol, sockets.Source, target, sockets.SourcePort, (ushort)request.EffectivePort,
                    icmpId, (ushort)rng.Next(1, 0xFFFF));
                return new SocketProbeTransport(sockets, codec, target);
            }
            catch
            {
                sockets.Dispose();
                throw;
            }
        }

        public Exception? ReaderFailure => _sockets.ReaderFailure;

        public void Start(IProbeTransport.ReplyHandler onReply)
        {
            _onReply = onReply;
            _sockets.StartReaders(OnPacket, OnQueuedError);
        }

        public void Send(ushort key, int ttl)
        {
            int n = _codec.Build(_buffer, key);
            try
            {
                _sockets.Send(new ReadOnlySpan<byte>(_buffer, 0, n), ttl, _target);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.HostUnreachable || e.SocketErrorCode == SocketError.NetworkUnreachable)
            {
                // The local stack refused (e.g. an ICMP error already cached for the target): the probe is lost.
            }
            catch (SocketException e)
            {
                throw new RouteException(RouteException.SocketFailed, $"Sending a probe to {_target} failed: {e.SocketErrorCode} ({e.Message}).", e);
            }
        }

        /// <summary>Runs on the reader threads: parse, match, report.</summary>
        private void OnPacket(ReadOnlySpan<byte> packet, IPAddress? sender, ProbeSockets.PacketSource source, long timestamp)
        {
            ushort key;
            ReplyKind kind;
            IPAddress? responder;
            switch (source)
            {
                case ProbeSockets.PacketSource.RawTcp:
                    if (!_codec.TryMatchTcp(packet, sender, out key, out kind)) return;
                    responder = _target;
                    break;
                case ProbeSockets.PacketSource.PingMessage:
                    if (!_codec.TryMatchIcmpMessage(packet, out key, out kind)) return;
                    responder = sender;
                    break;
                default:
                    if (!_codec.TryMatchIcmp(packet, sender, out key, out kind, out var from)) return;
                    responder = from.Length == 4 || from.Length == 16 ? new IPAddress(from.ToArray()) : sender;
                    break;
            }
            _onReply(key, responder, kind, timestamp);
        }

        private void OnQueuedError(ReadOnlySpan<byte> original, byte icmpType, byte icmpCode, IPAddress offender, long timestamp)
        {
            if (_codec.TryMatchQueuedError(original, icmpType, icmpCode, out ushort key, out var kind)) _onReply(key, offender, kind, timestamp);
        }

        public void Dispose() => _sockets.Dispose();
    }
}
