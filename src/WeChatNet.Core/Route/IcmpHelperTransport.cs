using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;

namespace WeChatNet.Route
{
    /// <summary>
    /// Probing on Windows through the ICMP helper API (<see cref="IcmpHelperInterop"/>): no raw sockets, so no
    /// Administrator. Every probe is one asynchronous IcmpSendEcho2 / Icmp6SendEcho2 request with the probe's TTL; the
    /// system matches the answer to the request, so the probe key never travels on the wire. A request's event fires
    /// when its reply buffer holds the answer (echo reply, time-exceeded, unreachable) or the request timed out; a
    /// thread-pool wait reads it and reports the key, the responder and the time it fired.
    /// <para>
    /// Requests reuse slots (event, registered wait, reply buffer): a trace allocates only as many as it has requests
    /// pending at once. A slot whose request is still pending when the trace ends is freed when that request completes
    /// (at the latest when its timeout runs out), never before: the system may still write its buffer.
    /// </para>
    /// </summary>
    internal sealed class IcmpHelperTransport : IProbeTransport
    {
        /// <summary>The echo payload, as long as the socket path's (<see cref="ProbeCodec.IcmpPayloadLength"/>).</summary>
        private const int PayloadLength = ProbeCodec.IcmpPayloadLength;

        /// <summary>
        /// Room for the reply structure, the echoed payload or the quoted datagram of an ICMP error, IP options and the
        /// IO_STATUS_BLOCK the asynchronous call appends (Microsoft's minimum is far smaller).
        /// </summary>
        private const int ReplyBufferSize = 1024;

        private readonly IntPtr _handle;
        private readonly IPAddress _target;
        private readonly bool _v6;
        private readonly uint _target4;
        private readonly byte[] _target6 = new byte[IcmpHelperInterop.SockaddrIn6Length];
        private readonly byte[] _source6 = new byte[IcmpHelperInterop.SockaddrIn6Length];
        private readonly uint _timeoutMs;
        /// <summary>The echo payload: one unmanaged copy for the process, never freed (a request may outlive its trace).</summary>
        private static readonly IntPtr Payload = AllocatePayload();

        private readonly object _gate = new object();
        private readonly Stack<Slot> _free = new Stack<Slot>();
        private readonly List<Slot> _all = new List<Slot>();
        private IProbeTransport.ReplyHandler _onReply = null!;
        private readonly ManualResetEventSlim _issued = new ManualResetEventSlim(false);
        private Slot? _issueSlot;
        private int _issueTtl;
        private uint _issueResult;
        private int _issueError;
        private Exception? _issueFailure;
        private bool _disposed;
        private int _pending;

        private sealed class Slot
        {
            public AutoResetEvent Event = new AutoResetEvent(false);
            public RegisteredWaitHandle? Wait;
            public IntPtr Reply;
            public ushort Key;
            public bool Pending;
        }

        private IcmpHelperTransport(IntPtr handle, IPAddress target, int timeoutMs)
        {
            _handle = handle;
            _target = target;
            _v6 = target.AddressFamily == AddressFamily.InterNetworkV6;
            _timeoutMs = (uint)timeoutMs;
            var bytes = target.GetAddressBytes();
            if (_v6)
            {
                WriteSockaddrIn6(_target6, bytes, (uint)target.ScopeId);
                WriteSockaddrIn6(_source6, IPAddress.IPv6Any.GetAddressBytes(), 0);
            }
            else
            {
                _target4 = BitConverter.ToUInt32(bytes, 0); // IPAddr: the address bytes as they lie in memory
            }
        }

        public static IcmpHelperTransport Open(IPAddress target, int timeoutMs)
        {
            bool v6 = target.AddressFamily == AddressFamily.InterNetworkV6;
            IntPtr handle = v6 ? IcmpHelperInterop.Icmp6CreateFile() : IcmpHelperInterop.IcmpCreateFile();
            if (handle == IntPtr.Zero || handle == new IntPtr(-1))
            {
                int error = Marshal.GetLastWin32Error();
                if (error == IcmpHelperInterop.ErrorCallNotImplemented) throw NotImplementedHere(v6);
                throw new RouteException(RouteException.SocketFailed,
                    $"Windows' ICMP helper API refused to open ({(v6 ? "Icmp6CreateFile" : "IcmpCreateFile")}): {Describe(error)}.");
            }
            return new IcmpHelperTransport(handle, target, timeoutMs);
        }

        /// <summary>Why -Protocol Tcp or Udp stops on Windows, and what to use instead; <paramref name="parameter"/> is how the caller names the protocol.</summary>
        public static string UnsupportedProtocolMessage(RouteProtocol protocol, string parameter = "-Protocol")
        {
            string why = protocol == RouteProtocol.Tcp
                ? "Windows does not let programs send TCP probes of their own (client editions refuse raw TCP sends, and no edition hands the target's SYN/ACK or RST to a raw socket)"
                : "Windows hands routers' answers to UDP probes to a program only through raw sockets, which need Administrator and which Get-WeChatRoute does not use on Windows";
            return $"{parameter} {protocol} is not available on Windows: {why}. " +
                   $"Trace with {parameter} Icmp (the default), which works without elevation through Windows' ICMP helper API, as tracert and Test-NetConnection -TraceRoute do.";
        }

        public Exception? ReaderFailure { get; private set; }

        public void Start(IProbeTransport.ReplyHandler onReply) => _onReply = onReply;

        public void Send(ushort key, int ttl)
        {
            Slot slot = Rent();
            slot.Key = key;
            // The request is issued on the process's ICMP thread (see Issuer) and this thread waits for the call to return.
            _issueSlot = slot;
            _issueFailure = null;
            _issueTtl = ttl;
            _issued.Reset();
            Issuer.Add(this);
            _issued.Wait();
            uint result = _issueResult;
            int error = _issueError;
            // Asynchronous: 0 with ERROR_IO_PENDING while the request runs. A request that completed at once has set the
            // event too (it was issued with it), so both wait for the event.
            if (result != 0) return;
            if (error == IcmpHelperInterop.ErrorIoPending) return;
            if (_issueFailure is Exception failure)
            {
                Retire(slot);
                throw new RouteException(RouteException.SocketFailed, $"Calling Windows' ICMP helper API failed: {failure.Message}", failure);
            }

            // Failed before it was sent: no event will fire. The slot gets a fresh event so no late signal can reach a
            // later request.
            Retire(slot);
            switch (error)
            {
                case IcmpHelperInterop.ErrorHostUnreachable:
                case IcmpHelperInterop.ErrorNetworkUnreachable:
                case (int)IcmpHelperInterop.IpDestHostUnreachable:
                case (int)IcmpHelperInterop.IpDestNetUnreachable:
                    return; // the local stack has no way there: the probe is lost
                case IcmpHelperInterop.ErrorCallNotImplemented:
                    throw NotImplementedHere(_v6);
                default:
                    throw new RouteException(RouteException.SocketFailed,
                        $"Sending a probe to {_target} through the ICMP helper API failed: {Describe(error)}.");
            }
        }

        /// <summary>The ICMP helper API of this system lacks the family's calls (Wine 8 has no ICMPv6 ones).</summary>
        private static RouteException NotImplementedHere(bool v6) => new RouteException(RouteException.ProtocolUnsupported, v6
            ? "This system's ICMP helper API does not implement IPv6 echo requests (Icmp6CreateFile / Icmp6SendEcho2), so -IPv6 traces cannot run here: " +
              "leave out -IPv6 to trace the target's IPv4 address."
            : "This system's ICMP helper API does not implement echo requests (IcmpCreateFile / IcmpSendEcho2), so traces cannot run here.");

        /// <summary>Runs on the ICMP thread: issues the request <see cref="Send"/> prepared.</summary>
        private void Issue()
        {
            var slot = _issueSlot!;
            var options = new IcmpHelperInterop.IpOptionInformation { Ttl = (byte)_issueTtl };
            IntPtr evt = slot.Event.SafeWaitHandle.DangerousGetHandle();
            _issueResult = _v6
                ? IcmpHelperInterop.Icmp6SendEcho2(_handle, evt, IntPtr.Zero, IntPtr.Zero, _source6, _target6, Payload, PayloadLength, ref options,
                    slot.Reply, ReplyBufferSize, _timeoutMs)
                : IcmpHelperInterop.IcmpSendEcho2(_handle, evt, IntPtr.Zero, IntPtr.Zero, _target4, Payload, PayloadLength, ref options,
                    slot.Reply, ReplyBufferSize, _timeoutMs);
            _issueError = Marshal.GetLastWin32Error();
            _issued.Set();
        }

        /// <summary>
        /// The one thread of the process that issues ICMP requests, alive as long as the process. A request belongs to the
        /// thread that issued it: Windows cancels a thread's pending requests when it exits, and under Wine a request left
        /// pending by a thread that exited wedges every later request of the process (seen: a trace in a runspace whose
        /// thread ended, then any trace hung inside IcmpSendEcho2). PowerShell runs pipelines on threads that come and go,
        /// so requests never start on them.
        /// </summary>
        private static readonly BlockingCollection<IcmpHelperTransport> Issuer = StartIssuer();

        private static BlockingCollection<IcmpHelperTransport> StartIssuer()
        {
            var queue = new BlockingCollection<IcmpHelperTransport>();
            var thread = new Thread(() =>
            {
                foreach (var transport in queue.GetConsumingEnumerable())
                {
                    try { transport.Issue(); }
                    catch (Exception e)
                    {
                        // A failure to call at all (e.g. iphlpapi.dll missing): the sender reports it.
                        transport._issueResult = 0;
                        transport._issueError = -1;
                        transport._issueFailure = e;
                        transport._issued.Set();
                    }
                }
            }) { IsBackground = true, Name = "WeChatNet ICMP helper requests" };
            thread.Start();
            return queue;
        }

        private static IntPtr AllocatePayload()
        {
            IntPtr payload = Marshal.AllocHGlobal(PayloadLength);
            const string text = "WeChatNet route probe WeChatNet.";
            for (int i = 0; i < PayloadLength; i++) Marshal.WriteByte(payload, i, (byte)text[i]);
            return payload;
        }

        private static string Describe(int error) => $"{new Win32Exception(error).Message} (Win32 error {error})";

        private static void WriteSockaddrIn6(byte[] sockaddr, byte[] address, uint scopeId)
        {
            sockaddr[0] = (byte)IcmpHelperInterop.WindowsAfInet6;
            sockaddr[1] = (byte)(IcmpHelperInterop.WindowsAfInet6 >> 8);
            Buffer.BlockCopy(address, 0, sockaddr, 8, 16);
            BitConverter.GetBytes(scopeId).CopyTo(sockaddr, 24);
        }

        private Slot Rent()
        {
            lock (_gate)
            {
                if (_disposed) throw new ObjectDisposedException(nameof(IcmpHelperTransport));
                Slot slot;
                if (_free.Count > 0) slot = _free.Pop();
                else
                {
                    slot = new Slot { Reply = Marshal.AllocHGlobal(ReplyBufferSize) };
                    _all.Add(slot);
                    Register(slot);
                }
                slot.Pending = true;
                _pending++;
                return slot;
            }
        }

        private void Register(Slot slot) =>
            slot.Wait = ThreadPool.RegisterWaitForSingleObject(slot.Event, OnCompleted, slot, Timeout.Infinite, executeOnlyOnce: false);

        /// <summary>A request that never started: swap the slot's event for a fresh one and put the slot back.</summary>
        private void Retire(Slot slot)
        {
            lock (_gate)
            {
                slot.Wait?.Unregister(null);
                slot.Event.Dispose();
                slot.Event = new AutoResetEvent(false);
                slot.Wait = null;
                Register(slot);
                Finish(slot);
            }
        }

        /// <summary>Runs on a thread-pool thread when a request's event fires: read the answer, report it, free the slot.</summary>
        private void OnCompleted(object? state, bool timedOut)
        {
            long timestamp = Stopwatch.GetTimestamp();
            var slot = (Slot)state!;
            lock (_gate)
            {
                if (!slot.Pending) return;
                if (_disposed)
                {
                    Finish(slot);
                    return;
                }
            }
            try
            {
                ushort key = slot.Key;
                uint status;
                IPAddress? responder = null;
                if (_v6)
                {
                    IcmpHelperInterop.Icmp6ParseReplies(slot.Reply, ReplyBufferSize);
                    status = (uint)Marshal.ReadInt32(slot.Reply, IcmpHelperInterop.Echo6ReplyStatusOffset);
                    var address = new byte[16];
                    Marshal.Copy(slot.Reply + IcmpHelperInterop.Echo6ReplyAddressOffset, address, 0, 16);
                    if (status != IcmpHelperInterop.IpReqTimedOut) responder = new IPAddress(address);
                }
                else
                {
                    IcmpHelperInterop.IcmpParseReplies(slot.Reply, ReplyBufferSize);
                    status = (uint)Marshal.ReadInt32(slot.Reply, IcmpHelperInterop.EchoReplyStatusOffset);
                    if (status != IcmpHelperInterop.IpReqTimedOut)
                        responder = new IPAddress((uint)Marshal.ReadInt32(slot.Reply, IcmpHelperInterop.EchoReplyAddressOffset) & 0xFFFFFFFFL);
                }
                lock (_gate) Finish(slot);
                var kind = IcmpHelperInterop.KindOf(status, _v6);
                if (kind != ReplyKind.None && responder != null) _onReply(key, responder, kind, timestamp);
            }
            catch (Exception e)
            {
                // Never take the host process down from a thread-pool thread: the scheduler reports it.
                ReaderFailure = e;
            }
        }

        /// <summary>
        /// A request is over (caller holds the gate): its slot goes back to the pool, or, once the trace has ended, is
        /// freed, and the last request to end closes the handle.
        /// </summary>
        private void Finish(Slot slot)
        {
            slot.Pending = false;
            _pending--;
            if (!_disposed)
            {
                _free.Push(slot);
                return;
            }
            Free(slot);
            if (_pending == 0) IcmpHelperInterop.IcmpCloseHandle(_handle);
        }

        /// <summary>Frees a slot whose request is over (caller holds the gate).</summary>
        private static void Free(Slot slot)
        {
            slot.Wait?.Unregister(null);
            slot.Wait = null;
            slot.Event.Dispose();
            if (slot.Reply != IntPtr.Zero) Marshal.FreeHGlobal(slot.Reply);
            slot.Reply = IntPtr.Zero;
        }

        public void Dispose()
        {
            lock (_gate)
            {
                if (_disposed) return;
                _disposed = true;
                foreach (var slot in _all)
                    if (!slot.Pending) Free(slot);
                _free.Clear();
                // Requests still pending (probes the trace gave up on, or all of them on Ctrl+C) run out on their own,
                // within the timeout they were given: the last one to end frees its slot and closes the handle. Closing
                // it now would cancel them on Windows, but Wine then never sets their events and never frees them.
                if (_pending == 0) IcmpHelperInterop.IcmpCloseHandle(_handle);
            }
            _issued.Dispose();
        }
    }
}
