using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using WeChatNet.Packets;

namespace WeChatNet.Capture
{
    /// <summary>A -Filter expression that cannot be parsed; <see cref="Position"/> is the 0-based character offset.</summary>
    public sealed class FilterSyntaxException : FormatException
    {
        public FilterSyntaxException(string filter, int position, string problem)
            : base($"Filter '{filter}' is not valid at position {position}: {problem}. Examples: 'tcp port 8080', 'host 43.130.30.240', 'udp and not port 53', 'src net 10.0.0.0/8', 'icmp or icmp6', 'tcp and syn', 'len > 1000'.")
        {
            Filter = filter;
            Position = position;
            Problem = problem;
        }

        public string Filter { get; }
        public int Position { get; }
        public string Problem { get; }
    }

    /// <summary>
    /// A compiled packet filter in a tcpdump-like language, evaluated on decoded packets without allocating.
    /// <code>
    /// expr      := term { (or | ||) term }
    /// term      := factor { (and | &amp;&amp;) factor }
    /// factor    := (not | !) factor | ( expr ) | primitive
    /// primitive := [tcp|udp] [src|dst] port N | [tcp|udp] [src|dst] portrange N-M
    ///            | [ip|ip6|arp] [src|dst] host ADDRESS | [src|dst] net CIDR
    ///            | tcp | udp | icmp | icmp6 | ip | ip6 | arp | vlan [ID] | fragment | malformed
    ///            | syn | ack | fin | rst | psh | urg            (TCP flag set)
    ///            | (len | caplen | payload | ttl) (= == != &lt; &lt;= &gt; &gt;=) N
    /// </code>
    /// "tcp port 443" means "tcp and port 443", as in tcpdump. Keywords are case-insensitive.
    /// </summary>
    internal sealed class PacketFilter
    {
        private readonly Node _root;

        private PacketFilter(string text, Node root)
        {
            Text = text;
            _root = root;
        }

        public string Text { get; }

        /// <summary>Parses <paramref name="filter"/>; throws <see cref="FilterSyntaxException"/> naming the position.</summary>
        public static PacketFilter Parse(string filter)
        {
            if (filter == null) throw new ArgumentNullException(nameof(filter));
            var parser = new Parser(filter);
            var root = parser.ParseAll();
            return new PacketFilter(filter, root);
        }

        /// <summary>True when the packet matches. <paramref name="originalLength"/> is the on-the-wire length (for len).</summary>
        public bool Matches(in DecodedPacket packet, int originalLength = -1) =>
            _root.Eval(packet, originalLength < 0 ? packet.Data.Length : originalLength);

        public override string ToString() => Text;

        // ------------------------------------------------------------------ evaluation tree

        private abstract class Node
        {
            public abstract bool Eval(in DecodedPacket p, int length);
        }

        private sealed class And : Node
        {
            private readonly Node _a, _b;
            public And(Node a, Node b) { _a = a; _b = b; }
            public override bool Eval(in DecodedPacket p, int length) => _a.Eval(p, length) && _b.Eval(p, length);
        }

        private sealed class Or : Node
        {
            private readonly Node _a, _b;
            public Or(Node a, Node b) { _a = a; _b = b; }
            public override bool Eval(in DecodedPacket p, int length) => _a.Eval(p, length) || _b.Eval(p, length);
        }

        private sealed class Not : Node
        {
            private readonly Node _a;
            public Not(Node a) { _a = a; }
            public override bool Eval(in DecodedPacket p, int length) => !_a.Eval(p, length);
        }

        private enum Proto { Tcp, Udp, Icmp, Icmp6, Ip, Ip6, Arp, Fragment, Malformed }

        private sealed class ProtoNode : Node
        {
            private readonly Proto _proto;
            public ProtoNode(Proto proto) { _proto = proto; }
            public override bool Eval(in DecodedPacket p, int length) => _proto switch
            {
                Proto.Tcp => p.Transport == TransportKind.Tcp,
                Proto.Udp => p.Transport == TransportKind.Udp,
                Proto.Icmp => p.Transport == TransportKind.Icmp,
                Proto.Icmp6 => p.Transport == TransportKind.Icmpv6,
                Proto.Ip => p.Network == NetworkKind.Ipv4,
                Proto.Ip6 => p.Network == NetworkKind.Ipv6,
                Proto.Arp => p.Network == NetworkKind.Arp,
                Proto.Fragment => p.IsFragment,
                Proto.Malformed => !p.Issue.IsNone && p.Issue.Problem != DecodeProblem.UnknownProtocol,
                _ => false,
            };
        }

        private enum Dir { Either, Src, Dst }

        private sealed class PortNode : Node
        {
            private readonly Dir _dir;
            private readonly int _lo, _hi;
            public PortNode(Dir dir, int lo, int hi) { _dir = dir; _lo = lo; _hi = hi; }
            public override bool Eval(in DecodedPacket p, int length)
            {
                if (p.Transport != TransportKind.Tcp && p.Transport != TransportKind.Udp) return false;
                if (p.TransportBytes.Length < 4) return false;
                bool s = p.SourcePort >= _lo && p.SourcePort <= _hi;
                bool d = p.DestinationPort >= _lo && p.DestinationPort <= _hi;
                return _dir == Dir.Src ? s : _dir == Dir.Dst ? d : s || d;
            }
        }

        private sealed class NetNode : Node
        {
            private readonly Dir _dir;
            private readonly byte[] _address;
            private readonly int _prefix;
            private readonly NetworkKind _only;
            public NetNode(Dir dir, byte[] address, int prefix, NetworkKind only) { _dir = dir; _address = address; _prefix = prefix; _only = only; }

            private bool Match(ReadOnlySpan<byte> a)
            {
                if (a.Length != _address.Length) return false;
                int full = _prefix / 8;
                if (!a.Slice(0, full).SequenceEqual(_address.AsSpan(0, full))) return false;
                int bits = _prefix % 8;
                if (bits == 0) return true;
                int mask = 0xFF << (8 - bits) & 0xFF;
                return (a[full] & mask) == (_address[full] & mask);
            }

            public override bool Eval(in DecodedPacket p, int length)
            {
                if (_only != NetworkKind.None && p.Network != _only) return false;
                if (p.SourceAddress.IsEmpty) return false;
                bool s = _dir != Dir.Dst && Match(p.SourceAddress);
                if (s) return true;
                return _dir != Dir.Src && Match(p.DestinationAddress);
            }
        }

        private sealed class VlanNode : Node
        {
            private readonly int _id;
            public VlanNode(int id) { _id = id; }
            public override bool Eval(in DecodedPacket p, int length) =>
                p.VlanCount > 0 && (_id < 0 || p.OuterVlanId == _id || p.InnerVlanId == _id);
        }

        private sealed class FlagNode : Node
        {
            private readonly TcpFlags _flag;
            public FlagNode(TcpFlags flag) { _flag = flag; }
            public override bool Eval(in DecodedPacket p, int length) => p.Transport == TransportKind.Tcp && (p.TcpFlags & _flag) != 0;
        }

        private enum Field { Len, CapLen, Payload, Ttl }
        private enum Op { Eq, Ne, Lt, Le, Gt, Ge }

        private sealed class CompareNode : Node
        {
            private readonly Field _field;
            private readonly Op _op;
            private readonly long _value;
            public CompareNode(Field field, Op op, long value) { _field = field; _op = op; _value = value; }
            public override bool Eval(in DecodedPacket p, int length)
            {
                long v;
                switch (_field)
                {
                    case Field.Len: v = length; break;
                    case Field.CapLen: v = p.Data.Length; break;
                    case Field.Payload: v = p.PayloadLength; break;
                    default:
                        if (p.Network != NetworkKind.Ipv4 && p.Network != NetworkKind.Ipv6) return false;
                        v = p.TtlOrHopLimit;
                        break;
                }
                return _op switch
                {
                    Op.Eq => v == _value,
                    Op.Ne => v != _value,
                    Op.Lt => v < _value,
                    Op.Le => v <= _value,
                    Op.Gt => v > _value,
                    _ => v >= _value,
                };
            }
        }

        // ------------------------------------------------------------------ parser

        private sealed class Parser
        {
            private readonly string _text;
            private readonly List<(string Token, int Position)> _tokens = new List<(string, int)>();
            private int _i;
            private const int MaxDepth = 64;
            private int _depth;

            public Parser(string text)
            {
                _text = text;
                Tokenize();
            }

            private void Tokenize()
            {
                int i = 0;
                while (i < _text.Length)
                {
                    char c = _text[i];
                    if (char.IsWhiteSpace(c)) { i++; continue; }
                    if (c == '(' || c == ')') { _tokens.Add((c.ToString(), i)); i++; continue; }
                    if (c == '&' || c == '|')
                    {
                        if (i + 1 < _text.Length && _text[i + 1] == c) { _tokens.Add((new string(c, 2), i)); i += 2; continue; }
                        throw new FilterSyntaxException(_text, i, $"'{c}' must be doubled ('{c}{c}') or written as '{(c == '&' ? "and" : "or")}'");
                    }
                    if (c == '!' || c == '<' || c == '>' || c == '=')
                    {
                        if (i + 1 < _text.Length && _text[i + 1] == '=') { _tokens.Add((_text.Substring(i, 2), i)); i += 2; continue; }
                        _tokens.Add((c.ToString(), i));
                        i++;
                        continue;
                    }
                    int start = i;
                    while (i < _text.Length && !char.IsWhiteSpace(_text[i]) && "()&|!<>=".IndexOf(_text[i]) < 0) i++;
                    _tokens.Add((_text.Substring(start, i - start), start));
                }
            }

            private bool AtEnd => _i >= _tokens.Count;
            private string Peek => AtEnd ? "" : _tokens[_i].Token.ToLowerInvariant();
            private int Pos => AtEnd ? _text.Length : _tokens[_i].Position;
            private FilterSyntaxException Error(string problem) => new FilterSyntaxException(_text, Pos, problem);

            public Node ParseAll()
            {
                if (_tokens.Count == 0) throw new FilterSyntaxException(_text, 0, "the filter is empty");
                var node = ParseOr();
                if (!AtEnd) throw Error($"unexpected '{_tokens[_i].Token}' (join conditions with 'and' / 'or')");
                return node;
            }

            private Node ParseOr()
            {
                var left = ParseAnd();
                while (Peek == "or" || Peek == "||")
                {
                    _i++;
                    left = new Or(left, ParseAnd());
                }
                return left;
            }

            private Node ParseAnd()
            {
                var left = ParseNot();
                while (Peek == "and" || Peek == "&&")
                {
                    _i++;
                    left = new And(left, ParseNot());
                }
                return left;
            }

            private Node ParseNot()
            {
                if (++_depth > MaxDepth) throw Error($"the filter nests deeper than {MaxDepth} levels");
                try
                {
                    if (Peek == "not" || Peek == "!")
                    {
                        _i++;
                        return new Not(ParseNot());
                    }
                    if (Peek == "(")
                    {
                        _i++;
                        var inner = ParseOr();
                        if (Peek != ")") throw Error("expected ')'");
                        _i++;
                        return inner;
                    }
                    return ParsePrimitive();
                }
                finally { _depth--; }
            }

            private Node ParsePrimitive()
            {
                if (AtEnd) throw Error("expected a condition such as 'tcp', 'port 443' or 'host 10.0.0.1'");
                string t = Peek;
                Proto? proto = t switch
                {
                    "tcp" => Proto.Tcp,
                    "udp" => Proto.Udp,
                    "icmp" => Proto.Icmp,
                    "icmp6" or "icmpv6" => Proto.Icmp6,
                    "ip" or "ipv4" => Proto.Ip,
                    "ip6" or "ipv6" => Proto.Ip6,
                    "arp" => Proto.Arp,
                    _ => null,
                };
                if (proto != null)
                {
                    _i++;
                    string next = Peek;
                    if (next == "src" || next == "dst" || next == "port" || next == "portrange" || next == "host" || next == "net")
                    {
                        var qualified = ParseQualified(proto.Value);
                        return new And(new ProtoNode(proto.Value), qualified);
                    }
                    return new ProtoNode(proto.Value);
                }
                switch (t)
                {
                    case "src": case "dst": case "port": case "portrange": case "host": case "net":
                        return ParseQualified(null);
                    case "fragment": _i++; return new ProtoNode(Proto.Fragment);
                    case "malformed": _i++; return new ProtoNode(Proto.Malformed);
                    case "syn": _i++; return new FlagNode(TcpFlags.Syn);
                    case "ack": _i++; return new FlagNode(TcpFlags.Ack);
                    case "fin": _i++; return new FlagNode(TcpFlags.Fin);
                    case "rst": _i++; return new FlagNode(TcpFlags.Rst);
                    case "psh": _i++; return new FlagNode(TcpFlags.Psh);
                    case "urg": _i++; return new FlagNode(TcpFlags.Urg);
                    case "vlan":
                    {
                        _i++;
                        if (!AtEnd && int.TryParse(Peek, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                        {
                            if (id > 4095) throw Error("a VLAN ID is 0-4095");
                            _i++;
                            return new VlanNode(id);
                        }
                        return new VlanNode(-1);
                    }
                    case "len": case "caplen": case "payload": case "ttl":
                    {
                        _i++;
                        var field = t switch { "len" => Field.Len, "caplen" => Field.CapLen, "payload" => Field.Payload, _ => Field.Ttl };
                        Op op = Peek switch
                        {
                            "=" or "==" => Op.Eq,
                            "!=" => Op.Ne,
                            "<" => Op.Lt,
                            "<=" => Op.Le,
                            ">" => Op.Gt,
                            ">=" => Op.Ge,
                            _ => throw Error($"expected a comparison (=, !=, <, <=, >, >=) after '{t}'"),
                        };
                        _i++;
                        if (AtEnd || !long.TryParse(Peek, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                            throw Error($"expected a number after '{t}'");
                        _i++;
                        return new CompareNode(field, op, value);
                    }
                }
                throw Error($"'{_tokens[_i].Token}' is not a filter keyword");
            }

            private Node ParseQualified(Proto? proto)
            {
                var dir = Dir.Either;
                if (Peek == "src") { dir = Dir.Src; _i++; }
                else if (Peek == "dst") { dir = Dir.Dst; _i++; }
                string kind = Peek;
                switch (kind)
                {
                    case "port":
                    case "portrange":
                    {
                        if (proto != null && proto != Proto.Tcp && proto != Proto.Udp) throw Error($"'{kind}' applies to tcp or udp only");
                        _i++;
                        if (AtEnd) throw Error($"expected a port number after '{kind}'");
                        string v = Peek;
                        int lo, hi;
                        if (kind == "port")
                        {
                            if (!TryPort(v, out lo)) throw Error($"'{_tokens[_i].Token}' is not a port number (0-65535)");
                            hi = lo;
                        }
                        else
                        {
                            int dash = v.IndexOf('-');
                            if (dash <= 0 || !TryPort(v.Substring(0, dash), out lo) || !TryPort(v.Substring(dash + 1), out hi) || hi < lo)
                                throw Error($"'{_tokens[_i].Token}' is not a port range like 8000-8080");
                        }
                        _i++;
                        return new PortNode(dir, lo, hi);
                    }
                    case "host":
                    {
                        _i++;
                        if (AtEnd) throw Error("expected an IP address after 'host'");
                        if (!IPAddress.TryParse(_tokens[_i].Token, out var address) || _tokens[_i].Token.IndexOf('.') < 0 && _tokens[_i].Token.IndexOf(':') < 0)
                            throw Error($"'{_tokens[_i].Token}' is not an IPv4 or IPv6 address (host names are not resolved)");
                        var only = OnlyFor(proto, address);
                        _i++;
                        var bytes = address.GetAddressBytes();
                        return new NetNode(dir, bytes, bytes.Length * 8, only);
                    }
                    case "net":
                    {
                        if (proto != null && proto != Proto.Ip && proto != Proto.Ip6) throw Error("'net' applies to ip or ip6 only");
                        _i++;
                        if (AtEnd) throw Error("expected a network like 10.0.0.0/8 after 'net'");
                        string v = _tokens[_i].Token;
                        int slash = v.IndexOf('/');
                        string a = slash < 0 ? v : v.Substring(0, slash);
                        if (!IPAddress.TryParse(a, out var address) || a.IndexOf('.') < 0 && a.IndexOf(':') < 0)
                            throw Error($"'{v}' is not a network like 10.0.0.0/8 or 2001:db8::/32");
                        var bytes = address.GetAddressBytes();
                        int prefix = bytes.Length * 8;
                        if (slash >= 0 && (!int.TryParse(v.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bytes.Length * 8))
                            throw Error($"'{v}' has an invalid prefix length");
                        var only = OnlyFor(proto, address);
                        _i++;
                        return new NetNode(dir, bytes, prefix, only);
                    }
                }
                throw Error("expected 'host', 'net', 'port' or 'portrange'");
            }

            private NetworkKind OnlyFor(Proto? proto, IPAddress address)
            {
                if (proto == Proto.Ip && address.AddressFamily != AddressFamily.InterNetwork) throw Error("'ip' with an IPv6 address: use 'ip6'");
                if (proto == Proto.Ip6 && address.AddressFamily != AddressFamily.InterNetworkV6) throw Error("'ip6' with an IPv4 address: use 'ip'");
                return proto == Proto.Arp ? NetworkKind.Arp : NetworkKind.None;
            }

            private static bool TryPort(string s, out int port) =>
                int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535;
        }
    }
}
