using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using WeChatNet.IpIntel;

namespace WeChatNet.Commands
{
    /// <summary>
    /// The addresses a piped object carries with its name (a DnsAnswer's AddressesText or Addresses, a DispatchDomain's Addresses), as bound to a
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
                foreach (var part in Split(text))
                {
                    if (IpIntelligence.TryParseAddress(part, out var address)) addresses.Add(address);
                    else cmdlet.WriteError(new ErrorRecord(
                        new System.ArgumentException($"The piped address '{part}' for {name} is not an IPv4 or IPv6 address; it is skipped."),
                        "IpAddressInvalid", ErrorCategory.InvalidArgument, part));
                }
            }
            return addresses;
        }

        /// <summary>
        /// The addresses in one bound value: an address, or the text form of a list ("a; b", an AddressesText column after
        /// Export-Csv and Import-Csv, empty when the answer had none). An IP address never holds ';'.
        /// </summary>
        public static IEnumerable<string> Split(string text) =>
            text.Split(new[] { ';' }, System.StringSplitOptions.RemoveEmptyEntries).Select(t => t.Trim()).Where(t => t.Length > 0);
    }
}
