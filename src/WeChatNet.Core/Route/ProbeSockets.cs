using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;

namespace WeChatNet.Route
{
    /// <summary>
    /// The sockets of one trace: a raw socket that sends the probes (TTL set per probe), the raw ICMP / ICMPv6 socket
    /// that reads time-exceeded and unreachable messages (and echo replies), the raw TCP socket that reads the target's
    /// SYN/ACK or RST, and an ordinary socket that holds the probes' source port so no other program gets it.
    /// Everything is opened on the calling thread (so a caller inside a network namespace traces from it).
    /// </summary>
    internal sealed class ProbeSockets : IDisposable
    {
        private readonly Socket _send;
        private readonly Socket _icmp;
        private readonly Socket? _tcp;
        private readonly Socket? _portHolder;
        private volatile bool _stopped;
        private readonly bool _v6;

        private ProbeSockets(Socket send, Socket icmp, Socket? tcp, Socket? portHolder, IPAddress source, ushort sourcePort, bool v6, bool unprivileged = false)
        {
            IsUnprivileged = unprivileged;
            _send = send;
            _icmp = icmp;
            _tcp = tcp;
            _portHolder = portHolder;
            Source = source;
            SourcePort = sourcePort;
            _v6 = v6;
        }

        public IPAddress Source { get; }
        public ushort SourcePort { get; }

        /// <summary>
        /// True when probing through an unprivileged ICMP datagram socket (Linux ping socket): the kernel picks the
        /// echo identifier (<see cref="SourcePort"/>) and hands routers' errors over through the socket's error queue.
        /// </summary>
        public bool IsUnprivileged { get; }

        /// <summary>Set when a reader thread stopped on an unexpected error.</summary>
        public Exception? ReaderFailure { get; private set; }

        /// <summary>Opens the sockets; throws <see cref="RouteException"/> with a precise fix when privilege is missing.</summary>
        public static ProbeSockets Open(RouteProtocol protocol, IPAddress target, string parameter = "-Protocol")
        {
            var family = target.AddressFamily;
            bool v6 = family == AddressFamily.InterNetworkV6;
            IPAddress source = FindSource(target);
            var opened = new List<Socket>();
            try
            {
                Socket icmp;
                try
                {
                    icmp = OpenRaw(family, v6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp, protocol, parameter, opened);
                }
                catch (RouteException e) when (e.ErrorId == RouteException.NeedsPrivilege && protocol == RouteProtocol.Icmp && PingSocketInterop.IsSupported)
                {
                    return OpenPingSocket(family, source, e);
                }
                icmp.ReceiveBufferSize = 1 << 20;
                Socket send = icmp, tcp = null!, holder = null!;
                ushort sourcePort = 0;
                if (protocol == RouteProtocol.Udp)
                {
                    send = OpenRaw(family, ProtocolType.Udp, protocol, parameter, opened);
                    send.ReceiveBufferSize = 4096; // never read: it only sends
                    holder = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
                    opened.Add(holder);
                }
                else if (protocol == RouteProtocol.Tcp)
                {
                    send = tcp = OpenRaw(family, ProtocolType.Tcp, protocol, parameter, opened);
                    tcp.ReceiveBufferSize = 1 << 20;
                    holder = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
                    opened.Add(holder);
                }
                if (holder != null)
                {
                    holder.Bind(new IPEndPoint(source, 0));
                    sourcePort = (ushort)((IPEndPoint)holder.LocalEndPoint!).Port;
                }
                send.Bind(new IPEndPoint(source, 0));
                if (!ReferenceEquals(icmp, send)) icmp.Bind(new IPEndPoint(source, 0));
                return new ProbeSockets(send, icmp, tcp, holder, source, sourcePort, v6);
            }
            catch
            {
                foreach (var s in opened) s.Dispose();
                throw;
            }
        }

        /// <summary>The unprivileged ICMP path: a ping socket reading routers' errors from its error queue.</summary>
        private static ProbeSockets OpenPingSocket(AddressFamily family, IPAddress source, RouteException rawRefused)
        {
            Socket ping;
            try
            {
                ping = new Socket(family, SocketType.Dgram, family == AddressFamily.InterNetworkV6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied || e.NativeErrorCode == 1 || e.NativeErrorCode == 13)
            {
                throw new RouteException(RouteException.NeedsPrivilege, rawRefused.Message, e);
            }
            catch (SocketException)
            {
                throw rawRefused;
            }
            try
            {
                PingSocketInterop.EnableErrorQueue(ping);
                ping.Blocking = false; // the reader polls; FIONREAD (Available) is not supported on ping sockets
                ping.Bind(new IPEndPoint(source, 0));
                ushort identifier = (ushort)((IPEndPoint)ping.LocalEndPoint!).Port;
                return new ProbeSockets(ping, ping, null, null, source, identifier, family == AddressFamily.InterNetworkV6, unprivileged: true);
            }
            catch
            {
                ping.Dispose();
                throw;
            }
        }

        private static Socket OpenRaw(AddressFamily family, ProtocolType type, RouteProtocol protocol, string parameter, List<Socket> opened)
        {
            try
            {
                var s = new Socket(family, SocketType.Raw, type);
                opened.Add(s);
                return s;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied || e.NativeErrorCode == 1 || e.NativeErrorCode == 13)
            {
                throw new RouteException(RouteException.NeedsPrivilege, PrivilegeMessage(protocol, parameter), e);
            }
        }

        /// <summary>What to do when raw sockets are refused: exactly, for the platform at hand (Windows never opens them: see <see cref="ProbeTransport"/>).</summary>
        public static string PrivilegeMessage(RouteProtocol protocol, string parameter = "-Protocol")
        {
            string what = $"Tracing with {parameter} {protocol} sends raw IP packets, which needs privilege this session does not have.";
            string fix = " Run PowerShell elevated (sudo pwsh), or grant the raw-socket capability to PowerShell once: " +
                         "sudo setcap cap_net_raw+ep \"$(readlink -f \"$(command -v pwsh)\")\" (Linux), then start a new pwsh.";
            if (protocol == RouteProtocol.Icmp && PingSocketInterop.IsSupported)
                fix += $" For {parameter} Icmp only, an administrator can instead allow unprivileged ICMP sockets for your group: " +
                       "sudo sysctl -w net.ipv4.ping_group_range=\"0 2147483647\" (add it to /etc/sysctl.d/ to keep it).";
            return what + fix;
        }

        /// <summary>The local address the kernel would use towards the target (a connected UDP socket sends nothing).</summary>
        private static IPAddress FindSource(IPAddress target)
        {
            try
            {
                using var probe = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                probe.Connect(new IPEndPoint(target, 9));
                return ((IPEndPoint)probe.LocalEndPoint!).Address;
            }
            catch (SocketException e)
            {
                throw new RouteException(RouteException.SocketFailed,
                    $"There is no route to {target} from this machine ({e.SocketErrorCode}): check the network connection and routing table.", e);
            }
        }

        public void Send(ReadOnlySpan<byte> probe, int ttl, IPAddress target)
        {
            _send.Ttl = (short)ttl;
            // netstandard2.0 has no span SendTo: the probe is small.
            var bytes = probe.ToArray();
            var to = new IPEndPoint(target, 0);
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    _send.SendTo(bytes, to);
                    return;
                }
                catch (SocketException) when (IsUnprivileged && attempt < 2)
                {
                    // A ping socket reports the last queued ICMP error (e.g. a router's time-exceeded, "no route to host")
                    // on the next call, once; the error itself waits in the error queue for the reader. Send again.
                }
            }
        }

        /// <summary>Where a packet handed to <see cref="ReceiveHandler"/> was read.</summary>
        public enum PacketSource
        {
            /// <summary>The raw ICMP socket (IPv4: with the IP header) or raw ICMPv6 socket (the message alone).</summary>
            RawIcmp,
            /// <summary>The raw TCP socket (IPv4: with the IP header; IPv6: the segment alone).</summary>
            RawTcp,
            /// <summary>A ping socket: the ICMP message without IP header, sender given.</summary>
            PingMessage,
        }

        public delegate void ReceiveHandler(ReadOnlySpan<byte> packet, IPAddress? sender, PacketSource source, long timestamp);

        /// <summary>An ICMP error a ping socket queued: the echo request it refers to, the error's type and code, the router.</summary>
        public delegate void QueuedErrorHandler(ReadOnlySpan<byte> original, byte icmpType, byte icmpCode, IPAddress offender, long timestamp);

        /// <summary>Starts one reader thread per receiving socket; the handlers run on those threads.</summary>
        public void StartReaders(ReceiveHandler onPacket, QueuedErrorHandler onQueuedError)
        {
            if (IsUnprivileged)
            {
                StartThread("WeChatNet route ping reader", () => ReadPingSocket(onPacket, onQueuedError));
                return;
            }
            StartThread("WeChatNet route ICMP reader", () => ReadRaw(_icmp, PacketSource.RawIcmp, onPacket));
            if (_tcp != null) StartThread("WeChatNet route TCP reader", () => ReadRaw(_tcp, PacketSource.RawTcp, onPacket));
        }

        private void StartThread(string name, Action body)
        {
            var t = new Thread(() =>
            {
                try { body(); }
                catch (ObjectDisposedException) { }
                catch (Exception e) when (!_stopped)
                {
                    // Never take the host process down from a reader thread: the scheduler reports it.
                    ReaderFailure = e;
                }
                catch (Exception) { }
            }) { IsBackground = true, Name = name };
            t.Start();
        }

        private void ReadRaw(Socket socket, PacketSource source, ReceiveHandler onPacket)
        {
            var buffer = new byte[65536];
            EndPoint any = new IPEndPoint(_v6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            while (!_stopped)
            {
                int n;
                EndPoint from = any;
                try
                {
                    if (!socket.Poll(50_000, SelectMode.SelectRead)) continue;
                    n = socket.ReceiveFrom(buffer, ref from);
                }
                catch (SocketException) when (_stopped) { return; }
                catch (SocketException) { Thread.Sleep(10); continue; }
                long ts = System.Diagnostics.Stopwatch.GetTimestamp();
                onPacket(new ReadOnlySpan<byte>(buffer, 0, n), (from as IPEndPoint)?.Address, source, ts);
            }
        }

        private void ReadPingSocket(ReceiveHandler onPacket, QueuedErrorHandler onQueuedError)
        {
            var buffer = new byte[65536];
            EndPoint any = new IPEndPoint(_v6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            using var errors = new PingSocketInterop.ErrorQueueReader();
            while (!_stopped)
            {
                var (readable, errorQueued) = PingSocketInterop.Wait(_icmp, 50);
                long ts = System.Diagnostics.Stopwatch.GetTimestamp();
                if (_stopped) return;
                if (errorQueued)
                {
                    while (errors.TryRead(_icmp, out var original, out byte type, out byte code, out var offender))
                        onQueuedError(original, type, code, offender!, ts);
                }
                if (readable)
                {
                    int n;
                    EndPoint from = any;
                    try
                    {
                        n = _icmp.ReceiveFrom(buffer, ref from);
                    }
                    // Nothing after all (non-blocking), or a pending error reported through recv once: it is in the queue.
                    catch (SocketException) { continue; }
                    onPacket(new ReadOnlySpan<byte>(buffer, 0, n), (from as IPEndPoint)?.Address, PacketSource.PingMessage, ts);
                }
            }
        }

        public void Dispose()
        {
            // Readers notice within one poll (50 ms) and exit on their own: nobody waits for them.
            _stopped = true;
            _send.Dispose();
            _icmp.Dispose();
            _tcp?.Dispose();
            _portHolder?.Dispose();
        }
    }
}
