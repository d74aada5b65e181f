using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace WeChatNet.Dns
{
    /// <summary>One EDNS option: code and data as sent.</summary>
    internal sealed class EdnsOption
    {
        public EdnsOption(ushort code, byte[] data)
        {
            Code = code;
            Data = data;
        }

        public ushort Code { get; }
        public byte[] Data { get; }
    }

    /// <summary>
    /// The OPT pseudo-record (RFC 6891): requestor's UDP payload size (the CLASS field), extended rcode, version and
    /// the DO bit (the TTL field), options. The Client Subnet option is decoded into <see cref="ClientSubnet"/>.
    /// </summary>
    internal sealed class Edns
    {
        public const ushort DefaultUdpPayloadSize = 1232;

        public Edns(ushort udpPayloadSize = DefaultUdpPayloadSize, bool dnssecOk = false, ClientSubnet? clientSubnet = null)
        {
            UdpPayloadSize = udpPayloadSize;
            DnssecOk = dnssecOk;
            ClientSubnet = clientSubnet;
        }

        public ushort UdpPayloadSize { get; set; }
        /// <summary>Upper 8 bits of the 12-bit response code.</summary>
        public byte ExtendedRcode { get; set; }
        public byte Version { get; set; }
        public bool DnssecOk { get; set; }
        /// <summary>Options other than Client Subnet, in order.</summary>
        public List<EdnsOption> Options { get; } = new List<EdnsOption>();
        public ClientSubnet? ClientSubnet { get; set; }
        /// <summary>When the message carried a Client Subnet option that did not decode: why.</summary>
        public string? ClientSubnetError { get; set; }

        internal uint EncodeTtl() => ((uint)ExtendedRcode << 24) | ((uint)Version << 16) | (DnssecOk ? 0x8000u : 0u);

        internal byte[] EncodeData()
        {
            var data = new List<byte>();
            if (ClientSubnet != null) AddOption(data, ClientSubnet.OptionCode, ClientSubnet.EncodeData());
            foreach (var o in Options) AddOption(data, o.Code, o.Data);
            return data.ToArray();
        }

        private static void AddOption(List<byte> data, ushort code, byte[] value)
        {
            data.Add((byte)(code >> 8));
            data.Add((byte)code);
            data.Add((byte)(value.Length >> 8));
            data.Add((byte)value.Length);
            data.AddRange(value);
        }

        internal static bool TryDecode(DnsRecord opt, out Edns? edns, out int badOffset)
        {
            edns = new Edns(opt.RawClass)
            {
                ExtendedRcode = (byte)(opt.Ttl >> 24),
                Version = (byte)(opt.Ttl >> 16),
                DnssecOk = (opt.Ttl & 0x8000) != 0,
            };
            ReadOnlySpan<byte> d = opt.Data;
            int p = 0;
            badOffset = 0;
            while (p < d.Length)
            {
                if (p + 4 > d.Length) { badOffset = p; edns = null; return false; }
                ushort code = BinaryPrimitives.ReadUInt16BigEndian(d.Slice(p));
                int len = BinaryPrimitives.ReadUInt16BigEndian(d.Slice(p + 2));
                if (p + 4 + len > d.Length) { badOffset = p; edns = null; return false; }
                var value = d.Slice(p + 4, len);
                if (code == ClientSubnet.OptionCode && edns.ClientSubnet == null && edns.ClientSubnetError == null)
                {
                    if (ClientSubnet.TryDecode(value, out var cs, out string? err)) edns.ClientSubnet = cs;
                    else edns.ClientSubnetError = err;
                }
                else
                {
                    edns.Options.Add(new EdnsOption(code, value.ToArray()));
                }
                p += 4 + len;
            }
            return true;
        }
    }
}
