using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace WeChatNet.IpIntel
{
    /// <summary>An autonomous system a prefix belongs to.</summary>
    internal sealed class AsOrigin
    {
        public AsOrigin(int asn, string name)
        {
            Asn = asn;
            Name = name;
        }

        public int Asn { get; }
        public string Name { get; }
    }
}
