using System.Collections.Generic;
using WeChatNet.Analysis;
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

        public FlowPacket Make(bool fromClient, byte flags, uint seq, uint ack, int payload, ushort window = 65535) => new FlowPacket
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
            FrameLength = 54 + payload,
        };

        public TcpScript Emit(FlowPacket p) { Packets.Add(p); return this; }

        public TcpScript Handshake(double rttMs = 40, double ackMs = 0.1)
        {
            Emit(Make(true, TcpFlagBits.Syn, ClientSeq, 0, 0)); ClientSeq++;
            Wait(rttMs);
            Emit(Make(false, TcpFlagBits.Syn | TcpFlagBits.Ack, ServerSeq, ClientSeq, 0)); ServerSeq++;
            Wait(ackMs);
            return Emit(Make(true, TcpFlagBits.Ack, ClientSeq, ServerSeq, 0));
        }

        /// <summary>Client sends n bytes (and the sequence advances).</summary>
        public TcpScript ClientData(int n) { Emit(Make(true, TcpFlagBits.Ack | TcpFlagBits.Psh, ClientSeq, ServerSeq, n)); ClientSeq += (uint)n; return this; }
        public TcpScript ServerData(int n) { Emit(Make(false, TcpFlagBits.Ack | TcpFlagBits.Psh, ServerSeq, ClientSeq, n)); ServerSeq += (uint)n; return this; }
        public TcpScript ServerAck(ushort window = 65535) => Emit(Make(false, TcpFlagBits.Ack, ServerSeq, ClientSeq, 0, window));
        public TcpScript ClientAck(ushort window = 65535) => Emit(Make(true, TcpFlagBits.Ack, ClientSeq, ServerSeq, 0, window));

        public TcpScript ClientFin() { Emit(Make(true, TcpFlagBits.Fin | TcpFlagBits.Ack, ClientSeq, ServerSeq, 0)); ClientSeq++; return this; }
        public TcpScript ServerFin() { Emit(Make(false, TcpFlagBits.Fin | TcpFlagBits.Ack, ServerSeq, ClientSeq, 0)); ServerSeq++; return this; }
        public TcpScript ServerRst() => Emit(Make(false, TcpFlagBits.Rst | TcpFlagBits.Ack, ServerSeq, ClientSeq, 0));
        public TcpScript ClientRst() => Emit(Make(true, TcpFlagBits.Rst, ClientSeq, 0, 0));

        public List<Flow> Run(FlowTableOptions? options = null)
        {
            var table = new FlowTable(options);
            foreach (var p in Packets) table.Add(p);
            return table.ToFlows();
        }
    }
}
