namespace WeChatNet
{
    /// <summary>A sample capture shipped with the module (Get-WeChatSample). Pipe it to ConvertFrom-WeChatPacket.</summary>
    public sealed class WeChatSample
    {
        public WeChatSample(string name, string path, string description, long packets, long messages, long sizeBytes, string? keyLogPath = null)
        {
            KeyLogPath = keyLogPath;
            Name = name;
            Path = path;
            Description = description;
            Packets = packets;
            Messages = messages;
            SizeBytes = sizeBytes;
        }

        public string Name { get; }
        /// <summary>Full path of the pcapng file (binds to -Path of ConvertFrom-WeChatPacket and Import-WeChatCapture).</summary>
        public string Path { get; }
        public string Description { get; }
        public long Packets { get; }
        /// <summary>How many messages the generator wrote (the decoder must find exactly these).</summary>
        public long Messages { get; }
        public long SizeBytes { get; }
        /// <summary>Full path of the sample's key log (<c>name.keys</c>, for -KeyLogPath) when it has one; null otherwise.</summary>
        public string? KeyLogPath { get; }

        public override string ToString() => Path;
    }
}
