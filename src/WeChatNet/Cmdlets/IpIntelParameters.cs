using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using WeChatNet.IpIntel;

namespace WeChatNet.Commands
{
    /// <summary>Turns a cmdlet's -Database / prefix-file parameters into the IP intelligence it uses, or a terminating error.</summary>
    internal static class IpIntelParameters
    {
        public static IpIntelligence Resolve(PSCmdlet cmdlet, IEnumerable<string>? databases, string? mainlandPrefixFile, string? tencentPrefixFile)
        {
            string? Path(string? p) => p is null ? null : cmdlet.GetUnresolvedProviderPathFromPSPath(p);
            try
            {
                return IpIntelligence.ForCommand(databases?.Select(d => Path(d)!).ToList(), Path(mainlandPrefixFile), Path(tencentPrefixFile));
            }
            catch (FileNotFoundException e)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(e, "IpDataFileNotFound", ErrorCategory.ObjectNotFound, e.FileName));
            }
            catch (MmdbFormatException e)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(e, "IpDatabaseInvalid", ErrorCategory.InvalidData, databases));
            }
            catch (FormatException e)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(e, "IpDataFileInvalid", ErrorCategory.InvalidData, mainlandPrefixFile ?? tencentPrefixFile));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(e, "IpDataFileUnreadable", ErrorCategory.ReadError, null));
            }
            throw new InvalidOperationException("unreachable");
        }
    }
}
