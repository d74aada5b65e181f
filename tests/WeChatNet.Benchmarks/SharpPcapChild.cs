using System;
using System.Linq;
using SharpPcap;
using SharpPcap.LibPcap;

namespace WeChatNet.Benchmarks
{
    /// <summary>
    /// The SharpPcap 6.3.1 capturing child of the live-capture benchmark (--sharppcap): the same settings as ours
    /// (buffered mode, 8 MiB kernel buffer, snap length 262144, BPF filter), written to a file by SharpPcap's own writer,
    /// until "stop" on stdin; prints the counts in the same words as our child.
    /// </summary>
    internal static class SharpPcapChild
    {
        public static string Run(string[] args)
        {
            string iface = args[1], filter = args[2], file = args[3];
            var device = LibPcapLiveDeviceList.New().FirstOrDefault(d => d.Name == iface)
                ?? throw new InvalidOperationException($"SharpPcap sees no interface named {iface}");
            device.Open(new DeviceConfiguration { Snaplen = 262144, BufferSize = 8 * 1024 * 1024, ReadTimeout = 100, Immediate = false });
            device.Filter = filter;
            using var writer = new CaptureFileWriterDevice(file);
            writer.Open(device);
            long captured = 0;
            device.OnPacketArrival += (_, e) =>
            {
                writer.Write(e.GetPacket());
                captured++;
            };
            device.StartCapture();
            Console.WriteLine("ready");
            Console.In.ReadLine();
            device.StopCapture();
            var s = device.Statistics;
            writer.Close();
            device.Close();
            return $"{captured} packets captured\n{s.ReceivedPackets} packets received by filter\n{s.DroppedPackets} packets dropped by kernel";
        }
    }
}
