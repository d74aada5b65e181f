# Dot-sourced by WeChatNet.Format.Tests.ps1 and WeChatNet.Exits.Tests.ps1: real instances of every output type of the module,
# made the way a user makes them. Nothing leaves 127.0.0.1; the caller passes a folder it owns and removes.

function New-WeChatNetOutputSet {
    param([Parameter(Mandatory)] [string] $Folder)
    $samples = Join-Path (Split-Path (Get-Module WeChatNet).Path) 'samples'
    # A port nothing listens on (bound, then released): resolvers and connects there fail fast, on this machine only.
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $closed = $listener.LocalEndpoint.Port; $listener.Stop()

    $objects = [System.Collections.Generic.List[object]]::new()
    $all = Get-WeChatSample
    $all | ForEach-Object { $objects.Add($_) }
    $all | Get-WeChatFlow -All | ForEach-Object { $objects.Add($_) }
    $all | Measure-WeChatHeartbeat | ForEach-Object { $objects.Add($_) }
    $all | Get-WeChatFinding | ForEach-Object { $objects.Add($_) }
    $all | ConvertFrom-WeChatPacket | ForEach-Object { $objects.Add($_) }
    Import-WeChatCapture (Join-Path $samples 'dead-link.pcapng') | Select-Object -First 20 | ForEach-Object { $objects.Add($_) }
    $objects.Add((Import-WeChatCapture (Join-Path $samples 'dead-link.pcapng') | Export-WeChatCapture (Join-Path $Folder 'x.pcapng') -PassThru))
    Get-WeChatEndpoint | ForEach-Object { $objects.Add($_) }
    $objects.Add((Get-WeChatIpInfo 127.0.0.1))
    $objects.Add((Get-WeChatIpInfo 43.130.30.240))
    Resolve-WeChatDomain long.weixin.qq.com -Server "127.0.0.1:$closed" -Timeout 200ms -Retries 0 -NoTcpFallback | ForEach-Object { $objects.Add($_) }
    Resolve-WeChatDomain long.weixin.qq.com -Server "127.0.0.1:$closed", "127.0.0.2:$closed" -Timeout 200ms -Retries 0 -NoTcpFallback -Compare | ForEach-Object { $objects.Add($_) }
    Test-WeChatConnection -Address 127.0.0.1 -Port $closed -Timeout 500ms -SkipHttp | ForEach-Object { $objects.Add($_) }
    Get-WeChatRoute 127.0.0.1 -MaxHops 1 -Count 1 -Timeout 500ms | ForEach-Object { $objects.Add($_) }
    Get-WeChatCaptureDevice | ForEach-Object { $objects.Add($_) }
    $objects.Add((Start-WeChatCapture lo -Filter "udp port $closed" -Duration 0.3 -OutFile (Join-Path $Folder 'live.pcapng')))
    $objects.Add((Get-WeChatSample dead-link | Get-WeChatFinding | Export-WeChatReport -Path (Join-Path $Folder 'report.html')))
    # This process's own loopback connection, from the kernel's socket table, and a short watch of it.
    $tcp = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $tcp.Start()
    $peer = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $tcp.LocalEndpoint.Port)
    # Chosen by port, not -ProcessId: Wine (the Windows layer) names no owning process.
    $ports = $tcp.LocalEndpoint.Port, $peer.Client.LocalEndPoint.Port
    try {
        Get-WeChatConnection -All -WarningAction SilentlyContinue | Where-Object { $_.LocalPort -in $ports -and $_.RemotePort -in $ports } | ForEach-Object { $objects.Add($_) }
        Get-WeChatConnection -All -WarningAction SilentlyContinue -Watch -Interval 0.1 -Duration 0.3 |
            Where-Object { $_.Connection.LocalPort -in $ports -and $_.Connection.RemotePort -in $ports } | ForEach-Object { $objects.Add($_) }
    } finally { $peer.Dispose(); $tcp.Stop() }
    # No sample carries VoIP (undocumented ports, a heuristic): the plain object is used as it comes.
    $objects.Add([WeChatNet.VoipPacket]::new())
    , $objects
}

# The output types the module declares a view for (every cmdlet's [OutputType] has one: the contract tests check it).
function Get-WeChatNetOutputTypeName {
    $formatFile = Join-Path $PSScriptRoot '../../WeChatNet.Format.ps1xml'
    # Views for Deserialized.* names (what remoting brings back) are tested by Serialization.Tests.ps1 and Remoting.Tests.ps1.
    ([xml](Get-Content -Raw $formatFile)).Configuration.ViewDefinitions.View.ViewSelectedBy.TypeName |
        Where-Object { $_ -notlike 'Deserialized.*' } | Sort-Object -Unique
}
