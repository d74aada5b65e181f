using System;
using System.Globalization;

namespace WeChatNet.Text
{
    /// <summary>Durations as people type them: seconds (30, 1.5), with a unit ('90s', '5m', '2h', '500ms') or hh:mm:ss.</summary>
    internal static class DurationText
    {
        private static readonly (string Suffix, double Seconds)[] Units = { ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600) };

        public static bool TryParse(string? text, out TimeSpan value)
        {
            value = default;
            if (text is null) return false;
            string s = text.Trim().ToLowerInvariant();
            if (s.Length == 0) return false;
            foreach (var (suffix, seconds) in Units)
            {
                if (s.EndsWith(suffix, StringComparison.Ordinal) &&
                    double.TryParse(s.Substring(0, s.Length - suffix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out double n) &&
                    !double.IsNaN(n) && !double.IsInfinity(n) && Math.Abs(n * seconds) < TimeSpan.MaxValue.TotalSeconds)
                {
                    value = TimeSpan.FromSeconds(n * seconds);
                    return true;
                }
            }
            if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double plain) &&
                !double.IsNaN(plain) && !double.IsInfinity(plain) && Math.Abs(plain) < TimeSpan.MaxValue.TotalSeconds)
            {
                value = TimeSpan.FromSeconds(plain);
                return true;
            }
            return s.IndexOf(':') >= 0 && TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out value);
        }
    }
}
