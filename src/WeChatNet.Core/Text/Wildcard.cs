using System;

namespace WeChatNet.Text
{
    /// <summary>
    /// Case-insensitive wildcard matching with PowerShell's rules: <c>*</c>, <c>?</c>, <c>[abc]</c>,
    /// <c>[a-z]</c>, and a backtick to escape the next character. Lives in the core so cmdlets and tests
    /// share one implementation.
    /// </summary>
    internal static class Wildcard
    {
        public static bool ContainsWildcard(string pattern)
        {
            if (pattern is null) throw new ArgumentNullException(nameof(pattern));
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '`') { i++; continue; }
                if (c == '*' || c == '?' || c == '[') return true;
            }
            return false;
        }

        /// <summary>Removes escape backticks from a pattern that has no wildcard.</summary>
        public static string Unescape(string pattern)
        {
            if (pattern.IndexOf('`') < 0) return pattern;
            var sb = new System.Text.StringBuilder(pattern.Length);
            for (int i = 0; i < pattern.Length; i++)
            {
                if (pattern[i] == '`' && i + 1 < pattern.Length) i++;
                sb.Append(pattern[i]);
            }
            return sb.ToString();
        }

        public static bool IsMatch(string input, string pattern)
        {
            if (input is null) throw new ArgumentNullException(nameof(input));
            if (pattern is null) throw new ArgumentNullException(nameof(pattern));
            // Iterative matcher with single-star backtracking: linear in practice, no recursion.
            int i = 0, p = 0, starP = -1, starI = 0;
            while (i < input.Length)
            {
                if (p < pattern.Length)
                {
                    char pc = pattern[p];
                    if (pc == '*')
                    {
                        starP = p++;
                        starI = i;
                        continue;
                    }
                    int consumed = MatchOne(input[i], pattern, p);
                    if (consumed > 0)
                    {
                        i++;
                        p += consumed;
                        continue;
                    }
                }
                if (starP < 0) return false;
                p = starP + 1;
                i = ++starI;
            }
            while (p < pattern.Length && pattern[p] == '*') p++;
            return p == pattern.Length;
        }

        // Returns how many pattern characters matched c (0 = no match).
        private static int MatchOne(char c, string pattern, int p)
        {
            char pc = pattern[p];
            if (pc == '?') return 1;
            if (pc == '`' && p + 1 < pattern.Length)
                return EqualsIgnoreCase(c, pattern[p + 1]) ? 2 : 0;
            if (pc == '[')
            {
                int close = pattern.IndexOf(']', p + 1);
                if (close < 0) return EqualsIgnoreCase(c, '[') ? 1 : 0;
                bool hit = false;
                for (int k = p + 1; k < close; k++)
                {
                    if (k + 2 < close && pattern[k + 1] == '-')
                    {
                        char lo = char.ToLowerInvariant(pattern[k]), hi = char.ToLowerInvariant(pattern[k + 2]);
                        char lc = char.ToLowerInvariant(c);
                        if (lc >= lo && lc <= hi) hit = true;
                        k += 2;
                    }
                    else if (EqualsIgnoreCase(c, pattern[k])) hit = true;
                }
                return hit ? close - p + 1 : 0;
            }
            return EqualsIgnoreCase(c, pc) ? 1 : 0;
        }

        private static bool EqualsIgnoreCase(char a, char b) =>
            a == b || char.ToLowerInvariant(a) == char.ToLowerInvariant(b);
    }
}
