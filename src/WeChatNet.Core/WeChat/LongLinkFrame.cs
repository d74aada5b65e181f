namespace WeChatNet
{
    /// <summary>One long-link frame (16-byte WeChat header, or Mars' 20-byte demo header).</summary>
    public sealed class LongLinkFrame : WeChatMessage
    {
        public override string Kind => "LongLinkFrame";
        /// <summary>WeChat16 or MarsDemo20 (Mars' open-source demo packer, not WeChat's own format).</summary>
        public string HeaderFormat { get; internal set; } = "";
        /// <summary>Frame length including the header.</summary>
        public long Length { get; internal set; }
        public int HeaderLength { get; internal set; }
        public long BodyLength { get; internal set; }
        /// <summary>Protocol version (WeChat16) or client version (MarsDemo20).</summary>
        public long Version { get; internal set; }
        public long Command { get; internal set; }
        /// <summary>Heartbeat, HeartbeatReply, PushNotify, Sync, SyncReply, PushData, Identify, Login, SignallingKeepAlive, SyncDone; Cmd(n) or Reply(n) otherwise.</summary>
        public string CommandName { get; internal set; } = "";
        public long Sequence { get; internal set; }
        /// <summary>Heartbeat (0xFFFFFFFF), Identify (0xFFFFFFFE), Push (0) or Request.</summary>
        public string SequenceKind { get; internal set; } = "";
        /// <summary>True for a reply (command = request + 1,000,000,000).</summary>
        public bool IsReply { get; internal set; }
        /// <summary>For a reply: the request command it answers.</summary>
        public long? RequestCommand { get; internal set; }
        /// <summary>For a reply paired with its request on the same connection: time since the request, in ms.</summary>
        public double? RoundTripMs { get; internal set; }
        /// <summary>True when the frame was read from a decrypted MMTLS record (-KeyLogPath), false for a plaintext long link.</summary>
        public bool Decrypted { get; internal set; }

        public override string Summary
        {
            get
            {
                string rtt = RoundTripMs.HasValue ? $" rtt {RoundTripMs.Value:0.#} ms" : "";
                string fmt = HeaderFormat == "MarsDemo20" ? " [Mars demo header]" : "";
                string dec = Decrypted ? " [decrypted]" : "";
                return $"{CommandName} cmd={Command} seq={(Sequence == 0xFFFFFFFF ? "0xFFFFFFFF" : Sequence == 0xFFFFFFFE ? "0xFFFFFFFE" : Sequence.ToString())} len={Length}{rtt}{fmt}{dec}";
            }
        }
    }
}
