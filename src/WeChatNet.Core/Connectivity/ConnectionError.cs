using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace WeChatNet.Connectivity
{
    /// <summary>Why a connection test failed.</summary>
    internal enum ConnectionError
    {
        Refused,
        TimedOut,
        Unreachable,
        DnsFailed,
        /// <summary>The HTTP test connected, but what came back is not an HTTP response.</summary>
        Protocol,
        Other,
    }
}
