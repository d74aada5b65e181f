using System;
using System.Collections.Generic;
using System.Linq;
using WeChatNet.Connections;
using Xunit;

namespace WeChatNet.Tests.Connections
{
    public sealed class ConnectionWatcherTests
    {
        private static Connection C(int localPort, string state, long bytes = 0) => new Connection
        {
            LocalAddress = "192.0.2.10", LocalPort = localPort, RemoteAddress = "129.226.1.10", RemotePort = 8080, State = state, BytesSent = bytes,
            Timestamp = DateTimeOffset.UtcNow,
        };

        [Fact]
        public void ReportsExistingFirstThenOpenedChangedAndClosedWithTheLastStatistics()
        {
            var readings = new Queue<List<Connection>>(new[]
            {
                new List<Connection> { C(1, "Established", 10) },
                new List<Connection> { C(1, "Established", 20), C(2, "SynSent") },
                new List<Connection> { C(1, "Established", 30), C(2, "Established") },
                new List<Connection> { C(2, "CloseWait") },
                new List<Connection> { C(2, "CloseWait") },
            });
            var w = new ConnectionWatcher(() => readings.Dequeue());
            var first = w.Poll();
            Assert.Equal("Existing", Assert.Single(first).Change);
            Assert.Equal("Established", first[0].NewState);
            Assert.Null(first[0].OldState);

            var second = w.Poll();
            var opened = Assert.Single(second);
            Assert.Equal(("Opened", 2, "SynSent"), (opened.Change, opened.Connection.LocalPort, opened.NewState));

            var third = w.Poll();
            var changed = Assert.Single(third);
            Assert.Equal(("Changed", "SynSent", "Established"), (changed.Change, changed.OldState, changed.NewState));

            var fourth = w.Poll();
            Assert.Equal(new[] { "Closed", "Changed" }, fourth.Select(e => e.Change).ToArray());
            var closed = fourth[0];
            Assert.Equal((1, "Established", "Closed"), (closed.Connection.LocalPort, closed.OldState, closed.NewState));
            Assert.Equal(30, closed.Connection.BytesSent);

            Assert.Empty(w.Poll());
            Assert.Equal(2, Assert.Single(w.Current).LocalPort);
        }
    }
}
