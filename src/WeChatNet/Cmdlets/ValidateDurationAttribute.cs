using System;
using System.Globalization;
using System.Management.Automation;

namespace WeChatNet.Commands
{
    /// <summary>A duration parameter's range, in seconds (after <see cref="DurationTransformationAttribute"/> made it a TimeSpan).</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateDurationAttribute : ValidateArgumentsAttribute
    {
        public ValidateDurationAttribute(double minimumSeconds, double maximumSeconds)
        {
            MinimumSeconds = minimumSeconds;
            MaximumSeconds = maximumSeconds;
        }

        public double MinimumSeconds { get; }
        public double MaximumSeconds { get; }

        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            object value = arguments is PSObject pso ? pso.BaseObject : arguments;
            if (value is TimeSpan t && t.TotalSeconds >= MinimumSeconds && t.TotalSeconds <= MaximumSeconds) return;
            throw new ValidationMetadataException(string.Format(CultureInfo.InvariantCulture,
                "The duration {0} is not between {1} and {2}: give seconds (30), a unit ('500ms', '90s', '5m') or hh:mm:ss.",
                value is TimeSpan d ? Text(d) : value?.ToString(), Text(TimeSpan.FromSeconds(MinimumSeconds)), Text(TimeSpan.FromSeconds(MaximumSeconds))));
        }

        private static string Text(TimeSpan t) =>
            t.TotalSeconds < 1 ? t.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + " ms"
            : t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
    }
}
