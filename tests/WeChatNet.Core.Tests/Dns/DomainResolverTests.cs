using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using WeChatNet.Dns;
using WeChatNet.Tests.Infrastructure;
using Xunit;
using WeChatNet.Resolution;

namespace WeChatNet.Tests.Dns
{
    /// <summary>Resolve-WeChatDomain's core: plans, concurrent streaming over real servers, comparison, cancellation.</summary>
    [Collection(DnsServersFixture.Collection)]
    public sealed class DomainResolverTests
    {
        private readonly DnsServersFixture _s;

        public DomainResolverTests(DnsServersFixture servers) => _s = servers;

        private ResolvePlan Plan(string[] names, string[] servers, string? subnet = null, double timeoutSec = 2, int retries = 0, int throttle = 32) =>
            ResolvePlan.Create(new ResolveSettings
            {
                Names = names,
                Servers = servers,
                ClientSubnet = subnet,
                TimeoutSec = timeoutSec,
                Retries = retries,
                ThrottleLimit = throttle,
            });

        [Fact]
        public void EveryNameFromEveryServerStreamsOnce()
        {
            var names = new[] { "long.weixin.qq.com", "minorshort.weixin.qq.com", "nosuch.weixin.qq.com", "sgshort.wechat.com" };
            var servers = new[] { $"127.0.0.1:{_s.KnotPort}", $"127.0.0.1:{_s.UnboundPort}", $"127.0.0.1:{_s.SilentPort}" };
            // One timeout for all three servers: long enough (3 s) that Knot and Unbound answer inside it on a loaded
            // machine (with 0.5 s Unbound's forwarded answers could time out); only the silent server reaches it.
            var plan = Plan(names, servers, timeoutSec: 3);
            Assert.Empty(plan.Problems);
            var progress = new List<(int Done, int Total)>();
            var answers = DomainResolver.Resolve(plan.Request, (d, t) => progress.Add((d, t)), CancellationToken.None).ToList();
            Assert.Equal(12, answers.Count);
            Assert.Equal(12, answers.Select(a => (a.Name, a.Server)).Distinct().Count());
            Assert.Equal(Enumerable.Range(1, 12).Select(i => (i, 12)), progress);
            Assert.All(answers.Where(a => a.Server.EndsWith(":" + _s.SilentPort)), a => Assert.Equal("Timeout", a.Status));
            Assert.All(answers.Where(a => a.Name == "nosuch.weixin.qq.com" && !a.Server.EndsWith(":" + _s.SilentPort)), a => Assert.Equal("NxDomain", a.Status));
            var viaUnbound = answers.Single(a => a.Name == "minorshort.weixin.qq.com" && a.Server.EndsWith(":" + _s.UnboundPort));
            Assert.Equal(new[] { "14.215.1.2" }, viaUnbound.Addresses);
            Assert.Equal("Custom", viaUnbound.Region);
            // The silent server's timeouts come last: answers are streamed as they arrive, not in request order.
            Assert.All(answers.Take(8), a => Assert.NotEqual("Timeout", a.Status));
        }

        [Fact]
        public void AtMostThrottleLimitQueriesAreInFlight()
        {
            using var blackHole = new ScriptedUdpServer(_ => Array.Empty<(byte[], bool)>());
            var names = Enumerable.Range(0, 10).Select(i => $"n{i}.weixin.qq.com").ToArray();
            // A 30 s per-try timeout (the test cancels long before): no slot can be freed while it watches, however slowly
            // a loaded machine runs it; with 3 s a stall of a few seconds freed one and a fourth query looked like a leak.
            var plan = Plan(names, new[] { blackHole.EndPoint.ToString() }, timeoutSec: 30, throttle: 3);
            using var cts = new CancellationTokenSource();
            var run = Task.Run(() => DomainResolver.Resolve(plan.Request, null, cts.Token).ToList());
            Assert.True(SpinWait.SpinUntil(() => blackHole.Queries >= 3, TimeSpan.FromSeconds(30)), $"only {blackHole.Queries} queries were sent");
            Thread.Sleep(500); // a window in which a fourth query would show; nothing can free a slot in it
            Assert.Equal(3, blackHole.Queries);
            cts.Cancel();
            var e = Assert.ThrowsAny<Exception>(() => run.GetAwaiter().GetResult());
            Assert.IsAssignableFrom<OperationCanceledException>(e);
        }

        [Fact]
        public void CompareFlagsMainlandVersusOverseasDifferences()
        {
            var names = new[] { "szshort.weixin.qq.com", "long.weixin.qq.com" };
            var knot = _s.Knot.ToString();
            var mainland = Plan(names, new[] { knot }, subnet: "101.226.5.0/24");
            var overseas = Plan(names, new[] { knot }, subnet: "8.8.8.0/24");
            var all = new List<DnsAnswer>();
            foreach (var (plan, region) in new[] { (mainland, "Mainland"), (overseas, "Overseas") })
            {
                plan.Request.Servers = new[] { DnsServer.FromEndPoint(_s.Knot, region) };
                all.AddRange(DomainResolver.Resolve(plan.Request, null, CancellationToken.None));
            }
            var cmp = DomainResolver.Compare(all).ToDictionary(c => c.Name);
            Assert.True(cmp["szshort.weixin.qq.com"].Differs);
            Assert.True(cmp["szshort.weixin.qq.com"].MainlandDiffers);
            Assert.Equal(2, cmp["szshort.weixin.qq.com"].AnswerSets);
            Assert.Empty(cmp["szshort.weixin.qq.com"].Common);
            Assert.Contains(cmp["szshort.weixin.qq.com"].Differences, d => d.Contains("(Mainland): +183.3.1.1"));
            Assert.Contains(cmp["szshort.weixin.qq.com"].Differences, d => d.Contains("(Overseas): +43.130.1.1"));
            Assert.False(cmp["long.weixin.qq.com"].Differs);
            Assert.False(cmp["long.weixin.qq.com"].MainlandDiffers);
            Assert.Equal(new[] { "101.226.5.4", "180.163.10.11" }, cmp["long.weixin.qq.com"].Common);
        }

        [Fact]
        public void ServersThatAgreeANameDoesNotExistShowNoDifferences()
        {
            // Knot and Unbound (forwarding to it) both answer NXDOMAIN: Differs was False but Differences listed both
            // servers, so a -Compare table showed a full Differences column for names that agree.
            var plan = Plan(new[] { "nosuch.weixin.qq.com" }, new[] { $"127.0.0.1:{_s.KnotPort}", $"127.0.0.1:{_s.UnboundPort}" }, timeoutSec: 3);
            var answers = DomainResolver.Resolve(plan.Request, null, CancellationToken.None).ToList();
            Assert.All(answers, a => Assert.Equal("NxDomain", a.Status));
            var cmp = DomainResolver.Compare(answers).Single();
            Assert.False(cmp.Differs);
            Assert.Empty(cmp.Differences);

            // One server that says NXDOMAIN while another answers still shows as the difference it is.
            var mixed = DomainResolver.Compare(answers.Take(1).Concat(DomainResolver.Resolve(
                Plan(new[] { "nosuch.weixin.qq.com" }, new[] { $"127.0.0.1:{_s.KnotPort}" }).Request, null, CancellationToken.None)
                .Select(a => new DnsAnswer(a.Name, a.Type, "192.0.2.53", "Custom", a.Source, a.Protocol, "Ok", a.CnameChain, new[] { "192.0.2.1" },
                    new[] { "192.0.2.1" }, 60, 1, "", -1, "NoError", 1, 0, "")))).Single();
            Assert.True(mixed.Differs);
            Assert.Contains(mixed.Differences, d => d.EndsWith(": NxDomain", StringComparison.Ordinal));
            Assert.Contains(mixed.Differences, d => d.EndsWith(": +192.0.2.1", StringComparison.Ordinal));
        }

        [Fact]
        public void CompareListsFailuresWithoutCountingThemAsDifferent()
        {
            var plan = Plan(new[] { "long.weixin.qq.com" }, new[] { $"127.0.0.1:{_s.KnotPort}", $"127.0.0.1:{_s.UnboundPort}", $"127.0.0.1:{_s.SilentPort}" }, timeoutSec: 3); // only the silent server times out
            var cmp = DomainResolver.Compare(DomainResolver.Resolve(plan.Request, null, CancellationToken.None).ToList()).Single();
            Assert.False(cmp.Differs);
            Assert.Single(cmp.Failed);
            Assert.Contains("Timeout", cmp.Failed[0]);
            Assert.Equal(3, cmp.Servers.Length);
        }

        [Fact]
        public void CancellingTheEnumerationStopsEverything()
        {
            var plan = Plan(new[] { "a.weixin.qq.com", "b.weixin.qq.com" }, new[] { $"127.0.0.1:{_s.KnotPort}", $"127.0.0.1:{_s.SilentPort}" }, timeoutSec: 120);
            using var cts = new CancellationTokenSource();
            var got = new List<DnsAnswer>();
            Assert.ThrowsAny<OperationCanceledException>(() =>
            {
                foreach (var a in DomainResolver.Resolve(plan.Request, null, cts.Token))
                {
                    got.Add(a);
                    if (got.Count == 2) cts.Cancel(); // Knot's two answers arrive; the silent server would take 2 minutes
                }
            });
            Assert.Equal(2, got.Count);
            Assert.All(got, a => Assert.Equal("NxDomain", a.Status));
        }

        [Fact]
        public void SystemPresetComesFromResolvConf()
        {
            using var dir = new TempDirectory("resolvconf");
            File.WriteAllText(dir.File("resolv.conf"), $"# test\nsearch example\nnameserver 127.0.0.1 # local\nnameserver ::1\nnameserver 127.0.0.1\noptions ndots:1\n");
            var plan = ResolvePlan.Create(new ResolveSettings { Names = new[] { "long.weixin.qq.com" }, ResolvConfPath = dir.File("resolv.conf") });
            Assert.Equal(new[] { "127.0.0.1", "::1" }, plan.Request.Servers.Select(s => s.ToString()));
            Assert.All(plan.Request.Servers, s => Assert.Equal("System", s.Region));
            var empty = ResolvePlan.Create(new ResolveSettings { Names = new[] { "long.weixin.qq.com" }, ResolvConfPath = dir.File("missing") });
            Assert.False(empty.CanRun);
            Assert.Contains(empty.Problems, p => p.ErrorId == "NoResolvers");
        }

        [Fact]
        public void PresetsAreDataAndNeverAskedByTests()
        {
            // Only the table is read here: no query goes to these public resolvers.
            var mainland = ResolverPresets.Servers("Mainland", https: false).Select(s => s.ToString()).ToArray();
            Assert.Equal(new[] { "114.114.114.114", "223.5.5.5", "119.29.29.29" }, mainland);
            var mainlandDoh = ResolverPresets.Servers("Mainland", https: true).Select(s => s.ToString()).ToArray();
            Assert.Equal(new[] { "https://doh.pub/dns-query", "https://dns.alidns.com/dns-query" }, mainlandDoh);
            Assert.Equal(new[] { "8.8.8.8", "1.1.1.1", "9.9.9.9" }, ResolverPresets.Servers("Overseas", https: false).Select(s => s.ToString()));
            Assert.Equal(2, ResolverPresets.Servers("Overseas", https: true).Count);
            Assert.All(ResolverPresets.Servers("Overseas", false), s => Assert.Equal("Overseas", s.Region));
        }

        [Fact]
        public void BadParametersAreTypedProblems()
        {
            var plan = ResolvePlan.Create(new ResolveSettings
            {
                Names = new[] { "ok.weixin.qq.com", "bad..name", new string('a', 64) + ".qq.com" },
                Servers = new[] { "127.0.0.1:0", "nonsense", "[::1]:5353", "https://127.0.0.1/dns-query", "http://127.0.0.1/dns-query" },
                Protocol = DnsProtocol.Udp,
            });
            Assert.Equal(2, plan.Problems.Count(p => p.ErrorId == "DomainNameInvalid"));
            Assert.Equal(4, plan.Problems.Count(p => p.ErrorId == "DnsServerInvalid")); // port 0, nonsense, http://, DoH over Udp
            Assert.Equal(new[] { "[::1]:5353" }, plan.Request.Servers.Select(s => s.ToString()));
            Assert.True(plan.CanRun);

            var badSubnet = ResolvePlan.Create(new ResolveSettings { Names = new[] { "a.qq.com" }, Servers = new[] { "127.0.0.1" }, ClientSubnet = "1.2.3.0/40" });
            Assert.Contains(badSubnet.Problems, p => p.ErrorId == "ClientSubnetInvalid" && p.Terminating);
            Assert.False(badSubnet.CanRun);

            using var dir = new TempDirectory("badcert");
            File.WriteAllText(dir.File("not-a-cert.pem"), "hello");
            var badCert = ResolvePlan.Create(new ResolveSettings { Names = new[] { "a.qq.com" }, Servers = new[] { "127.0.0.1" }, CertificatePath = dir.File("not-a-cert.pem") });
            Assert.Contains(badCert.Problems, p => p.ErrorId == "CertificateUnreadable" && p.Terminating);
            var missingCert = ResolvePlan.Create(new ResolveSettings { Names = new[] { "a.qq.com" }, Servers = new[] { "127.0.0.1" }, CertificatePath = dir.File("missing.pem") });
            Assert.Contains(missingCert.Problems, p => p.ErrorId == "CertificateUnreadable");
        }

        [Fact]
        public void AFailingQueryIsAnErrorAnswerNotTheEndOfTheRun()
        {
            // Names normally pass the plan's validation; one that did not is still reported, and the others answered.
            var request = new ResolveRequest { Names = new[] { "a..b", "long.weixin.qq.com" }, Servers = new[] { DnsServer.FromEndPoint(_s.Knot) } };
            var answers = DomainResolver.Resolve(request, null, CancellationToken.None).ToDictionary(a => a.Name);
            Assert.Equal("Error", answers["a..b"].Status);
            Assert.Contains("empty label", answers["a..b"].Error);
            Assert.Equal("Ok", answers["long.weixin.qq.com"].Status);
        }

        [Fact]
        public void DefaultNamesAreDispatchLongAndShortLinksOfBothFamilies()
        {
            var names = DomainResolver.DefaultNames();
            Assert.Contains("dns.weixin.qq.com", names);
            Assert.Contains("szlong.weixin.qq.com", names);
            Assert.Contains("sgshort.wechat.com", names);
            Assert.Contains("long.wechat.com", names);
            Assert.DoesNotContain("mmsns.qpic.cn", names);
            Assert.All(names, n => Assert.DoesNotContain("*", n));
        }

        [Fact]
        public void DohAndUdpServersMixInOneRun()
        {
            var plan = ResolvePlan.Create(new ResolveSettings
            {
                Names = new[] { "sglong.wechat.com" },
                Servers = new[] { _s.DohUrl, $"127.0.0.1:{_s.UnboundPort}" },
                CertificatePath = _s.CertificatePath,
                DohMethod = DohMethod.Get,
                TimeoutSec = 5,
            });
            var answers = DomainResolver.Resolve(plan.Request, null, CancellationToken.None).OrderBy(a => a.Protocol).ToList();
            Assert.Equal(new[] { "Https", "Udp" }, answers.Select(a => a.Protocol));
            Assert.All(answers, a => Assert.Equal(new[] { "101.32.104.4" }, a.Addresses));
        }
    }
}
