using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;

namespace WeChatNet.WeChat
{
    /// <summary>A generated sample capture and what the generator wrote into it.</summary>
    public sealed class SampleCapture
    {
        internal SampleCapture(string name, string description, byte[] file, IReadOnlyList<ExpectedMessage> expected, long packets,
            string? keyLog = null, int keyLogEntries = 0, IReadOnlyList<ExpectedMessage>? expectedDecrypted = null)
        {
            KeyLog = keyLog;
            KeyLogEntries = keyLogEntries;
            ExpectedDecrypted = expectedDecrypted ?? Array.Empty<ExpectedMessage>();
            Name = name;
            Description = description;
            File = file;
            Expected = expected;
            Packets = packets;
        }

        public string Name { get; }
        public string Description { get; }
        /// <summary>The pcapng file's bytes.</summary>
        public byte[] File { get; }
        public IReadOnlyList<ExpectedMessage> Expected { get; }
        public long Packets { get; }
        public string FileName => Name + ".pcapng";
        /// <summary>The key log written with the sample (<c>name.keys</c>), or null when it has none.</summary>
        public string? KeyLog { get; }
        /// <summary>OUTER entries in the key log: with it, exactly this many records decrypt.</summary>
        public int KeyLogEntries { get; }
        /// <summary>What decoding with the key log adds: decrypted long-link frames and short-link CGIs.</summary>
        public IReadOnlyList<ExpectedMessage> ExpectedDecrypted { get; }
        public string KeyLogFileName => Name + ".keys";
    }

    /// <summary>
    /// Generates the sample captures shipped in <c>samples/</c> from the facts (wechat-wire-facts.md): never edited by
    /// hand, always regenerated with <see cref="WriteAll"/>. Addresses are the facts' Tencent ranges; the phone is
    /// 192.168.31.20 behind a home router that resolves DNS. Identifiers in the samples are made up.
    /// </summary>
    public static class SampleCaptureGenerator
    {
        private static readonly DateTimeOffset Start = new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

        private static readonly (string Name, string Description, Action<SampleNetwork> Build)[] s_samples =
        {
            ("login-dispatch", "DNS for dns.weixin.qq.com, newgetdns with a deflated XML answer, then the long link and a short link to the hosts it named", LoginDispatch),
            ("mmtls-longlink", "sglong.wechat.com resolved to 101.32.104.4, MMTLS handshake, heartbeat records at Mars intervals (210 s rising by 60 s to 600 s) with replies", MmtlsLongLink),
            ("shortlink-burst", "a burst of POST /mmtls/<hex> short links to szshort.weixin.qq.com, each a 0-RTT flight on its own connection", ShortLinkBurst),
            ("legacy-longlink", "a plain (pre-MMTLS) long link with 16-byte frames: identify, heartbeat, push notify, sync, sync-done, push data; split and coalesced", LegacyLongLink),
            ("dead-link", "a heartbeat without reply, RST after the 8 s deadline, dispatch again and reconnect to another address with a new ClientHello", DeadLink),
            ("retransmissions", "a plain long link whose segments arrive retransmitted, duplicated, overlapping and out of order", Retransmissions),
            ("mmtls-keylog", "an MMTLS long link and two short links encrypted with fixed sample keys; mmtls-keylog.keys is their key log (-KeyLogPath): handshake, identify, heartbeats, push, a sync reply spanning records", MmtlsKeyLogSample),
            ("nat-timeout", "a home router that forgets idle TCP mappings after 180 s: every long link dies at its first 210 s heartbeat and reconnects", NatTimeout),
        };

        /// <summary>
        /// Realistic situations for the precision suite (not shipped in samples/): healthy ones must give no Warning or Error,
        /// faulty ones exactly the finding that names their fault. Generate them by name like the samples.
        /// </summary>
        private static readonly (string Name, string Description, Action<SampleNetwork> Build)[] s_precision =
        {
            ("phone-abroad", "the issue's phone abroad, captured on the phone: a long link and 25 short links to Singapore 181-185 ms away, the phone acknowledging the servers' data after 0-10 ms", PhoneAbroad),
            ("long-rtt-healthy", "an overseas client 183 ms from Singapore: DNS, a long link and 15 short links, every connect and data round trip 181-185 ms", LongRttHealthy),
            ("aaaa-servfail", "the resolver answers SERVFAIL to AAAA for sglong/sgshort.wechat.com while the A lookups succeed and every connection works over IPv4", AaaaServfail),
            ("shared-address", "the dispatch gives one address to sgaxshort.wechat.com and sgshort.wechat.com; every request on it carries Host: sgshort.wechat.com", SharedAddress),
            ("syn-retries", "a short-link connect whose SYN is sent three times (2.4 s) before the SYN/ACK, and a long-link connect answered by a second SYN/ACK with a new ISN", SynRetries),
            ("web-wechat", "Web WeChat in a browser: TLS to web.wechat.com, webpush.web.wechat.com, login.web.wechat.com and res.wx.qq.com (SNI only), on addresses no Tencent prefix holds", WebWeChat),
            ("mixed-traffic", "a healthy WeChat session amid heavy other traffic: Google connections reset by the server, a lossy KakaoTalk download, NTP and Teams lookups failing, racing connects", MixedTraffic),
            ("truncated-response", "short links whose response's first 1400 bytes the capture missed", TruncatedResponse),
            ("moments-download", "an overseas client 150 ms from the Moments media server fetching three 2 MB images over plain HTTP, each download taking about 2 s at 11 Mbit/s", MomentsDownload),
            ("slow-server", "an overseas client 150 ms from a short-link server that takes 1.2-1.8 s to answer 4 of 10 requests", SlowServer),
            ("lossy-path", "a lossy path to sgshort.wechat.com: 10 short links whose answers lose a segment each (sent again after a timeout), 3 connects needing a SYN retry", LossyPath),
            ("nat-idle", "a NAT that forgets idle connections after 180 s, 60 ms from the long-link server: every long link's first heartbeat at 210 s vanishes in the NAT, the client resets it after 8 s and reconnects", NatIdle),
            ("many-slow-connects", "50 short links to sgshort.wechat.com, each connect answered only after one SYN retry (1 s): one server, one finding", ManySlowConnects),
        };

        /// <summary>The sample names, in order.</summary>
        public static IReadOnlyList<string> Names => s_samples.Select(s => s.Name).ToArray();

        /// <summary>The precision suite's situations, in order (generated on demand, not shipped).</summary>
        public static IReadOnlyList<string> PrecisionNames => s_precision.Select(s => s.Name).ToArray();

        public static string Describe(string name) => Find(name).Description;

        private static (string Name, string Description, Action<SampleNetwork> Build) Find(string name) =>
            s_samples.Concat(s_precision).FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)) is var s && s.Name != null
                ? s : throw new ArgumentException($"No sample named '{name}'. Samples: {string.Join(", ", Names)}.", nameof(name));

        public static SampleCapture Generate(string name) => Generate(name, CapturePoint.Client);

        /// <summary>
        /// A sample or precision situation captured at <paramref name="point"/>: the same session, its connections' packets seen
        /// where the capture sits (at the client as shipped; at the server or in between, each packet earlier or later by its
        /// share of the path's one-way delay). Only connections with realistic timing move; DNS stays at the client's resolver.
        /// </summary>
        public static SampleCapture Generate(string name, CapturePoint point)
        {
            if (point == CapturePoint.Unknown) throw new ArgumentException("A sample is captured at the Client, the Server or InBetween.", nameof(point));
            var sample = Find(name);
            var ms = new MemoryStream();
            var net = new SampleNetwork(ms, Start, seed: sample.Name.Length * 7919, point);
            sample.Build(net);
            long packets = net.Packets;
            net.Finish();
            return new SampleCapture(sample.Name, sample.Description, ms.ToArray(), net.Expected, packets,
                net.KeyLog?.Text, net.KeyLog?.OuterEntries ?? 0, net.ExpectedDecrypted);
        }

        /// <summary>Writes every sample as <c>name.pcapng</c> plus <c>name.expected.txt</c> (what the generator wrote) into a folder.</summary>
        public static IReadOnlyList<SampleCapture> WriteAll(string directory)
        {
            Directory.CreateDirectory(directory);
            var list = new List<SampleCapture>();
            foreach (var name in Names)
            {
                var s = Generate(name);
                File.WriteAllBytes(Path.Combine(directory, s.FileName), s.File);
                File.WriteAllText(Path.Combine(directory, s.Name + ".expected.txt"), ExpectedText(s));
                if (s.KeyLog != null) File.WriteAllText(Path.Combine(directory, s.KeyLogFileName), s.KeyLog);
                list.Add(s);
            }
            return list;
        }

        /// <summary>The manifest text shipped beside each sample: one expected message per line.</summary>
        public static string ExpectedText(SampleCapture s)
        {
            var sb = new StringBuilder();
            sb.Append("# ").Append(s.FileName).Append(": ").Append(s.Description).Append('\n');
            sb.Append("# generated by SampleCaptureGenerator; do not edit. ").Append(s.Packets).Append(" packets, ").Append(s.Expected.Count).Append(" messages.\n");
            foreach (var e in s.Expected) sb.Append(e.Kind).Append('\t').Append(e.Direction).Append('\t').Append(e.Key).Append('\t').Append(e.Host).Append('\n');
            return sb.ToString();
        }

        /// <summary>
        /// Writes a large capture of plain long-link traffic for throughput benchmarks: <paramref name="connections"/>
        /// long links (DNS-named) exchanging heartbeats, syncs with replies and push notifies, some frames split over
        /// segments and some segments carrying several frames, until about <paramref name="packets"/> packets are
        /// written (pure ACKs included). Returns the packets and long-link frames written.
        /// </summary>
        public static (long Packets, long Frames) WriteLongLinkLoad(Stream output, long packets, int connections = 64)
        {
            if (connections < 1) throw new ArgumentOutOfRangeException(nameof(connections));
            var net = new SampleNetwork(output, Start, seed: 42);
            var links = new List<SampleTcp>();
            for (int i = 0; i < connections; i++)
            {
                string host = $"long.weixin.qq.com";
                var ip = new IPAddress(new byte[] { 101, 226, (byte)(i / 250), (byte)(1 + i % 250) });
                links.Add(new SampleTcp(net, ip, 8080, host).Open(30));
            }
            long frames = 0;
            var body60 = net.RandomBytes(60);
            var body3000 = net.RandomBytes(3000 - 16);
            uint seq = 1;
            for (long round = 0; net.Packets < packets; round++)
            {
                var c = links[(int)(round % connections)];
                switch (round % 5)
                {
                    case 0:
                        c.Send(true, WeChatWireBuilder.Frame(LongLinkCommands.Heartbeat, LongLinkCommands.HeartbeatSequence), spacingMs: 0.05);
                        c.Send(false, WeChatWireBuilder.Frame(LongLinkCommands.Heartbeat + LongLinkCommands.ReplyOffset, 0), spacingMs: 0.05);
                        frames += 2;
                        break;
                    case 1:
                        c.Send(true, WeChatWireBuilder.Frame(LongLinkCommands.Sync, seq, body60), spacingMs: 0.05);
                        c.Send(false, WeChatWireBuilder.Frame(LongLinkCommands.Sync + LongLinkCommands.ReplyOffset, seq++, body3000), spacingMs: 0.05);
                        frames += 2;
                        break;
                    case 2:
                        c.Send(false, WeChatWireBuilder.Frame(LongLinkCommands.PushNotify, 0, new byte[4])
                            .Concat(WeChatWireBuilder.Frame(LongLinkCommands.PushData, 0, body60)).ToArray(), spacingMs: 0.05);
                        frames += 2;
                        break;
                    case 3:
                        c.Send(true, WeChatWireBuilder.Frame(LongLinkCommands.SyncDone, seq++, new byte[8]), spacingMs: 0.05);
                        frames++;
                        break;
                    default:
                        c.Send(true, WeChatWireBuilder.Frame(LongLinkCommands.Identify, LongLinkCommands.IdentifySequence, body60), spacingMs: 0.05);
                        c.Send(false, WeChatWireBuilder.Frame(LongLinkCommands.Identify + LongLinkCommands.ReplyOffset, LongLinkCommands.IdentifySequence), spacingMs: 0.05);
                        frames += 2;
                        break;
                }
                net.Wait(0.1);
            }
            long written = net.Packets;
            net.Finish();
            return (written, frames);
        }

        // ------------------------------------------------------------------ message helpers

        private static void Frame(SampleNetwork net, SampleTcp c, bool fromClient, uint command, uint sequence, int bodyLength, List<byte> into)
        {
            into.AddRange(WeChatWireBuilder.Frame(command, sequence, net.RandomBytes(bodyLength)));
            net.Expect("LongLinkFrame", fromClient, command + "/" + sequence, c.Host);
        }

        private static void SendFrame(SampleNetwork net, SampleTcp c, bool fromClient, uint command, uint sequence, int bodyLength = 0, string? comment = null)
        {
            var b = new List<byte>();
            Frame(net, c, fromClient, command, sequence, bodyLength, b);
            c.Send(fromClient, b.ToArray(), comment ?? LongLinkCommands.Name(command));
        }

        private static byte[] Record(SampleNetwork net, SampleTcp c, bool fromClient, byte type, byte[] body, string handshake, string carrier)
        {
            net.Expect("MmtlsRecord", fromClient, $"{MmtlsRecordHeader.TypeName(type)}/{handshake}/{body.Length}/{carrier}", c.Host);
            return WeChatWireBuilder.Record(type, body);
        }

        private static byte[] EncryptedHandshake(SampleNetwork net, int length)
        {
            var b = net.RandomBytes(length);
            b[0] = 0x00; b[1] = 0x00; b[2] = 0x0A; b[3] = 0x00; b[4] = 0xA7; // not a clear-text hello
            return b;
        }

        private static void MmtlsHandshake(SampleNetwork net, SampleTcp c)
        {
            var hello = WeChatWireBuilder.ClientHello(new ushort[] { 0xC02B, 0x00A8 }, net.RandomBytes(32), (uint)(net.NowTicks / TimeSpan.TicksPerSecond - 62135596800L),
                new[] { ((ushort)0x0010, net.RandomBytes(2 * 65 + 8)), ((ushort)0x000F, net.RandomBytes(100)) });
            c.Send(true, Record(net, c, true, MmtlsRecordHeader.Handshake, hello, "ClientHello", "LongLink"), "MMTLS ClientHello");
            net.Wait(45);
            var serverHello = WeChatWireBuilder.ServerHello(0xC02B, net.RandomBytes(32), new[] { ((ushort)0x0011, net.RandomBytes(65 + 4)) });
            var flight = Record(net, c, false, MmtlsRecordHeader.Handshake, serverHello, "ServerHello", "LongLink")
                .Concat(Record(net, c, false, MmtlsRecordHeader.Handshake, EncryptedHandshake(net, 380), "Encrypted", "LongLink"))
                .Concat(Record(net, c, false, MmtlsRecordHeader.Handshake, WeChatWireBuilder.Finished(net.RandomBytes(32)), "Finished", "LongLink")).ToArray();
            c.Send(false, flight, "MMTLS ServerHello, encrypted extensions, Finished");
            net.Wait(2);
            c.Send(true, Record(net, c, true, MmtlsRecordHeader.Handshake, WeChatWireBuilder.Finished(net.RandomBytes(32)), "Finished", "LongLink"), "MMTLS Finished");
        }

        /// <summary>FIN both ways; the decoder reports Closed from the direction that closed last.</summary>
        private static void Close(SampleNetwork net, SampleTcp c, bool clientFirst = true)
        {
            c.Close(clientFirst);
            net.Expect("StreamEvent", !clientFirst, "Closed", c.Host);
        }

        private static void PlainIdentify(SampleNetwork net, SampleTcp c)
        {
            SendFrame(net, c, true, LongLinkCommands.Identify, LongLinkCommands.IdentifySequence, 48, "identify");
            net.Wait(40);
            SendFrame(net, c, false, LongLinkCommands.Identify + LongLinkCommands.ReplyOffset, LongLinkCommands.IdentifySequence, 12, "identify reply");
        }

        private static void EncryptedIdentify(SampleNetwork net, SampleTcp c)
        {
            AppRecord(net, c, true, 16 + 80 + 16, "identify (encrypted)");
            net.Wait(45);
            AppRecord(net, c, false, 16 + 40 + 16, "identify reply (encrypted)");
        }

        private static void AppRecord(SampleNetwork net, SampleTcp c, bool fromClient, int length, string comment) =>
            c.Send(fromClient, Record(net, c, fromClient, MmtlsRecordHeader.ApplicationData, net.RandomBytes(length), "", "LongLink"), comment);

        private static string DispatchXml(IEnumerable<(string Host, string[] Addresses)> domains, string clientIp) =>
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<dns>\n<retcode>0</retcode>\n<clientip>" + clientIp + "</clientip>\n<clientispid>4</clientispid>\n"
            + "<timestamp>1795334400</timestamp>\n<nextipv6>0</nextipv6>\n<domainlist>\n"
            + string.Concat(domains.Select(d => $"<domain name=\"{d.Host}\" timeout=\"600\">" + string.Concat(d.Addresses.Select(a => $"<ip>{a}</ip>")) + "</domain>\n"))
            + "</domainlist>\n<builtiniplist><ip>101.226.76.164</ip><ip>14.17.42.18</ip></builtiniplist>\n<signature2>MEUCIQDsampleonly==</signature2>\n</dns>\n"
            + "<functionlist><change name=\"ipv6\" value=\"0\"/></functionlist>\n";

        /// <summary>DNS for dns.weixin.qq.com, then newgetdns over HTTP/1.0 with a zlib-deflated answer.</summary>
        private static void Dispatch(SampleNetwork net, string dispatchIp, (string Host, string[] Addresses)[] domains)
        {
            net.Lookup("dns.weixin.qq.com", dispatchIp);
            var c = new SampleTcp(net, IPAddress.Parse(dispatchIp), 80, "dns.weixin.qq.com").Open(28);
            var request = NewGetDnsRequest.CreateAnonymous();
            request["uin"] = "2718281828";
            request["md5"] = "5f4dcc3b5aa765d61d8327deb882cf99";
            request["networkid"] = "31415";
            request["networkidctx"] = "ctx9265";
            request["lasteffecttime"] = "1795330000";
            string head = $"GET {request.ToPathAndQuery()} HTTP/1.0\r\nHost: dns.weixin.qq.com\r\nUser-Agent: MicroMessenger Client\r\nAccept: */*\r\nConnection: close\r\n\r\n";
            c.Send(true, Encoding.ASCII.GetBytes(head), "newgetdns request");
            net.Wait(60);
            var body = DispatchDocument.ZlibCompress(Encoding.UTF8.GetBytes(DispatchXml(domains, "203.0.113.77")));
            string rhead = $"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\nContent-Encoding: deflate\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
            c.Send(false, Encoding.ASCII.GetBytes(rhead).Concat(body).ToArray(), "newgetdns answer (zlib)");
            net.Expect("ShortLinkExchange", true, "GET /cgi-bin/micromsg-bin/newgetdns 200", c.Host);
            net.Expect("Dispatch", false, $"retcode 0 domains {domains.Length}", c.Host);
            Close(net, c, clientFirst: false);
        }

        private static void ShortLink(SampleNetwork net, IPAddress server, string host, int requestData, int responseData) =>
            ShortLink(net, new SampleTcp(net, server, 80, host).Open(32), requestData, responseData);

        private static void ShortLink(SampleNetwork net, SampleTcp c, int requestData, int responseData, int missedResponseSegments = 0, double? thinkMs = null,
            int lostResponseSegment = -1, double retransmitAfterMs = 0)
        {
            string host = c.Host;
            var hello = WeChatWireBuilder.ClientHello(new ushort[] { 0x00A8 }, net.RandomBytes(32), 1795334400, new[] { ((ushort)0x000F, net.RandomBytes(120)) });
            var body = Record(net, c, true, MmtlsRecordHeader.EarlyDataHandshake, hello, "ClientHello", "ShortLink")
                .Concat(Record(net, c, true, MmtlsRecordHeader.EarlyDataHandshake, EncryptedHandshake(net, 36), "Encrypted", "ShortLink"))
                .Concat(Record(net, c, true, MmtlsRecordHeader.ApplicationData, net.RandomBytes(requestData), "", "ShortLink"))
                .Concat(Record(net, c, true, MmtlsRecordHeader.Alert, net.RandomBytes(2 + 16 + 3), "", "ShortLink")).ToArray();
            string path = "/mmtls/" + net.Random.Next().ToString("x8");
            string head = $"POST {path} HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\nUser-Agent: MicroMessenger Client\r\nConnection: close\r\n"
                + $"Content-Type: application/octet-stream\r\nUpgrade: mmtls\r\nContent-Length: {body.Length}\r\n\r\n";
            c.Send(true, Encoding.ASCII.GetBytes(head).Concat(body).ToArray(), "short link " + path);
            net.Wait(thinkMs ?? 70 + net.Random.Next(60));
            var serverHello = WeChatWireBuilder.ServerHello(0x00A8, net.RandomBytes(32), Array.Empty<(ushort, byte[])>());
            var rbody = Record(net, c, false, MmtlsRecordHeader.Handshake, serverHello, "ServerHello", "ShortLink")
                .Concat(Record(net, c, false, MmtlsRecordHeader.ApplicationData, net.RandomBytes(responseData), "", "ShortLink"))
                .Concat(Record(net, c, false, MmtlsRecordHeader.Alert, net.RandomBytes(2 + 16 + 3), "", "ShortLink")).ToArray();
            string rhead = $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {rbody.Length}\r\nConnection: close\r\n\r\n";
            var response = Encoding.ASCII.GetBytes(rhead).Concat(rbody).ToArray();
            if (missedResponseSegments > 0) c.SendMissingStart(false, response, missedResponseSegments, "short link answer, its start not captured");
            else if (lostResponseSegment >= 0)
            {
                // Every segment once, then the lost one again after the sender's timeout.
                var pieces = new List<(int, int, string?, double)>();
                for (int off = 0; off < response.Length; off += SampleTcp.Mss) pieces.Add((off, Math.Min(SampleTcp.Mss, response.Length - off), off == 0 ? "short link answer" : null, 0.4));
                int lost = Math.Min(lostResponseSegment, pieces.Count - 1);
                pieces[pieces.Count - 1] = (pieces[pieces.Count - 1].Item1, pieces[pieces.Count - 1].Item2, pieces[pieces.Count - 1].Item3, retransmitAfterMs);
                pieces.Add((pieces[lost].Item1, pieces[lost].Item2, "lost on the way: sent again", 0.4));
                c.SendPieces(false, response, pieces);
            }
            else c.Send(false, response, "short link answer");
            net.Expect("ShortLinkExchange", true, $"POST {path} 200", host);
            Close(net, c, clientFirst: false);
        }

        // ------------------------------------------------------------------ encrypted with a key log

        private static byte[] Sealed(SampleNetwork net, SampleTcp c, SampleRecordLayer layer, bool fromClient, byte type, byte[] plaintext,
            string handshake, string carrier, bool emptyMetadata = false)
        {
            net.Expect("MmtlsRecord", fromClient, $"{MmtlsRecordHeader.TypeName(type)}/{handshake}/{plaintext.Length + MmtlsAead.TagLength}/{carrier}", c.Host);
            return layer.Seal(type, plaintext, emptyMetadata);
        }

        private static byte[] Clear(SampleNetwork net, SampleTcp c, SampleRecordLayer layer, bool fromClient, byte type, byte[] body, string handshake, string carrier)
        {
            net.Expect("MmtlsRecord", fromClient, $"{MmtlsRecordHeader.TypeName(type)}/{handshake}/{body.Length}/{carrier}", c.Host);
            return layer.Clear(type, body);
        }

        /// <summary>A long-link frame sent in one encrypted record; the decrypted frame is expected with the key log.</summary>
        private static void SealedFrame(SampleNetwork net, SampleTcp c, SampleRecordLayer layer, bool fromClient, uint command, uint sequence, byte[] body,
            string comment, bool emptyMetadata = false)
        {
            var frame = WeChatWireBuilder.Frame(command, sequence, body);
            net.ExpectedDecrypted.Add(new ExpectedMessage("LongLinkFrame", fromClient ? "ClientToServer" : "ServerToClient", command + "/" + sequence, c.Host));
            c.Send(fromClient, Sealed(net, c, layer, fromClient, MmtlsRecordHeader.ApplicationData, frame, "", "LongLink", emptyMetadata), comment);
        }

        private const uint SampleClientVersion = 0x28003A30;

        private static void MmtlsKeyLogSample(SampleNetwork net)
        {
            var log = net.KeyLog = new SampleKeyLog();
            net.Lookup("long.weixin.qq.com", "180.163.25.140");
            net.Lookup("szshort.weixin.qq.com", "183.3.224.144");
            var c = new SampleTcp(net, IPAddress.Parse("180.163.25.140"), 443, "long.weixin.qq.com").Open(31);
            var up = new SampleRecordLayer(log, true, SampleRecordLayer.Fixed(0x10, 16), SampleRecordLayer.Fixed(0x90, 12));
            var down = new SampleRecordLayer(log, false, SampleRecordLayer.Fixed(0x30, 16), SampleRecordLayer.Fixed(0xA0, 12));
            log.Comment("long link " + c.ClientPort + " -> 443: handshake keys");

            var hello = WeChatWireBuilder.ClientHello(new ushort[] { 0xC02B, 0x00A8 }, net.RandomBytes(32), (uint)(net.NowTicks / TimeSpan.TicksPerSecond - 62135596800L),
                new[] { ((ushort)0x0010, net.RandomBytes(2 * 65 + 8)) });
            c.Send(true, Clear(net, c, up, true, MmtlsRecordHeader.Handshake, hello, "ClientHello", "LongLink"), "MMTLS ClientHello");
            net.Wait(45);
            // several records in one segment: ServerHello in the clear, then the encrypted certificate and Finished
            var serverHello = WeChatWireBuilder.ServerHello(0xC02B, net.RandomBytes(32), new[] { ((ushort)0x0011, net.RandomBytes(65 + 4)) });
            var flight = Clear(net, c, down, false, MmtlsRecordHeader.Handshake, serverHello, "ServerHello", "LongLink")
                .Concat(Sealed(net, c, down, false, MmtlsRecordHeader.Handshake, net.RandomBytes(300), "Encrypted", "LongLink"))
                .Concat(Sealed(net, c, down, false, MmtlsRecordHeader.Handshake, net.RandomBytes(36), "Encrypted", "LongLink")).ToArray();
            c.Send(false, flight, "MMTLS ServerHello, encrypted certificate and Finished in one segment");
            net.Wait(2);
            c.Send(true, Sealed(net, c, up, true, MmtlsRecordHeader.Handshake, net.RandomBytes(36), "Encrypted", "LongLink"), "MMTLS Finished (encrypted)");
            up.Rekey(SampleRecordLayer.Fixed(0x20, 16), SampleRecordLayer.Fixed(0xB0, 12));
            down.Rekey(SampleRecordLayer.Fixed(0x40, 16), SampleRecordLayer.Fixed(0xC0, 12));
            log.Comment("long link: application keys");

            // identify carries a business packet whose body WeChat encrypted again (an INNER entry)
            var identify = log.BusinessPacket(true, SampleClientVersion, SampleRecordLayer.Fixed(0x60, 16), SampleRecordLayer.Fixed(0xD0, 12), net.RandomBytes(64));
            SealedFrame(net, c, up, true, LongLinkCommands.Identify, LongLinkCommands.IdentifySequence, identify, "identify (encrypted)");
            net.Wait(50);
            SealedFrame(net, c, down, false, LongLinkCommands.Identify + LongLinkCommands.ReplyOffset, LongLinkCommands.IdentifySequence, net.RandomBytes(40), "identify reply (encrypted)");
            int beat = 0;
            foreach (int interval in new[] { 210, 270, 330 })
            {
                net.Wait(interval * 1000.0);
                // the second heartbeat's entry has no metadata: its AAD is built from the record's sequence and header
                SealedFrame(net, c, up, true, LongLinkCommands.Heartbeat, LongLinkCommands.HeartbeatSequence, Array.Empty<byte>(), $"heartbeat after {interval} s", emptyMetadata: beat++ == 1);
                net.Wait(46);
                SealedFrame(net, c, down, false, LongLinkCommands.Heartbeat + LongLinkCommands.ReplyOffset, 0, Array.Empty<byte>(), "heartbeat reply");
            }
            net.Wait(20_000);
            // two records in one segment: push notify, then push data
            var notify = WeChatWireBuilder.Frame(LongLinkCommands.PushNotify, LongLinkCommands.PushSequence, new byte[] { 0, 0, 0, 2 });
            var push = WeChatWireBuilder.Frame(LongLinkCommands.PushData, LongLinkCommands.PushSequence, net.RandomBytes(700));
            net.ExpectedDecrypted.Add(new ExpectedMessage("LongLinkFrame", "ServerToClient", LongLinkCommands.PushNotify + "/0", c.Host));
            net.ExpectedDecrypted.Add(new ExpectedMessage("LongLinkFrame", "ServerToClient", LongLinkCommands.PushData + "/0", c.Host));
            c.Send(false, Sealed(net, c, down, false, MmtlsRecordHeader.ApplicationData, notify, "", "LongLink")
                .Concat(Sealed(net, c, down, false, MmtlsRecordHeader.ApplicationData, push, "", "LongLink")).ToArray(), "push notify + push data: two records in one segment");
            net.Wait(20);
            SealedFrame(net, c, up, true, LongLinkCommands.Sync, 1, net.RandomBytes(60), "sync");
            net.Wait(55);
            // one 3000-byte frame in two records (the second's entry without metadata), the records split over three segments
            var reply = WeChatWireBuilder.Frame(LongLinkCommands.Sync + LongLinkCommands.ReplyOffset, 1, net.RandomBytes(3000 - 16));
            net.ExpectedDecrypted.Add(new ExpectedMessage("LongLinkFrame", "ServerToClient", (LongLinkCommands.Sync + LongLinkCommands.ReplyOffset) + "/1", c.Host));
            c.Send(false, Sealed(net, c, down, false, MmtlsRecordHeader.ApplicationData, reply.Take(1500).ToArray(), "", "LongLink")
                .Concat(Sealed(net, c, down, false, MmtlsRecordHeader.ApplicationData, reply.Skip(1500).ToArray(), "", "LongLink", emptyMetadata: true)).ToArray(),
                "sync reply: one frame in two records over three segments");
            net.Wait(10);
            SealedFrame(net, c, up, true, LongLinkCommands.SyncDone, 2, new byte[8], "sync done");
            net.Wait(300);
            KeyedShortLink(net, log, 0, "/cgi-bin/micromsg-bin/newsync", 180, 900, emptyMetadata: false);
            net.Wait(400);
            KeyedShortLink(net, log, 1, "/cgi-bin/micromsg-bin/newsendmsg", 420, 160, emptyMetadata: true);
            net.Wait(1000);
            Close(net, c);
        }

        /// <summary>A short link whose 0-RTT flight and answer are encrypted with fixed keys and logged.</summary>
        private static void KeyedShortLink(SampleNetwork net, SampleKeyLog log, int index, string cgiPath, int requestData, int responseData, bool emptyMetadata)
        {
            const string host = "szshort.weixin.qq.com";
            var c = new SampleTcp(net, IPAddress.Parse("183.3.224.144"), 80, host).Open(32);
            log.Comment("short link " + c.ClientPort + " -> 80");
            var up = new SampleRecordLayer(log, true, SampleRecordLayer.Fixed((byte)(0x50 + index), 16), SampleRecordLayer.Fixed((byte)(0xE0 + index), 12));
            var down = new SampleRecordLayer(log, false, SampleRecordLayer.Fixed((byte)(0x70 + index), 16), SampleRecordLayer.Fixed((byte)(0xF0 + index), 12));
            var hello = WeChatWireBuilder.ClientHello(new ushort[] { 0x00A8 }, net.RandomBytes(32), 1795334400, new[] { ((ushort)0x000F, net.RandomBytes(120)) });
            var packet = log.BusinessPacket(true, SampleClientVersion, SampleRecordLayer.Fixed((byte)(0x80 + index), 16), SampleRecordLayer.Fixed((byte)(0x11 + index), 12), net.RandomBytes(requestData));
            var early = MmtlsEarlyData.Build(cgiPath, host, packet);
            var body = Clear(net, c, up, true, MmtlsRecordHeader.EarlyDataHandshake, hello, "ClientHello", "ShortLink")
                .Concat(Sealed(net, c, up, true, MmtlsRecordHeader.EarlyDataHandshake, net.RandomBytes(20), "Encrypted", "ShortLink"))
                .Concat(Sealed(net, c, up, true, MmtlsRecordHeader.ApplicationData, early, "", "ShortLink", emptyMetadata))
                .Concat(Sealed(net, c, up, true, MmtlsRecordHeader.Alert, new byte[] { 0, 0, 0, 3, 1 }, "", "ShortLink")).ToArray();
            string path = "/mmtls/" + net.Random.Next().ToString("x8");
            string head = $"POST {path} HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\nUser-Agent: MicroMessenger Client\r\nConnection: close\r\n"
                + $"Content-Type: application/octet-stream\r\nUpgrade: mmtls\r\nContent-Length: {body.Length}\r\n\r\n";
            c.Send(true, Encoding.ASCII.GetBytes(head).Concat(body).ToArray(), "short link " + path + " (" + cgiPath + " inside)");
            net.Wait(80 + 20 * index);
            var serverHello = WeChatWireBuilder.ServerHello(0x00A8, net.RandomBytes(32), Array.Empty<(ushort, byte[])>());
            var answer = log.BusinessPacket(false, SampleClientVersion, SampleRecordLayer.Fixed((byte)(0x88 + index), 16), SampleRecordLayer.Fixed((byte)(0x21 + index), 12), net.RandomBytes(responseData));
            var rbody = Clear(net, c, down, false, MmtlsRecordHeader.Handshake, serverHello, "ServerHello", "ShortLink")
                .Concat(Sealed(net, c, down, false, MmtlsRecordHeader.Handshake, net.RandomBytes(40), "Encrypted", "ShortLink"))
                .Concat(Sealed(net, c, down, false, MmtlsRecordHeader.ApplicationData, answer, "", "ShortLink"))
                .Concat(Sealed(net, c, down, false, MmtlsRecordHeader.Alert, new byte[] { 0, 0, 0, 3, 1 }, "", "ShortLink")).ToArray();
            string rhead = $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {rbody.Length}\r\nConnection: close\r\n\r\n";
            c.Send(false, Encoding.ASCII.GetBytes(rhead).Concat(rbody).ToArray(), "short link answer");
            net.Expect("ShortLinkExchange", true, $"POST {path} 200", host);
            ShortLinkCgi.Classify(cgiPath, out _, out _, out string cgi);
            net.ExpectedDecrypted.Add(new ExpectedMessage("ShortLinkExchange", "ClientToServer", cgi, host));
            Close(net, c, clientFirst: false);
        }

        // ------------------------------------------------------------------ samples

        private static void LoginDispatch(SampleNetwork net)
        {
            Dispatch(net, "203.205.239.82", new[]
            {
                ("long.weixin.qq.com", new[] { "180.163.25.140", "101.226.211.46" }),
                ("short.weixin.qq.com", new[] { "180.163.25.149", "101.226.211.104" }),
                ("szlong.weixin.qq.com", new[] { "183.3.224.139" }),
                ("szshort.weixin.qq.com", new[] { "183.3.224.144" }),
            });
            net.Wait(40);
            var l = new SampleTcp(net, IPAddress.Parse("180.163.25.140"), 8080, "long.weixin.qq.com").Open(31);
            MmtlsHandshake(net, l);
            AppRecord(net, l, true, 16 + 296 + 16, "login (encrypted)");
            net.Wait(120);
            AppRecord(net, l, false, 16 + 2400 + 16, "login reply (encrypted)");
            net.Wait(300);
            ShortLink(net, IPAddress.Parse("183.3.224.144"), "szshort.weixin.qq.com", 520, 3100);
            net.Wait(1000);
            Close(net, l);
        }

        private static void MmtlsLongLink(SampleNetwork net)
        {
            net.Lookup("sglong.wechat.com", "101.32.104.4", "43.130.30.240");
            var c = new SampleTcp(net, IPAddress.Parse("101.32.104.4"), 443, "sglong.wechat.com").Open(42);
            MmtlsHandshake(net, c);
            AppRecord(net, c, true, 16 + 80 + 16, "identify (encrypted)");
            net.Wait(50);
            AppRecord(net, c, false, 16 + 40 + 16, "identify reply (encrypted)");
            // Mars smart heartbeat: start at 210 s, probe up by 60 s, at most 600 s; each heartbeat answered within the 8 s deadline.
            foreach (int interval in new[] { 210, 270, 330, 390, 450, 510, 570, 600 })
            {
                net.Wait(interval * 1000.0);
                AppRecord(net, c, true, MmtlsRecords.HeartbeatRecordLength, $"heartbeat after {interval} s");
                net.Wait(48);
                AppRecord(net, c, false, MmtlsRecords.HeartbeatRecordLength, "heartbeat reply");
            }
            net.Wait(1000);
            Close(net, c);
        }

        private static void ShortLinkBurst(SampleNetwork net)
        {
            net.Lookup("szshort.weixin.qq.com", "183.3.224.144", "14.215.158.119");
            int[] sizes = { 180, 420, 96, 1300, 2600, 240 };
            for (int i = 0; i < sizes.Length; i++)
            {
                ShortLink(net, IPAddress.Parse(i % 2 == 0 ? "183.3.224.144" : "14.215.158.119"), "szshort.weixin.qq.com", sizes[i], 200 + sizes[i] * 2);
                net.Wait(15);
            }
        }

        private static void LegacyLongLink(SampleNetwork net)
        {
            net.Lookup("long.weixin.qq.com", "101.226.211.46");
            var c = new SampleTcp(net, IPAddress.Parse("101.226.211.46"), 8080, "long.weixin.qq.com").Open(29);
            PlainIdentify(net, c);
            net.Wait(210_000);
            SendFrame(net, c, true, LongLinkCommands.Heartbeat, LongLinkCommands.HeartbeatSequence, 0, "heartbeat");
            net.Wait(44);
            SendFrame(net, c, false, LongLinkCommands.Heartbeat + LongLinkCommands.ReplyOffset, 0, 0, "heartbeat reply");
            net.Wait(30_000);
            SendFrame(net, c, false, LongLinkCommands.PushNotify, LongLinkCommands.PushSequence, 4, "push notify: run a sync");
            net.Wait(20);
            SendFrame(net, c, true, LongLinkCommands.Sync, 1, 60, "sync");
            net.Wait(55);
            SendFrame(net, c, false, LongLinkCommands.Sync + LongLinkCommands.ReplyOffset, 1, 3000, "sync reply (3 segments)");
            net.Wait(10);
            SendFrame(net, c, true, LongLinkCommands.SyncDone, 2, 8, "sync done");
            net.Wait(5000);
            // several frames in one segment: a push with message data and a notify, then the client's sync and a keep-alive
            var coalesced = new List<byte>();
            Frame(net, c, false, LongLinkCommands.PushData, LongLinkCommands.PushSequence, 700, coalesced);
            Frame(net, c, false, LongLinkCommands.PushNotify, LongLinkCommands.PushSequence, 4, coalesced);
            c.Send(false, coalesced.ToArray(), "push data + push notify in one segment");
            net.Wait(25);
            coalesced.Clear();
            Frame(net, c, true, LongLinkCommands.Sync, 3, 64, coalesced);
            Frame(net, c, true, LongLinkCommands.SignallingKeepAlive, 4, 0, coalesced);
            c.Send(true, coalesced.ToArray(), "sync + signalling keep-alive in one segment");
            net.Wait(60);
            SendFrame(net, c, false, LongLinkCommands.Sync + LongLinkCommands.ReplyOffset, 3, 200, "sync reply");
            net.Wait(2000);
            Close(net, c);
        }

        private static void DeadLink(SampleNetwork net)
        {
            net.Lookup("sglong.wechat.com", "101.32.104.4");
            var c = new SampleTcp(net, IPAddress.Parse("101.32.104.4"), 443, "sglong.wechat.com").Open(40);
            MmtlsHandshake(net, c);
            net.Wait(210_000);
            AppRecord(net, c, true, MmtlsRecords.HeartbeatRecordLength, "heartbeat");
            net.Wait(47);
            AppRecord(net, c, false, MmtlsRecords.HeartbeatRecordLength, "heartbeat reply");
            net.Wait(270_000);
            AppRecord(net, c, true, MmtlsRecords.HeartbeatRecordLength, "heartbeat: no reply follows (the NAT dropped the link)");
            net.Wait(8000);
            c.Reset(true, "client gives up after the 8 s heartbeat deadline");
            net.Expect("StreamEvent", true, "Reset", c.Host);
            net.Wait(150);
            Dispatch(net, "203.205.239.82", new[] { ("sglong.wechat.com", new[] { "43.130.30.240" }), ("sgshort.wechat.com", new[] { "43.130.30.241" }) });
            net.Wait(30);
            var again = new SampleTcp(net, IPAddress.Parse("43.130.30.240"), 443, "sglong.wechat.com").Open(38);
            MmtlsHandshake(net, again);
            EncryptedIdentify(net, again);
            net.Wait(1000);
            Close(net, again);
        }

        private static void NatTimeout(SampleNetwork net)
        {
            // The router forgets a mapping after 180 s of silence, before Mars' first heartbeat at 210 s: the heartbeat goes
            // nowhere, the client gives up after the 8 s deadline, resets and reconnects, three times over.
            net.Lookup("szlong.weixin.qq.com", "183.3.224.139");
            for (int i = 0; i < 3; i++)
            {
                var c = new SampleTcp(net, IPAddress.Parse("183.3.224.139"), 8080, "szlong.weixin.qq.com").Open(33);
                SendFrame(net, c, true, LongLinkCommands.Identify, LongLinkCommands.IdentifySequence, 48, "identify");
                net.Wait(40);
                SendFrame(net, c, false, LongLinkCommands.Identify + LongLinkCommands.ReplyOffset, LongLinkCommands.IdentifySequence, 12, "identify reply");
                net.Wait(210_000);
                SendFrame(net, c, true, LongLinkCommands.Heartbeat, LongLinkCommands.HeartbeatSequence, 0, "heartbeat: the router dropped the mapping at 180 s, no reply comes");
                net.Wait(8000);
                c.Reset(true, "client gives up after the 8 s heartbeat deadline");
                net.Expect("StreamEvent", true, "Reset", c.Host);
                net.Wait(250);
            }
            var last = new SampleTcp(net, IPAddress.Parse("183.3.224.139"), 8080, "szlong.weixin.qq.com").Open(33);
            SendFrame(net, last, true, LongLinkCommands.Identify, LongLinkCommands.IdentifySequence, 48, "identify");
            net.Wait(40);
            SendFrame(net, last, false, LongLinkCommands.Identify + LongLinkCommands.ReplyOffset, LongLinkCommands.IdentifySequence, 12, "identify reply");
            net.Wait(60_000);
            last.Close();
            net.Expect("StreamEvent", false, "Closed", last.Host);
        }

        private static void Retransmissions(SampleNetwork net)
        {
            net.Lookup("szlong.weixin.qq.com", "183.3.224.139");
            var c = new SampleTcp(net, IPAddress.Parse("183.3.224.139"), 8080, "szlong.weixin.qq.com").Open(35);
            PlainIdentify(net, c);
            net.Wait(1000);

            // Server: sync reply of 4000 bytes plus a push notify, in four segments; the second is lost and retransmitted
            // after the third and fourth (out of order), the third arrives twice.
            var data = new List<byte>();
            SendFrame(net, c, true, LongLinkCommands.Sync, 1, 60, "sync");
            net.Wait(50);
            Frame(net, c, false, LongLinkCommands.Sync + LongLinkCommands.ReplyOffset, 1, 4000 - 16, data);
            Frame(net, c, false, LongLinkCommands.PushNotify, LongLinkCommands.PushSequence, 4, data);
            var bytes = data.ToArray();
            c.SendPieces(false, bytes, new (int, int, string?)[]
            {
                (0, 1400, "sync reply, part 1"),
                (2800, 1220, "part 3 (part 2 is missing: out of order)"),
                (2800, 1220, "part 3 again (duplicate)"),
                (1400, 1400, "part 2, retransmitted"),
            });
            net.Wait(20);
            // Client: sync-done and a heartbeat; the sender retransmits with an overlapping, larger segment.
            data.Clear();
            Frame(net, c, true, LongLinkCommands.SyncDone, 2, 8, data);
            Frame(net, c, true, LongLinkCommands.Heartbeat, LongLinkCommands.HeartbeatSequence, 0, data);
            bytes = data.ToArray();
            c.SendPieces(true, bytes, new (int, int, string?)[]
            {
                (0, 10, "sync done, first bytes"),
                (4, bytes.Length - 4, "retransmission overlapping the first segment"),
                (0, bytes.Length, "whole retransmission"),
            });
            net.Wait(45);
            SendFrame(net, c, false, LongLinkCommands.Heartbeat + LongLinkCommands.ReplyOffset, 0, 0, "heartbeat reply");
            net.Wait(500);
            Close(net, c);
        }

        // ------------------------------------------------------------------ precision situations

        private static SampleTcp Tcp(SampleNetwork net, string address, ushort port, string host, double rttMs) =>
            new SampleTcp(net, IPAddress.Parse(address), port, host) { RealisticAcks = true }.Open(rttMs);

        /// <summary>
        /// An overseas client's session with Singapore: DNS for the long- and short-link hosts, an MMTLS long link
        /// <paramref name="longLinkRttMs"/> away that identifies, then <paramref name="shortLinks"/> rounds of
        /// <paramref name="round"/> (the short links), then the long link closes.
        /// </summary>
        private static void SingaporeSession(SampleNetwork net, double longLinkRttMs, int shortLinks, Action<int> round, double longLinkAckDelayMs = 0.3)
        {
            net.Lookup("sglong.wechat.com", "43.130.30.240");
            net.Lookup("sgshort.wechat.com", "43.130.30.241");
            var l = Tcp(net, "43.130.30.240", 443, "sglong.wechat.com", longLinkRttMs);
            l.ClientAckDelayMs = longLinkAckDelayMs;
            MmtlsHandshake(net, l);
            EncryptedIdentify(net, l);
            for (int i = 0; i < shortLinks; i++) round(i);
            net.Wait(1000);
            Close(net, l);
        }

        private static void LongRttHealthy(SampleNetwork net) => SingaporeSession(net, 183, 15, i =>
        {
            double rtt = 181 + net.Random.Next(5);
            ShortLink(net, Tcp(net, "43.130.30.241", 80, "sgshort.wechat.com", rtt), 200 + 40 * i, 600 + 90 * i);
            net.Wait(400);
        });

        private static void MomentsDownload(SampleNetwork net) => SingaporeSession(net, 150, 3, i =>
        {
            const string host = "mmsns.qpic.cn";
            if (i == 0) net.Lookup(host, "43.130.30.242");
            var c = Tcp(net, "43.130.30.242", 80, host, 149 + net.Random.Next(3));
            string path = "/mmsns/" + net.Random.Next().ToString("x8") + "/0";
            c.Send(true, Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: image/*\r\nUser-Agent: MicroMessenger Client\r\nConnection: close\r\n\r\n"), "moments image " + path);
            net.Wait(20);
            var image = net.RandomBytes(2_000_000);
            string head = $"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: {image.Length}\r\nConnection: close\r\n\r\n";
            // 1 ms a segment: about 11 Mbit/s, so the body takes 1.4 s to arrive: a download, not a slow answer.
            c.Send(false, Encoding.ASCII.GetBytes(head).Concat(image).ToArray(), "moments image", spacingMs: 1);
            net.Expect("ShortLinkExchange", true, $"GET {path} 200", host);
            Close(net, c, clientFirst: false);
            net.Wait(500);
        });

        private static void PhoneAbroad(SampleNetwork net) => SingaporeSession(net, 183, 25, i =>
        {
            var c = Tcp(net, "43.130.30.241", 80, "sgshort.wechat.com", 181 + net.Random.Next(5));
            c.ClientAckDelayMs = net.Random.Next(11);
            ShortLink(net, c, 180 + 30 * i, 500 + 60 * i);
            net.Wait(300 + net.Random.Next(700));
        }, longLinkAckDelayMs: 4);

        private static void AaaaServfail(SampleNetwork net)
        {
            foreach (var name in new[] { "sglong.wechat.com", "sgshort.wechat.com" })
            {
                net.LookupFailing(name, Dns.DnsRecordType.AAAA, Dns.DnsResponseCode.ServFail);
                net.Lookup(name, name.StartsWith("sglong", StringComparison.Ordinal) ? "43.130.30.240" : "43.130.30.241");
            }
            var l = Tcp(net, "43.130.30.240", 443, "sglong.wechat.com", 40);
            MmtlsHandshake(net, l);
            EncryptedIdentify(net, l);
            for (int i = 0; i < 3; i++) { ShortLink(net, Tcp(net, "43.130.30.241", 80, "sgshort.wechat.com", 41), 300, 900); net.Wait(200); }
            // A query in the capture's last moments: no answer could have come yet.
            net.LookupFailing("sgshort.wechat.com", Dns.DnsRecordType.A, null);
            net.Wait(1000);
            Close(net, l);
        }

        private static void SharedAddress(SampleNetwork net)
        {
            Dispatch(net, "203.205.239.82", new[]
            {
                ("sgshort.wechat.com", new[] { "43.130.30.241" }),
                ("sgaxshort.wechat.com", new[] { "43.130.30.241" }), // last: "the latest answer wins" would pick it
                ("sglong.wechat.com", new[] { "43.130.30.240" }),
            });
            var l = Tcp(net, "43.130.30.240", 443, "sglong.wechat.com", 38);
            MmtlsHandshake(net, l);
            for (int i = 0; i < 4; i++) { ShortLink(net, Tcp(net, "43.130.30.241", 80, "sgshort.wechat.com", 39), 250, 700); net.Wait(150); }
            net.Wait(500);
            Close(net, l);
        }

        private static void SynRetries(SampleNetwork net)
        {
            net.Lookup("sgshort.wechat.com", "43.130.30.241");
            net.Lookup("sglong.wechat.com", "43.130.30.240");
            var l = new SampleTcp(net, IPAddress.Parse("43.130.30.240"), 443, "sglong.wechat.com") { RealisticAcks = true }.Open(36, Array.Empty<double>(), newIsnSynAck: true);
            MmtlsHandshake(net, l);
            EncryptedIdentify(net, l);
            for (int i = 0; i < 3; i++) { ShortLink(net, Tcp(net, "43.130.30.241", 80, "sgshort.wechat.com", 35), 300, 800); net.Wait(100); }
            // The SYN goes unanswered twice (1 s, then 1.4 s later), the third is answered after 31 ms.
            var slow = new SampleTcp(net, IPAddress.Parse("43.130.30.241"), 80, "sgshort.wechat.com") { RealisticAcks = true }.Open(31, new[] { 1000.0, 1400.0 }, newIsnSynAck: false);
            ShortLink(net, slow, 300, 800);
            net.Wait(500);
            Close(net, l);
        }

        private static byte[] TlsServerFlight(SampleNetwork net, int length)
        {
            var b = net.RandomBytes(length);
            b[0] = 0x16; b[1] = 0x03; b[2] = 0x03; b[3] = (byte)((length - 5) >> 8); b[4] = (byte)(length - 5);
            return b;
        }

        private static byte[] TlsAppData(SampleNetwork net, int length)
        {
            var b = net.RandomBytes(length);
            b[0] = 0x17; b[1] = 0x03; b[2] = 0x03; b[3] = (byte)((length - 5) >> 8); b[4] = (byte)(length - 5);
            return b;
        }

        /// <summary>One HTTPS connection named only by its ClientHello's SNI: handshake, a few requests and responses, FIN.</summary>
        private static void Https(SampleNetwork net, string address, string sni, double rttMs, int exchanges, int responseBytes, string? rstComment = null)
        {
            var c = Tcp(net, address, 443, sni, rttMs);
            c.Send(true, TlsClientHello.Build(sni, net.RandomBytes(32)), "TLS ClientHello, SNI " + sni);
            net.Wait(5);
            c.Send(false, TlsServerFlight(net, 2900), "TLS ServerHello, certificate");
            c.Send(true, TlsAppData(net, 126), "TLS client Finished");
            for (int i = 0; i < exchanges; i++)
            {
                c.Send(true, TlsAppData(net, 420), "request");
                net.Wait(20 + net.Random.Next(30));
                c.Send(false, TlsAppData(net, Math.Min(16000, responseBytes)), "response");
                net.Wait(60);
            }
            if (rstComment != null) c.Reset(false, rstComment);
            else c.Close();
        }

        private static void WebWeChat(SampleNetwork net)
        {
            // 2017 addresses the 2026 Tencent prefix table does not hold; the browser resolves through the home router.
            net.Lookup("web.wechat.com", "203.0.113.70");
            Https(net, "203.0.113.70", "web.wechat.com", 24, 4, 9000);
            net.Lookup("login.web.wechat.com", "203.0.113.71");
            Https(net, "203.0.113.71", "login.web.wechat.com", 25, 3, 600);
            net.Lookup("res.wx.qq.com", "198.51.100.80");
            for (int i = 0; i < 3; i++) Https(net, "198.51.100.80", "res.wx.qq.com", 12, 2, 15000);
            net.Lookup("webpush.web.wechat.com", "203.0.113.72");
            for (int i = 0; i < 4; i++) { Https(net, "203.0.113.72", "webpush.web.wechat.com", 24, 1, 300); net.Wait(25_000); }
            for (int i = 0; i < 20; i++) { Https(net, "203.0.113.70", "web.wechat.com", 24 + net.Random.Next(3), 2, 1200); net.Wait(3000); }
        }

        private static void MixedTraffic(SampleNetwork net)
        {
            // WeChat, healthy.
            net.Lookup("sglong.wechat.com", "43.130.30.240");
            net.Lookup("sgshort.wechat.com", "43.130.30.241");
            // Mars' parallel connects: two race, the first SYN/ACK wins, the loser is closed without data.
            var loser = Tcp(net, "43.130.30.242", 443, "sglong.wechat.com", 52);
            var l = Tcp(net, "43.130.30.240", 443, "sglong.wechat.com", 40);
            loser.Close();
            MmtlsHandshake(net, l);
            EncryptedIdentify(net, l);
            // Other applications: failing lookups of their own names, Google connections the server resets, a lossy download.
            net.LookupFailing("ntp.ubuntu.com", Dns.DnsRecordType.A, Dns.DnsResponseCode.ServFail);
            net.LookupFailing("teams.microsoft.com", Dns.DnsRecordType.A, Dns.DnsResponseCode.ServFail);
            net.LookupFailing("www.gstatic.com", Dns.DnsRecordType.A, null);
            net.Wait(6000);
            for (int i = 0; i < 6; i++) Https(net, "142.250.70." + (10 + i), "www.google.com", 9, 2, 3000, "server RST");
            for (int i = 0; i < 4; i++) ShortLink(net, Tcp(net, "43.130.30.241", 80, "sgshort.wechat.com", 41), 300, 900);
            var kakao = Tcp(net, "211.249.220.24", 443, "talk.kakao.com", 60);
            kakao.Send(true, TlsClientHello.Build("talk-pilsner.kakao.com", net.RandomBytes(32)), "TLS ClientHello");
            var big = TlsAppData(net, 1400 * 40);
            var pieces = new List<(int, int, string?)>();
            for (int i = 0; i < 40; i++)
            {
                pieces.Add((i * 1400, 1400, null));
                if (i % 5 == 4) pieces.Add((i * 1400, 1400, "retransmission"));
            }
            kakao.SendPieces(false, big, pieces);
            kakao.Close();
            net.Wait(2000);
            Close(net, l);
        }

        private static void SlowServer(SampleNetwork net) => SingaporeSession(net, 150, 10, i =>
        {
            double? think = i % 3 == 1 ? 1200 + net.Random.Next(600) : (double?)null;
            ShortLink(net, Tcp(net, "43.130.30.241", 80, "sgshort.wechat.com", 149 + net.Random.Next(3)), 300, 900, thinkMs: think);
            net.Wait(300);
        });

        private static void LossyPath(SampleNetwork net) => SingaporeSession(net, 60, 10, i =>
        {
            double rtt = 59 + net.Random.Next(3);
            var c = new SampleTcp(net, IPAddress.Parse("43.130.30.241"), 80, "sgshort.wechat.com") { RealisticAcks = true }
                .Open(rtt, i % 3 == 0 ? new[] { 1000.0 } : Array.Empty<double>(), newIsnSynAck: false);
            ShortLink(net, c, 300, 6000, lostResponseSegment: 2, retransmitAfterMs: 3 * rtt);
            net.Wait(300);
        });

        private static void NatIdle(SampleNetwork net)
        {
            net.Lookup("sglong.wechat.com", "43.130.30.240");
            for (int i = 0; i < 4; i++)
            {
                var c = Tcp(net, "43.130.30.240", 8080, "sglong.wechat.com", 60);
                SendFrame(net, c, true, LongLinkCommands.Identify, LongLinkCommands.IdentifySequence, 48, "identify");
                net.Wait(40);
                SendFrame(net, c, false, LongLinkCommands.Identify + LongLinkCommands.ReplyOffset, LongLinkCommands.IdentifySequence, 12, "identify reply");
                if (i == 3)
                {
                    net.Wait(60_000);
                    Close(net, c);
                    break;
                }
                net.Wait(210_000);
                c.VanishBeyondClient = true; // the NAT forgot the mapping at 180 s
                var beat = new List<byte>();
                Frame(net, c, true, LongLinkCommands.Heartbeat, LongLinkCommands.HeartbeatSequence, 0, beat);
                c.SendUnanswered(true, beat.ToArray(), "heartbeat: the NAT dropped the mapping at 180 s, it goes nowhere");
                // The client's TCP sends it again, backing off, until the 8 s heartbeat deadline.
                double waited = 0;
                foreach (double rto in new[] { 300.0, 600, 1200, 2400 })
                {
                    net.Wait(rto);
                    waited += rto;
                    c.SendAgainUnanswered(true, beat.ToArray(), "heartbeat sent again: no ACK");
                }
                net.Wait(8000 - waited);
                c.Reset(true, "client gives up after the 8 s heartbeat deadline");
                net.Expect("StreamEvent", true, "Reset", c.Host);
                net.Wait(250);
            }
        }

        private static void ManySlowConnects(SampleNetwork net)
        {
            net.Lookup("sgshort.wechat.com", "43.130.30.241", "43.130.30.242");
            for (int i = 0; i < 50; i++)
            {
                var c = new SampleTcp(net, IPAddress.Parse(i % 2 == 0 ? "43.130.30.241" : "43.130.30.242"), 80, "sgshort.wechat.com") { RealisticAcks = true }
                    .Open(38 + net.Random.Next(4), new[] { 1000.0 }, newIsnSynAck: false);
                ShortLink(net, c, 300, 700);
                net.Wait(200);
            }
        }

        private static void TruncatedResponse(SampleNetwork net)
        {
            net.Lookup("sgshort.wechat.com", "43.130.30.241");
            ShortLink(net, Tcp(net, "43.130.30.241", 80, "sgshort.wechat.com", 40), 300, 900);
            ShortLink(net, Tcp(net, "43.130.30.241", 80, "sgshort.wechat.com", 40), 300, 5000, missedResponseSegments: 1);
            ShortLink(net, Tcp(net, "43.130.30.241", 80, "sgshort.wechat.com", 40), 300, 900);
        }
    }
}
