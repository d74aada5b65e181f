using System;
using System.Management.Automation;
using WeChatNet.IpIntel;

namespace WeChatNet.Commands
{
    /// <summary>Who holds an address and where it is: region, country, AS, owner (Tencent), and which data said so.</summary>
    [Cmdlet(VerbsCommon.Get, "WeChatIpInfo")]
    [OutputType(typeof(IpInfo))]
    public sealed class GetWeChatIpInfoCommand : PSCmdlet
    {
        private IpIntelligence? _intel;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        // ServerAddress first: a Flow (Get-WeChatFlow) binds its server's address by property name, before its "ip:port" Server.
        // Addresses before Server: a DnsAnswer (Resolve-WeChatDomain) binds the addresses it resolved, not its resolver; an
        // answer without addresses (NXDOMAIN, a timeout) has nothing to label and binds an empty list.
        // AddressesText ahead of Addresses: it survives Export-Csv and Import-Csv ("a; b"), where Addresses becomes 'System.String[]'.
        [Alias("ServerAddress", "IPAddress", "AddressesText", "Addresses", "Server", "Destination", "RemoteAddress")]
        [AllowEmptyString]
        [AllowEmptyCollection]
        public string[] Address { get; set; } = Array.Empty<string>();

        /// <summary>MaxMind DB files (GeoLite2/DB-IP City, Country or ASN) consulted before the built-in tables.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? Database { get; set; }

        /// <summary>A newer copy of the mainland-China prefix list (chnroutes2 format).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? MainlandPrefixFile { get; set; }

        /// <summary>A newer copy of the Tencent AS prefix list.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? TencentPrefixFile { get; set; }

        protected override void BeginProcessing()
        {
            _intel = IpIntelParameters.Resolve(this, Database, MainlandPrefixFile, TencentPrefixFile);
        }

        protected override void ProcessRecord()
        {
            foreach (var given in Address)
            {
                // From the pipeline, an empty value is an answer without addresses: nothing to label. Typed, it is a mistake.
                if (string.IsNullOrWhiteSpace(given))
                {
                    if (!MyInvocation.ExpectingInput)
                        WriteError(new ErrorRecord(new ArgumentException("An address is empty. Give IP addresses."), "IpAddressInvalid",
                            ErrorCategory.InvalidArgument, given));
                    continue;
                }
                // One value may be the text form of a list ("a; b": an AddressesText column).
                foreach (var address in PipedAddresses.Split(given)) Label(address);
            }
        }

        private void Label(string address)
        {
            try
            {
                WriteObject(_intel!.Lookup(address));
            }
            catch (FormatException e)
            {
                WriteError(new ErrorRecord(
                    new ArgumentException(e.Message + " Give IP addresses; resolve host names first (for example with Resolve-WeChatDomain).", e),
                    "IpAddressInvalid", ErrorCategory.InvalidArgument, address));
            }
            catch (MmdbFormatException e)
            {
                WriteError(new ErrorRecord(e, "IpDatabaseInvalid", ErrorCategory.InvalidData, address));
            }
        }
    }
}
