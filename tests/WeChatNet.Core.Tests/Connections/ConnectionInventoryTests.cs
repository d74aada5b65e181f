using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using WeChatNet.Connections;
using WeChatNet.IpIntel;
using Xunit;

namespace WeChatNet.Tests.Connections
{
    /// <summary>Which connections are WeChat's, how they are named and ordered, over a socket table the test writes.</summary>
    public sealed class ConnectionInventoryTests
    {
        internal sealed class FakeTable : ISocketTable
        {
            public List<SocketEntry> Rows { get; } = new List<SocketEntry>();
            public IReadOnlyList<SocketEntry> Read() => Rows.ToList();
            public IReadOnlyList<string> Limitations => Array.Empty<string>();
        }

        internal static SocketEntry Row(string process, int pid, string remote, int port, int localPort, TcpState state = TcpState.Established, long retrans = 0) => new SocketEntry
        {
            ProcessName = process, ProcessId = pid == 0 ? (int?)null : pid, LocalAddress = IPAddress.Parse("192.0.2.10"), LocalPort = localPort,
            RemoteAddress = IPAddress.Parse(remote), RemotePort = port, State = state, Retransmissions = retrans, RttMs = 30, Source = "test",
            Attribution = pid == 0 ? "owned by someone else" : null,
        };

        private static List<Connection> Read(FakeTable table, ConnectionQuery query, RemoteHostNames? names = null) =>
            new ConnectionInventory(table, IpIntelligence.Default, names ?? new RemoteHostNames()).Read(query);

        private static FakeTable Machine()
        {
            var t = new FakeTable();
            t.Rows.Add(Row("chrome", 200, "101.226.5.4", 443, 40001));          // Web WeChat: named short link below
            t.Rows.Add(Row("chrome", 200, "198.51.100.7", 443, 40002));         // some other site
            t.Rows.Add(Row("WeChat", 100, "101.226.5.4", 80, 40003));           // WeChat's short link
            t.Rows.Add(Row("WeChat", 100, "129.226.1.10", 8080, 40004));        // unnamed, port 8080: its long link
            t.Rows.Add(Row("Weixin.exe", 101, "183.3.224.139", 443, 40005));    // named long link on 443
            t.Rows.Add(Row("sshd", 300, "198.51.100.9", 22, 40006));
            t.Rows.Add(Row("", 0, "43.130.30.240", 8080, 40007));               // another user's, unattributed
            t.Rows.Add(Row("WeChat", 100, "0.0.0.0", 0, 8080, TcpState.Listen));
            return t;
        }

        private static RemoteHostNames Names()
        {
            var n = new RemoteHostNames();
            n.Add("101.226.5.4", "szshort.weixin.qq.com", RemoteHostNames.Dispatch);
            n.Add("183.3.224.139", "szlong.weixin.qq.com", RemoteHostNames.HostsFile);
            return n;
        }

        [Fact]
        public void ByDefaultListsEveryConnectionOfWeChatsProcessesLongLinksFirst()
        {
            var list = Read(Machine(), new ConnectionQuery(), Names());
            // Long links first (by process name), then the short link; nothing of chrome, sshd or the unattributed socket.
            Assert.Equal(new[] { 40004, 40005, 40003 }, list.Select(c => c.LocalPort).ToArray());
            Assert.All(list.Take(2), c => Assert.Equal("LongLink", c.Role));
            Assert.All(list, c => Assert.Equal("Process", c.MatchedBy));
            var unnamed = list.Single(c => c.LocalPort == 40004);
            Assert.Null(unnamed.Host);
            Assert.Equal("Port", unnamed.RoleSource);
            Assert.Equal("Overseas", unnamed.Region);
            Assert.Equal("Tencent", unnamed.Owner);
            var named = list.Single(c => c.LocalPort == 40005);
            Assert.Equal("szlong.weixin.qq.com", named.Host);
            Assert.Equal("HostsFile", named.HostSource);
            Assert.Equal("Catalog", named.RoleSource);
            var shortLink = list.Single(c => c.LocalPort == 40003);
            Assert.Equal("ShortLink", shortLink.Role);
            Assert.Equal("Dispatch", shortLink.HostSource);
            Assert.Equal("MainlandChina", shortLink.Region);
        }

        [Fact]
        public void ANamedProcessThatIsNotWeChatIsListedByItsConnectionsToWeChatsServers()
        {
            var list = Read(Machine(), new ConnectionQuery { ProcessNames = new[] { "CHROME.exe" } }, Names());
            var only = Assert.Single(list);
            Assert.Equal(40001, only.LocalPort);
            Assert.Equal("Endpoint", only.MatchedBy);
            Assert.Equal("ShortLink", only.Role);
            // A Tencent address on a WeChat port counts too, even unnamed.
            var t = Machine();
            t.Rows.Add(Row("chrome", 200, "43.130.30.240", 443, 40008));
            Assert.Contains(Read(t, new ConnectionQuery { ProcessNames = new[] { "chr*" } }), c => c.LocalPort == 40008 && c.MatchedBy == "Endpoint");
            Assert.Equal(2, Read(Machine(), new ConnectionQuery { ProcessNames = new[] { "chrome" }, All = true }, Names()).Count);
            Assert.Equal(new[] { 40003, 40004 }, Read(Machine(), new ConnectionQuery { ProcessIds = new[] { 100 } }).Select(c => c.LocalPort).OrderBy(p => p));
        }

        [Fact]
        public void AllListsEveryConnectionButListenersAndKeepsWhyOneIsUnattributed()
        {
            var inventory = new ConnectionInventory(Machine(), IpIntelligence.Default, Names());
            var list = inventory.Read(new ConnectionQuery { All = true });
            Assert.Equal(7, list.Count);
            Assert.DoesNotContain(list, c => c.State == "Listen");
            var other = list.Single(c => c.LocalPort == 40007);
            Assert.Null(other.ProcessId);
            Assert.Equal("owned by someone else", other.Attribution);
            Assert.Null(other.MatchedBy);
            Assert.Null(list.Single(c => c.LocalPort == 40006).MatchedBy);
            Assert.Equal(40007, Assert.Single(inventory.Unattributed).LocalPort);
            Assert.True(ConnectionInventory.IsWeChatServer(other), "a Tencent address on 8080 is one of WeChat's servers");
        }

        [Fact]
        public void AnIpv4MappedPeerIsShownAsIpv4()
        {
            var t = new FakeTable();
            var row = Row("WeChat", 1, "::ffff:129.226.1.10", 8080, 1);
            row.LocalAddress = IPAddress.Parse("::ffff:192.0.2.10");
            t.Rows.Add(row);
            var c = Assert.Single(Read(t, new ConnectionQuery()));
            Assert.Equal("129.226.1.10", c.RemoteAddress);
            Assert.Equal("192.0.2.10", c.LocalAddress);
            Assert.Equal("Overseas", c.Region);
        }

        [Fact]
        public void TheHostsFileNamesServersAndACatalogNameWinsOverAnother()
        {
            string file = Path.GetTempFileName();
            try
            {
                File.WriteAllText(file, "# comment\n127.0.0.1 localhost\n129.226.1.10 my-proxy  hklong.weixin.qq.com # inline\nnot-an-address x\n");
                var names = new RemoteHostNames();
                names.AddHostsFile(file);
                Assert.True(names.TryName(IPAddress.Parse("129.226.1.10"), out string host, out string source));
                Assert.Equal("hklong.weixin.qq.com", host);
                Assert.Equal(RemoteHostNames.HostsFile, source);
                Assert.True(names.TryName(IPAddress.Parse("::ffff:127.0.0.1"), out host, out _));
                Assert.Equal("localhost", host);
                // An earlier catalog name is not replaced by a later one.
                names.Add("129.226.1.10", "hkshort.weixin.qq.com", RemoteHostNames.Resolved);
                names.TryName(IPAddress.Parse("129.226.1.10"), out host, out _);
                Assert.Equal("hklong.weixin.qq.com", host);
                Assert.Equal(2, names.Count);
            }
            finally { File.Delete(file); }
        }

        [Theory]
        [InlineData("WeChat", true)]
        [InlineData("wechat", true)]
        [InlineData("Weixin.exe", true)]
        [InlineData("WeChatAppEx", true)]
        [InlineData("WeChatAppEx.exe", true)]
        [InlineData("chrome", false)]
        [InlineData("WeChatX", false)]
        [InlineData("", false)]
        [InlineData(null, false)]
        public void WeChatsProcessesAreKnownByName(string? name, bool expected) => Assert.Equal(expected, WeChatProcesses.IsWeChat(name));
    }
}
