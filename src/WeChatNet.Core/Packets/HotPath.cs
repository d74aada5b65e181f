using System.Runtime.CompilerServices;

namespace WeChatNet.Packets
{
    /// <summary>
    /// MethodImplOptions.AggressiveOptimization (value 512, .NET Core 3.0+; ignored by .NET Framework), which
    /// netstandard2.0 does not name. Applied to the per-packet loop so a one-pass read over a big file runs fully
    /// optimised code from the first packet instead of waiting for tiered compilation.
    /// </summary>
    internal static class HotPath
    {
        public const MethodImplOptions Optimize = (MethodImplOptions)512;
    }
}
