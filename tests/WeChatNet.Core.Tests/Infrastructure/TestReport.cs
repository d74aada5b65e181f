using System;
using System.IO;

namespace WeChatNet.Tests.Infrastructure
{
    /// <summary>
    /// Lines a passing test must still show in the CI log (how many packets or answers a differential oracle compared):
    /// xunit prints a passing test's output only at detailed verbosity, so they are appended to
    /// out/TestResults/xunit-report.txt, which build.ps1 empties before the xunit run and prints after it.
    /// </summary>
    internal static class TestReport
    {
        private static readonly object Gate = new object();

        public static void Line(string text)
        {
            string path = Path.Combine(ExternalTool.RepoRoot, "out", "TestResults", "xunit-report.txt");
            lock (Gate)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.AppendAllText(path, text + Environment.NewLine);
            }
        }
    }
}
