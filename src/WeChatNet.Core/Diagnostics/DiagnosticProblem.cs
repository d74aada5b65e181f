using System;
using System.Collections.Generic;
using System.Net.Sockets;
using System.Threading;
using WeChatNet.Capture;
using WeChatNet.Connectivity;
using WeChatNet.IpIntel;
using WeChatNet.WeChat;
using WeChatNet.Analysis;

namespace WeChatNet.Diagnostics
{
    /// <summary>A problem met on the way that did not stop the diagnostic (the cmdlet writes it as a non-terminating error).</summary>
    internal sealed class DiagnosticProblem
    {
        public DiagnosticProblem(string errorId, string message, string target)
        {
            ErrorId = errorId;
            Message = message;
            Target = target;
        }

        public string ErrorId { get; }
        public string Message { get; }
        public string Target { get; }
        public override string ToString() => $"{ErrorId}: {Message}";
    }
}
