using System;

namespace WeChatNet
{
    /// <summary>What the classifier knows about a host name.</summary>
    internal sealed class HostClassification
    {
        internal HostClassification(string name, EndpointRole role, EndpointFamily family, EndpointRegion region, string pattern)
        {
            Name = name;
            Role = role;
            Family = family;
            Region = region;
            Pattern = pattern;
        }

        /// <summary>The host name, normalised (lower case, no trailing dot).</summary>
        public string Name { get; }
        public EndpointRole Role { get; }
        public EndpointFamily Family { get; }
        public EndpointRegion Region { get; }
        /// <summary>The catalog row that matched (its pattern before expansion).</summary>
        public string Pattern { get; }

        public override string ToString() => $"{Name} ({Role}, {Family}, {Region})";
    }
}
