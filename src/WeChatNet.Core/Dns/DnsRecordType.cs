namespace WeChatNet.Dns
{
    /// <summary>Resource record types this codec knows by name (RFC 1035, 3596, 6891, 9460). Others are kept by number.</summary>
    public enum DnsRecordType : ushort
    {
        A = 1,
        NS = 2,
        CNAME = 5,
        SOA = 6,
        PTR = 12,
        MX = 15,
        TXT = 16,
        AAAA = 28,
        SRV = 33,
        OPT = 41,
        DS = 43,
        RRSIG = 46,
        DNSKEY = 48,
        SVCB = 64,
        HTTPS = 65,
        ANY = 255,
        CAA = 257,
    }
}
