namespace WeChatNet.Packets
{
    /// <summary>Well-known EtherType values.</summary>
    internal static class EtherTypes
    {
        public const ushort Ipv4 = 0x0800;
        public const ushort Arp = 0x0806;
        public const ushort Vlan = 0x8100;
        public const ushort Ipv6 = 0x86DD;
        public const ushort QinQ = 0x88A8;
        public const ushort QinQLegacy = 0x9100;
    }
}
