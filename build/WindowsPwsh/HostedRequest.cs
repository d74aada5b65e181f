using System;
using System.Collections.Generic;

namespace WeChatNet.Build.WindowsPwsh
{
    /// <summary>The part of pwsh's command line the hosted mode understands: -File with arguments, or -Command.</summary>
    internal sealed class HostedRequest
    {
        public string? File { get; private set; }

        public string? Command { get; private set; }

        public List<string> Arguments { get; } = new List<string>();

        /// <summary>Null when the command line holds anything else (then the console host takes it).</summary>
        public static HostedRequest? Parse(string[] args)
        {
            var request = new HostedRequest();
            for (var i = 0; i < args.Length; i++)
            {
                var a = args[i].ToLowerInvariant();
                if (a is "-noprofile" or "-nop" or "-noninteractive" or "-nologo")
                {
                    continue;
                }
                if ((a is "-executionpolicy" or "-ep") && i + 1 < args.Length)
                {
                    i++;
                    continue;
                }
                if ((a is "-file" or "-f") && i + 1 < args.Length)
                {
                    request.File = args[i + 1];
                    for (var j = i + 2; j < args.Length; j++)
                    {
                        request.Arguments.Add(args[j]);
                    }
                    return request;
                }
                if ((a is "-command" or "-c") && i + 1 < args.Length)
                {
                    request.Command = string.Join(" ", args, i + 1, args.Length - i - 1);
                    return request;
                }
                return null;
            }
            return null;
        }
    }
}
