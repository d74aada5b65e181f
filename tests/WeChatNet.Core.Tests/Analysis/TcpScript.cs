using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using WeChatNet.Capture;
using WeChatNet.Analysis;
using WeChatNet.Packets;
using WeChatNet.WeChat;
using static WeChatNet.Tests.Analysis.Addr;

namespace WeChatNet.Tests.Analysis
{
    /// <summary>Writes TCP conversations packet by packet with correct sequence numbers, for flow-table truth tables.</summary>
    internal sealed class TcpScript
    {
        public readonly List<FlowPacket> Packets = new List<FlowPacket>();
        private readonly IpKey _client, _server;
        private readonly ushort _cport, _sport;
        public uint ClientSeq, ServerSeq;
        public long NowNs;

        public TcpScript(string client = "192.0.2.10", ushort clientPort = 50000, string server = "101.32.104.4", ushort serverPort = 8080,
            uint clientIsn = 1000, uint serverIsn = 5000, long startNs = 1_700_000_000_000_000_000)
        {
            _client = Ip(client);
            _server = Ip(server);
            _cport = clientPort;
            _sport = serverPort;
            ClientSeq = clientIsn;
            ServerSeq = serverIsn;
            NowNs = startNs;
        }

        public TcpScript Wait(double ms) { NowNs += (long)(ms * 1_000_000); return this; }

        public FlowPacket Make(bool fromClient, TcpFlags flags, uint seq, uint ack, int payload, ushort window = 65535) => new FlowPacket
        {
            TimestampNs = NowNs,
            Source = fromClient ? _client : _server,
            Destination = fromClient ? _server : _client,
            SourcePort = fromClient ? _cport : _sport,
            DestinationPort = fromClient ? _sport : _cport,
            Protocol = 6,
            TcpFlags = flags,
            Sequence = seq,
            Acknowledgment = ack,
            Window = window,
            PayloadLength = payload,
            FrameLength = (_client.IsV6 ? 74 : 54) + payload,
        };

        public TcpScript Emit(FlowPacket p) { Packets.Add(p); return this; }

        public TcpScript Handshake(double rttMs = 40, double ackMs = 0.1)
        {
            Emit(Make(true, TcpFlags.Syn, ClientSeq, 0, 0)); ClientSeq++;
            Wait(rttMs);
            Emit(Make(false, TcpFlags.Syn | TcpFlags.Ack, ServerSeq, ClientSeq, 0)); ServerSeq++;
            Wait(ackMs);
            return Emit(Make(true, TcpFlags.Ack, ClientSeq, ServerSeq, 0));
        }

        /// <summary>Client sends n bytes (and the sequence advances).</summary>
        public TcpScript ClientData(int n) { Emit(Make(true, TcpFlags.Ack | TcpFlags.Psh, ClientSeq, ServerSeq, n)); ClientSeq += (uint)n; return this; }
        public TcpScript ServerData(int n) { Emit(Make(false, TcpFlags.Ack | TcpFlags.Psh, ServerSeq, ClientSeq, n)); ServerSeq += (uint)n; return this; }
        public TcpScript ServerAck(ushort window = 65535) => Emit(Make(false, TcpFlags.Ack, ServerSeq, ClientSeq, 0, window));
        public TcpScript ClientAck(ushort window = 65535) => Emit(Make(true, TcpFlags.Ack, ClientSeq, ServerSeq, 0, window));

        public TcpScript ClientFin() { Emit(Make(true, TcpFlags.Fin | TcpFlags.Ack, ClientSeq, ServerSeq, 0)); ClientSeq++; return this; }
        public TcpScript ServerFin() { Emit(Make(false, TcpFlags.Fin | TcpFlags.Ack, ServerSeq, ClientSeq, 0)); ServerSeq++; return this; }
        public TcpScript ServerRst() => Emit(Make(false, TcpFlags.Rst | TcpFlags.Ack, ServerSeq, ClientSeq, 0));
        public TcpScript ClientRst() => Emit(Make(true, TcpFlags.Rst, ClientSeq, 0, 0));

        /// <summary>Writes the conversation as an Ethernet pcapng (IPv4 or IPv6, 20-byte TCP headers, zero payload bytes).</summary>
        public void WritePcapNg(string path)
        {
            using var file = File.Create(path);
            using var w = CaptureFileWriter.Create(file, CaptureFileFormat.PcapNg);
            int id = w.AddInterface(1, 65535, "script");
            foreach (var p in Packets) w.WritePacket(id, p.TimestampNs, Frame(p), 0);
        }

        private static byte[] Frame(in FlowPacket p)
        {
            bool v6 = p.Source.IsV6;
            int ipLen = v6 ? 40 : 20;
            var f = new byte[14 + ipLen + 20 + p.PayloadLength];
            f[0] = 2; f[6] = 2; f[11] = 1; // locally administered MACs
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), (ushort)(v6 ? 0x86DD : 0x0800));
            var ip = f.AsSpan(14);
            var src = p.Source.ToIPAddress().GetAddressBytes();
            var dst = p.Destination.ToIPAddress().GetAddressBytes();
            if (v6)
            {
                ip[0] = 0x60;
                BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(4), (ushort)(20 + p.PayloadLength));
                ip[6] = 6; ip[7] = 64;
                src.CopyTo(ip.Slice(8)); dst.CopyTo(ip.Slice(24));
            }
            else
            {
                ip[0] = 0x45;
                BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(2), (ushort)(40 + p.PayloadLength));
                ip[8] = 64; ip[9] = 6;
                src.CopyTo(ip.Slice(12)); dst.CopyTo(ip.Slice(16));
            }
            var tcp = ip.Slice(ipLen);
            BinaryPrimitives.WriteUInt16BigEndian(tcp, p.SourcePort);
            BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(2), p.DestinationPort);
            BinaryPrimitives.WriteUInt32BigEndian(tcp.Slice(4), p.Sequence);
            BinaryPrimitives.WriteUInt32BigEndian(tcp.Slice(8), p.Acknowledgment);
            tcp[12] = 0x50;
            tcp[13] = (byte)p.TcpFlags;
            BinaryPrimitives.WriteUInt16BigEndian(tcp.Slice(14), p.Window);
            return f;
        }

        public List<Flow> Run(FlowTableOptions? options = null)
        {
            var table = new FlowTable(options);
            foreach (var p in Packets) table.Add(p);
            return table.ToFlows();
        }
    }
}
