using System.Linq;
using WeChatNet.Capture.Live;
using WeChatNet.Tests.Infrastructure;
using Xunit;

namespace WeChatNet.Tests.Capture.Live
{
    public sealed class CaptureDeviceTests
    {
        [Fact]
        public void LoopbackIsListedWithItsAddressAndFlags()
        {
            var devices = CaptureDevices.List();
            var lo = Assert.Single(devices, d => d.Name == "lo");
            Assert.True(lo.IsLoopback);
            Assert.True(lo.IsUp);
            Assert.True(lo.IsRunning);
            Assert.Contains("127.0.0.1/8", lo.Addresses);
            Assert.False(lo.IsDefault);
            Assert.Equal("lo", lo.ToString());
        }

        [Fact]
        public void TheDefaultDeviceIsTheOneIpRouteNames()
        {
            string ip = ExternalTool.Require("ip", "iproute2");
            // IPv4 default routes are preferred; a machine with only an IPv6 default route uses that one.
            var route = new[] { "-4", "-6" }.SelectMany(family => ExternalTool.Run(ip, family, "route", "show", "default")
                .EnsureSuccess("ip route show default").StandardOutput.Split('\n')
                .Where(l => l.StartsWith("default") && !l.Contains(" dev lo ")).Select(l => l.Split(' '))).ToList();
            var devices = CaptureDevices.List();
            if (route.Count == 0)
            {
                Assert.DoesNotContain(devices, d => d.IsDefault); // no default route: nothing may claim one
                return;
            }
            // ip lists the preferred (lowest-metric) route first.
            var fields = route[0];
            string dev = fields[System.Array.IndexOf(fields, "dev") + 1];
            var chosen = Assert.Single(devices, d => d.IsDefault);
            Assert.Equal(dev, chosen.Name);
            int via = System.Array.IndexOf(fields, "via");
            if (via > 0) Assert.Equal(fields[via + 1], chosen.DefaultGateway);
            Assert.Same(chosen, CaptureDevices.Default(devices));
        }

        [Fact]
        public void ADeviceIsFoundByNameFriendlyNameOrDescription()
        {
            var devices = CaptureDevices.List();
            Assert.All(devices, d => Assert.Equal(d.Name, d.FriendlyName)); // Linux: libpcap's names are the friendly ones
            Assert.Equal("lo", CaptureDevices.Find(devices, "lo")!.Name);
            Assert.Equal("lo", CaptureDevices.Find(devices, "LO")!.Name);
            var any = Assert.Single(devices, d => d.Name == "any");
            Assert.Same(any, CaptureDevices.Find(devices, any.Description.ToUpperInvariant()));
            Assert.Null(CaptureDevices.Find(devices, "wcnnosuch0"));
        }

        [Fact]
        public void CaptureStartsOnADeviceNamedByItsDescription()
        {
            LiveCaptureTests.RequireCapture();
            var any = Assert.Single(CaptureDevices.List(), d => d.Name == "any");
            using var capture = LiveCapture.Start(new LiveCaptureOptions { Interface = any.Description, Filter = "udp port 9", Duration = System.TimeSpan.FromMilliseconds(50) });
            Assert.Equal("any", capture.Interface);
            Assert.Equal("any", capture.Wait().Interface);
        }

        [Fact]
        public void SocketAddressPrefixLengthsAreCounted()
        {
            Assert.Equal(8, CaptureDevices.PrefixLength(System.Net.IPAddress.Parse("255.0.0.0")));
            Assert.Equal(21, CaptureDevices.PrefixLength(System.Net.IPAddress.Parse("255.255.248.0")));
            Assert.Equal(64, CaptureDevices.PrefixLength(System.Net.IPAddress.Parse("ffff:ffff:ffff:ffff::")));
            Assert.Equal(0, CaptureDevices.PrefixLength(System.Net.IPAddress.Parse("0.0.0.0")));
        }
    }
}
