using System;
using WeChatNet.Text;
using Xunit;

namespace WeChatNet.Tests.Text
{
    public sealed class DurationTextTests
    {
        [Theory]
        [InlineData("30", 30)]
        [InlineData("1.5", 1.5)]
        [InlineData("90s", 90)]
        [InlineData(" 5m ", 300)]
        [InlineData("2H", 7200)]
        [InlineData("500ms", 0.5)]
        [InlineData("00:05:00", 300)]
        [InlineData("1:00:00", 3600)]
        public void ReadsWhatPeopleType(string text, double seconds)
        {
            Assert.True(DurationText.TryParse(text, out var value));
            Assert.Equal(TimeSpan.FromSeconds(seconds), value);
        }

        [Theory]
        [InlineData("")]
        [InlineData("soon")]
        [InlineData("5 minutes")]
        [InlineData("1e300")]
        [InlineData("NaN")]
        [InlineData(null)]
        public void RejectsTheRest(string? text) => Assert.False(DurationText.TryParse(text, out _));
    }
}
