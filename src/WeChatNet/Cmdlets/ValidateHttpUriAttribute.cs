using System;
using System.Management.Automation;

namespace WeChatNet.Commands
{
    /// <summary>
    /// A -Uri / -DispatchUri must be an absolute http:// or https:// address: anything else (ftp://x, a relative path) is a
    /// parameter error when PowerShell binds it, before any request is made.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateHttpUriAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            object value = arguments is PSObject pso ? pso.BaseObject : arguments;
            if (value is Uri uri && uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)) return;
            string text = value is Uri u ? u.OriginalString : value?.ToString() ?? "";
            throw new ValidationMetadataException(
                $"'{text}' is not an absolute http:// or https:// address: give the dispatch URL, for example http://dns.weixin.qq.com/cgi-bin/micromsg-bin/newgetdns.");
        }
    }
}
