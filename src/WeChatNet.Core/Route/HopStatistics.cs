using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace WeChatNet.Route
{
    /// <summary>
    /// Turns the probes of each TTL into mtr-style statistics, then reads the path as a whole: loss that does not
    /// carry on to later hops (ICMP rate limiting, not real loss), silent routers, where real loss begins, and the
    /// biggest latency step.
    /// </summary>
    internal static class HopStatistics
    {
        /// <summary>Steps smaller than this are jitter, not a place worth flagging.</summary>
        public const double MinimumFlaggedStepMs = 1.0;

        /// <summary>Statistics of one hop from its completed probes (probes still in flight are left out).</summary>
        public static RouteHop Build(int hop, IEnumerable<Probe> probes, RouteHop template)
        {
            var done = probes.Where(p => p.IsComplete).OrderBy(p => p.Round).ToList();
            var answered = done.Where(p => p.State == ProbeState.Answered).ToList();
            var result = new RouteHop
            {
                Target = template.Target,
                TargetAddress = template.TargetAddress,
                Protocol = template.Protocol,
                Port = template.Port,
                Hop = hop,
                Sent = done.Count,
                Received = answered.Count,
                LossPercent = done.Count == 0 ? 0 : Math.Round(100.0 * (done.Count - answered.Count) / done.Count, 1),
            };
            if (answered.Count == 0) return result;

            var addresses = new List<string>();
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var p in answered)
            {
                string a = p.Responder!.ToString();
                if (!counts.ContainsKey(a)) { counts[a] = 0; addresses.Add(a); }
                counts[a]++;
            }
            result.Addresses = addresses.ToArray();
            result.Address = addresses.OrderByDescending(a => counts[a]).First();
            var owner = IpIntel.IpIntelligence.TryLookup(result.Address);
            result.Region = owner?.Region;
            result.Owner = owner?.Owner;
            result.Asn = owner?.Asn;
            result.IsDestination = answered.Any(p => p.FromTarget);
            var last = answered[answered.Count - 1];
            result.Reply = (result.IsDestination ? answered.Last(p => p.FromTarget) : last).Kind.ToString();
            var rtts = answered.Select(p => p.RttMs).ToList();
            result.LastMs = Round(last.RttMs);
            result.AvgMs = Round(rtts.Average());
            result.BestMs = Round(rtts.Min());
            result.WorstMs = Round(rtts.Max());
            result.StDevMs = Round(StDev(rtts));
            return result;
        }

        /// <summary>Sample standard deviation (n - 1), 0 for a single value.</summary>
        public static double StDev(IReadOnlyList<double> values)
        {
            if (values.Count < 2) return 0;
            double mean = values.Average();
            double sum = 0;
            foreach (var v in values) sum += (v - mean) * (v - mean);
            return Math.Sqrt(sum / (values.Count - 1));
        }

        private static double Round(double ms) => Math.Round(ms, 3);

        /// <summary>
        /// Notes, latency steps and the biggest-step flag over a path (hops in order), from what is known so far:
        /// loss at a hop is compared with the hops behind it that answered.
        /// </summary>
        public static void Annotate(IList<RouteHop> hops)
        {
            RouteHop? previousAnswering = null;
            RouteHop? biggest = null;
            bool lossNoted = false;
            for (int i = 0; i < hops.Count; i++)
            {
                var h = hops[i];
                h.Note = null;
                h.IsBiggestStep = false;
                h.StepMs = null;
                var later = hops.Skip(i + 1).Where(x => x.Received > 0).ToList();
                if (h.Received == 0)
                {
                    if (h.Sent == 0) continue;
                    h.Note = later.Count > 0
                        ? "No reply: this router does not answer probes (or its replies are filtered). Not loss: later hops answer."
                        : "No reply from here on: the target or a firewall on the way drops the probes or their replies.";
                    continue;
                }

                if (h.BestMs is double best && previousAnswering?.BestMs is double before)
                {
                    h.StepMs = Math.Round(best - before, 3);
                    if (h.StepMs >= MinimumFlaggedStepMs && (biggest is null || h.StepMs > biggest.StepMs)) biggest = h;
                }
                else if (h.BestMs is double first && previousAnswering is null)
                {
                    h.StepMs = first;
                    if (first >= MinimumFlaggedStepMs && (biggest is null || first > biggest.StepMs)) biggest = h;
                }
                previousAnswering = h;

                // A router that answers with an error other than "time exceeded" ends the path: every probe from its TTL up
                // reached it at once, and routers rate-limit those errors (Linux: a burst of 5, then 1 a second), so its
                // unanswered probes measure that limit, not loss on the way.
                bool endsPath = h.Reply != null && !h.IsDestination && h.Reply != nameof(ReplyKind.TimeExceeded);
                if (endsPath) Append(h, $"This router answered {h.Reply}: the target is not reachable past it.");
                if (h.LossPercent > 0 && endsPath)
                {
                    Append(h, "Routers rate-limit these errors, so its unanswered probes are not loss.");
                }
                else if (h.LossPercent > 0)
                {
                    double minLater = later.Count == 0 ? double.NaN : later.Min(x => x.LossPercent);
                    if (later.Count > 0 && minLater < h.LossPercent)
                    {
                        var best2 = later.First(x => x.LossPercent == minLater);
                        Append(h, string.Format(CultureInfo.InvariantCulture,
                            "Router limits ICMP replies, not real loss: later hops lose less ({0}% at hop {1}).", best2.LossPercent, best2.Hop));
                    }
                    else if (!lossNoted)
                    {
                        lossNoted = true;
                        Append(h, later.Count == 0 && h.IsDestination
                            ? "Loss at the target that no earlier hop shows: it begins here or on the link before."
                            : "Loss begins here and carries on to every later hop: real loss on this router or the link before it.");
                    }
                }
            }
            if (biggest != null)
            {
                biggest.IsBiggestStep = true;
                // The first hop that answered has no hop before it: its step is the link from this machine.
                bool first = hops.First(h => h.BestMs.HasValue) == biggest;
                Append(biggest, string.Format(CultureInfo.InvariantCulture,
                    first ? "Biggest latency step on the path: +{0} ms (best RTT) from this machine to this hop."
                          : "Biggest latency step on the path: +{0} ms (best RTT) over the hop before.", biggest.StepMs));
            }
        }

        private static void Append(RouteHop h, string note) => h.Note = h.Note is null ? note : h.Note + " " + note;
    }
}
