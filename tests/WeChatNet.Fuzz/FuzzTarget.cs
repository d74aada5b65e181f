using System;

namespace WeChatNet.Fuzz
{
    /// <summary>
    /// One parser of untrusted bytes under fuzzing. <see cref="Run"/> feeds it one input and checks its contract: it
    /// returns normally when the parser gave a result or a typed error, and throws (a crash to afl-fuzz, a failure to
    /// xunit) for any other exception or a broken invariant (<see cref="ContractViolation"/>).
    /// </summary>
    internal abstract class FuzzTarget
    {
        /// <summary>The name used by build.ps1 -Task Fuzz -Target and the corpus folder (fuzz/corpus/NAME).</summary>
        public abstract string Name { get; }

        /// <summary>What the target reads, for the help text and docs/testing.md.</summary>
        public abstract string Description { get; }

        /// <summary>
        /// Bytes the parser may allocate for one input of <paramref name="inputLength"/> bytes. More is a memory blow-up:
        /// the parser's documented caps bound it, so a fixed allowance plus a multiple of the input is enough.
        /// </summary>
        public virtual long AllocationBudget(int inputLength) => 16L * 1024 * 1024 + 64L * inputLength;

        /// <summary>Feeds one input to the parser and checks the result. Throws on a contract violation.</summary>
        public abstract void Run(byte[] input);

        /// <summary>Throws <see cref="ContractViolation"/> when <paramref name="condition"/> is false.</summary>
        protected static void Require(bool condition, string what)
        {
            if (!condition) throw new ContractViolation(what);
        }
    }
}
