using WeChatNet.Text;
using Xunit;

namespace WeChatNet.Tests.Text
{
    public sealed class WildcardTests
    {
        [Theory]
        [InlineData("szlong.weixin.qq.com", "*long*", true)]
        [InlineData("szlong.weixin.qq.com", "SZ*", true)]
        [InlineData("szlong.weixin.qq.com", "?zlong.weixin.qq.com", true)]
        [InlineData("szlong.weixin.qq.com", "[s-t]zlong*", true)]
        [InlineData("tzlong.weixin.qq.com", "[abc]zlong*", false)]
        [InlineData("szlong.weixin.qq.com", "*short*", false)]
        [InlineData("a*b", "a`*b", true)]
        [InlineData("axb", "a`*b", false)]
        [InlineData("", "*", true)]
        [InlineData("", "?", false)]
        [InlineData("abc", "abc", true)]
        [InlineData("abcd", "abc", false)]
        [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "*a*a*a*a*a*a*a*c", false)]
        public void MatchesLikePowerShell(string input, string pattern, bool expected)
        {
            Assert.Equal(expected, Wildcard.IsMatch(input, pattern));
        }

        [Theory]
        [InlineData("abc", false)]
        [InlineData("a*", true)]
        [InlineData("a?", true)]
        [InlineData("[ab]", true)]
        [InlineData("a`*", false)]
        public void DetectsWildcards(string pattern, bool expected) => Assert.Equal(expected, Wildcard.ContainsWildcard(pattern));
    }
}
