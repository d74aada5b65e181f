using System.Collections.Generic;

namespace WeChatNet.Analysis
{
    /// <summary>
    /// The long-link messages of one connection that heartbeat analysis needs, kept as they stream past: heartbeat
    /// requests and replies, and of all other server messages only the last one before each heartbeat and the last one
    /// overall (what the silence before a death or a close is measured from). Memory grows with heartbeats, which come
    /// minutes apart, not with packets.
    /// </summary>
    internal sealed class HeartbeatLog
    {
        private readonly HeartbeatOptions _options;
        private readonly List<LongLinkObservation> _kept = new List<LongLinkObservation>();
        private LongLinkObservation _lastServer;
        private bool _hasLastServer;

        public HeartbeatLog(HeartbeatOptions options) { _options = options; }

        public void Add(in LongLinkObservation o)
        {
            if (HeartbeatAnalyzer.IsRequest(o, _options))
            {
                FlushLastServer();
                _kept.Add(o);
            }
            else if (HeartbeatAnalyzer.IsReply(o, _options))
            {
                _hasLastServer = false;
                _kept.Add(o);
            }
            else if (!o.FromClient)
            {
                _lastServer = o;
                _hasLastServer = true;
            }
        }

        /// <summary>What was kept, in arrival order; an observation list for <see cref="HeartbeatAnalyzer.AnalyzeOne"/>. A connection
        /// carries plaintext frames, or encrypted records (some of them decrypted into frames with a key log), so what is kept
        /// tells the method (<see cref="HeartbeatAnalyzer.MethodOf"/>) as the whole stream would.</summary>
        public IReadOnlyList<LongLinkObservation> ToList()
        {
            var list = new List<LongLinkObservation>(_kept);
            if (_hasLastServer) list.Add(_lastServer);
            return list;
        }

        private void FlushLastServer()
        {
            if (!_hasLastServer) return;
            _kept.Add(_lastServer);
            _hasLastServer = false;
        }
    }
}
