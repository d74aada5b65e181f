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
    /// <summary>What became of one query.</summary>
    internal enum DnsExchangeStatus
    {
        Ok,
        NxDomain,
        ServFail,
        Refused,
        Timeout,
        Truncated,
        Error,
    }
}
