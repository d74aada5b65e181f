namespace WeChatNet.Dns
{
    /// <summary>DNS classes; only IN is used in practice.</summary>
    internal enum DnsClass : ushort
    {
        IN = 1,
        CH = 3,
        HS = 4,
        ANY = 255,
    }
}
