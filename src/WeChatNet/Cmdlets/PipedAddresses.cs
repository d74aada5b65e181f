using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using WeChatNet.IpIntel;

namespace WeChatNet.Commands
{
    /// <summary>
    /// The addresses a piped object carries with its name (a DnsAnswer's or a DispatchDomain's Addresses), as bound to a
    /// cmdlet's -ResolvedAddress: what Test-WeChatConnection and Get-WeChatRoute use instead of resolving the name again.
    /// </summary>
    internal static class PipedAddresses
    {
        /// <summary>The addresses among <paramref name="items"/>; each one that is not an IP address is a non-terminating IpAddressInvalid.</summary>
        public static List<IPAddress> Parse(PSCmdlet cmdlet, IEnumerable<object?> items, string name)
        {
            var addresses = new List<IPAddress>();
            foreach (var item in items)
            {
                object? value = item is PSObject pso ? pso.BaseObject : item;
                string text = value is DispatchAddress d ? d.Address : value?.ToString() ?? string.Empty;
                if (IpIntelligence.TryParseAddress(text, out var address)) addresses.Add(address);
                else cmdlet.WriteError(new ErrorRecord(
                    new System.ArgumentException($"The piped address '{text}' for {name} is not an IPv4 or IPv6 address; it is skipped."),
                    "IpAddressInvalid", ErrorCategory.InvalidArgument, text));
            }
            return addresses;
        }
    }
}
