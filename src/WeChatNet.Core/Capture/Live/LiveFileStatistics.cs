namespace WeChatNet.Capture.Live
{
    /// <summary>What a closing live capture file records about itself in a pcapng Interface Statistics Block.</summary>
    internal readonly struct LiveFileStatistics
    {
        public LiveFileStatistics(long startNs, long endNs, long delivered, PcapStatistics? kernel, string comment)
        {
            StartNs = startNs;
            EndNs = endNs;
            Delivered = delivered;
            Kernel = kernel;
            Comment = comment;
        }

        public long StartNs { get; }
        public long EndNs { get; }
        /// <summary>Packets written to this file (isb_usrdeliv).</summary>
        public long Delivered { get; }
        /// <summary>libpcap's counters for the whole capture (isb_ifrecv, isb_osdrop, isb_ifdrop): only on the last file.</summary>
        public PcapStatistics? Kernel { get; }
        public string Comment { get; }
    }
}
