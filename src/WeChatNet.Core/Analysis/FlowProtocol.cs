namespace WeChatNet
{
    /// <summary>The transport of a flow (Get-WeChatFlow -Protocol; Flow.Protocol holds the same names).</summary>
    public enum FlowProtocol
    {
        Tcp,
        Udp,
    }
}
