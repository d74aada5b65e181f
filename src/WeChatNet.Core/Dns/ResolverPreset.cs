using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace WeChatNet.Dns
{
    /// <summary>One row of the preset table.</summary>
    internal sealed class ResolverPreset
    {
        public ResolverPreset(string region, string server, string @operator)
        {
            Region = region;
            Server = server;
            Operator = @operator;
        }

        public string Region { get; }
        public string Server { get; }
        public string Operator { get; }
    }
}
