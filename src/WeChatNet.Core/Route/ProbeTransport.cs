using System.Net;
using System.Runtime.InteropServices;

namespace WeChatNet.Route
{
    /// <summary>Picks the <see cref="IProbeTransport"/> of the platform at hand.</summary>
    internal static class ProbeTransport
    {
        /// <summary>True where probes go through Windows' ICMP helper API (ICMP only) instead of sockets.</summary>
        public static bool UsesIcmpHelper => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>
        /// Throws <see cref="RouteException"/> (<see cref="RouteException.ProtocolUnsupported"/>) when this platform cannot
        /// probe with the protocol of <paramref name="request"/>: called before the target is resolved, so nothing is sent or asked.
        /// </summary>
        public static void EnsureSupported(RouteRequest request)
        {
            if (UsesIcmpHelper && request.Protocol != RouteProtocol.Icmp)
                throw new RouteException(RouteException.ProtocolUnsupported, IcmpHelperTransport.UnsupportedProtocolMessage(request.Protocol, request.ProtocolParameter));
        }

        /// <summary>Opens the transport for one trace, on the calling thread (so a caller inside a network namespace traces from it).</summary>
        public static IProbeTransport Open(RouteRequest request, IPAddress target)
        {
            EnsureSupported(request);
            if (UsesIcmpHelper) return IcmpHelperTransport.Open(target, request.TimeoutMs);
            return SocketProbeTransport.Open(request, target);
        }
    }
}
