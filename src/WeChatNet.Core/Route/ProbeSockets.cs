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
        private readonly List<Thread> _readers = new List<Thread>();
        private volatile bool _stopped;
        private readonly bool _v6;

        private ProbeSockets(Socket send, Socket icmp, Socket? tcp, Socket? portHolder, IPAddress source, ushort sourcePort, bool v6)
        {
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

        /// <summary>Set when a reader thread stopped on an unexpected error.</summary>
        public Exception? ReaderFailure { get; private set; }

        /// <summary>Opens the sockets; throws <see cref="RouteException"/> with a precise fix when privilege is missing.</summary>
        public static ProbeSockets Open(RouteProtocol protocol, IPAddress target)
        {
            var family = target.AddressFamily;
            bool v6 = family == AddressFamily.InterNetworkV6;
            IPAddress source = FindSource(target);
            var opened = new List<Socket>();
            try
            {
                var icmp = OpenRaw(family, v6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp, protocol, opened);
                icmp.ReceiveBufferSize = 1 << 20;
                Socket send = icmp, tcp = null!, holder = null!;
                ushort sourcePort = 0;
                if (protocol == RouteProtocol.Udp)
                {
                    send = OpenRaw(family, ProtocolType.Udp, protocol, opened);
                    send.ReceiveBufferSize = 4096; // never read: it only sends
                    holder = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
                    opened.Add(holder);
                }
                else if (protocol == RouteProtocol.Tcp)
                {
                    send = tcp = OpenRaw(family, ProtocolType.Tcp, protocol, opened);
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

        private static Socket OpenRaw(AddressFamily family, ProtocolType type, RouteProtocol protocol, List<Socket> opened)
        {
            try
            {
                var s = new Socket(family, SocketType.Raw, type);
                opened.Add(s);
                return s;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied || e.NativeErrorCode == 1 || e.NativeErrorCode == 13)
            {
                throw new RouteException(RouteException.NeedsPrivilege, PrivilegeMessage(protocol), e);
            }
        }

        /// <summary>What to do when raw sockets are refused: exactly, for the platform at hand.</summary>
        public static string PrivilegeMessage(RouteProtocol protocol)
        {
            string what = $"Tracing with -Protocol {protocol} sends raw IP packets, which needs privilege this session does not have.";
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                return what + " Run PowerShell as Administrator (right-click > Run as administrator) and try again.";
            string fix = " Run PowerShell elevated (sudo pwsh), or grant the raw-socket capability to PowerShell once: " +
                         "sudo setcap cap_net_raw+ep \"$(readlink -f \"$(command -v pwsh)\")\" (Linux), then start a new pwsh.";
            if (protocol == RouteProtocol.Icmp)
                fix += " Unprivileged ICMP datagram sockets cannot read the routers' time-exceeded replies on this system, so an unprivileged trace would show only '*'.";
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
            _send.SendTo(probe.ToArray(), new IPEndPoint(target, 0));
        }

        /// <summary>Starts one reader thread per receiving socket; <paramref name="onPacket"/> runs on those threads.</summary>
        public void StartReaders(ReceiveHandler onPacket)
        {
            StartReader(_icmp, false, onPacket);
            if (_tcp != null) StartReader(_tcp, true, onPacket);
        }

        public delegate void ReceiveHandler(ReadOnlySpan<byte> packet, IPAddress? sender, bool fromTcpSocket, long timestamp);

        private void StartReader(Socket socket, bool isTcp, ReceiveHandler onPacket)
        {
            var t = new Thread(() =>
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
                    catch (ObjectDisposedException) { return; }
                    catch (SocketException) when (_stopped) { return; }
                    catch (SocketException) { Thread.Sleep(10); continue; }
                    long ts = System.Diagnostics.Stopwatch.GetTimestamp();
                    try
                    {
                        onPacket(new ReadOnlySpan<byte>(buffer, 0, n), (from as IPEndPoint)?.Address, isTcp, ts);
                    }
                    catch (Exception e)
                    {
                        // Never take the host process down from a reader thread: the scheduler reports it.
                        ReaderFailure = e;
                        return;
                    }
                }
            })
            { IsBackground = true, Name = isTcp ? "WeChatNet route TCP reader" : "WeChatNet route ICMP reader" };
            _readers.Add(t);
            t.Start();
        }

        public void Dispose()
        {
            _stopped = true;
            foreach (var t in _readers) t.Join(500);
            _send.Dispose();
            _icmp.Dispose();
            _tcp?.Dispose();
            _portHolder?.Dispose();
        }
    }
}
