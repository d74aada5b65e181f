using System;

namespace WeChatNet
{
    /// <summary>One &lt;domain&gt; of a dispatch document: a host, its TTL (the timeout attribute) and addresses.</summary>
    public sealed class DispatchDomain
    {
        public DispatchDomain(string name, int ttl, DispatchAddress[] addresses)
        {
            Name = name;
            Ttl = ttl;
            Addresses = addresses;
        }

        public string Name { get; }
        /// <summary>Seconds (the domain's timeout attribute); -1 when absent or unreadable.</summary>
        public int Ttl { get; }
        public DispatchAddress[] Addresses { get; }

        public override string ToString() => $"{Name}: {string.Join(", ", Array.ConvertAll(Addresses, a => a.Address))}";
    }
}
