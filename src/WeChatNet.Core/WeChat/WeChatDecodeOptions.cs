using System;
using System.Collections.Generic;
using WeChatNet.Streams;

namespace WeChatNet.WeChat
{
    /// <summary>What ConvertFrom-WeChatPacket decodes and within which bounds.</summary>
    internal sealed class WeChatDecodeOptions
    {
        public TcpReassemblyOptions Reassembly { get; set; } = new TcpReassemblyOptions();
        public HttpLimits Http { get; set; } = new HttpLimits();
        /// <summary>Frames longer than this end long-link decoding of a stream. Default 16 MiB.</summary>
        public uint MaxFrameLength { get; set; } = LongLinkHeader.DefaultMaxFrameLength;
        /// <summary>Show user identifiers instead of masking them.</summary>
        public bool ShowIdentifiers { get; set; }
        /// <summary>MMTLS keys (-KeyLogPath): records whose entries verify are decrypted; null decrypts nothing.</summary>
        public MmtlsKeyLog? KeyLog { get; set; }
        /// <summary>Kinds to emit; null or empty means all.</summary>
        public ICollection<WeChatMessageKind>? Kinds { get; set; }

        internal bool[] KindMask()
        {
            var mask = new bool[Enum.GetValues(typeof(WeChatMessageKind)).Length];
            for (int i = 0; i < mask.Length; i++) mask[i] = Kinds is null || Kinds.Count == 0;
            if (Kinds != null) foreach (var k in Kinds) mask[(int)k] = true;
            return mask;
        }
    }
}
