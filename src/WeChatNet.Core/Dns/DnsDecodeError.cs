namespace WeChatNet.Dns
{
    /// <summary>What was wrong with a message the decoder refused. Never an exception.</summary>
    internal enum DnsDecodeError
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
