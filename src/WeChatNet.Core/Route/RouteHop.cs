namespace WeChatNet
{
    /// <summary>How Get-WeChatRoute probes: ICMP echo, UDP to a high port, or TCP SYN to a service port.</summary>
    public enum RouteProtocol
    {
        Icmp,
        Udp,
        Tcp,
    }

    /// <summary>
    /// One hop of a route trace (output of Get-WeChatRoute), with mtr-style statistics over every round.
    /// Plain data only: it survives Export-Clixml, ConvertTo-Json and remoting. Round-trip times are null
    /// when the hop never answered.
    /// </summary>
    public sealed class RouteHop
    {
        /// <summary>The target as given (host name or address).</summary>
        public string Target { get; set; } = string.Empty;
        /// <summary>The address probed.</summary>
        public string TargetAddress { get; set; } = string.Empty;
        /// <summary>Icmp, Udp or Tcp.</summary>
        public string Protocol { get; set; } = string.Empty;
        /// <summary>Destination port of UDP and TCP probes (0 for ICMP).</summary>
        public int Port { get; set; }
        /// <summary>Hop number: the TTL / hop limit of the probes (1 = first router).</summary>
        public int Hop { get; set; }
        /// <summary>The address that answered most often (null when nothing answered).</summary>
        public string? Address { get; set; }
        /// <summary>Every address that answered at this hop, in order of first reply: more than one when the path branches.</summary>
        public string[] Addresses { get; set; } = new string[0];
        /// <summary>Reverse DNS name of <see cref="Address"/> (only with -ResolveNames; null when none).</summary>
        public string? HostName { get; set; }
        /// <summary>Region of <see cref="Address"/> from the module's address data (MainlandChina, HongKong, Overseas, Private, Special, Unknown).</summary>
        public string? Region { get; set; }
        /// <summary>Owner of <see cref="Address"/> (Tencent when in a Tencent AS), when known.</summary>
        public string? Owner { get; set; }
        /// <summary>Autonomous system of <see cref="Address"/>, when the shipped tables or a -Database know it.</summary>
        public int? Asn { get; set; }
        /// <summary>Probes sent with this TTL whose fate is known (answered or timed out).</summary>
        public int Sent { get; set; }
        public int Received { get; set; }
        public double LossPercent { get; set; }
        /// <summary>Round-trip time of the latest round that got a reply.</summary>
        public double? LastMs { get; set; }
        public double? AvgMs { get; set; }
        public double? BestMs { get; set; }
        public double? WorstMs { get; set; }
        /// <summary>Sample standard deviation of the round-trip times (0 with one reply).</summary>
        public double? StDevMs { get; set; }
        /// <summary>What answered: TimeExceeded, EchoReply, PortUnreachable, TcpSynAck, TcpReset, HostUnreachable, ...</summary>
        public string? Reply { get; set; }
        /// <summary>True for the hop where the target itself answered.</summary>
        public bool IsDestination { get; set; }
        /// <summary>Increase of the best round-trip time over the previous hop that answered.</summary>
        public double? StepMs { get; set; }
        /// <summary>True on the hop where the biggest latency step along the path begins (at least 1 ms).</summary>
        public bool IsBiggestStep { get; set; }
        /// <summary>What the figures mean, e.g. "router limits ICMP replies, not real loss".</summary>
        public string? Note { get; set; }

        public override string ToString() => $"{Hop} {Address ?? "*"}";
    }
}
