using System.IO;
using Xunit;

namespace WeChatNet.Tests.Infrastructure
{
    public sealed class InfrastructureTests
    {
        [Fact]
        public void NamespacesAreCreatedLinkedAndRemoved()
        {
            string name;
            using (var a = new NetNamespace("ia"))
            using (var b = new NetNamespace("ib"))
            {
                name = a.Name;
                NetNamespace.Link(a, "ia0", "198.18.200.1/30", b, "ib0", "198.18.200.2/30");
                a.Exec("ping", "-c", "1", "-W", "2", "198.18.200.2");
            }
            var list = ExternalTool.Run(ExternalTool.Require("ip", "iproute2"), "netns", "list").StandardOutput;
            Assert.DoesNotContain(name, list);
        }

        [Fact]
        public void AMissingToolNamesItsPackage()
        {
            var e = Assert.Throws<System.InvalidOperationException>(() => ExternalTool.Require("no-such-tool-wechatnet", "some-package"));
            Assert.Contains("apt-get install -y some-package", e.Message);
        }

        [Fact]
        public void TempDirectoriesAreRemoved()
        {
            string path;
            using (var t = new TempDirectory("infra"))
            {
                path = t.Path;
                File.WriteAllText(t.File("x"), "x");
            }
            Assert.False(Directory.Exists(path));
        }
    }
}
