using WeChatNet.WeChat;

namespace WeChatNet.Fuzz.Targets
{
    /// <summary>Long-link frames (WeChat's 16-byte header and Mars' 20-byte demo header) through the stream decoder; see <see cref="StreamTarget"/>.</summary>
    internal sealed class LongLinkTarget : StreamTarget
    {
        public override string Name => "longlink";
        public override string Description => "long-link frames: 16-byte WeChat and 20-byte Mars headers, commands, resynchronisation after a hole";
        private WeChatDecodeOptions? _options;
        protected override WeChatDecodeOptions Options => _options ??= Bounded();
    }
}
