using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using WeChatNet.Diagnostics;
using WeChatNet.Analysis;

namespace WeChatNet.Commands
{
    /// <summary>
    /// Writes one self-contained HTML (or Markdown) report from findings, route hops, connection tests, DNS answers,
    /// dispatch answers and flows taken from the pipeline, from one machine or many (grouped by PSComputerName, as
    /// Invoke-Command adds it, or by -Site). Objects may be live or deserialised (remoting, Import-Clixml).
    /// </summary>
    [Cmdlet(VerbsData.Export, "WeChatReport", SupportsShouldProcess = true, DefaultParameterSetName = OutputPaths.PathSet)]
    [OutputType(typeof(ReportFile))]
    public sealed class ExportWeChatReportCommand : PSCmdlet
    {
        private readonly FleetReportBuilder _builder = new FleetReportBuilder();

        /// <summary>The report file: .html/.htm (self-contained page) or .md/.markdown; wildcards match one existing file, as Export-Csv's -Path.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = OutputPaths.PathSet)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary>The report file, taken exactly as typed (a name with [ ] * ?), as Export-Csv's -LiteralPath.</summary>
        [Parameter(Mandatory = true, ParameterSetName = OutputPaths.LiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string? LiteralPath { get; set; }

        /// <summary>Findings, route hops, connection tests, DNS answers and comparisons, dispatch answers, flows.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [AllowNull]
        public PSObject? InputObject { get; set; }

        /// <summary>The site label for these objects (instead of their PSComputerName).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Site { get; set; }

        /// <summary>Replace an existing report.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        private string _target = "";

        protected override void BeginProcessing()
        {
            _target = OutputPaths.Resolve(this, Path, LiteralPath, "ReportWriteError");
            if (Directory.Exists(_target))
                ThrowTerminatingError(new ErrorRecord(new IOException($"'{_target}' is a folder: give the report's file name, for example '{System.IO.Path.Combine(_target, "wechat-report.html")}'."),
                    "ReportWriteError", ErrorCategory.WriteError, _target));
            if (DiagnosticReport.FormatOf(_target) is null)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"'{_target}': the report format is chosen by the extension: .html, .htm, .md or .markdown."),
                    "ReportFormatUnknown", ErrorCategory.InvalidArgument, _target));
            string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(_target));
            if (folder != null && !Directory.Exists(folder))
                ThrowTerminatingError(new ErrorRecord(new DirectoryNotFoundException($"The folder '{folder}' of the report does not exist."),
                    "ReportWriteError", ErrorCategory.ObjectNotFound, _target));
            if (!Force && File.Exists(_target))
                ThrowTerminatingError(new ErrorRecord(new ReportExistsException(_target), "ReportExists", ErrorCategory.ResourceExists, _target));
        }

        protected override void ProcessRecord()
        {
            var item = InputObject;
            if (item is null) return;
            if (item.BaseObject is ErrorRecord || item.TypeNames.Contains("Deserialized.System.Management.Automation.ErrorRecord"))
            {
                // An error of a site (Invoke-Command's, a job's) or of reaching it (New-PSSession's): the report names the site and why.
                var (errorSite, message) = SiteError(item);
                _builder.AddFailure(errorSite, message);
                return;
            }
            string site = Site ?? item.Properties["PSComputerName"]?.Value?.ToString() ?? item.Properties["Site"]?.Value?.ToString() ?? "";
            if (!_builder.Add(site, item.BaseObject is PSCustomObject ? item : item.BaseObject, item.TypeNames, PropertyOf))
                WriteVerbose($"Not a report object, skipped: {item.TypeNames.FirstOrDefault()}");
        }

        // The site of an error and its message. Its site: -Site; else where remoting says it came from (OriginInfo); else the
        // computer of the session that could not be opened (New-PSSession's TargetObject); else "[host] ..." at the start of
        // the message, as PowerShell writes connection errors; else a PSComputerName or Site property; else the unnamed site.
        private (string Site, string Message) SiteError(PSObject item)
        {
            string message;
            string? site = Site;
            if (item.BaseObject is ErrorRecord e)
            {
                message = e.ErrorDetails?.Message is { Length: > 0 } details ? details : e.Exception?.Message ?? e.ToString();
                site ??= (e as System.Management.Automation.Runspaces.RemotingErrorRecord)?.OriginInfo?.PSComputerName;
                site ??= NonEmpty(PropertyOf(e.TargetObject, "ComputerName")) ?? NonEmpty(PropertyOf(PropertyOf(e.TargetObject, "ConnectionInfo"), "ComputerName"));
            }
            else message = item.ToString();
            if (site is null)
            {
                var bracket = System.Text.RegularExpressions.Regex.Match(message, @"^\[([^\]\s]+)\] ");
                if (bracket.Success) site = bracket.Groups[1].Value;
            }
            site ??= NonEmpty(item.Properties["PSComputerName"]?.Value) ?? NonEmpty(item.Properties["Site"]?.Value) ?? "";
            return (site, message);
        }

        private static string? NonEmpty(object? value) => value?.ToString() is { Length: > 0 } s ? s : null;

        // Reads a property of a live object, a deserialised property bag or a nested one alike.
        private static object? PropertyOf(object? obj, string name)
        {
            if (obj is null) return null;
            var value = PSObject.AsPSObject(obj).Properties[name]?.Value;
            return value is PSObject p && !(p.BaseObject is PSCustomObject) ? p.BaseObject : value;
        }

        protected override void EndProcessing()
        {
            foreach (var pair in _builder.Ignored)
                WriteWarning($"{pair.Value} object(s) of type {pair.Key} are not part of a report and were left out " +
                             "(a report reads WeChatNet.Finding, RouteHop, ConnectionTest, DnsAnswer, DnsComparison, Dispatch, Flow, and error records).");
            var sites = _builder.Sites;
            var failed = sites.Where(s => s.Failures.Count > 0).ToList();
            if (failed.Count > 0)
                WriteWarning($"{failed.Count} site(s) failed or were not reached; the report names them and why: " +
                             string.Join("; ", failed.Select(s => (s.Name.Length == 0 ? "(local)" : s.Name) + ": " + s.Failures[0])));
            if (sites.Count == 0)
                WriteWarning("No report objects came from the pipeline: the report says so.");
            var format = DiagnosticReport.FormatOf(_target)!.Value;
            string what = sites.Count <= 1 ? "one site" : $"{sites.Count} sites";
            if (!ShouldProcess(_target, $"Write a {format} report of {what}")) return;
            try
            {
                FleetReport.Write(sites, _target, Force);
            }
            catch (ReportExistsException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "ReportExists", ErrorCategory.ResourceExists, _target));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                ThrowTerminatingError(new ErrorRecord(e, "ReportWriteError", ErrorCategory.WriteError, _target));
            }
            var findings = sites.SelectMany(s => s.Result.Findings).ToList();
            WriteObject(new ReportFile(_target, format.ToString(), sites.Select(s => s.Name).ToArray(), _builder.Objects,
                findings.Count(f => f.Severity == "Error"), findings.Count(f => f.Severity == "Warning"), findings.Count(f => f.Severity == "Info"),
                new FileInfo(_target).Length));
        }
    }
}
