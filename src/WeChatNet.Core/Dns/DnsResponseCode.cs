namespace WeChatNet.Dns
{
    /// <summary>Response codes (RFC 1035, 6891 extended codes included).</summary>
    internal enum DnsResponseCode : ushort
    {
        NoError = 0,
        FormErr = 1,
        ServFail = 2,
        NxDomain = 3,
        NotImp = 4,
        Refused = 5,
        YxDomain = 6,
        YxRrSet = 7,
        NxRrSet = 8,
        NotAuth = 9,
        NotZone = 10,
        BadVers = 16,
    }
}
