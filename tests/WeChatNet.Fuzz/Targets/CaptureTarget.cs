using System;
using System.IO;
using WeChatNet.Capture;

namespace WeChatNet.Fuzz.Targets
{
    /// <summary>
    /// The capture file reader on pcap and pcapng bytes (either byte order, every block type), as Import-WeChatCapture
    /// and every file-reading cmdlet use it: each record becomes a <see cref="Packet"/> and each damage a
    /// <see cref="CaptureFileError"/>. Contract: <see cref="CaptureFileReader.ReadNext"/> never throws, reaches
    /// EndOfFile, reports each damage inside the file, and every record lies inside the file.
    /// </summary>
    internal class CaptureTarget : FuzzTarget
    {
        public override string Name => "capture";
        public override string Description => "capture file reader: pcap and pcapng (CaptureFileReader, PacketFactory)";

        /// <summary>
        /// The reader's window starts at 256 KiB and grows only as bytes arrive (doubling), so a file costs a fixed
        /// allowance plus a multiple of its size, whatever its headers declare (before the fix of the first campaign,
        /// a 5 KB file whose record header declared 16 MiB made the reader allocate 16 MiB).
        /// </summary>
        public override long AllocationBudget(int inputLength) => 4L * 1024 * 1024 + 64L * inputLength;

        public override void Run(byte[] input) => Read(input, compressed: false);

        protected static void Read(byte[] input, bool compressed)
        {
            using var reader = CaptureFileReader.Open(new MemoryStream(input, writable: false), "fuzz.pcapng");
            // Every call either consumes bytes or ends: with no more calls than decompressed bytes the reader cannot spin.
            long limit = compressed ? 64L * 1024 * 1024 : input.Length + 16L;
            long calls = 0;
            while (true)
            {
                Require(++calls <= limit, $"ReadNext called {calls} times on {input.Length} bytes without reaching the end");
                var result = reader.ReadNext(out CaptureRecord record);
                if (result == CaptureReadResult.EndOfFile) break;
                if (result == CaptureReadResult.Error)
                {
                    var error = reader.LastError;
                    Require(error != null, "ReadNext returned Error without LastError");
                    Require(error!.Message.Length > 0 && error.File == "fuzz.pcapng", "an error that does not name the file");
                    Require(error.Offset >= 0 && (compressed || error.Offset <= input.Length), $"error offset {error.Offset} outside the {input.Length}-byte file");
                    _ = error.ErrorId;
                    continue;
                }
                Require(record.Data.Length <= CaptureFileReader.MaxRecordLength, $"a {record.Data.Length}-byte record is over the cap");
                Require(compressed || record.FileOffset + record.Data.Length <= input.Length, $"record at {record.FileOffset} of {record.Data.Length} bytes overruns the {input.Length}-byte file");
                Require(record.Number == reader.PacketCount, "record numbers are not consecutive");
                var packet = PacketFactory.Create(in record, "fuzz.pcapng");
                _ = packet.ToString();
                _ = record.CommentUtf8.Length;
                _ = record.PacketFlags;
            }
            Require(reader.Interfaces.Count <= 65536 * 4 && reader.Statistics.Count <= 65536 && reader.NameResolutions.Count <= 65536, "unbounded pcapng lists");
        }
    }
}
