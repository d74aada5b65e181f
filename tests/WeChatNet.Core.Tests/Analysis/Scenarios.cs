using WeChatNet.Analysis;
using WeChatNet.Packets;

namespace WeChatNet.Tests.Analysis
{
    /// <summary>Scripted TCP conversations with known truth, shared by the flow-table tests and the tshark differential.</summary>
    internal static class Scenarios
    {
        public static TcpScript Clean()
        {
            var s = new TcpScript().Handshake(rttMs: 42, ackMs: 0.5);
            s.Wait(1).ClientData(16).Wait(40).ServerAck().Wait(1).ServerData(16).Wait(1).ClientAck();
            s.Wait(5).ClientFin().Wait(40).ServerFin().Wait(0.2).ClientAck();
            return s;
        }

        public static TcpScript RetransmissionAndSpurious()
        {
            var s = new TcpScript().Handshake();
            uint seq = s.ClientSeq;
            s.ClientData(100);                       // lost on the way: no ACK
            s.Wait(300).Emit(s.Make(true, TcpFlags.Ack | TcpFlags.Psh, seq, s.ServerSeq, 100)); // retransmission
            s.Wait(40).ServerAck();                  // now acknowledged
            s.Wait(300).Emit(s.Make(true, TcpFlags.Ack | TcpFlags.Psh, seq, s.ServerSeq, 100)); // spurious
            return s;
        }

        public static TcpScript Swapped()
        {
            var s = new TcpScript().Handshake(rttMs: 40);
            uint seq = s.ClientSeq;
            s.Wait(1).Emit(s.Make(true, TcpFlags.Ack, seq + 100, s.ServerSeq, 100)); // second half first
            s.Wait(0.5).Emit(s.Make(true, TcpFlags.Ack, seq, s.ServerSeq, 100));      // then the first
            s.ClientSeq += 200;
            s.Wait(40).ServerAck();
            return s;
        }

        public static TcpScript LateHoleFill()
        {
            var s = new TcpScript().Handshake(rttMs: 40);
            uint seq = s.ClientSeq;
            s.Wait(1).Emit(s.Make(true, TcpFlags.Ack, seq + 100, s.ServerSeq, 100));
            s.Wait(250).Emit(s.Make(true, TcpFlags.Ack, seq, s.ServerSeq, 100));
            return s;
        }

        public static TcpScript CaptureGap()
        {
            var s = new TcpScript().Handshake();
            s.Wait(1).ClientData(100);
            s.ClientSeq += 1400;                     // a segment the capture never saw
            s.Wait(1).ClientData(100);
            s.Wait(40).ServerAck();                  // the server acknowledged everything
            return s;
        }

        public static TcpScript DuplicateAcks()
        {
            var s = new TcpScript().Handshake();
            s.Wait(1).ServerData(100).Wait(1).ClientAck();
            s.ServerSeq += 100; // lost segment
            s.Wait(1).ServerData(100).Wait(0.1).ClientAck().Wait(0.1).ClientAck().Wait(0.1).ClientAck();
            var packets = s.Packets;
            // The client keeps acknowledging the first 100 bytes: rewrite the last three ACKs to the old value.
            uint firstAck = packets[4].Acknowledgment;
            for (int i = packets.Count - 3; i < packets.Count; i++) { var p = packets[i]; p.Acknowledgment = firstAck; packets[i] = p; }
            return s;
        }

        public static TcpScript ZeroWindows()
        {
            var s = new TcpScript().Handshake();
            s.Wait(1).ServerData(100).Wait(1).ClientAck(window: 0).Wait(200).ClientAck(window: 0).Wait(200).ClientAck(window: 4096);
            return s;
        }

        public static TcpScript ServerReset()
        {
            var s = new TcpScript().Handshake();
            s.Wait(1).ClientData(16).Wait(8000).ServerRst();
            return s;
        }

        public static TcpScript Wraparound()
        {
            var s = new TcpScript(clientIsn: 0xFFFF_FF00, serverIsn: 0xFFFF_FFF0).Handshake();
            for (int i = 0; i < 10; i++) s.Wait(1).ClientData(100).Wait(1).ServerData(10).Wait(1).ClientAck();
            return s;
        }

        public static TcpScript KeepAlives()
        {
            var s = new TcpScript().Handshake();
            s.Wait(1).ClientData(16).Wait(40).ServerAck();
            for (int i = 0; i < 3; i++)
            {
                s.Wait(45_000).Emit(s.Make(true, TcpFlags.Ack, s.ClientSeq - 1, s.ServerSeq, 0));
                s.Wait(40).ServerAck();
            }
            return s;
        }

        public static readonly string[] Names = { "Clean", "RetransmissionAndSpurious", "Swapped", "LateHoleFill", "CaptureGap", "DuplicateAcks", "ZeroWindows", "ServerReset", "Wraparound", "KeepAlives" };

        public static TcpScript ByName(string name) => (TcpScript)typeof(Scenarios).GetMethod(name)!.Invoke(null, null)!;
    }
}
