using System.Linq;
using WeChatNet.Analysis;
using WeChatNet.Packets;
using WeChatNet.WeChat;
using static WeChatNet.Tests.Analysis.Addr;
using Xunit;

namespace WeChatNet.Tests.Analysis
{
    public sealed class FlowTableTests
    {
        [Fact]
        public void ACleanConnectionHasHandshakeTimesAndNoTrouble()
        {
            var s = Scenarios.Clean();
            var f = Assert.Single(s.Run());
            Assert.Equal("192.0.2.10:50000", f.Client);
            Assert.Equal("101.32.104.4:8080", f.Server);
            Assert.Equal("Syn", f.ClientDecidedBy);
            Assert.Equal(42, f.HandshakeMs!.Value, 6);
            Assert.Equal(0.5, f.ClientAckMs!.Value, 6);
            Assert.Equal(10, f.Packets);
            Assert.Equal(6, f.PacketsToServer);
            Assert.Equal(16, f.PayloadToServer);
            Assert.Equal(16, f.PayloadToClient);
            Assert.Equal(10 * 54 + 32, f.Bytes);
            Assert.Equal(0, f.Retransmissions);
            Assert.Equal(0, f.OutOfOrder);
            Assert.Equal(0, f.DuplicateAcks);
            Assert.Equal(0, f.CaptureGaps);
            Assert.Equal("Client,Server", f.FinSequence);
            Assert.Equal("None", f.ResetBy);
            Assert.True(f.Closed);
            Assert.Equal(42 + 0.5 + 1 + 40 + 1 + 1 + 5 + 40 + 0.2, f.DurationMs, 6);
        }

        [Theory]
        [InlineData(0.0, 183.0, CapturePoint.Client)]     // on the phone: it answers at once, the server a path later
        [InlineData(183.0, 0.0, CapturePoint.Server)]     // on the server: the other way round
        [InlineData(80.0, 103.0, CapturePoint.InBetween)] // at a router: each side takes a share
        [InlineData(0.2, 0.4, CapturePoint.Unknown)]      // a LAN: nothing tells
        public void EachFlowSaysWhereItWasCapturedAndAddsBothSidesToThePath(double clientSideMs, double serverSideMs, CapturePoint expected)
        {
            // Handshake and data timed as the capture point sees them: the SYN/ACK after the server's side, the client's ACK
            // after the client's; data acknowledged likewise (the client acknowledging 40 ms late, a delayed ACK).
            var s = new TcpScript().Handshake(serverSideMs + 0.05, clientSideMs + 0.05);
            s.Wait(10).ClientData(100).Wait(serverSideMs + 0.05).ServerAck().Wait(5).ServerData(300).Wait(clientSideMs + 40).ClientAck();
            var f = Assert.Single(s.Run());
            Assert.Equal(expected, f.CapturePoint);
            Assert.Equal(clientSideMs + 0.05, f.ClientSideRttMs!.Value, 6);
            Assert.Equal(serverSideMs + 0.05, f.ServerSideRttMs!.Value, 6);
            Assert.Equal(clientSideMs + serverSideMs + 0.1, f.PathRttMs!.Value, 6);
        }

        [Fact]
        public void AFlowCapturedWithoutItsHandshakeTakesTheClientsSideFromItsOtherConnectionsNotFromDelayedAcks()
        {
            // Two connections of one phone, captured on the phone: the second from its middle, its data ACKed 200 ms late.
            var whole = new TcpScript(clientPort: 50001).Handshake(183, 0.1).Wait(5).ClientData(100).Wait(183).ServerAck();
            var middle = new TcpScript(clientPort: 50002, startNs: whole.NowNs + 1_000_000);
            middle.Wait(5).ClientData(100).Wait(183).ServerAck().Wait(5).ServerData(300).Wait(200).ClientAck();
            var table = new FlowTable();
            foreach (var p in whole.Packets.Concat(middle.Packets)) table.Add(p);
            var flows = table.ToFlows();
            var f = flows.Single(x => x.ClientPort == 50002);
            Assert.Null(f.SynAckDelayMs);
            Assert.Equal(0.1, f.ClientSideRttMs!.Value, 6);
            Assert.Equal(CapturePoint.Client, f.CapturePoint);
            Assert.Equal(183.1, f.PathRttMs!.Value, 6);
            // Alone, its own delayed ACK is all it has: the path is overstated (never understated), and where it sat unclear.
            var alone = Assert.Single(middle.Run());
            Assert.Equal(200, alone.ClientSideRttMs!.Value, 6);
            Assert.Equal(CapturePoint.InBetween, alone.CapturePoint);
        }

        [Fact]
        public void SameDataSentAgainIsARetransmissionAndSpuriousWhenAlreadyAcknowledged()
        {
            var s = Scenarios.RetransmissionAndSpurious();
            var f = Assert.Single(s.Run());
            Assert.Equal(2, f.Retransmissions);
            Assert.Equal(1, f.SpuriousRetransmissions);
            Assert.Equal(0, f.OutOfOrder);
            Assert.Equal(2 / 3.0, f.RetransmissionRate, 6); // 2 retransmissions over 3 data segments
        }

        [Fact]
        public void SwappedSegmentsAreOutOfOrderNotRetransmissions()
        {
            var s = Scenarios.Swapped();
            var f = Assert.Single(s.Run());
            Assert.Equal(1, f.OutOfOrder);
            Assert.Equal(0, f.Retransmissions);
            Assert.Equal(0, f.CaptureGaps);
        }

        [Fact]
        public void AHoleFilledLongAfterIsARetransmissionOfDataLostBeforeTheCapture()
        {
            var s = Scenarios.LateHoleFill();
            var f = Assert.Single(s.Run());
            Assert.Equal(0, f.OutOfOrder);
            Assert.Equal(1, f.Retransmissions);
            Assert.Equal(0, f.SpuriousRetransmissions);
        }

        [Fact]
        public void DataTheCaptureMissedIsAGapWithItsBytes()
        {
            var s = Scenarios.CaptureGap();
            var f = Assert.Single(s.Run());
            Assert.Equal(1, f.CaptureGaps);
            Assert.Equal(1400, f.CaptureGapBytes);
            Assert.Equal(0, f.Retransmissions);
        }

        [Fact]
        public void RepeatedIdenticalAcksAreDuplicateAcks()
        {
            var s = Scenarios.DuplicateAcks();
            var f = Assert.Single(s.Run());
            Assert.Equal(3, f.DuplicateAcks);
            Assert.Equal(1, f.CaptureGaps);
        }

        [Fact]
        public void ZeroWindowsAreCounted()
        {
            var s = Scenarios.ZeroWindows();
            Assert.Equal(2, Assert.Single(s.Run()).ZeroWindows);
        }

        [Fact]
        public void AServerResetIsAttributedAndCloses()
        {
            var s = Scenarios.ServerReset();
            var f = Assert.Single(s.Run());
            Assert.Equal(1, f.Resets);
            Assert.Equal("Server", f.ResetBy);
            Assert.True(f.Closed);
        }

        [Fact]
        public void WithoutASynTheWeChatPortSideIsTheServer()
        {
            var s = new TcpScript(serverPort: 8080, clientPort: 40000);
            s.ServerData(16).Wait(1).ClientAck().Wait(1).ClientData(16);
            var f = Assert.Single(s.Run());
            Assert.Equal("Port", f.ClientDecidedBy);
            Assert.Equal(8080, f.ServerPort);
            Assert.Null(f.HandshakeMs);
        }

        [Fact]
        public void ASynAckFirstMakesItsReceiverTheClient()
        {
            var s = new TcpScript(serverPort: 9999, clientPort: 1234);
            s.Emit(s.Make(false, TcpFlags.Syn | TcpFlags.Ack, s.ServerSeq, s.ClientSeq + 1, 0));
            var f = Assert.Single(s.Run());
            Assert.Equal("SynAck", f.ClientDecidedBy);
            Assert.Equal(9999, f.ServerPort);
        }

        [Fact]
        public void ANewSynOnAClosedFiveTupleStartsANewFlow()
        {
            var s = new TcpScript().Handshake();
            s.Wait(1).ClientData(16).Wait(1).ServerRst();
            s.ClientSeq = 900_000; s.ServerSeq = 800_000;
            s.Wait(2000).Handshake();
            var flows = s.Run();
            Assert.Equal(2, flows.Count);
            Assert.Equal(new[] { 1, 2 }, flows.Select(f => f.Id));
            Assert.Equal(0, flows[1].Retransmissions);
            Assert.Equal(1, flows[0].Resets);
            Assert.Equal(0, flows[1].Resets);
        }

        [Fact]
        public void LongSilencesAreListed()
        {
            var s = new TcpScript().Handshake();
            s.Wait(1).ClientData(16).Wait(40).ServerAck().Wait(300_000).ClientData(16).Wait(40).ServerAck();
            var f = Assert.Single(s.Run(new FlowTableOptions { IdleGapThresholdMs = 60_000 }));
            Assert.Equal(new[] { 300_000.0 }, f.IdleGapsMs);
            Assert.Equal(300_000, f.MaxIdleMs, 6);
        }

        [Fact]
        public void SequenceNumbersWrapAroundWithoutFalseRetransmissions()
        {
            var s = Scenarios.Wraparound();
            var f = Assert.Single(s.Run());
            Assert.Equal(0, f.Retransmissions);
            Assert.Equal(0, f.OutOfOrder);
            Assert.Equal(0, f.CaptureGaps);
            Assert.Equal(1000, f.PayloadToServer);
        }

        [Fact]
        public void KeepAlivesAreNotRetransmissionsAndTheirAcksAreNotDuplicates()
        {
            var s = Scenarios.KeepAlives();
            var f = Assert.Single(s.Run());
            Assert.Equal(0, f.Retransmissions);
            Assert.Equal(0, f.DuplicateAcks);
            Assert.Equal(3, f.KeepAlives);
        }

        [Fact]
        public void UdpDnsIsAFlowOfKindDnsWithThePort53SideAsServer()
        {
            var table = new FlowTable();
            var c = Ip("192.0.2.10"); var r = Ip("192.0.2.53");
            table.Add(new FlowPacket { TimestampNs = 1_000_000, Source = c, Destination = r, SourcePort = 40000, DestinationPort = 53, Protocol = 17, PayloadLength = 40, FrameLength = 82 });
            table.Add(new FlowPacket { TimestampNs = 21_000_000, Source = r, Destination = c, SourcePort = 53, DestinationPort = 40000, Protocol = 17, PayloadLength = 120, FrameLength = 162 });
            var f = Assert.Single(table.ToFlows());
            Assert.Equal("Udp", f.Protocol);
            Assert.Equal("Dns", f.Kind);
            Assert.Equal("192.0.2.53:53", f.Server);
            Assert.Equal(2, f.Packets);
            Assert.Equal(20, f.DurationMs, 6);
        }

        [Fact]
        public void HostsNameFlowsAndGiveThemTheirRoleAndKind()
        {
            var s = new TcpScript(server: "101.32.104.4").Handshake();
            var table = new FlowTable();
            foreach (var p in s.Packets) table.Add(p);
            var f = Assert.Single(table.ToFlows((a, _) => a.ToString() == "101.32.104.4" ? ("sglong.wechat.com", "Dns") : (null, null), a => ("Overseas", "Tencent")));
            Assert.Equal("sglong.wechat.com", f.Host);
            Assert.Equal("LongLink", f.Role);
            Assert.Equal("LongLink", f.Kind);
            Assert.Equal("Overseas", f.Region);
            Assert.Equal("Tencent", f.Owner);
        }

        [Fact]
        public void IPv6FlowsPrintBracketedEndpoints()
        {
            var s = new TcpScript(client: "2001:db8::10", server: "2001:db8::1", serverPort: 443).Handshake();
            var f = Assert.Single(s.Run());
            Assert.Equal("[2001:db8::10]:50000", f.Client);
            Assert.Equal("[2001:db8::1]:443", f.Server);
        }
    }
}
