namespace WeChatNet
{
    /// <summary>
    /// One tested (host, address, port): a TCP connect test, or the plain HTTP request to the dispatch host
    /// (output of Test-WeChatConnection). Plain data only.
    /// </summary>
    public sealed class ConnectionTest
    {
        public ConnectionTest(string test, string host, string? role, string? address, string resolvedBy, int port, bool succeeded,
            int attempts, int successes, double? connectMs, double[] connectTimesMs, string? error, string? errorMessage,
            int? httpStatus, double? firstByteMs, string? region, string? owner)
        {
            Test = test;
            Host = host;
            Role = role;
            Address = address;
            ResolvedBy = resolvedBy;
            Port = port;
            Succeeded = succeeded;
            Attempts = attempts;
            Successes = successes;
            ConnectMs = connectMs;
            ConnectTimesMs = connectTimesMs;
            Error = error;
            ErrorMessage = errorMessage;
            HttpStatus = httpStatus;
            FirstByteMs = firstByteMs;
            Region = region;
            Owner = owner;
        }

        /// <summary>Which test ran: TcpConnect, or HttpGet (one plain HTTP/1.0 GET to the dispatch host).</summary>
        public string Test { get; }

        /// <summary>The host name tested (or the address itself when only addresses were given).</summary>
        public string Host { get; }

        /// <summary>The host's role in WeChat's catalog (Dispatch, LongLink, ShortLink, ...), or null for other names.</summary>
        public string? Role { get; }

        /// <summary>The address connected to; null when name resolution failed.</summary>
        public string? Address { get; }

        /// <summary>How the address was obtained: SystemResolver, or Given (-Address, no resolution).</summary>
        public string ResolvedBy { get; }

        public int Port { get; }

        /// <summary>True when every attempt connected (and, for HttpGet, an HTTP status line came back).</summary>
        public bool Succeeded { get; }

        public int Attempts { get; }
        public int Successes { get; }

        /// <summary>Median TCP connect time of the successful attempts, in milliseconds.</summary>
        public double? ConnectMs { get; }

        /// <summary>Connect time of every successful attempt, in order.</summary>
        public double[] ConnectTimesMs { get; }

        /// <summary>Refused, TimedOut, Unreachable, DnsFailed, Protocol (not an HTTP answer) or Other; null on success.</summary>
        public string? Error { get; }

        /// <summary>The system's words for the (first) failure.</summary>
        public string? ErrorMessage { get; }

        /// <summary>HttpGet only: the status code of the answer.</summary>
        public int? HttpStatus { get; }

        /// <summary>HttpGet only: time from sending the request to the first byte of the answer, in milliseconds.</summary>
        public double? FirstByteMs { get; }

        /// <summary>Region of the address (see Get-WeChatIpInfo).</summary>
        public string? Region { get; }

        /// <summary>"Tencent" when the address is in a Tencent AS.</summary>
        public string? Owner { get; }

        public override string ToString() => $"{Test} {Host} {Address}:{Port} {(Succeeded ? "ok" : Error)}";
    }
}
