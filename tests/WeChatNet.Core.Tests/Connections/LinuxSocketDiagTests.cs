using System;
using System.Buffers.Binary;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using WeChatNet.Connections;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.Connections
{
    public sealed class LinuxSocketDiagTests
    {
        /// <summary>An inet_diag_msg (72 bytes) for 192.0.2.10:40000 -> 129.226.1.10:8080 ESTABLISHED, uid 1000, inode 4242,
        /// then an INET_DIAG_INFO attribute whose tcp_info is cut after <paramref name="infoLength"/> bytes.</summary>
        private static byte[] Message(int infoLength)
        {
            int attr = 4 + infoLength;
            var m = new byte[72 + ((attr + 3) & ~3)];
            m[0] = 2;                                         // 0 idiag_family AF_INET
            m[1] = 1;                                         // 1 idiag_state TCP_ESTABLISHED
            BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(4), 40000);   // 4 sport
            BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(6), 8080);    // 6 dport
            new byte[] { 192, 0, 2, 10 }.CopyTo(m, 8);        // 8 src[0]
            new byte[] { 129, 226, 1, 10 }.CopyTo(m, 24);     // 24 dst[0]
            BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(64), 1000); // 64 uid
            BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(68), 4242); // 68 inode
            BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(72), (ushort)attr);
            BinaryPrimitives.WriteUInt16LittleEndian(m.AsSpan(74), 2);    // INET_DIAG_INFO
            void U32(int at, uint v) { if (at + 4 <= infoLength) BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(76 + at), v); }
            void U64(int at, ulong v) { if (at + 8 <= infoLength) BinaryPrimitives.WriteUInt64LittleEndian(m.AsSpan(76 + at), v); }
            U32(32, 2);          // tcpi_lost
            U32(44, 1500);       // tcpi_last_data_sent (ms)
            U32(52, 250);        // tcpi_last_data_recv (ms)
            U32(68, 31250);      // tcpi_rtt (us)
            U32(72, 4125);       // tcpi_rttvar (us)
            U32(80, 10);         // tcpi_snd_cwnd
            U32(100, 7);         // tcpi_total_retrans
            U64(128, 123456);    // tcpi_bytes_received
            U64(200, 654321);    // tcpi_bytes_sent
            return m;
        }

        [Fact]
        public void ReadsTheSocketAndItsTcpInfo()
        {
            var e = LinuxSocketDiag.Parse(Message(232));
            Assert.Equal(IPAddress.Parse("192.0.2.10"), e.LocalAddress);
            Assert.Equal(40000, e.LocalPort);
            Assert.Equal(IPAddress.Parse("129.226.1.10"), e.RemoteAddress);
            Assert.Equal(8080, e.RemotePort);
            Assert.Equal(TcpState.Established, e.State);
            Assert.Equal(1000u, e.Uid);
            Assert.Equal(4242ul, e.Inode);
            Assert.Equal(31.25, e.RttMs);
            Assert.Equal(4.125, e.RttVarMs);
            Assert.Equal(7, e.Retransmissions);
            Assert.Equal(2, e.LostSegments);
            Assert.Equal(10, e.CongestionWindow);
            Assert.Equal(654321, e.BytesSent);
            Assert.Equal(123456, e.BytesReceived);
            Assert.Equal(1500, e.LastSendMs);
            Assert.Equal(250, e.LastReceiveMs);
        }

        [Fact]
        public void AnOlderKernelsShorterTcpInfoLeavesTheMissingFieldsEmptyNotZero()
        {
            var e = LinuxSocketDiag.Parse(Message(104)); // up to tcpi_total_retrans, as kernels before 4.1
            Assert.Equal(7, e.Retransmissions);
            Assert.Null(e.BytesReceived);
            Assert.Null(e.BytesSent);
            var bare = LinuxSocketDiag.Parse(Message(0).AsSpan(0, 72)); // no attribute at all (a TIME_WAIT socket)
            Assert.Null(bare.RttMs);
            Assert.Null(bare.Retransmissions);
        }

        [Fact]
        public void ReadsThisProcesssOwnLoopbackConnectionAsSsDoes()
        {
            string ss = ExternalTool.Require("ss", "iproute2");
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
                using var server = listener.AcceptTcpClient();
                client.GetStream().Write(new byte[1234], 0, 1234);
                var buffer = new byte[2000];
                int got = 0;
                while (got < 1234) got += server.GetStream().Read(buffer, 0, buffer.Length);
                int localPort = ((IPEndPoint)client.Client.LocalEndPoint!).Port;
                System.Threading.Thread.Sleep(200);
                var oracle = ExternalTool.Run(ss, "-tinpH", "state", "established", $"sport = :{localPort}");
                var mine = new LinuxSocketTable().Read().Single(x => x.LocalPort == localPort && x.RemotePort == ((IPEndPoint)listener.LocalEndpoint).Port);
                Assert.Equal(Environment.ProcessId, mine.ProcessId);
                Assert.Equal(TcpState.Established, mine.State);
                Assert.Equal(1234, mine.BytesSent);
                Assert.Matches(@"bytes_sent:1234\b", oracle.StandardOutput);
                string rtt = Regex.Match(oracle.StandardOutput, @"\brtt:([\d.]+)/").Groups[1].Value;
                Assert.Equal(double.Parse(rtt, System.Globalization.CultureInfo.InvariantCulture), mine.RttMs);
                Assert.Matches($@"cwnd:{mine.CongestionWindow}\b", oracle.StandardOutput);
                Assert.Matches($"pid={Environment.ProcessId},", oracle.StandardOutput);
            }
            finally { listener.Stop(); }
        }
    }
}
