using System;

namespace WeChatNet
{
    /// <summary>A DNS query or response seen in captured traffic (UDP or TCP port 53).</summary>
    public sealed class DnsMessage : WeChatMessage
    {
        public override string Kind => "DnsMessage";
        /// <summary>Udp or Tcp.</summary>
        public string Transport { get; internal set; } = "";
        public int Id { get; internal set; }
        public bool IsResponse { get; internal set; }
        /// <summary>NoError, NXDomain, ServFail...; empty for a query.</summary>
        public string ResponseCode { get; internal set; } = "";
        public bool Truncated { get; internal set; }
        /// <summary>First question's name and type.</summary>
        public string QueryName { get; internal set; } = "";
        public string QueryType { get; internal set; } = "";
        /// <summary>Answer records as presentation text ("name ttl TYPE data").</summary>
        public string[] Answers { get; internal set; } = Array.Empty<string>();
        /// <summary>A and AAAA addresses of the answer section.</summary>
        public string[] Addresses { get; internal set; } = Array.Empty<string>();
        /// <summary>Why the message could not be decoded (and at which byte); empty when it was.</summary>
        public string Problem { get; internal set; } = "";

        public override string Summary
        {
            get
            {
                if (Problem.Length > 0) return "DNS undecodable: " + Problem;
                if (!IsResponse) return $"DNS query {QueryName} {QueryType}";
                string addrs = Addresses.Length > 0 ? " -> " + string.Join(", ", Addresses) : "";
                return $"DNS response {ResponseCode} {QueryName} {QueryType}{addrs}";
            }
        }
    }
}
