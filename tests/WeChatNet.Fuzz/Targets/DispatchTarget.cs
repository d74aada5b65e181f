using System;
using WeChatNet.WeChat;

namespace WeChatNet.Fuzz.Targets
{
    /// <summary>
    /// The dispatch document parser (newgetdns answers): plain XML, zlib, raw deflate or gzip, then the &lt;dns&gt;
    /// document. Contract: a <see cref="Dispatch"/> or a <see cref="DispatchParseError"/> with a message; never an
    /// exception; inflation stays under the 1 MiB cap (the allocation budget catches a bomb that gets past it).
    /// </summary>
    internal sealed class DispatchTarget : FuzzTarget
    {
        public override string Name => "dispatch";
        public override string Description => "dispatch document parser: zlib/raw deflate/gzip, then the <dns> XML";

        /// <summary>The 1 MiB inflate cap is read in 8 KiB steps into a growing buffer, then parsed as XML: a few times the cap.</summary>
        public override long AllocationBudget(int inputLength) => 24L * DispatchParseOptions.DefaultMaxBytes + 64L * inputLength;

        public override void Run(byte[] input)
        {
            var error = DispatchDocument.TryParse(input, new DispatchParseOptions { Source = "fuzz" }, out var dispatch, out string message);
            if (error == DispatchParseError.None)
            {
                Require(dispatch != null, "success without a dispatch");
                _ = dispatch!.ToString();
                foreach (var d in dispatch.Domains) _ = d.ToString();
            }
            else
            {
                Require(dispatch is null, $"{error} with a dispatch");
                Require(!string.IsNullOrEmpty(message), $"{error} without a message");
            }
        }
    }
}
