namespace WeChatNet
{
    /// <summary>A network interface libpcap / Npcap can capture on (output of Get-WeChatCaptureDevice). Plain data only.</summary>
    public sealed class CaptureDevice
    {
        public CaptureDevice(string name, string friendlyName, string description, string[] addresses, bool isLoopback, bool isUp, bool isRunning,
            bool isWireless, string connectionStatus, bool isDefault, string? defaultGateway)
        {
            Name = name;
            FriendlyName = friendlyName;
            Description = description;
            Addresses = addresses;
            IsLoopback = isLoopback;
            IsUp = isUp;
            IsRunning = isRunning;
            IsWireless = isWireless;
            ConnectionStatus = connectionStatus;
            IsDefault = isDefault;
            DefaultGateway = defaultGateway;
        }

        /// <summary>The name to pass to Start-WeChatCapture -Interface (e.g. eth0, en0, \Device\NPF_{GUID}).</summary>
        public string Name { get; }

        /// <summary>The name people know the adapter by (Windows: "Wi-Fi", "Ethernet"; elsewhere the same as Name).</summary>
        public string FriendlyName { get; }

        /// <summary>libpcap's description (on Windows the adapter's name), or empty.</summary>
        public string Description { get; }

        /// <summary>Addresses in CIDR form (e.g. 192.0.2.10/24, fe80::1%2/64).</summary>
        public string[] Addresses { get; }

        public bool IsLoopback { get; }
        public bool IsUp { get; }
        public bool IsRunning { get; }
        public bool IsWireless { get; }

        /// <summary>Connected, Disconnected, NotApplicable or Unknown (as libpcap reports it).</summary>
        public string ConnectionStatus { get; }

        /// <summary>True for the interface that carries the default route (the one WeChat's traffic normally leaves by).</summary>
        public bool IsDefault { get; }

        /// <summary>The default route's gateway on this interface, or null.</summary>
        public string? DefaultGateway { get; }

        public override string ToString() => Name;
    }
}
