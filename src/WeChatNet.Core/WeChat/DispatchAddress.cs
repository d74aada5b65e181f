using System;

namespace WeChatNet
{
    /// <summary>One address of a dispatch domain, with its CDN property ("major", "minor", or empty).</summary>
    public sealed class DispatchAddress
    {
        public DispatchAddress(string address, string property)
        {
            Address = address;
            Property = property;
        }

        public string Address { get; }
        public string Property { get; }

        public override string ToString() => Property.Length == 0 ? Address : $"{Address} ({Property})";
    }
}
