using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace WeChatNet.Route
{
    /// <summary>What to trace and how. Defaults follow the cmdlet's: ICMP, 30 hops, 3 rounds, 2 s timeout.</summary>
    internal sealed class RouteRequest
    {
        /// <summary>The long-link host users trace when they name no target.</summary>
        public const string DefaultTarget = "long.weixin.qq.com";
        public const int DefaultTcpPort = 8080;
        /// <summary>Traceroute's classic base port: unlikely to be open, so the target answers "port unreachable".</summary>
        public const int DefaultUdpPort = 33434;

        public string Target { get; set; } = DefaultTarget;
        public RouteProtocol Protocol { get; set; } = RouteProtocol.Icmp;
        /// <summary>How the calling cmdlet names <see cref="Protocol"/> in messages: Get-WeChatRoute's -Protocol, Invoke-WeChatDiagnostic's -TraceProtocol.</summary>
        public string ProtocolParameter { get; set; } = "-Protocol";
        /// <summary>Destination port for UDP and TCP; null picks 33434 (UDP) or 8080 (TCP).</summary>
        public int? Port { get; set; }
        public int MaxHops { get; set; } = 30;
        /// <summary>Rounds: probes sent to every hop (mtr's -c).</summary>
        public int Count { get; set; } = 3;
        /// <summary>How long to wait for each probe's reply.</summary>
        public int TimeoutMs { get; set; } = 2000;
        /// <summary>
        /// Gap between the starts of consecutive rounds; null picks 50 ms for up to 5 rounds and 1000 ms (mtr's pace) for
        /// more, because routers rate-limit the ICMP errors traces rely on (Linux answers 6 at once, then 1 a second).
        /// </summary>
        public int? IntervalMs { get; set; }

        public int EffectiveIntervalMs => IntervalMs ?? (Count <= 5 ? 50 : 1000);
        /// <summary>Most probes awaiting a reply at once.</summary>
        public int MaxInFlight { get; set; } = 64;
        /// <summary>Use IPv6 (the target's AAAA address).</summary>
        public bool IPv6 { get; set; }
        public bool ResolveNames { get; set; }
        /// <summary>Reverse lookups: null uses the system resolver. Called in parallel, one call per address.</summary>
        public Func<IPAddress, CancellationToken, Task<string?>>? ReverseResolver { get; set; }
        /// <summary>Forward lookups of a target name: null uses the system resolver.</summary>
        public Func<string, CancellationToken, Task<IPAddress[]>>? TargetResolver { get; set; }

        public int EffectivePort => Protocol == RouteProtocol.Icmp ? 0 : Port ?? (Protocol == RouteProtocol.Tcp ? DefaultTcpPort : DefaultUdpPort);

        /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
        public void Validate()
        {
            if (string.IsNullOrWhiteSpace(Target)) throw new ArgumentException("The target is empty.", nameof(Target));
            if (MaxHops < 1 || MaxHops > 255) throw new ArgumentOutOfRangeException(nameof(MaxHops), MaxHops, "MaxHops must be 1 to 255.");
            if (Count < 1 || Count > 1000) throw new ArgumentOutOfRangeException(nameof(Count), Count, "Count must be 1 to 1000.");
            if (TimeoutMs < 1 || TimeoutMs > 60000) throw new ArgumentOutOfRangeException(nameof(TimeoutMs), TimeoutMs, "TimeoutMs must be 1 to 60000.");
            if (IntervalMs is int i && (i < 0 || i > 60000)) throw new ArgumentOutOfRangeException(nameof(IntervalMs), i, "IntervalMs must be 0 to 60000.");
            if (MaxInFlight < 1 || MaxInFlight > 1024) throw new ArgumentOutOfRangeException(nameof(MaxInFlight), MaxInFlight, "MaxInFlight must be 1 to 1024.");
            if (Port is int p && (p < 1 || p > 65535)) throw new ArgumentOutOfRangeException(nameof(Port), p, "Port must be 1 to 65535.");
            if ((long)MaxHops * Count > 60000) throw new ArgumentOutOfRangeException(nameof(Count), Count, "MaxHops x Count must stay below 60000 probes.");
        }
    }

    /// <summary>Why a trace could not run at all; <see cref="ErrorId"/> is the cmdlet's ErrorId.</summary>
    public sealed class RouteException : Exception
    {
        public const string NeedsPrivilege = "RouteNeedsPrivilege";
        public const string TargetNotResolved = "RouteTargetNotResolved";
        public const string NoAddressOfFamily = "RouteTargetNoAddress";
        public const string SocketFailed = "RouteSocketError";
        /// <summary>This platform cannot probe with the requested protocol (or address family): -Protocol Tcp/Udp on Windows.</summary>
        public const string ProtocolUnsupported = "RouteProtocolUnsupported";

        public RouteException(string errorId, string message, Exception? inner = null) : base(message, inner)
        {
            ErrorId = errorId;
        }

        public string ErrorId { get; }
    }
}
