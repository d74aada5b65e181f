using System;
using System.Collections.Generic;
using WeChatNet.Dns;

namespace WeChatNet.WeChat
{
    /// <summary>Turns DNS messages seen in traffic into <see cref="DnsMessage"/> output and host names for later connections.</summary>
    internal static class DnsObserver
    {
        /// <summary>Decodes one DNS message; answers name their addresses in <paramref name="names"/>.</summary>
        public static DnsMessage Decode(ReadOnlySpan<byte> message, string transport, HostNamer names, long ticks)
        {
            var m = new DnsMessage { Transport = transport };
            var result = DnsWireMessage.TryDecode(message, out var decoded);
            if (!result.Success)
            {
                m.Problem = result.ToString();
                if (DnsWireMessage.TryReadHeader(message, out ushort id, out ushort flags, out _, out _, out _, out _))
                {
                    m.Id = id;
                    m.IsResponse = (flags & 0x8000) != 0;
                }
                // A message that ran out of bytes after its question (a capture's snap length cuts answers, often by a byte
                // or two) still says what was asked and how the server answered: its lookup was answered, whatever the
                // records it no longer shows. Damage inside the message (bad labels, loops) tells nothing.
                if (decoded.Questions.Count > 0 && EndedEarly(result.Error))
                {
                    m.Truncated = decoded.Truncated;
                    if (decoded.IsResponse) m.ResponseCode = decoded.ResponseCode.ToString();
                    m.QueryName = decoded.Questions[0].Name;
                    m.QueryType = DnsRecord.TypeName(decoded.Questions[0].Type);
                }
                return m;
            }
            m.Id = decoded.Id;
            m.IsResponse = decoded.IsResponse;
            m.Truncated = decoded.Truncated;
            if (decoded.IsResponse) m.ResponseCode = decoded.ResponseCode.ToString();
            if (decoded.Questions.Count > 0)
            {
                m.QueryName = decoded.Questions[0].Name;
                m.QueryType = DnsRecord.TypeName(decoded.Questions[0].Type);
            }
            var answers = new List<string>(decoded.Answers.Count);
            var addresses = new List<string>();
            foreach (var r in decoded.Answers)
            {
                answers.Add(r.ToString());
                if ((r.Type == DnsRecordType.A || r.Type == DnsRecordType.AAAA) && r.Address != null)
                {
                    addresses.Add(r.Address);
                    // The name the client asked for is what names the address (a CNAME target is the CDN's name).
                    if (decoded.IsResponse && m.QueryName.Length > 0) names.AddResolved(r.Address, m.QueryName, HostSources.Dns, ticks);
                }
            }
            m.Answers = answers.ToArray();
            m.Addresses = addresses.ToArray();
            return m;
        }

        private static bool EndedEarly(DnsDecodeError error) =>
            error == DnsDecodeError.NameTruncated || error == DnsDecodeError.RecordTruncated || error == DnsDecodeError.RdataTruncated
            || error == DnsDecodeError.TooManyRecords;
    }
}
