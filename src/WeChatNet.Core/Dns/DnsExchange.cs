using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace WeChatNet.Dns
{
    /// <summary>The outcome of one query to one server.</summary>
    internal sealed class DnsExchange
    {
        internal DnsExchange(DnsExchangeStatus status, DnsWireMessage? response, DnsProtocol protocol, double elapsedMs, int tries, int dropped, string error)
        {
            Status = status;
            Response = response;
            Protocol = protocol;
            ElapsedMs = elapsedMs;
            Tries = tries;
            DroppedResponses = dropped;
            Error = error;
        }

        public DnsExchangeStatus Status { get; }
        /// <summary>The validated response (also for NxDomain, ServFail, Refused, and a partial one for Truncated).</summary>
        public DnsWireMessage? Response { get; }
        /// <summary>The transport that produced the result (Tcp after a truncated UDP answer).</summary>
        public DnsProtocol Protocol { get; }
        public double ElapsedMs { get; }
        public int Tries { get; }
        /// <summary>Datagrams that arrived but were not trusted: wrong source, wrong id, wrong question, not a response.</summary>
        public int DroppedResponses { get; }
        /// <summary>Empty when Ok; otherwise what went wrong, in words.</summary>
        public string Error { get; }
        /// <summary>Notes about how the answer was obtained (an EDNS fallback); empty otherwise.</summary>
        public string Note { get; private set; } = string.Empty;

        internal DnsExchange WithHistory(int earlierTries, int earlierDropped, string note) =>
            new DnsExchange(Status, Response, Protocol, ElapsedMs, Tries + earlierTries, DroppedResponses + earlierDropped, Error) { Note = note };
    }
}
