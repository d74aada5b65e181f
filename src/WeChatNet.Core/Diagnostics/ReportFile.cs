using System;

namespace WeChatNet
{
    /// <summary>What Export-WeChatReport wrote: the file, its format, the sites and the findings it shows. Plain data.</summary>
    public sealed class ReportFile
    {
        public ReportFile(string path, string format, string[] sites, int objects, int errors, int warnings, int info, long bytes)
        {
            Path = path;
            Format = format;
            Sites = sites;
            Objects = objects;
            Errors = errors;
            Warnings = warnings;
            Info = info;
            Bytes = bytes;
        }

        public string Path { get; }
        /// <summary>Html or Markdown.</summary>
        public string Format { get; }
        /// <summary>The sites, in the order they were first seen ("" for one unnamed site).</summary>
        public string[] Sites { get; }
        public int SiteCount => Sites.Length;
        /// <summary>Report objects read from the pipeline.</summary>
        public int Objects { get; }
        /// <summary>Findings by severity, over all sites.</summary>
        public int Errors { get; }
        public int Warnings { get; }
        public int Info { get; }
        public long Bytes { get; }

        public override string ToString() => Path;
    }
}
