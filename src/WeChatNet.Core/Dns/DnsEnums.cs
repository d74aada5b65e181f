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

    /// <summary>DNS classes; only IN is used in practice.</summary>
    public enum DnsClass : ushort
    {
        IN = 1,
        CH = 3,
        HS = 4,
        ANY = 255,
    }

    /// <summary>Response codes (RFC 1035, 6891 extended codes included).</summary>
    public enum DnsResponseCode : ushort
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

    /// <summary>What was wrong with a message the decoder refused. Never an exception.</summary>
    public enum DnsDecodeError
    {
        None,
        /// <summary>Fewer than 12 bytes: no complete header.</summary>
        HeaderTruncated,
        /// <summary>A name runs past the end of the message.</summary>
        NameTruncated,
        /// <summary>A label type 0x40 or 0x80 (extended / reserved): not allowed.</summary>
        BadLabelType,
        /// <summary>A compression pointer that does not point strictly backwards, or too many pointer hops.</summary>
        PointerLoop,
        /// <summary>A name longer than 255 bytes on the wire.</summary>
        NameTooLong,
        /// <summary>A question or record's fixed part runs past the end.</summary>
        RecordTruncated,
        /// <summary>RDATA longer than what is left of the message.</summary>
        RdataTruncated,
        /// <summary>RDATA whose inside does not match its type (A not 4 bytes, names running past RDLENGTH...).</summary>
        RdataMalformed,
        /// <summary>More questions or records than the message could possibly hold, or than the decoder's cap.</summary>
        TooManyRecords,
        /// <summary>More than one OPT record, or OPT with a non-root owner.</summary>
        BadOpt,
    }
}
