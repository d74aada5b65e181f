using System;
using WeChatNet.WeChat;

namespace WeChatNet.SampleGenerator
{
    // Writes every sample capture and its expected-messages manifest into the folder given (default: samples).
    public static class Program
    {
        public static int Main(string[] args)
        {
            string dir = args.Length > 0 ? args[0] : "samples";
            foreach (var s in SampleCaptureGenerator.WriteAll(dir))
            {
                Console.WriteLine($"{s.FileName,-26} {s.Packets,5} packets {s.Expected.Count,4} messages  {s.Description}");
                if (s.KeyLog != null) Console.WriteLine($"{s.KeyLogFileName,-26} {s.KeyLogEntries,5} OUTER entries: every encrypted record of {s.FileName}");
            }
            return 0;
        }
    }
}
