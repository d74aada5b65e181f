namespace WeChatNet
{
    /// <summary>
    /// Resolve-WeChatDomain -Compare: for one name, whether the answers of the resolvers (and the dispatch) differ.
    /// </summary>
    public sealed class DnsComparison
    {
        public DnsComparison(string name, string type, bool differs, bool mainlandDiffers, int answerSets, string[] servers,
            string[] common, string[] differences, string[] failed)
        {
            Name = name;
            Type = type;
            Differs = differs;
            MainlandDiffers = mainlandDiffers;
            AnswerSets = answerSets;
            Servers = servers;
            Common = common;
            Differences = differences;
            Failed = failed;
        }

        public string Name { get; }
        public string Type { get; }
        /// <summary>True when the successful answers are not all the same address set.</summary>
        public bool Differs { get; }
        /// <summary>True when a Mainland answer and a non-Mainland answer (Overseas, System, Custom, Dispatch) differ.</summary>
        public bool MainlandDiffers { get; }
        /// <summary>How many distinct address sets the successful answers hold.</summary>
        public int AnswerSets { get; }
        /// <summary>Every server compared, as "server (Region)".</summary>
        public string[] Servers { get; }
        /// <summary>Addresses every successful answer holds.</summary>
        public string[] Common { get; }
        /// <summary>Per server, what it had beyond the common set: "server (Region): +a, +b".</summary>
        public string[] Differences { get; }
        /// <summary>Servers that gave no usable answer, as "server (Region): Status".</summary>
        public string[] Failed { get; }

        public override string ToString() => $"{Name}: {(Differs ? "differs" : "same")}";
    }
}
