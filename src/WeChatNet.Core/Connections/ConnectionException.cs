using System;

namespace WeChatNet.Connections
{
    /// <summary>The socket table could not be read; <see cref="ErrorId"/> is the module's error id.</summary>
    internal sealed class ConnectionException : Exception
    {
        /// <summary>The platform has no socket-table implementation (macOS today).</summary>
        public const string NotSupported = "ConnectionTableNotSupported";
        /// <summary>The system refused or failed to give the table (netlink or IP Helper error).</summary>
        public const string Unavailable = "ConnectionTableUnavailable";

        public ConnectionException(string errorId, string message, Exception? inner = null) : base(message, inner)
        {
            ErrorId = errorId;
        }

        public string ErrorId { get; }
    }
}
