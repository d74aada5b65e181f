using System;

namespace WeChatNet.Fuzz
{
    /// <summary>A parser broke its contract on a fuzz input (an invariant, or its allocation budget).</summary>
    internal sealed class ContractViolation : Exception
    {
        public ContractViolation(string message) : base(message) { }
    }
}
