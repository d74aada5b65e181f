using System;
using System.Collections.Generic;
using System.Globalization;

namespace WeChatNet.Tests.Packets
{
    /// <summary>Byte literals written as annotated hex: "45 00 | 00 54  # total length" (| and # comments ignored).</summary>
    public static class Hex
    {
        public static byte[] Bytes(string text)
        {
            var result = new List<byte>();
            foreach (var rawLine in text.Split('\n'))
            {
                string line = rawLine;
                int hash = line.IndexOf('#');
                if (hash >= 0) line = line.Substring(0, hash);
                foreach (var token in line.Split(new[] { ' ', '\t', '\r', '|' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    if (token.Length % 2 != 0) throw new FormatException($"odd hex token '{token}'");
                    for (int i = 0; i < token.Length; i += 2)
                        result.Add(byte.Parse(token.AsSpan(i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                }
            }
            return result.ToArray();
        }
    }
}
