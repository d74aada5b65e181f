using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using WeChatNet.Capture;
using WeChatNet.Dns;
using WeChatNet.Fuzz.Targets;
using WeChatNet.Packets;
using WeChatNet.WeChat;

namespace WeChatNet.Fuzz
{
    /// <summary>
    /// Starting inputs of each target (<c>WeChatNet.Fuzz --seeds DIR</c>), made from the shipped samples
    /// (SampleCaptureGenerator) so a campaign can start from nothing but the repository. The kept corpora
    /// (tests/WeChatNet.Fuzz/corpus) are what afl-cmin left of these after a campaign.
    /// </summary>
    internal static class Seeds
    {
        public static void Write(string root)
        {
            var samples = SampleCaptureGenerator.Names.Select(SampleCaptureGenerator.Generate).ToList();
            var frames = new List<(ushort LinkType, byte[] Data)>();
            foreach (var s in samples)
            {
                using var reader = CaptureFileReader.Open(new MemoryStream(s.File), s.Name);
                while (reader.ReadNext(out var rec) != CaptureReadResult.EndOfFile)
                    if (rec.Data.Length > 0) frames.Add((rec.LinkType, rec.Data.ToArray()));
            }

            // capture and gzip: a few packets of each sample in every format the reader knows.
            int n = 0;
            foreach (var s in samples)
            {
                var some = ReadFrames(s.File).Take(4).ToList();
                Save(root, "capture", $"{s.Name}.pcapng", Write(CaptureFileFormat.PcapNg, some));
                Save(root, "capture", $"{s.Name}.pcap", Write(CaptureFileFormat.Pcap, some));
                Save(root, "gzip", $"{s.Name}.pcapng.gz", Gzip(Write(CaptureFileFormat.PcapNg, some)));
                if (n++ == 0)
                {
                    Save(root, "capture", "big-endian.pcap", BigEndianPcap(some));
                    Save(root, "capture", "nanosecond.pcap", NanosecondPcap(Write(CaptureFileFormat.Pcap, some)));
                    Save(root, "gzip", $"{s.Name}.pcap.gz", Gzip(Write(CaptureFileFormat.Pcap, some)));
                    Save(root, "gzip", "two-members.pcapng.gz", Gzip(Write(CaptureFileFormat.PcapNg, some)).Concat(Gzip(Write(CaptureFileFormat.PcapNg, some.Take(1).ToList()))).ToArray());
                }
            }
            var whole = samples.OrderBy(s => s.File.Length).First();
            Save(root, "capture", "whole-" + whole.FileName, whole.File);

            // packet: one frame per distinct (link type, transport) with the link type in front (PacketTarget's layout).
            int i = 0;
            foreach (var f in frames.GroupBy(f => (f.LinkType, PacketDecoder.Decode(f.LinkType, f.Data).Transport, f.Data.Length > 200)).Select(g => g.First()))
                Save(root, "packet", $"frame{i++:D3}", PacketTarget.Encode(f.LinkType, f.Data));
            foreach (var (linkType, data) in frames.Take(3))
            {
                // the same frames behind the other link types the decoder reads
                var ip = data.AsSpan(14).ToArray();
                Save(root, "packet", $"raw{i++:D3}", PacketTarget.Encode((ushort)LinkType.Raw, ip));
                Save(root, "packet", $"sll{i++:D3}", PacketTarget.Encode((ushort)LinkType.LinuxSll, new byte[] { 0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 0, 0, 0, 8, 0 }.Concat(ip).ToArray()));
                Save(root, "packet", $"null{i++:D3}", PacketTarget.Encode((ushort)LinkType.Null, new byte[] { 2, 0, 0, 0 }.Concat(ip).ToArray()));
            }

            // dns: every DNS payload of the samples (UDP and TCP port 53), and queries with EDNS.
            i = 0;
            foreach (var f in frames)
            {
                var p = PacketDecoder.Decode(f.LinkType, f.Data);
                if (p.PayloadLength == 0 || (p.SourcePort != 53 && p.DestinationPort != 53)) continue;
                var payload = p.Payload.ToArray();
                if (p.Transport == TransportKind.Tcp && payload.Length > 2) payload = payload.AsSpan(2).ToArray();
                Save(root, "dns", $"sample{i++:D3}", payload);
            }
            Save(root, "dns", "query-ecs", DnsWireMessage.CreateQuery(0x1234, "long.weixin.qq.com", DnsRecordType.A, new Edns(1232, false, new ClientSubnet(System.Net.IPAddress.Parse("101.226.5.0"), 24)), true).Encode());
            Save(root, "dns", "query-aaaa", DnsWireMessage.CreateQuery(7, "dns.weixin.qq.com", DnsRecordType.AAAA, null, true).Encode());

            // streams of the samples: each direction of each TCP connection, concatenated in order.
            var streams = Streams(frames);
            i = 0;
            foreach (var (server, st) in streams)
            {
                var head = st.Take(4096).ToArray();
                string kind = HttpStreamReader.LooksLikeHttp(head, true) || HttpStreamReader.LooksLikeHttp(head, false) ? "http"
                    : head.Length >= 3 && head[0] >= 0x14 && head[0] <= 0x19 && head[1] == 0xF1 ? "mmtls"
                    : head.Length >= 16 ? "longlink" : "";
                if (kind.Length == 0) continue;
                Save(root, kind, $"stream{i++:D3}", kind == "http" ? HttpTarget.Encode(head[0] == (byte)'H', 0, head) : StreamTarget.Encode(server, 0, false, head));
                if (kind == "http")
                {
                    var body = HttpBody(head);
                    if (body != null && body.Length > 0) Save(root, "dispatch", $"sample{i:D3}", body);
                }
            }
            Save(root, "longlink", "heartbeat", StreamTarget.Encode(false, 7, false, WeChatWireBuilder.Frame(6, 0xFFFFFFFF)));
            Save(root, "longlink", "mars-demo", StreamTarget.Encode(false, 0, false, MarsDemo()));
            Save(root, "mmtls", "alert", StreamTarget.Encode(true, 0, false, WeChatWireBuilder.Record(0x15, new byte[] { 0, 0, 0, 3, 1, 2, 3 })));

            // dispatch: the documented shape, plain and in each compression.
            var xml = Encoding.UTF8.GetBytes(DispatchXml);
            Save(root, "dispatch", "plain.xml", xml);
            Save(root, "dispatch", "zlib", DispatchDocument.ZlibCompress(xml));
            Save(root, "dispatch", "raw-deflate", DispatchDocument.RawDeflate(xml));
            Save(root, "dispatch", "gzip", Gzip(xml));

            // key log: the sample's lines, a few per seed.
            var keyLog = samples.First(s => s.KeyLog != null).KeyLog!.Split('\n');
            for (int k = 0; k < keyLog.Length; k += 4)
                Save(root, "keylog", $"lines{k:D3}", Encoding.UTF8.GetBytes(string.Join("\n", keyLog.Skip(k).Take(4))));
        }

        internal const string DispatchXml =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<dns>\n<retcode>0</retcode>\n<clientip>203.0.113.77</clientip>\n" +
            "<clientispid>4</clientispid>\n<timestamp>1763776800</timestamp>\n<nextipv6>0</nextipv6>\n<domainlist>\n" +
            "<domain name=\"long.weixin.qq.com\" timeout=\"600\"><ip>101.226.5.4</ip><ip>180.163.10.11</ip></domain>\n" +
            "<domain name=\"mmsns.qpic.cn\" timeout=\"300\"><ip property=\"major\">183.3.1.1</ip><ip6>240e::1</ip6></domain>\n" +
            "</domainlist>\n<builtiniplist><ip>101.226.76.164</ip></builtiniplist>\n<signature2>MEUCIQDexample==</signature2>\n" +
            "</dns>\n<functionlist><change name=\"x\" value=\"1\"/></functionlist>\n";

        private static IEnumerable<(ushort LinkType, long Ns, byte[] Data)> ReadFrames(byte[] file)
        {
            using var reader = CaptureFileReader.Open(new MemoryStream(file), "sample");
            while (reader.ReadNext(out var rec) != CaptureReadResult.EndOfFile)
                yield return (rec.LinkType, rec.TimestampNanoseconds, rec.Data.ToArray());
        }

        private static byte[] Write(CaptureFileFormat format, List<(ushort LinkType, long Ns, byte[] Data)> frames)
        {
            var ms = new MemoryStream();
            using (var w = CaptureFileWriter.Create(ms, format, leaveOpen: true))
            {
                int id = w.AddInterface(frames.Count > 0 ? frames[0].LinkType : (ushort)1, 262144, "eth0");
                int k = 0;
                foreach (var f in frames) w.WritePacket(id, f.Ns, f.Data, f.Data.Length, k++ == 0 ? "first" : null);
            }
            return ms.ToArray();
        }

        private static byte[] NanosecondPcap(byte[] pcap)
        {
            var copy = (byte[])pcap.Clone();
            BinaryPrimitives.WriteUInt32LittleEndian(copy, 0xA1B23C4D);
            return copy;
        }

        private static byte[] BigEndianPcap(List<(ushort LinkType, long Ns, byte[] Data)> frames)
        {
            var ms = new MemoryStream();
            var h = new byte[24];
            BinaryPrimitives.WriteUInt32BigEndian(h, 0xA1B2C3D4);
            BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), 2);
            BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(6), 4);
            BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(16), 65535);
            BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(20), frames[0].LinkType);
            ms.Write(h);
            foreach (var f in frames)
            {
                var r = new byte[16];
                BinaryPrimitives.WriteUInt32BigEndian(r, (uint)(f.Ns / 1_000_000_000));
                BinaryPrimitives.WriteUInt32BigEndian(r.AsSpan(4), (uint)(f.Ns / 1000 % 1_000_000));
                BinaryPrimitives.WriteUInt32BigEndian(r.AsSpan(8), (uint)f.Data.Length);
                BinaryPrimitives.WriteUInt32BigEndian(r.AsSpan(12), (uint)f.Data.Length);
                ms.Write(r);
                ms.Write(f.Data);
            }
            return ms.ToArray();
        }

        private static byte[] Gzip(byte[] data)
        {
            var ms = new MemoryStream();
            using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data);
            return ms.ToArray();
        }

        private static byte[] MarsDemo()
        {
            var h = new byte[24];
            BinaryPrimitives.WriteUInt32BigEndian(h, 20);
            BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(4), 200);
            BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(8), 1);
            BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(12), 7);
            BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(16), 4);
            return h;
        }

        private static byte[]? HttpBody(byte[] stream)
        {
            int end = stream.AsSpan().IndexOf("\r\n\r\n"u8);
            return end < 0 ? null : stream.AsSpan(end + 4).ToArray();
        }

        /// <summary>Each direction of each TCP connection (by address and port pair), payloads in capture order.</summary>
        private static List<(bool Server, List<byte> Bytes)> Streams(List<(ushort LinkType, byte[] Data)> frames)
        {
            var byKey = new Dictionary<string, List<byte>>();
            var order = new List<(bool Server, List<byte> Bytes)>();
            foreach (var f in frames)
            {
                var p = PacketDecoder.Decode(f.LinkType, f.Data);
                if (p.Transport != TransportKind.Tcp || p.PayloadLength == 0) continue;
                string key = Convert.ToHexString(p.SourceAddress) + ":" + p.SourcePort + ">" + Convert.ToHexString(p.DestinationAddress) + ":" + p.DestinationPort;
                if (!byKey.TryGetValue(key, out var list)) { byKey[key] = list = new List<byte>(); order.Add((p.SourcePort < p.DestinationPort, list)); }
                if (list.Count < 8192) list.AddRange(p.Payload.ToArray());
            }
            return order;
        }

        private static void Save(string root, string target, string name, byte[] data)
        {
            string dir = Path.Combine(root, target);
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, name), data);
        }
    }
}
