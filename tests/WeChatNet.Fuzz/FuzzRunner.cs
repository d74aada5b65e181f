using System;

namespace WeChatNet.Fuzz
{
    /// <summary>Runs one input through a target and enforces the allocation budget (the same check in afl and in xunit).</summary>
    internal static class FuzzRunner
    {
        /// <summary>Runs <paramref name="input"/>; returns the bytes the target allocated for it.</summary>
        public static long Run(FuzzTarget target, byte[] input)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            target.Run(input);
            long used = GC.GetAllocatedBytesForCurrentThread() - before;
            long budget = target.AllocationBudget(input.Length);
            if (used > budget)
                throw new ContractViolation($"{target.Name}: {used:N0} bytes allocated for a {input.Length:N0}-byte input; the budget is {budget:N0}");
            return used;
        }
    }
}
