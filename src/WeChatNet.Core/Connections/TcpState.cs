namespace WeChatNet.Connections
{
    /// <summary>A TCP connection's state, named as Windows' MIB_TCP_STATE and Get-NetTCPConnection name them.</summary>
    internal enum TcpState
    {
        Unknown = 0,
        Closed,
        Listen,
        SynSent,
        SynReceived,
        Established,
        FinWait1,
        FinWait2,
        CloseWait,
        Closing,
        LastAck,
        TimeWait,
        DeleteTcb,
    }
}
