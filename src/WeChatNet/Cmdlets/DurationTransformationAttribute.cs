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
                case int i: return TimeSpan.FromSeconds(i);
                case long l: return TimeSpan.FromSeconds(l);
                case double d: return TimeSpan.FromSeconds(d);
                case decimal m: return TimeSpan.FromSeconds((double)m);
                case string s when WeChatNet.Text.DurationText.TryParse(s, out var parsed): return parsed;
            }
            throw new ArgumentTransformationMetadataException(
                $"'{inputData}' is not a duration: use seconds (30), a unit ('90s', '5m', '1h', '500ms') or hh:mm:ss ('00:05:00').");
        }
    }
}
