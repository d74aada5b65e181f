using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;

namespace WeChatNet.IpIntel
{
    /// <summary>
    /// Longest-prefix match over IPv4 and IPv6, built once. Nested prefixes are flattened into sorted, disjoint
    /// ranges, each labelled with its most specific prefix. A directory indexed by the top 16 bits of the address
    /// narrows each lookup to the few ranges starting in that /16 block, then a short binary search finishes it:
    /// no allocation, no locks, safe for any number of concurrent readers.
    /// </summary>
    internal sealed class PrefixTable<T>
    {
        private readonly IpPrefix[] _prefixes;
        private readonly T[] _values;
        private readonly uint[] _v4Start;
        private readonly uint[] _v4End;
        private readonly int[] _v4Id;
        private readonly ulong[] _v6StartHigh;
        private readonly ulong[] _v6StartLow;
        private readonly ulong[] _v6EndHigh;
        private readonly ulong[] _v6EndLow;
        private readonly int[] _v6Id;
        // _v4Dir[k] = number of IPv4 ranges starting below k << 16 (k = 0..65536); likewise for IPv6 and the top 16 bits.
        private readonly int[] _v4Dir;
        private readonly int[] _v6Dir;

        private PrefixTable(IpPrefix[] prefixes, T[] values, List<(U128 Start, U128 End, int Id)> v4, List<(U128 Start, U128 End, int Id)> v6)
        {
            _prefixes = prefixes;
            _values = values;
            _v4Start = v4.Select(r => (uint)r.Start.Low).ToArray();
            _v4End = v4.Select(r => (uint)r.End.Low).ToArray();
            _v4Id = v4.Select(r => r.Id).ToArray();
            _v6StartHigh = v6.Select(r => r.Start.High).ToArray();
            _v6StartLow = v6.Select(r => r.Start.Low).ToArray();
            _v6EndHigh = v6.Select(r => r.End.High).ToArray();
            _v6EndLow = v6.Select(r => r.End.Low).ToArray();
            _v6Id = v6.Select(r => r.Id).ToArray();
            _v4Dir = Directory(_v4Start.Select(x => (int)(x >> 16)).ToArray());
            _v6Dir = Directory(_v6StartHigh.Select(x => (int)(x >> 48)).ToArray());
        }

        private static int[] Directory(int[] sortedTop16)
        {
            var dir = new int[65537];
            int i = 0;
            for (int k = 0; k <= 65536; k++)
            {
                while (i < sortedTop16.Length && sortedTop16[i] < k) i++;
                dir[k] = i;
            }
            return dir;
        }

        /// <summary>Number of distinct prefixes.</summary>
        public int Count => _prefixes.Length;

        public int IPv4Count { get; private set; }
        public int IPv6Count { get; private set; }

        /// <summary>Number of flattened ranges searched (IPv4 + IPv6).</summary>
        public int RangeCount => _v4Id.Length + _v6Id.Length;

        public IpPrefix PrefixAt(int id) => _prefixes[id];
        public T ValueAt(int id) => _values[id];

        /// <summary>
        /// Builds the table. A prefix listed twice keeps its first value (data files sometimes list a prefix under
        /// two origins); the order of the other entries does not matter.
        /// </summary>
        public static PrefixTable<T> Build(IEnumerable<KeyValuePair<IpPrefix, T>> entries)
        {
            var seen = new HashSet<IpPrefix>();
            var prefixes = new List<IpPrefix>();
            var values = new List<T>();
            foreach (var e in entries)
            {
                if (!seen.Add(e.Key)) continue;
                prefixes.Add(e.Key);
                values.Add(e.Value);
            }
            var ids = Enumerable.Range(0, prefixes.Count).ToList();
            var v4 = Flatten(ids.Where(i => prefixes[i].IsIPv4).ToList(), prefixes);
            var v6 = Flatten(ids.Where(i => !prefixes[i].IsIPv4).ToList(), prefixes);
            return new PrefixTable<T>(prefixes.ToArray(), values.ToArray(), v4, v6)
            {
                IPv4Count = prefixes.Count(p => p.IsIPv4),
                IPv6Count = prefixes.Count(p => !p.IsIPv4),
            };
        }

        /// <summary>
        /// Sweeps prefixes sorted by start (wider first) with a stack of enclosing prefixes, emitting each stretch of
        /// addresses under the innermost prefix that covers it. CIDR prefixes either nest or are disjoint.
        /// </summary>
        private static List<(U128 Start, U128 End, int Id)> Flatten(List<int> ids, List<IpPrefix> prefixes)
        {
            ids.Sort((a, b) =>
            {
                int c = prefixes[a].First.CompareTo(prefixes[b].First);
                return c != 0 ? c : prefixes[a].Length.CompareTo(prefixes[b].Length);
            });
            var output = new List<(U128, U128, int)>();
            var stack = new Stack<int>();
            U128 cursor = default;
            bool exhausted = false; // the cursor passed the top of the address space

            void EmitTo(U128 end, int id)
            {
                if (!exhausted && cursor.CompareTo(end) <= 0) output.Add((cursor, end, id));
            }
            void Advance(U128 end)
            {
                if (end.Equals(U128.Max)) exhausted = true;
                else cursor = end.Increment();
            }

            foreach (int id in ids)
            {
                var p = prefixes[id];
                while (stack.Count > 0 && prefixes[stack.Peek()].Last.CompareTo(p.First) < 0)
                {
                    int top = stack.Pop();
                    EmitTo(prefixes[top].Last, top);
                    Advance(prefixes[top].Last);
                }
                if (stack.Count > 0 && cursor.CompareTo(p.First) < 0) EmitTo(p.First.Decrement(), stack.Peek());
                cursor = p.First;
                exhausted = false;
                stack.Push(id);
            }
            while (stack.Count > 0)
            {
                int top = stack.Pop();
                EmitTo(prefixes[top].Last, top);
                Advance(prefixes[top].Last);
            }
            return output;
        }

        /// <summary>Most specific prefix holding an IPv4 address (host order), or -1.</summary>
        public int LookupIPv4(uint address)
        {
            var starts = _v4Start;
            int block = (int)(address >> 16);
            int lo = _v4Dir[block], hi = _v4Dir[block + 1] - 1;
            while (lo <= hi)
            {
                int mid = (int)((uint)(lo + hi) >> 1);
                if (starts[mid] <= address) lo = mid + 1;
                else hi = mid - 1;
            }
            return hi >= 0 && address <= _v4End[hi] ? _v4Id[hi] : -1;
        }

        /// <summary>Most specific prefix holding an IPv6 address (two big-endian halves), or -1.</summary>
        public int LookupIPv6(ulong high, ulong low)
        {
            var sh = _v6StartHigh;
            var sl = _v6StartLow;
            int block = (int)(high >> 48);
            int lo = _v6Dir[block], hi = _v6Dir[block + 1] - 1;
            while (lo <= hi)
            {
                int mid = (int)((uint)(lo + hi) >> 1);
                ulong h = sh[mid];
                if (h < high || (h == high && sl[mid] <= low)) lo = mid + 1;
                else hi = mid - 1;
            }
            if (hi < 0) return -1;
            ulong eh = _v6EndHigh[hi];
            return high < eh || (high == eh && low <= _v6EndLow[hi]) ? _v6Id[hi] : -1;
        }

        /// <summary>Looks up a raw address: 4 bytes (IPv4) or 16 bytes (IPv6, not unwrapped), network order.</summary>
        public int Lookup(ReadOnlySpan<byte> address)
        {
            if (address.Length == 4) return LookupIPv4(BinaryPrimitives.ReadUInt32BigEndian(address));
            if (address.Length == 16) return LookupIPv6(BinaryPrimitives.ReadUInt64BigEndian(address), BinaryPrimitives.ReadUInt64BigEndian(address.Slice(8)));
            return -1;
        }

        public bool TryLookup(ReadOnlySpan<byte> address, out IpPrefix prefix, out T value)
        {
            int id = Lookup(address);
            if (id < 0)
            {
                prefix = default;
                value = default!;
                return false;
            }
            prefix = _prefixes[id];
            value = _values[id];
            return true;
        }
    }
}
