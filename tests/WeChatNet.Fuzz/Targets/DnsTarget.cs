using System;
using WeChatNet.Dns;
using WeChatNet.WeChat;

namespace WeChatNet.Fuzz.Targets
{
    /// <summary>
    /// The DNS message decoder on one message: the wire decoder Resolve-WeChatDns uses on answers
    /// (<see cref="DnsWireMessage.TryDecode"/>, names with compression, EDNS and Client Subnet) and the observer
    /// ConvertFrom-WeChatPacket uses on captured DNS (<see cref="DnsObserver.Decode"/>). Contract: a result or a typed
    /// error at an offset inside the message; never an exception.
    /// </summary>
    internal sealed class DnsTarget : FuzzTarget
    {
        public override string Name => "dns";
        public override string Description => "DNS message decoder: header, names (compression), records, EDNS, Client Subnet";
        public override long AllocationBudget(int inputLength) => 4L * 1024 * 1024 + 512L * inputLength;

        public override void Run(byte[] input)
        {
            var result = DnsWireMessage.TryDecode(input, out var decoded);
            Require(decoded != null, "TryDecode gave no message");
            if (!result.Success)
            {
                Require(result.Error != DnsDecodeError.None, "a failure without an error kind");
                Require(result.Offset >= 0 && result.Offset <= input.Length, $"error offset {result.Offset} outside {input.Length} bytes");
                _ = result.ToString();
            }
            foreach (var r in decoded!.Answers) _ = r.ToString();
            foreach (var r in decoded.Additionals) _ = r.ToString();
            _ = decoded.Edns?.ToString();
            var observed = DnsObserver.Decode(input, "UDP", new HostNamer(), 0);
            _ = observed.Summary;
            _ = observed.ToString();
        }
    }
}
