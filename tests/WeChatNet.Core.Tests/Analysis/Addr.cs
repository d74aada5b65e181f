using System;
using WeChatNet.WeChat;
using WeChatNet.Packets;

namespace WeChatNet.Tests.Analysis
{
    internal static class Addr
    {
        public static IpKey Ip(string text) => IpKey.TryParse(text, out var key) ? key : throw new ArgumentException($"not an address: {text}");
    }
}
