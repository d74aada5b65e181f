using System;

namespace WeChatNet.Packets
{
    /// <summary>
    /// The option encoding IPv4 and TCP share: kind 0 ends the list, kind 1 is a one-byte no-op, every other kind is
    /// followed by a length byte counting kind and length (so at least 2) and the value.
    /// </summary>
    internal static class TlvOptions
    {
        /// <summary>Offset within <paramref name="options"/> of the first malformed option, or -1 when all are well formed.</summary>
        [System.Runtime.CompilerServices.MethodImpl(HotPath.Optimize)]
        public static int FindMalformed(ReadOnlySpan<byte> options)
        {
            int i = 0;
            while (i < options.Length)
            {
                byte kind = options[i];
                if (kind == 0) return -1;
                if (kind == 1) { i++; continue; }
                if (i + 1 >= options.Length || options[i + 1] < 2 || i + options[i + 1] > options.Length) return i;
                i += options[i + 1];
            }
            return -1;
        }

        /// <summary>Finds the first option of <paramref name="kind"/>; <paramref name="value"/> excludes kind and length.</summary>
        public static bool TryFind(ReadOnlySpan<byte> options, byte kind, out ReadOnlySpan<byte> value)
        {
            int i = 0;
            while (i < options.Length)
            {
                byte k = options[i];
                if (k == 0) break;
                if (k == 1) { i++; continue; }
                if (i + 1 >= options.Length || options[i + 1] < 2 || i + options[i + 1] > options.Length) break;
                if (k == kind) { value = options.Slice(i + 2, options[i + 1] - 2); return true; }
                i += options[i + 1];
            }
            value = default;
            return false;
        }
    }
}
