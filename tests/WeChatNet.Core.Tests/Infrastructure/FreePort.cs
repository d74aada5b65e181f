using System.Net;
using System.Net.Sockets;

namespace WeChatNet.Tests.Infrastructure
{
    /// <summary>Free loopback ports for servers the tests start.</summary>
    public static class FreePort
    {
        public static int Tcp()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }

        /// <summary>A port free for both UDP and TCP (DNS servers listen on both).</summary>
        public static int UdpAndTcp()
        {
            for (int attempt = 0; attempt < 50; attempt++)
            {
                int port = Tcp();
                try
                {
                    using var u = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                    return port;
                }
                catch (SocketException)
                {
                }
            }
            throw new SocketException((int)SocketError.AddressAlreadyInUse);
        }
    }
}
