using System;
using System.Net;

namespace WeChatNet.Route
{
    /// <summary>
    /// The platform seam of route tracing: how one probe with a given key and TTL leaves the machine and how the
    /// answers to it come back. <see cref="RouteTracer"/> schedules probes, matches keys to probes and builds the hops;
    /// a transport only sends and reports. One implementation per platform, picked by <see cref="ProbeTransport.Open"/>:
    /// <see cref="SocketProbeTransport"/> (raw or ping sockets: Linux and other Unix systems) and
    /// <see cref="IcmpHelperTransport"/> (the ICMP helper API of iphlpapi.dll: Windows).
    /// </summary>
    internal interface IProbeTransport : IDisposable
    {
        /// <summary>Starts reporting answers to <paramref name="onReply"/>, on the transport's own threads. Called once, before any send.</summary>
        void Start(ReplyHandler onReply);

        /// <summary>
        /// Sends the probe identified by <paramref name="key"/> with this TTL (hop limit). A probe the local stack refuses
        /// as unreachable is lost, like one that gets no answer; anything else that stops sending throws <see cref="RouteException"/>.
        /// </summary>
        void Send(ushort key, int ttl);

        /// <summary>Set when the transport stopped reporting answers on an unexpected error.</summary>
        Exception? ReaderFailure { get; }

        /// <summary>
        /// An answer a transport read: the key of the probe it answers, who answered (null when unknown: dropped), what
        /// the answer was, and when it was read (<see cref="System.Diagnostics.Stopwatch"/> ticks).
        /// </summary>
        delegate void ReplyHandler(ushort key, IPAddress? responder, ReplyKind kind, long timestamp);
    }
}
