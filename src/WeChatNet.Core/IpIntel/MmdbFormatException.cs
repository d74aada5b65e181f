using System;

namespace WeChatNet.IpIntel
{
    /// <summary>A MaxMind DB file that cannot be used; the message names the file and the problem.</summary>
    public sealed class MmdbFormatException : Exception
    {
        public MmdbFormatException(string message) : base(message) { }

        public MmdbFormatException(string message, Exception inner) : base(message, inner) { }
    }
}
