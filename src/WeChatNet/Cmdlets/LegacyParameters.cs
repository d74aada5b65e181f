using System;
using System.Management.Automation;

namespace WeChatNet.Commands
{
    /// <summary>
    /// Old parameter names whose unit differs from the new parameter's (-TimeoutMs beside -Timeout, -MaxBufferedMB beside
    /// -MaxBufferSize) cannot be aliases: an alias cannot tell which name was typed, and 3000 given to -TimeoutMs must stay
    /// 3000 ms. They stay as hidden parameters ([Parameter(DontShow = true)]) in their old unit; this turns them into the new
    /// value, and refuses both at once (docs/conventions.md).
    /// </summary>
    internal static class LegacyParameters
    {
        public const string ConflictErrorId = "LegacyParameterConflict";

        /// <summary>The new parameter's value, or the old one converted when the script gave the old name.</summary>
        public static T Pick<T>(PSCmdlet cmdlet, string newName, T newValue, string oldName, Func<T> fromOld)
        {
            var bound = cmdlet.MyInvocation.BoundParameters;
            if (!bound.ContainsKey(oldName)) return newValue;
            if (bound.ContainsKey(newName))
                cmdlet.ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"-{oldName} and -{newName} are the same setting: give only -{newName} (-{oldName} is its old name, kept for scripts)."),
                    ConflictErrorId, ErrorCategory.InvalidArgument, oldName));
            var value = fromOld();
            cmdlet.WriteVerbose($"-{oldName} is the old name of -{newName} (kept for scripts, in its old unit): -{newName} {value}.");
            return value;
        }
    }
}
