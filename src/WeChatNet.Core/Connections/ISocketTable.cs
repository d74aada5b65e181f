using System.Collections.Generic;

namespace WeChatNet.Connections
{
    /// <summary>
    /// The platform seam of Get-WeChatConnection: the system's TCP connections (no listeners) with their owning processes
    /// and the kernel's statistics. Linux: <see cref="LinuxSocketTable"/>; Windows: <see cref="WindowsSocketTable"/>.
    /// </summary>
    internal interface ISocketTable
    {
        /// <summary>Reads the table now; <see cref="ConnectionException"/> when the system refuses.</summary>
        IReadOnlyList<SocketEntry> Read();

        /// <summary>Notes for the user about fields this platform or privilege level cannot give (written as warnings once).</summary>
        IReadOnlyList<string> Limitations { get; }
    }
}
