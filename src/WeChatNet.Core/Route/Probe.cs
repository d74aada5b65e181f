using System.Net;

namespace WeChatNet.Route
{
    /// <summary>What answered a probe.</summary>
    internal enum ReplyKind : byte
    {
        None = 0,
        TimeExceeded,
        EchoReply,
        PortUnreachable,
        TcpSynAck,
        TcpReset,
        NetworkUnreachable,
        HostUnreachable,
        ProtocolUnreachable,
        AdminProhibited,
        FragmentationNeeded,
        OtherUnreachable,
    }

    internal enum ProbeState : byte
    {
        Planned,
        InFlight,
        Answered,
        TimedOut,
    }

    /// <summary>One probe: a TTL, a round, the 16-bit key that finds its reply, and its fate.</summary>
    internal sealed class Probe
    {
        public Probe(int index, int ttl, int round, ushort key)
        {
            Index = index;
            Ttl = ttl;
            Round = round;
            Key = key;
        }

        public int Index { get; }
        public int Ttl { get; }
        /// <summary>0-based round.</summary>
        public int Round { get; }
        public ushort Key { get; }
        public ProbeState State { get; set; }
        public long SentTimestamp { get; set; }
        public double RttMs { get; set; }
        public IPAddress? Responder { get; set; }
        public ReplyKind Kind { get; set; }
        /// <summary>The reply came from the target itself.</summary>
        public bool FromTarget { get; set; }

        public bool IsComplete => State == ProbeState.Answered || State == ProbeState.TimedOut;
    }

    /// <summary>A reply read off a socket and matched to a probe key (not yet to a probe).</summary>
    internal readonly struct ProbeReply
    {
        public ProbeReply(ushort key, IPAddress responder, ReplyKind kind, long timestamp)
        {
            Key = key;
            Responder = responder;
            Kind = kind;
            Timestamp = timestamp;
        }

        public ushort Key { get; }
        public IPAddress Responder { get; }
        public ReplyKind Kind { get; }
        public long Timestamp { get; }
    }
}
