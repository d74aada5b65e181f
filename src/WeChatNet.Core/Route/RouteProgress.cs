namespace WeChatNet
{
    /// <summary>Progress of a trace, reported once per round (for Write-Progress).</summary>
    internal sealed class RouteProgress
    {
        public RouteProgress(string target, int round, int rounds, int probesSent, int repliesReceived, int? destinationHop)
        {
            Target = target;
            Round = round;
            Rounds = rounds;
            ProbesSent = probesSent;
            RepliesReceived = repliesReceived;
            DestinationHop = destinationHop;
        }

        public string Target { get; }
        /// <summary>The round now being sent (1-based).</summary>
        public int Round { get; }
        public int Rounds { get; }
        public int ProbesSent { get; }
        public int RepliesReceived { get; }
        /// <summary>How far away the target is, once known.</summary>
        public int? DestinationHop { get; }
        public int PercentComplete => Rounds == 0 ? 0 : (int)System.Math.Min(100, 100.0 * (Round - 1) / Rounds);
    }
}
