using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using WeChatNet.WeChat;
using WeChatNet.Dns;

namespace WeChatNet
{
    /// <summary>The resolver presets of Resolve-WeChatDomain -Region.</summary>
    public enum ResolverRegion
    {
        Mainland,
        Overseas,
        System,
    }

    /// <summary>The network type Get-WeChatDispatch reports (the newgetdns net parameter).</summary>
    public enum DispatchNetwork
    {
        Wifi = 1,
        Mobile = 2,
    }
}

namespace WeChatNet.Resolution
{
    /// <summary>Resolve-WeChatDomain's parameters, as given.</summary>
    internal sealed class ResolveSettings
    {
        public string[]? Names { get; set; }
        public string[]? Servers { get; set; }
        public ResolverRegion[]? Regions { get; set; }
        public string? ClientSubnet { get; set; }
        public DnsRecordType Type { get; set; } = DnsRecordType.A;
        public DnsProtocol? Protocol { get; set; }
        public double TimeoutSec { get; set; } = 2;
        public int Retries { get; set; } = 2;
        public bool NoTcpFallback { get; set; }
        public DohMethod DohMethod { get; set; } = DohMethod.Post;
        public string? CertificatePath { get; set; }
        public bool DnssecOk { get; set; }
        public int ThrottleLimit { get; set; } = 128;
        public bool Dispatch { get; set; }
        public Uri? DispatchUri { get; set; }
        /// <summary>Where System resolvers come from on Unix (tests point it at their own file).</summary>
        public string? ResolvConfPath { get; set; }
    }

    /// <summary>A problem with the parameters: the cmdlet writes it as an error with this ErrorId.</summary>
    internal sealed class ResolveProblem
    {
        public ResolveProblem(string errorId, string message, string target, bool terminating)
        {
            ErrorId = errorId;
            Message = message;
            Target = target;
            Terminating = terminating;
        }

        public string ErrorId { get; }
        public string Message { get; }
        public string Target { get; }
        /// <summary>True when nothing can run (bad subnet, unreadable certificate, no resolver at all).</summary>
        public bool Terminating { get; }
    }

    /// <summary>Turns <see cref="ResolveSettings"/> into a <see cref="ResolveRequest"/>, collecting every problem.</summary>
    internal sealed class ResolvePlan
    {
        private ResolvePlan(ResolveRequest request, List<ResolveProblem> problems)
        {
            Request = request;
            Problems = problems;
        }

        public ResolveRequest Request { get; }
        public IReadOnlyList<ResolveProblem> Problems { get; }
        public bool CanRun => !Problems.Any(p => p.Terminating) && (Request.Names.Count > 0 && Request.Servers.Count > 0 || Request.Dispatch != null);

        public static ResolvePlan Create(ResolveSettings s)
        {
            var problems = new List<ResolveProblem>();
            var request = new ResolveRequest { Type = s.Type, Protocol = s.Protocol, MaxConcurrency = Math.Max(1, s.ThrottleLimit) };

            // Names
            bool defaults = s.Names is null || s.Names.Length == 0;
            var invalid = new List<KeyValuePair<string, string>>();
            request.Names = DomainResolver.NormalizeNames(defaults ? DomainResolver.DefaultNames() : s.Names!, invalid);
            request.DefaultNames = defaults;
            foreach (var bad in invalid)
                problems.Add(new ResolveProblem("DomainNameInvalid", $"'{bad.Key}' is not a valid domain name: {bad.Value}.", bad.Key, false));

            // Client options
            var client = new DnsClientOptions
            {
                Timeout = TimeSpan.FromSeconds(s.TimeoutSec),
                Retries = Math.Max(0, s.Retries),
                TcpFallback = !s.NoTcpFallback,
                DohMethod = s.DohMethod,
                DnssecOk = s.DnssecOk,
            };
            if (!string.IsNullOrEmpty(s.ClientSubnet))
            {
                if (ClientSubnet.TryParse(s.ClientSubnet, out var cs, out string? error)) client.ClientSubnet = cs;
                else problems.Add(new ResolveProblem("ClientSubnetInvalid", $"-ClientSubnet '{s.ClientSubnet}' is not a subnet: {error}. Use a.b.c.d/n or x::/n.", s.ClientSubnet!, true));
            }
            if (!string.IsNullOrEmpty(s.CertificatePath))
            {
                try { client.TrustedCertificate = CertificateValidation.Load(s.CertificatePath!); }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is CryptographicException || e is ArgumentException || e is NotSupportedException)
                {
                    problems.Add(new ResolveProblem("CertificateUnreadable", $"The certificate '{s.CertificatePath}' could not be read: {e.Message}", s.CertificatePath!, true));
                }
            }
            request.Client = client;

            // Servers: explicit ones, then presets; with neither, the system's resolvers.
            var servers = new List<DnsServer>();
            foreach (var text in s.Servers ?? Array.Empty<string>())
            {
                // "Mainland=1.2.3.4:53" / "Overseas=https://..." labels a server given by hand with a region for -Compare.
                string region = "Custom", address = text ?? string.Empty;
                int eq = address.IndexOf('=');
                if (eq > 0 && Enum.TryParse(address.Substring(0, eq).Trim(), true, out ResolverRegion labelled) && labelled != ResolverRegion.System
                    && !address.Substring(0, eq).Trim().All(char.IsDigit))
                {
                    region = labelled.ToString();
                    address = address.Substring(eq + 1);
                }
                if (DnsServer.TryParse(address, out var server, out string? error, region)) servers.Add(server!);
                else problems.Add(new ResolveProblem("DnsServerInvalid", $"-Server '{text}' is not a resolver: {error}.", text ?? string.Empty, false));
            }
            var regions = s.Regions ?? Array.Empty<ResolverRegion>();
            if (regions.Length == 0 && (s.Servers is null || s.Servers.Length == 0)) regions = new[] { ResolverRegion.System };
            foreach (var region in regions.Distinct())
            {
                var preset = ResolverPresets.Servers(region.ToString(), s.Protocol == DnsProtocol.Https, s.ResolvConfPath);
                if (preset.Count == 0)
                    problems.Add(new ResolveProblem("NoResolvers", region == ResolverRegion.System
                        ? "No system resolvers were found (" + (s.ResolvConfPath ?? "resolv.conf or the network adapters") + " list none). Give -Server or -Region Mainland/Overseas."
                        : $"The {region} preset has no {(s.Protocol == DnsProtocol.Https ? "DoH" : "plain")} resolvers.", region.ToString(), false));
                servers.AddRange(preset);
            }
            if (s.Protocol.HasValue && s.Protocol != DnsProtocol.Https)
            {
                foreach (var url in servers.Where(x => x.IsHttps).ToList())
                {
                    problems.Add(new ResolveProblem("DnsServerInvalid", $"{url} is a DNS-over-HTTPS URL; it cannot be asked over {s.Protocol}.", url.ToString(), false));
                    servers.Remove(url);
                }
            }
            request.Servers = servers.GroupBy(x => x.ToString(), StringComparer.OrdinalIgnoreCase).Select(g => g.First()).ToList();

            if (s.Dispatch)
                request.Dispatch = new DispatchRequestOptions { Uri = s.DispatchUri ?? DispatchRequestOptions.DefaultUri, Timeout = TimeSpan.FromSeconds(Math.Max(s.TimeoutSec * (1 + Math.Max(0, s.Retries)), 1)) };

            if (request.Servers.Count == 0 && request.Dispatch == null && !problems.Any(p => p.Terminating))
                problems.Add(new ResolveProblem("NoResolvers", problems.Any(p => p.ErrorId == "DnsServerInvalid")
                    ? "There is no resolver to ask: no -Server value is a resolver (see the DnsServerInvalid errors); give resolvers by address (223.5.5.5, [::1]:53) or a DoH URL, or -Region."
                    : "There is no resolver to ask: give -Server, -Region, or -Dispatch.", string.Empty, true));
            return new ResolvePlan(request, problems);
        }

        /// <summary>Total queries the plan will run (for progress).</summary>
        public int QueryCount => Request.Names.Count * Request.Servers.Count + (Request.Dispatch != null ? 1 : 0);

        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "{0} names x {1} servers", Request.Names.Count, Request.Servers.Count);
    }
}
