using System;
using System.IO;
using System.Linq;
using WeChatNet.Capture;
using WeChatNet.Packets;
using Xunit;

namespace WeChatNet.Tests.Capture
{
    public class CaptureFileWriterTests
    {
        [Fact]
        public void PcapNgRoundTripKeepsInterfacesNanosecondsAndComments()
        {
            var ms = new MemoryStream();
            using (var w = CaptureFileWriter.Create(ms, CaptureFileFormat.PcapNg, leaveOpen: true))
            {
                int eth = w.AddInterface((ushort)LinkType.Ethernet, 65535, "eth0", "uplink");
                int raw = w.AddInterface((ushort)LinkType.Raw, 0, "tun0");
                w.WritePacket(eth, 1_700_000_000_123_456_789L, new byte[] { 1, 2, 3, 4, 5 }, 1514, "first");
                w.WritePacket(raw, 1_700_000_001_000_000_001L, new byte[] { 0x45 }, 1);
                w.WritePacket(eth, 0, Array.Empty<byte>(), 0);
                Assert.Equal(3, w.PacketCount);
            }
            var (packets, errors, reader) = CaptureFileReaderTests.ReadAll(ms.ToArray());
            Assert.Empty(errors);
            Assert.Equal(3, packets.Count);
            Assert.Equal(1_700_000_000_123_456_789L, packets[0].Ns);
            Assert.Equal(1514, packets[0].Orig);
            Assert.Equal("first", packets[0].Comment);
            Assert.Equal(1, packets[1].Interface);
            Assert.Equal(1_700_000_001_000_000_001L, packets[1].Ns);
            Assert.Empty(packets[2].Data);
            Assert.Equal("eth0", reader.Interfaces[0].Name);
            Assert.Equal("uplink", reader.Interfaces[0].Description);
            Assert.Equal((ushort)LinkType.Raw, reader.Interfaces[1].LinkType);
        }

        [Fact]
        public void PcapRoundTripAndOneLinkTypeOnly()
        {
            var ms = new MemoryStream();
            using (var w = CaptureFileWriter.Create(ms, CaptureFileFormat.Pcap, leaveOpen: true))
            {
                int id = w.AddInterface((ushort)LinkType.LinuxSll2);
                Assert.Equal(0, w.AddInterface((ushort)LinkType.LinuxSll2));
                w.WritePacket(id, 5_000_000_007L, new byte[] { 9, 8 }, 100);
                var e = Assert.Throws<InvalidOperationException>(() => w.AddInterface((ushort)LinkType.Ethernet));
                Assert.Contains("PcapNg", e.Message);
            }
            var (packets, errors, reader) = CaptureFileReaderTests.ReadAll(ms.ToArray());
            Assert.Empty(errors);
            var p = Assert.Single(packets);
            Assert.Equal(5_000_000_007L, p.Ns);
            Assert.Equal(100, p.Orig);
            Assert.Equal((ushort)LinkType.LinuxSll2, reader.Interfaces[0].LinkType);
            Assert.Equal(9, reader.Interfaces[0].TimestampResolution);
        }

        [Fact]
        public void EmptyPcapStillHasAHeader()
        {
            var ms = new MemoryStream();
            using (CaptureFileWriter.Create(ms, CaptureFileFormat.Pcap, leaveOpen: true)) { }
            Assert.Equal(24, ms.Length);
            var (packets, errors, _) = CaptureFileReaderTests.ReadAll(ms.ToArray());
            Assert.Empty(packets);
            Assert.Empty(errors);
        }
    }
}
