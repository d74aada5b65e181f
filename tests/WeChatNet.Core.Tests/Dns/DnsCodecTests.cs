using System;
using System.Linq;
using System.Net;
using WeChatNet.Dns;
using Xunit;

namespace WeChatNet.Tests.Dns
{
    public sealed class DnsCodecTests
    {
        private static byte[] Hex(string hex)
        {
            hex = new string(hex.Where(Uri.IsHexDigit).ToArray());
            return Enumerable.Range(0, hex.Length / 2).Select(i => Convert.ToByte(hex.Substring(i * 2, 2), 16)).ToArray();
        }

        // A query for long.weixin.qq.com A, id 0x1234, RD, no EDNS.
        private const string QueryHex =
            "1234 0100 0001 0000 0000 0000" +              // 0: id, flags RD, QD=1
            "04 6c6f6e67 06 77656978696e 02 7171 03 636f6d 00" + // 12: long.weixin.qq.com (weixin at 17, qq at 24, com at 27)
            "0001 0001";                                    // 32: A IN

        // Its answer: CNAME to szlong.weixin.qq.com (compressed), then two A records for the target.
        private const string ResponseHex =
            "1234 8180 0001 0003 0000 0000" +              // 0: QR RD RA, AN=3
            "04 6c6f6e67 06 77656978696e 02 7171 03 636f6d 00 0001 0001" + // 12..35 question
            "c00c 0005 0001 00000258 0009 06 737a6c6f6e67 c011" + // 36: long -> szlong + ptr(17) ; szlong label at 48
            "c030 0001 0001 0000003c 0004 65e20504" +          // 57: szlong.weixin.qq.com A 101.226.5.4 (owner ptr 48)
            "c030 0001 0001 0000003c 0004 b4a3 0a0b";          // 73: A 180.163.10.11

        [Fact]
        public void EncodesAQueryByteForByte()
        {
            var q = DnsWireMessage.CreateQuery(0x1234, "long.weixin.qq.com", DnsRecordType.A, null);
            Assert.Equal(Hex(QueryHex), q.Encode());
        }

        [Fact]
        public void DecodesCompressedCnameChainAndAddresses()
        {
            var r = DnsWireMessage.TryDecode(Hex(ResponseHex), out var m);
            Assert.True(r.Success, r.ToString());
            Assert.Equal(0x1234, m.Id);
            Assert.True(m.IsResponse);
            Assert.True(m.RecursionAvailable);
            Assert.Equal(DnsResponseCode.NoError, m.ResponseCode);
            Assert.Equal("long.weixin.qq.com", m.Questions.Single().Name);
            Assert.Equal(DnsRecordType.CNAME, m.Answers[0].Type);
            Assert.Equal(600u, m.Answers[0].Ttl);
            Assert.Equal("szlong.weixin.qq.com", m.Answers[0].Target);
            Assert.Equal("szlong.weixin.qq.com", m.Answers[1].Name);
            Assert.Equal("101.226.5.4", m.Answers[1].Address);
            Assert.Equal("180.163.10.11", m.Answers[2].Address);
            // CNAME RDATA is stored expanded (no pointer into the original message).
            Assert.Equal(DnsRecord.EncodeName("szlong.weixin.qq.com"), m.Answers[0].Data);
        }

        [Fact]
        public void EncoderCompressesOwnerNamesAgainstTheQuestion()
        {
            var m = new DnsWireMessage { Id = 7, IsResponse = true };
            m.Questions.Add(new DnsQuestion("short.weixin.qq.com", DnsRecordType.A));
            m.Answers.Add(DnsRecord.CreateA("short.weixin.qq.com", 60, IPAddress.Parse("14.215.1.2")));
            m.Answers.Add(DnsRecord.CreateA("SHORT.weixin.qq.com", 60, IPAddress.Parse("14.215.1.3")));
            byte[] wire = m.Encode();
            // 12 + 21 (name) + 4 = 37: both answers start with a pointer to offset 12 (case-insensitive match).
            Assert.Equal(new byte[] { 0xC0, 0x0C }, wire.Skip(37).Take(2).ToArray());
            Assert.Equal(new byte[] { 0xC0, 0x0C }, wire.Skip(37 + 16).Take(2).ToArray());
            Assert.Equal(37 + 16 + 16, wire.Length);
            Assert.True(DnsWireMessage.TryDecode(wire, out var back).Success);
            Assert.Equal(new[] { "14.215.1.2", "14.215.1.3" }, back.Answers.Select(a => a.Address));
        }

        [Fact]
        public void PointerToItselfIsALoopNotAHang()
        {
            var bytes = Hex("0001 0100 0001 0000 0000 0000" + "c00c 0001 0001"); // 12: pointer to 12
            var r = DnsWireMessage.TryDecode(bytes, out _);
            Assert.Equal(DnsDecodeError.PointerLoop, r.Error);
            Assert.Equal(12, r.Offset);
        }

        [Fact]
        public void PointersChasingEachOtherAreALoop()
        {
            // 12: label "a" then pointer to 17; 17: pointer back to 12 -> a.a.a.a... forever without the guard.
            var bytes = Hex("0001 0100 0001 0000 0000 0000" + "01 61 c011 00 c00c 0001 0001");
            var r = DnsWireMessage.TryDecode(bytes, out _);
            Assert.Equal(DnsDecodeError.PointerLoop, r.Error);
        }

        [Fact]
        public void ForwardPointerIsRefused()
        {
            var bytes = Hex("0001 0100 0001 0000 0000 0000" + "c010 0001 0001 00");
            Assert.Equal(DnsDecodeError.PointerLoop, DnsWireMessage.TryDecode(bytes, out _).Error);
        }

        [Fact]
        public void BadLengthsAreReportedWithTheirOffset()
        {
            Assert.Equal(DnsDecodeError.HeaderTruncated, DnsWireMessage.TryDecode(Hex("1234 8180 0001"), out _).Error);
            // AN=1 but nothing after the question.
            var noRecord = Hex("1234 8180 0001 0001 0000 0000 01 61 00 0001 0001 c00c 0001 0001 00000001 0004 0102");
            var r = DnsWireMessage.TryDecode(noRecord, out var partial);
            Assert.Equal(DnsDecodeError.RdataTruncated, r.Error);
            Assert.Equal(29, r.Offset); // RDLENGTH field of the answer (19 owner, 21 type, 23 class, 25 ttl, 29 rdlength)
            Assert.Equal("a", partial.Questions.Single().Name);
            // A record with 3 bytes of RDATA.
            var shortA = Hex("1234 8180 0001 0001 0000 0000 01 61 00 0001 0001 c00c 0001 0001 00000001 0003 010203");
            Assert.Equal(DnsDecodeError.RdataMalformed, DnsWireMessage.TryDecode(shortA, out _).Error);
            // Label type 0x40 is refused.
            Assert.Equal(DnsDecodeError.BadLabelType, DnsWireMessage.TryDecode(Hex("1234 0100 0001 0000 0000 0000 41 00 0001 0001"), out _).Error);
            // Counts that cannot fit.
            Assert.Equal(DnsDecodeError.TooManyRecords, DnsWireMessage.TryDecode(Hex("1234 8180 ffff ffff 0000 0000 00"), out _).Error);
            // A truncated answer that kept its answer count: the header and question still come back.
            var r2 = DnsWireMessage.TryDecode(Hex("1234 8380 0001 0078 0000 0000 01 61 00 0001 0001"), out var tc);
            Assert.Equal(DnsDecodeError.TooManyRecords, r2.Error);
            Assert.True(tc.Truncated);
            Assert.Equal("a", tc.Questions.Single().Name);
        }

        [Fact]
        public void NamesOverTheLimitsAreRefusedBothWays()
        {
            Assert.Null(DnsName.TryParseLabels(new string('a', 64) + ".qq.com", out string? e1));
            Assert.Contains("63", e1);
            Assert.Null(DnsName.TryParseLabels(string.Join(".", Enumerable.Repeat(new string('a', 63), 4)), out string? e2));
            Assert.Contains("255", e2);
            Assert.Null(DnsName.TryParseLabels("a..qq.com", out string? e3));
            Assert.Contains("empty label", e3);
            Assert.Null(DnsName.TryParseLabels("", out _));
            Assert.NotNull(DnsName.TryParseLabels("long.weixin.qq.com.", out _));
            Assert.Equal(3, DnsName.TryParseLabels(string.Join(".", Enumerable.Repeat(new string('a', 63), 3)) + "." + new string('b', 61), out _)!.Count - 1);
            // On the wire: 4 labels of 63 = 256 bytes with the root.
            var wire = Hex("0001 0100 0001 0000 0000 0000" + string.Concat(Enumerable.Repeat("3f" + string.Concat(Enumerable.Repeat("61", 63)), 4)) + "00 0001 0001");
            Assert.Equal(DnsDecodeError.NameTooLong, DnsWireMessage.TryDecode(wire, out _).Error);
        }

        [Fact]
        public void OddLabelBytesRoundTripAsEscapes()
        {
            var m = new DnsWireMessage { Id = 1 };
            m.Questions.Add(new DnsQuestion("a\\.b.\\032x.qq.com", DnsRecordType.TXT));
            byte[] wire = m.Encode();
            Assert.Equal(Hex("03 612e62 02 2078 02 7171 03 636f6d 00"), wire.Skip(12).Take(15).ToArray());
            Assert.True(DnsWireMessage.TryDecode(wire, out var back).Success);
            Assert.Equal("a\\.b.\\032x.qq.com", back.Questions[0].Name);
        }

        [Theory]
        // Source prefix, address in, expected option data: family, source, scope, ceil(source/8) bytes, host bits zero.
        [InlineData("101.226.5.77/24", "0001 18 00 65e205")]
        [InlineData("101.226.5.77/23", "0001 17 00 65e204")]      // odd: 5 -> 4 (last bit cleared)
        [InlineData("101.226.5.77/9", "0001 09 00 6580")]         // 226 = 0xE2 -> 0x80
        [InlineData("101.226.5.77/0", "0001 00 00")]              // no address bytes at all
        [InlineData("101.226.5.77/32", "0001 20 00 65e2054d")]
        [InlineData("101.226.5.77", "0001 20 00 65e2054d")]       // bare address = /32
        [InlineData("2402:4e00:1234:5678::1/56", "0002 38 00 24024e00123456")]
        [InlineData("2402:4e00:1234:56ff::1/57", "0002 39 00 24024e0012345680")] // 0xff -> 0x80 in the 8th byte
        public void ClientSubnetEncodesTruncatedAndMasked(string cidr, string expected)
        {
            Assert.True(ClientSubnet.TryParse(cidr, out var cs, out string? err), err);
            Assert.Equal(Hex(expected), cs!.EncodeData());
            Assert.True(ClientSubnet.TryDecode(cs.EncodeData(), out var back, out err), err);
            Assert.Equal(cs.ToString(), back!.ToString());
        }

        [Fact]
        public void ClientSubnetRefusesBadOptionData()
        {
            Assert.False(ClientSubnet.TryDecode(Hex("0001 17 00 65e205"), out _, out string? e1)); // bit past /23 set
            Assert.Contains("bits set", e1);
            Assert.False(ClientSubnet.TryDecode(Hex("0001 18 00 65e2"), out _, out _));       // /24 needs 3 bytes
            Assert.False(ClientSubnet.TryDecode(Hex("0003 08 00 65"), out _, out _));        // family 3
            Assert.False(ClientSubnet.TryDecode(Hex("0001 21 00 65e2054d00"), out _, out _)); // /33
            Assert.False(ClientSubnet.TryParse("101.226.5.0/33", out _, out _));
            Assert.False(ClientSubnet.TryParse("nonsense/24", out _, out _));
        }

        [Fact]
        public void QueryWithEdnsDoBitAndClientSubnetIsByteExact()
        {
            ClientSubnet.TryParse("101.226.5.0/24", out var cs, out _);
            var q = DnsWireMessage.CreateQuery(0xBEEF, "qq.com", DnsRecordType.AAAA, new Edns(1232, dnssecOk: true, cs));
            var expected = Hex(
                "beef 0100 0001 0000 0000 0001" +   // ARCOUNT 1 (OPT)
                "02 7171 03 636f6d 00 001c 0001" +  // qq.com AAAA IN
                "00 0029 04d0 00008000 000b" +      // root, OPT, size 1232, ext-rcode 0 version 0 DO, RDLEN 11
                "0008 0007 0001 18 00 65e205");     // ECS option code 8 len 7
            Assert.Equal(expected, q.Encode());
            Assert.True(DnsWireMessage.TryDecode(expected, out var back).Success);
            Assert.NotNull(back.Edns);
            Assert.Equal(1232, back.Edns!.UdpPayloadSize);
            Assert.True(back.Edns.DnssecOk);
            Assert.Equal("101.226.5.0/24", back.Edns.ClientSubnet!.ToString());
            Assert.Empty(back.Additionals);
        }

        [Fact]
        public void ExtendedRcodeAndSecondOptAreHandled()
        {
            // BADVERS = 16: header rcode 0, extended 1.
            var m = Hex("0001 8000 0000 0000 0000 0001 00 0029 1000 01000000 0000");
            Assert.True(DnsWireMessage.TryDecode(m, out var d).Success);
            Assert.Equal(DnsResponseCode.BadVers, d.ResponseCode);
            var two = Hex("0001 8000 0000 0000 0000 0002 00 0029 1000 00000000 0000 00 0029 1000 00000000 0000");
            Assert.Equal(DnsDecodeError.BadOpt, DnsWireMessage.TryDecode(two, out _).Error);
        }

        [Fact]
        public void SoaTxtPtrNsAndHttpsDecode()
        {
            var m = new DnsWireMessage { Id = 9, IsResponse = true };
            m.Questions.Add(new DnsQuestion("weixin.qq.com", DnsRecordType.ANY));
            m.Answers.Add(DnsRecord.CreateSoa("weixin.qq.com", 300, new DnsSoa("ns1.qq.com", "webmaster.qq.com", 2026112201, 300, 600, 86400, 60)));
            m.Answers.Add(DnsRecord.CreateTxt("weixin.qq.com", 300, "v=spf1 -all", ""));
            m.Answers.Add(DnsRecord.CreateName("weixin.qq.com", DnsRecordType.NS, 300, "ns1.qq.com"));
            m.Answers.Add(DnsRecord.CreateName("4.5.226.101.in-addr.arpa", DnsRecordType.PTR, 300, "szlong.weixin.qq.com"));
            var https = Hex("0001 00 0001 0006 02683202 6833"); // priority 1, target ".", alpn=h2,h3
            m.Answers.Add(DnsRecord.CreateRaw("weixin.qq.com", DnsRecordType.HTTPS, 1, 300, https));
            Assert.True(DnsWireMessage.TryDecode(m.Encode(), out var d).Success);
            Assert.Equal("ns1.qq.com", d.Answers[0].Soa!.PrimaryServer);
            Assert.Equal(2026112201u, d.Answers[0].Soa!.Serial);
            Assert.Equal(60u, d.Answers[0].Soa!.Minimum);
            Assert.Equal(new[] { "v=spf1 -all", "" }, d.Answers[1].Text);
            Assert.Equal("ns1.qq.com", d.Answers[2].Target);
            Assert.Equal("szlong.weixin.qq.com", d.Answers[3].Target);
            Assert.Equal(https, d.Answers[4].Data);
        }

        [Fact]
        public void MutatedAndTruncatedMessagesNeverThrow()
        {
            var seeds = new[] { Hex(ResponseHex), Hex(QueryHex) };
            ClientSubnet.TryParse("101.226.5.0/23", out var cs, out _);
            var withOpt = DnsWireMessage.CreateQuery(3, "mmsns.qpic.cn", DnsRecordType.A, new Edns(4096, true, cs)).Encode();
            seeds = seeds.Append(withOpt).ToArray();
            var rng = new Random(6);
            int decoded = 0;
            foreach (var seed in seeds)
            {
                for (int len = 0; len <= seed.Length; len++)
                    if (DnsWireMessage.TryDecode(seed.AsSpan(0, len), out _).Success) decoded++;
                for (int i = 0; i < 20000; i++)
                {
                    var b = (byte[])seed.Clone();
                    int flips = rng.Next(1, 4);
                    for (int f = 0; f < flips; f++) b[rng.Next(b.Length)] = (byte)rng.Next(256);
                    var r = DnsWireMessage.TryDecode(b, out var m);
                    if (r.Success)
                    {
                        decoded++;
                        Assert.InRange(m.Answers.Count + m.Questions.Count + m.Authorities.Count + m.Additionals.Count, 0, b.Length);
                    }
                    else Assert.InRange(r.Offset, 0, b.Length);
                }
            }
            Assert.True(decoded > 0);
        }
    }
}
