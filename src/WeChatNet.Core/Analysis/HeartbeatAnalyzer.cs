using System;
using System.Collections.Generic;
using System.Linq;

namespace WeChatNet.Analysis
{
    /// <summary>Mars' smart-heartbeat constants (wechat-wire-facts.md section 6) and what heartbeat analysis assumes.</summary>
    internal sealed class HeartbeatOptions
    {
        public double MinIntervalSec { get; set; } = 210;
        public double MaxIntervalSec { get; set; } = 600;
        public double ProbeStepSec { get; set; } = 60;
        public double BackoffStepSec { get; set; } = 20;
        /// <summary>A heartbeat unanswered this long is missed.</summary>
        public double ReplyDeadlineMs { get; set; } = 8000;
        /// <summary>Record body lengths of encrypted heartbeat requests and replies (16-byte frame + 16-byte GCM tag).</summary>
        public int[] EncryptedHeartbeatLengths { get; set; } = { 0x20 };
        /// <summary>How far an interval may stray from a step and still count as that step.</summary>
        public double ToleranceSec { get; set; } = 8;
    }

    /// <summary>
    /// Heartbeats of long links: requests and replies (plaintext commands 6 / 1000000006, or encrypted records told by size
    /// and timing), reply latency, the interval series and how it moves against Mars' rules, missed replies, how the link
    /// ended, and the reconnect that followed.
    /// </summary>
    internal static class HeartbeatAnalyzer
    {
        public const long HeartbeatCommand = 6;
        public const long HeartbeatReplyCommand = 1_000_000_006;

        public static List<HeartbeatReport> Analyze(IReadOnlyList<Flow> flows, Func<int, IReadOnlyList<LongLinkObservation>> observationsOf,
            HeartbeatOptions? options = null)
        {
            options ??= new HeartbeatOptions();
            // A connect that carried no data (one of Mars' racing parallel connects, closed when another won) is no long link.
            var longLinks = flows.Where(f => f.Kind == "LongLink" && f.Protocol == "Tcp"
                && (f.PayloadToServer > 0 || f.PayloadToClient > 0 || observationsOf(f.Id).Count > 0)).OrderBy(f => f.Start).ToList();
            var reports = new List<HeartbeatReport>(longLinks.Count);
            // Mars keeps one long link at a time: an address whose long links overlap is more than one client (phones behind
            // one NAT, seen from the server), and there a link falling silent says nothing about a death.
            var shared = new HashSet<string>(longLinks.GroupBy(f => f.ClientAddress)
                .Where(g => g.Any(a => g.Any(b => a.Id != b.Id && a.Start < b.End && b.Start < a.End))).Select(g => g.Key));
            foreach (var flow in longLinks)
            {
                var report = AnalyzeOne(flow, observationsOf(flow.Id), options);
                var later = longLinks.Where(n => n.ClientAddress == flow.ClientAddress && n.Start > flow.Start && n.Id != flow.Id).ToList();
                report.Reconnects = later.Count;
                if (report.Ending == "Open" && !shared.Contains(flow.ClientAddress) && !ServerSideNotCaptured(flow))
                {
                    // Mars keeps one long link: a new one from the same client after this one fell silent means the client gave
                    // this one up. Seen from the server (or behind the NAT that dropped it), neither the unanswered heartbeat
                    // nor the client's reset arrives; the new link is what shows. The silence it did not survive ran until the
                    // client's heartbeat, the reply deadline before it gave up.
                    var replacement = later.Where(n => n.Start >= flow.End).OrderBy(n => n.Start).FirstOrDefault();
                    if (replacement != null)
                    {
                        report.Ending = "Replaced";
                        report.Died = true;
                        report.IdleBeforeEndSec = Math.Max(0, (replacement.Start - LastServerMessage(flow, observationsOf(flow.Id))).TotalSeconds - options.ReplyDeadlineMs / 1000);
                    }
                }
                if (report.Ending != "Open")
                {
                    var next = later.Where(n => n.Start >= flow.End.AddSeconds(-options.ReplyDeadlineMs / 1000)).OrderBy(n => n.Start).FirstOrDefault();
                    if (next != null)
                    {
                        report.ReconnectFlowId = next.Id;
                        report.ReconnectServer = next.Server;
                        // A replaced link's close was never seen: when the client gave it up is not in the capture.
                        report.ReconnectAfterMs = report.Ending == "Replaced" ? (double?)null : Math.Max(0, (next.Start - flow.End).TotalMilliseconds);
                    }
                }
                reports.Add(report);
            }
            return reports;
        }

        /// <summary>True when the capture holds no packet of the server's while the client acknowledged its data: one direction only.</summary>
        private static bool ServerSideNotCaptured(Flow flow) => flow.Protocol == "Tcp" && flow.PacketsToClient == 0 && flow.CaptureGapBytes > 0;

        /// <summary>The last message the server sent on the flow (its last packet when no message was seen).</summary>
        private static DateTimeOffset LastServerMessage(Flow flow, IReadOnlyList<LongLinkObservation> observations)
        {
            long last = long.MinValue;
            foreach (var o in observations) if (!o.FromClient && o.TimestampNs > last) last = o.TimestampNs;
            return last == long.MinValue ? flow.End : new DateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(0).UtcTicks + last / 100, TimeSpan.Zero);
        }

        public static HeartbeatReport AnalyzeOne(Flow flow, IReadOnlyList<LongLinkObservation> observations, HeartbeatOptions options)
        {
            var report = new HeartbeatReport
            {
                FlowId = flow.Id,
                Client = flow.Client,
                Server = flow.Server,
                ServerAddress = flow.ServerAddress,
                ServerPort = flow.ServerPort,
                Host = flow.Host,
                Start = flow.Start,
                End = flow.End,
            };
            report.Method = MethodOf(observations);
            // The client waits for a reply from its own side: where the capture sat, the round trip to the client is still to
            // come on top of what is measured here (none at the client, the whole path at the server).
            double toClientMs = flow.ClientSideRttMs ?? 0;
            long deadlineNs = (long)(Math.Max(0, options.ReplyDeadlineMs - toClientMs) * 1_000_000);

            var requests = new List<long>();
            var latencies = new List<double>();
            int missed = 0;
            long? pending = null;
            foreach (var o in observations.OrderBy(o => o.TimestampNs))
            {
                if (pending.HasValue && o.TimestampNs - pending.Value > deadlineNs)
                {
                    missed++;
                    pending = null;
                }
                if (IsRequest(o, options))
                {
                    if (pending.HasValue) missed++; // a new heartbeat before the last one was answered
                    requests.Add(o.TimestampNs);
                    pending = o.TimestampNs;
                }
                else if (IsReply(o, options) && pending.HasValue)
                {
                    latencies.Add((o.TimestampNs - pending.Value) / 1e6 + toClientMs);
                    pending = null;
                }
            }
            long endNs = ToNs(flow.End);
            if (pending.HasValue && (endNs - pending.Value > deadlineNs || flow.Closed)) missed++;

            report.Count = requests.Count;
            report.Replies = latencies.Count;
            // A capture of the client's side only (the client acknowledged server data it never showed) cannot tell a
            // reply that did not come from one it did not see.
            bool blind = ServerSideNotCaptured(flow);
            report.Missed = blind ? 0 : missed;
            // The first interval runs from the connection's start: Mars arms the heartbeat timer when the link comes up.
            var beats = new List<long>(requests.Count + 1);
            long startNs = ToNs(flow.Start);
            if (requests.Count > 0 && requests[0] > startNs) beats.Add(startNs);
            beats.AddRange(requests);
            report.IntervalsSec = beats.Zip(beats.Skip(1), (a, b) => (b - a) / 1e9).ToArray();
            if (report.IntervalsSec.Length > 0)
            {
                report.IntervalMinSec = report.IntervalsSec.Min();
                report.IntervalMaxSec = report.IntervalsSec.Max();
                report.IntervalMedianSec = Percentile(report.IntervalsSec, 50);
            }
            if (latencies.Count > 0)
            {
                report.ReplyLatencyP50Ms = Percentile(latencies, 50);
                report.ReplyLatencyP95Ms = Percentile(latencies, 95);
            }
            report.Pattern = DescribeIntervals(report.IntervalsSec, options);
            report.Ending = flow.Resets > 0 ? "ResetBy" + (flow.ResetBy == "Both" ? "Client" : flow.ResetBy)
                : flow.FinSequence.StartsWith("Client", StringComparison.Ordinal) ? "ClosedByClient"
                : flow.FinSequence.StartsWith("Server", StringComparison.Ordinal) ? "ClosedByServer"
                : "Open";
            // Death: the link closed and the last heartbeat before it went unanswered.
            report.Died = !blind && report.Ending != "Open" && LastRequestUnanswered(observations, options, deadlineNs);
            if (report.Ending != "Open" && !blind)
            {
                // The silence the link did not survive: for a death, up to the heartbeat that went unanswered (the
                // path had dropped the link by then); otherwise up to the close.
                long until = report.Died
                    ? observations.Where(o => IsRequest(o, options)).Select(o => o.TimestampNs).DefaultIfEmpty(endNs).Max()
                    : endNs;
                long from = observations.Where(o => !o.FromClient && o.TimestampNs <= until).Select(o => o.TimestampNs)
                    .DefaultIfEmpty(ToNs(flow.Start)).Max();
                report.IdleBeforeEndSec = Math.Max(0, (until - from) / 1e9);
            }
            return report;
        }

        /// <summary>
        /// How heartbeats were told: Plaintext (frames read), Decrypted (frames read from MMTLS records a key log decrypted),
        /// SizeAndTiming (encrypted records classified by size and timing: an inference), or Mixed (decrypted where the key
        /// log verified, size and timing elsewhere).
        /// </summary>
        public static string MethodOf(IReadOnlyList<LongLinkObservation> observations)
        {
            bool encrypted = false, decrypted = false;
            foreach (var o in observations)
            {
                encrypted |= o.Encrypted;
                decrypted |= o.Decrypted;
            }
            if (decrypted) return encrypted ? "Mixed" : "Decrypted";
            return encrypted && observations.All(o => o.Encrypted) ? "SizeAndTiming" : "Plaintext";
        }

        private static bool LastRequestUnanswered(IReadOnlyList<LongLinkObservation> observations, HeartbeatOptions options, long deadlineNs)
        {
            long? lastRequest = null;
            bool answered = false;
            foreach (var o in observations.OrderBy(o => o.TimestampNs))
            {
                if (IsRequest(o, options)) { lastRequest = o.TimestampNs; answered = false; }
                else if (IsReply(o, options) && lastRequest.HasValue && o.TimestampNs - lastRequest.Value <= deadlineNs) answered = true;
            }
            return lastRequest.HasValue && !answered;
        }

        internal static bool IsRequest(in LongLinkObservation o, HeartbeatOptions options) =>
            o.FromClient && (o.Encrypted ? Array.IndexOf(options.EncryptedHeartbeatLengths, o.RecordLength) >= 0 : o.Command == HeartbeatCommand);

        internal static bool IsReply(in LongLinkObservation o, HeartbeatOptions options) =>
            !o.FromClient && (o.Encrypted ? Array.IndexOf(options.EncryptedHeartbeatLengths, o.RecordLength) >= 0 : o.Command == HeartbeatReplyCommand);

        /// <summary>Puts the interval series into words, against Mars' smart-heartbeat rules.</summary>
        public static string DescribeIntervals(IReadOnlyList<double> intervals, HeartbeatOptions options)
        {
            if (intervals.Count < 2) return intervals.Count == 1 ? $"One interval of {intervals[0]:0} s: too few to judge" : "Too few heartbeats to judge";
            double tol = options.ToleranceSec;
            double median = Percentile(intervals, 50);
            bool Near(double a, double b) => Math.Abs(a - b) <= tol;
            var steps = intervals.Zip(intervals.Skip(1), (a, b) => b - a).ToList();
            // A probe step is +60 s, or a smaller rise that lands on the ceiling (570 -> 600).
            var ups = steps.Select((d, i) => Near(d, options.ProbeStepSec) || (d > tol && Near(intervals[i + 1], options.MaxIntervalSec))).Count(x => x);
            int backs = steps.Count(d => Near(d, -options.BackoffStepSec));
            int flats = steps.Count(d => Math.Abs(d) <= tol && !Near(d, options.ProbeStepSec));
            if (ups > 0 && ups + flats + backs == steps.Count)
            {
                string from = Near(intervals[0], options.MinIntervalSec) ? $" from {options.MinIntervalSec:0} s" : "";
                string tail = backs > 0 ? $", backing off {options.BackoffStepSec:0} s after failures" : "";
                string top = intervals[intervals.Count - 1] >= options.MaxIntervalSec - options.BackoffStepSec - tol ? $", reaching the {options.MaxIntervalSec:0} s ceiling" : "";
                return $"Mars smart heartbeat probing up{from} in {options.ProbeStepSec:0} s steps{tail}{top}";
            }
            if (backs > 0 && backs + flats == steps.Count)
                return $"Backing off {options.BackoffStepSec:0} s after failures, now about {intervals[intervals.Count - 1]:0} s";
            if (flats == steps.Count)
            {
                if (Near(median, options.MinIntervalSec))
                    return $"Stuck at the {options.MinIntervalSec:0} s minimum: Mars stays here while heartbeats fail";
                if (median >= options.MaxIntervalSec - options.BackoffStepSec - tol)
                    return $"Stable near the {options.MaxIntervalSec:0} s ceiling (about {median:0} s)";
                return $"Fixed about {median:0} s" + (median < options.MinIntervalSec - tol ? " (below Mars' 210 s minimum: not Mars' smart heartbeat)" : "");
            }
            return $"Irregular: {intervals.Min():0}-{intervals.Max():0} s, median {median:0} s";
        }

        public static double Percentile(IReadOnlyList<double> values, double p)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            if (sorted.Length == 0) return double.NaN;
            double rank = p / 100 * (sorted.Length - 1);
            int lo = (int)Math.Floor(rank), hi = (int)Math.Ceiling(rank);
            return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
        }

        private static long ToNs(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.FromUnixTimeMilliseconds(0).UtcTicks) * 100;
    }
}
