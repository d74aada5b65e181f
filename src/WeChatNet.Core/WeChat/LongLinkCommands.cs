using System.Collections.Generic;

namespace WeChatNet.WeChat
{
    /// <summary>Long-link command ids and sequence conventions (wechat-wire-facts.md section 2).</summary>
    internal static class LongLinkCommands
    {
        public const uint ReplyOffset = 1_000_000_000;
        public const uint Heartbeat = 6;
        public const uint PushNotify = 24;
        public const uint Sync = 121;
        public const uint PushData = 122;
        public const uint Identify = 205;
        public const uint SignallingKeepAlive = 243;
        public const uint Login = 253;
        public const uint SyncDone = 1_000_000_190;

        public const uint HeartbeatSequence = 0xFFFFFFFF;
        public const uint IdentifySequence = 0xFFFFFFFE;
        public const uint PushSequence = 0;

        private static readonly Dictionary<uint, string> s_names = new Dictionary<uint, string>
        {
            [Heartbeat] = "Heartbeat",
            [Heartbeat + ReplyOffset] = "HeartbeatReply",
            [PushNotify] = "PushNotify",
            [Sync] = "Sync",
            [Sync + ReplyOffset] = "SyncReply",
            [PushData] = "PushData",
            [Identify] = "Identify",
            [Identify + ReplyOffset] = "IdentifyReply",
            [Login] = "Login",
            [Login + ReplyOffset] = "LoginReply",
            [SignallingKeepAlive] = "SignallingKeepAlive",
            [SyncDone] = "SyncDone",
        };

        /// <summary>The command's name, "Reply(n)" for an unknown reply, or "Cmd(n)".</summary>
        public static string Name(uint command)
        {
            if (s_names.TryGetValue(command, out var name)) return name;
            return command >= ReplyOffset && command != SyncDone ? "Reply(" + (command - ReplyOffset) + ")" : "Cmd(" + command + ")";
        }

        /// <summary>True for a reply command (request + 1,000,000,000). The sync-done acknowledgement is client-sent, not a reply.</summary>
        public static bool IsReply(uint command) => command >= ReplyOffset && command != SyncDone && command - ReplyOffset < ReplyOffset;

        /// <summary>What a sequence number means: Heartbeat, Identify, Push or Request.</summary>
        public static string SequenceKind(uint sequence) => sequence switch
        {
            HeartbeatSequence => "Heartbeat",
            IdentifySequence => "Identify",
            PushSequence => "Push",
            _ => "Request",
        };
    }
}
