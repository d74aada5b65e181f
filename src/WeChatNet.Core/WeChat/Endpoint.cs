using System;

namespace WeChatNet
{
    /// <summary>What a WeChat host is for.</summary>
    public enum EndpointRole
    {
        Dispatch,
        LongLink,
        ShortLink,
        Media,
        Moments,
        Video,
        Payment,
        Support,
        Download,
        Other,
        /// <summary>Web WeChat's page and API (the browser client: web.wechat.com, wx.qq.com, wx2.qq.com).</summary>
        Web,
        /// <summary>Web WeChat's long-poll sync check (webpush.*).</summary>
        WebPush,
        /// <summary>Web WeChat's QR-code login (login.*).</summary>
        WebLogin,
        /// <summary>Static resources (scripts, styles, images of WeChat's pages: res.wx.qq.com).</summary>
        Static,
        /// <summary>A DNS lookup of one of WeChat's names (a flow's role, Get-WeChatFlow -Role Dns; no catalog host has it).</summary>
        Dns,
    }

    /// <summary>Which client a host serves: Weixin (mainland names) or WeChat (*.wechat.com, overseas).</summary>
    public enum EndpointFamily
    {
        Weixin,
        WeChat,
    }

    /// <summary>The data-centre region a host name points at, from its prefix.</summary>
    public enum EndpointRegion
    {
        Global,
        Shenzhen,
        Shanghai,
        Tianjin,
        HongKong,
        Canada,
        Singapore,
    }

    /// <summary>How a host is spoken to.</summary>
    internal enum EndpointTransport
    {
        Tcp,
        Udp,
        Http,
        Https,
    }

    /// <summary>One host of WeChat's catalog (output of Get-WeChatEndpoint). Plain data only.</summary>
    public sealed class Endpoint
    {
        public Endpoint(string name, string role, string family, string region, int[] ports, string transport,
            string description, string @operator, string icpLicence)
        {
            Name = name;
            Role = role;
            Family = family;
            Region = region;
            Ports = ports;
            Transport = transport;
            Description = description;
            Operator = @operator;
            IcpLicence = icpLicence;
        }

        /// <summary>Host name, or a wildcard pattern such as <c>*wxsns.video.qq.com</c>.</summary>
        public string Name { get; }
        public string Role { get; }
        public string Family { get; }
        public string Region { get; }
        public int[] Ports { get; }
        public string Transport { get; }
        public string Description { get; }
        public string Operator { get; }
        /// <summary>ICP licence of mainland names; empty for overseas (*.wechat.com) names.</summary>
        public string IcpLicence { get; }

        public override string ToString() => Name;
    }
}
