using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Net;

namespace WeChatNet.Dns
{
    /// <summary>A question: name, type, class.</summary>
    internal sealed class DnsQuestion
    {
        public DnsQuestion(string name, DnsRecordType type, DnsClass @class = DnsClass.IN)
        {
            Name = name;
            Type = type;
            Class = @class;
        }

        public string Name { get; }
        public DnsRecordType Type { get; }
        public DnsClass Class { get; }

        public override string ToString() => $"{Name} {Class} {DnsRecord.TypeName(Type)}";
    }
}
