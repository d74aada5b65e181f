using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Net;
using WeChatNet.Capture;
using WeChatNet.Packets;

namespace WeChatNet.WeChat
{
    /// <summary>A message the sample generator wrote, in the terms the decoder reports it.</summary>
    public sealed class ExpectedMessage
    {
        public ExpectedMessage(string kind, string direction, string key, string host)
        {
            Kind = kind;
            Direction = direction;
            Key = key;
            Host = host;
        }

        /// <summary>The output type's short name (LongLinkFrame, MmtlsRecord, ...).</summary>
        public string Kind { get; }
        public string Direction { get; }
        /// <summary>
        /// What identifies the message: LongLinkFrame "command/sequence"; MmtlsRecord "type/handshake/length/carrier";
        /// ShortLinkExchange "METHOD path status"; Dispatch "retcode N domains M"; DnsMessage "Q|R name type";
        /// StreamEvent the event name.
        /// </summary>
        public string Key { get; }
        public string Host { get; }

        public override string ToString() => $"{Kind} {Direction} {Key} @{Host}";
    }
}
