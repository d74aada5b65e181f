using System;
using System.Globalization;
using System.Management.Automation;

namespace WeChatNet.Commands
{
    /// <summary>
    /// Lets a TimeSpan parameter take what people type: a number of seconds (30, 1.5), a number with a unit ('90s', '5m', '2h',
    /// '500ms'), a TimeSpan string ('00:05:00') or a TimeSpan. Without it PowerShell reads 30 as 30 ticks and '30' as 30 days.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
            switch (value)
            {
                case null: return null;
                case TimeSpan t: return t;
                // Unquoted 90s is PowerShell's Int16 literal 90 (s is the short suffix), 10us a UInt16, 5l an Int64, 5u a UInt32:
                // all are seconds here, as the unit the user typed says.
                case byte b: return TimeSpan.FromSeconds(b);
                case sbyte sb: return TimeSpan.FromSeconds(sb);
                case short sh: return TimeSpan.FromSeconds(sh);
                case ushort us: return TimeSpan.FromSeconds(us);
                case int i: return TimeSpan.FromSeconds(i);
                case uint ui: return TimeSpan.FromSeconds(ui);
                case long l: return TimeSpan.FromSeconds(l);
                case ulong ul: return TimeSpan.FromSeconds(ul);
                case System.Numerics.BigInteger bi when bi <= long.MaxValue && bi >= long.MinValue: return TimeSpan.FromSeconds((long)bi);
                case double d: return TimeSpan.FromSeconds(d);
                case decimal m: return TimeSpan.FromSeconds((double)m);
                case string s when WeChatNet.Text.DurationText.TryParse(s, out var parsed): return parsed;
            }
            throw new ArgumentTransformationMetadataException(
                $"'{inputData}' is not a duration: use seconds (30), a unit ('90s', '5m', '1h', '500ms') or hh:mm:ss ('00:05:00').");
        }
    }
}
