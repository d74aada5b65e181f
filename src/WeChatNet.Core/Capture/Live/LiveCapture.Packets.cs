using System;
using System.Collections.Generic;
using WeChatNet.Packets;

namespace WeChatNet.Capture.Live
{
    internal sealed partial class LiveCapture
    {
        /// <summary>
        /// The captured packets as <see cref="WeChatNet.Packet"/> objects (the type Import-WeChatCapture emits), decoded on the
        /// calling thread as they arrive; otherwise as <see cref="ReadFrames"/>.
        /// </summary>
        public IEnumerable<Packet> ReadPackets(Action<CaptureProgress>? progress = null, TimeSpan? progressInterval = null)
        {
            foreach (var frame in ReadFrames(progress, progressInterval)) yield return ToPacket(frame);
        }

        private Packet ToPacket(CapturedFrame frame)
        {
            var decoded = PacketDecoder.Decode((ushort)frame.LinkType, frame.Data);
            return PacketFactory.Create(decoded, frame.Number, frame.TimestampNs, Interface, 0, frame.OriginalLength, frame.File);
        }
    }
}
