using System;
using System.Linq;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Management.Automation;
using System.Threading;
using WeChatNet.Capture;
using WeChatNet.WeChat;

namespace WeChatNet.Commands
{
    /// <summary>
    /// Decodes WeChat messages from packets (Import-WeChatCapture), capture files, or a single payload: long-link frames,
    /// MMTLS records, short-link exchanges, dispatch documents, DNS messages and probable VoIP datagrams.
    /// </summary>
    [Cmdlet(VerbsData.ConvertFrom, "WeChatPacket", DefaultParameterSetName = PacketSet)]
    [OutputType(typeof(LongLinkFrame), typeof(MmtlsRecord), typeof(ShortLinkExchange), typeof(Dispatch), typeof(DnsMessage),
        typeof(VoipPacket), typeof(StreamEvent))]
    public sealed class ConvertFromWeChatPacketCommand : PSCmdlet, IDisposable
    {
        private const string PacketSet = "Packet";
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string BytesSet = "Bytes";
        private const string HexSet = "Hex";

        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private WeChatDecodeSession? _session;

        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = PacketSet)]
        [ValidateNotNull]
        public Packet? Packet { get; set; }

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[]? LiteralPath { get; set; }

        /// <summary>One payload (TCP or UDP data).</summary>
        [Parameter(Mandatory = true, ParameterSetName = BytesSet)]
        [ValidateNotNull]
        public byte[]? Payload { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = HexSet)]
        [ValidateNotNullOrEmpty]
        public string? Hex { get; set; }

        [Parameter]
        public WeChatMessageKind[]? Kind { get; set; }

        [Parameter]
        public SwitchParameter ShowIdentifiers { get; set; }

        /// <summary>MMTLS key logs (file paths, no wildcards): records whose entries verify are decrypted. By property name too:
        /// Get-WeChatSample mmtls-keylog | ConvertFrom-WeChatPacket uses the sample's key log.</summary>
        [Parameter(ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = PacketSet)]
        [Parameter(ParameterSetName = BytesSet)]
        [Parameter(ParameterSetName = HexSet)]
        public string[]? KeyLogPath { get; set; }

        private string[]? _keyLogFrom;

        /// <summary>Out-of-order bytes buffered over all connections, in bytes (64MB by default; PowerShell's 64MB is 64 MiB).</summary>
        [Parameter]
        [ValidateRange(1024L * 1024L, 4096L * 1024L * 1024L)]
        public long MaxBufferSize { get; set; } = 64L * 1024L * 1024L;

        /// <summary>A connection without packets for this long (capture time) is released (default 15 minutes).</summary>
        [Parameter]
        [DurationTransformation]
        public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

        protected override void BeginProcessing()
        {
            if (IdleTimeout <= TimeSpan.Zero)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-IdleTimeout must be positive, not {IdleTimeout} (e.g. 30, '90s', '15m' or '00:15:00')."),
                    "IdleTimeoutInvalid", ErrorCategory.InvalidArgument, IdleTimeout));
            // Only the command line's value is bound here: empty there is a mistake (from a sample it means no key log).
            KeyLogPaths.RejectEmpty(this, KeyLogPath);
            _session = NewSession(KeyLogPath);
            _keyLogFrom = KeyLogPath;
        }

        private WeChatDecodeSession NewSession(string[]? keyLogPath)
        {
            var options = new WeChatDecodeOptions { ShowIdentifiers = ShowIdentifiers.IsPresent, Kinds = Kind, KeyLog = KeyLogPaths.Load(this, keyLogPath) };
            options.Reassembly.MaxBufferedBytesTotal = MaxBufferSize;
            options.Reassembly.IdleTimeout = IdleTimeout;
            return new WeChatDecodeSession(options);
        }

        /// <summary>
        /// A piped object with another key log (its KeyLogPath) starts a new decoding session for its files: what the
        /// previous files left open is completed first, as at the end of the command.
        /// </summary>
        private void KeyLogOfThisRecord()
        {
            if (ReferenceEquals(KeyLogPath, _keyLogFrom)) return;
            var keyLog = KeyLogPaths.NonEmpty(KeyLogPath);
            var previous = KeyLogPaths.NonEmpty(_keyLogFrom);
            _keyLogFrom = KeyLogPath;
            if (previous is null && keyLog is null) return;
            if (previous != null && keyLog != null && previous.SequenceEqual(keyLog, StringComparer.Ordinal)) return;
            CompleteSession(previous != null);
            _session = NewSession(keyLog);
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == PathSet || ParameterSetName == LiteralPathSet) KeyLogOfThisRecord();
            var session = _session!;
            switch (ParameterSetName)
            {
                case PacketSet:
                    WriteAll(session.AddPacket(Packet!));
                    break;
                case BytesSet:
                    WritePayload(session, Payload!, "byte array");
                    break;
                case HexSet:
                    if (!WeChatDecodeSession.TryParseHex(Hex, out var bytes, out var error))
                    {
                        WriteError(new ErrorRecord(new ArgumentException(error), "HexInvalid", ErrorCategory.InvalidArgument, Hex));
                        return;
                    }
                    WritePayload(session, bytes, "hex string");
                    break;
                default:
                    foreach (var file in CaptureFiles.Resolve(this, Path, LiteralPath)) ReadFile(session, file);
                    break;
            }
        }

        protected override void EndProcessing()
        {
            if (_session is null) return;
            if (ParameterSetName == BytesSet || ParameterSetName == HexSet)
            {
                if (KeyLogPath != null) KeyLogPaths.Report(this, _session.Decoder.Decryption);
                return;
            }
            CompleteSession(KeyLogPaths.NonEmpty(_keyLogFrom) != null);
        }

        private void CompleteSession(bool withKeyLog)
        {
            var session = _session!;
            WriteAll(session.Complete());
            if (withKeyLog) KeyLogPaths.Report(this, session.Decoder.Decryption);
            if (session.PacketsSeen > 0 && session.PacketsSkipped == session.PacketsSeen)
                WriteWarning($"None of the {session.PacketsSeen} packets was TCP or UDP over IP with its bytes (Packet.Data): nothing could be decoded.");
        }

        protected override void StopProcessing() => _cancel.Cancel();

        public void Dispose() => _cancel.Dispose();

        private void WriteAll(IReadOnlyList<object> messages)
        {
            foreach (var m in messages) WriteObject(m);
        }

        private void WritePayload(WeChatDecodeSession session, byte[] payload, string what)
        {
            var messages = session.AddPayload(payload, out bool recognised);
            WriteAll(messages);
            if (!recognised)
                WriteError(new ErrorRecord(new InvalidDataException(
                    $"The {what} ({payload.Length} bytes) is not a long-link frame, an MMTLS record or an HTTP message."),
                    "PayloadNotRecognized", ErrorCategory.InvalidData, payload.Length));
        }

        private void ReadFile(WeChatDecodeSession session, string file)
        {
            CaptureFiles.Read(this, file, "ConvertFrom-WeChatPacket", _cancel.Token, progress =>
            {
                foreach (var item in session.ReadFile(file, progress, _cancel.Token))
                {
                    if (item is CaptureFileError damage) WriteError(CaptureFiles.Damage(damage));
                    else WriteObject(item);
                }
            });
        }
    }
}
