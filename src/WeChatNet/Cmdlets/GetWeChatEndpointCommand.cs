using System.Collections.Generic;
using System.Management.Automation;
using WeChatNet.WeChat;

namespace WeChatNet.Commands
{
    /// <summary>Lists WeChat's hosts from the catalog: role, family, region, ports, operator.</summary>
    [Cmdlet(VerbsCommon.Get, "WeChatEndpoint")]
    [OutputType(typeof(Endpoint))]
    public sealed class GetWeChatEndpointCommand : PSCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(EndpointNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        [Parameter]
        public EndpointRole[]? Role { get; set; }

        [Parameter]
        public EndpointFamily[]? Family { get; set; }

        [Parameter]
        public EndpointRegion[]? Region { get; set; }

        protected override void ProcessRecord()
        {
            var endpoints = EndpointCatalog.Default.Query(Name, Role, Family, Region, out IReadOnlyList<string> unmatched);
            foreach (var endpoint in endpoints) WriteObject(endpoint);
            foreach (var name in unmatched)
            {
                WriteError(new ErrorRecord(
                    new ItemNotFoundException($"'{name}' is not a WeChat host the catalog knows. Use wildcards (e.g. '*{name}*') or run Get-WeChatEndpoint without -Name to list every host."),
                    "EndpointNotFound", ErrorCategory.ObjectNotFound, name));
            }
        }
    }
}
