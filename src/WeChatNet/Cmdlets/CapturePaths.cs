using System.Collections.Generic;
using System.IO;
using System.Management.Automation;

namespace WeChatNet.Commands
{
    /// <summary>Turns -Path arguments (wildcards, PowerShell drives) into capture file paths, reporting what does not resolve.</summary>
    internal static class CapturePaths
    {
        public static List<string> Resolve(PSCmdlet cmdlet, IEnumerable<string> paths)
        {
            var files = new List<string>();
            foreach (var p in paths)
            {
                try
                {
                    var resolved = cmdlet.GetResolvedProviderPathFromPSPath(p, out var provider);
                    if (provider.Name != "FileSystem")
                    {
                        cmdlet.WriteError(new ErrorRecord(new System.ArgumentException($"'{p}' is not a file-system path."), "CaptureFileNotFound", ErrorCategory.InvalidArgument, p));
                        continue;
                    }
                    if (resolved.Count == 0)
                        cmdlet.WriteError(new ErrorRecord(new ItemNotFoundException($"No file matches '{p}'."), "CaptureFileNotFound", ErrorCategory.ObjectNotFound, p));
                    foreach (var r in resolved)
                    {
                        if (Directory.Exists(r))
                            cmdlet.WriteError(new ErrorRecord(new IOException($"'{r}' is a directory, not a capture file."), "CaptureFileNotFound", ErrorCategory.InvalidArgument, r));
                        else files.Add(r);
                    }
                }
                catch (System.Exception e) when (e is ItemNotFoundException || e is System.Management.Automation.DriveNotFoundException || e is ProviderNotFoundException || e is System.NotSupportedException)
                {
                    cmdlet.WriteError(new ErrorRecord(e, "CaptureFileNotFound", ErrorCategory.ObjectNotFound, p));
                }
            }
            return files;
        }
    }
}
