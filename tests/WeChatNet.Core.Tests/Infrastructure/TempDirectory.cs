using System;
using System.IO;

namespace WeChatNet.Tests.Infrastructure
{
    /// <summary>A directory named after the test, removed on dispose even when the test fails.</summary>
    public sealed class TempDirectory : IDisposable
    {
        public TempDirectory(string testName)
        {
            Path = Directory.CreateTempSubdirectory($"wechatnet-{testName}-").FullName;
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
