#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Get-WeChatConnection's Windows path (IP Helper: GetExtendedTcpTable, GetPerTcpConnectionEStats), in the Windows layer:
# the Windows build of PowerShell under Wine (build/WindowsPwsh.psm1, docs/testing.md). Wine implements the IP Helper
# tables over Linux's own: the rows are real, but Wine 8.0 names no owning process (process id 0 on every row, checked
# with GetExtendedTcpTable directly), records no creation time and has no extended statistics, so those parts are
# asserted as what Wine gives, saying so. Windows only (the Linux layer leaves *.Windows.Tests.ps1 out):
#   ./build.ps1 -Task Windows -PesterPath tests/pester/Get-WeChatConnection.Windows.Tests.ps1

BeforeAll {
    if (-not $IsWindows) { throw 'Get-WeChatConnection.Windows.Tests.ps1 runs in the Windows layer only (build.ps1 -Task Windows): the IP Helper path needs Windows.' }
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
    $script:underWine = $IsWindows -and (Test-Path 'HKLM:\Software\Wine')
}

Describe 'Get-WeChatConnection on Windows (IP Helper)' -Tag Windows {
    BeforeEach {
        # A loopback connection this process holds: a dual-stack client (the IPv6 table, ::ffff:127.0.0.1) to an IPv4 listener.
        $script:listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $script:client = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $listener.LocalEndpoint.Port)
        $script:server = $listener.AcceptTcpClient()
        $script:port = $listener.LocalEndpoint.Port
        $script:clientPort = $client.Client.LocalEndPoint.Port
    }
    AfterEach {
        $server.Dispose(); $client.Dispose(); $listener.Stop()
    }

    It 'lists the same established connections as .NET''s TCP table, both directions of the test''s own' {
        $ours = @(Get-WeChatConnection -All -WarningAction SilentlyContinue | Where-Object State -eq 'Established')
        $dotnet = @([System.Net.NetworkInformation.IPGlobalProperties]::GetIPGlobalProperties().GetActiveTcpConnections() |
            Where-Object State -eq 'Established' | ForEach-Object {
                $l = $_.LocalEndPoint; $r = $_.RemoteEndPoint
                $la = if ($l.Address.IsIPv4MappedToIPv6) { $l.Address.MapToIPv4() } else { $l.Address }
                $ra = if ($r.Address.IsIPv4MappedToIPv6) { $r.Address.MapToIPv4() } else { $r.Address }
                '{0}:{1}>{2}:{3}' -f $la.ToString().Split('%')[0], $l.Port, $ra.ToString().Split('%')[0], $r.Port })
        $mine = @($ours | ForEach-Object { '{0}:{1}>{2}:{3}' -f $_.LocalAddress.Split('%')[0], $_.LocalPort, $_.RemoteAddress.Split('%')[0], $_.RemotePort })
        $dotnet | Should -Contain "127.0.0.1:$clientPort>127.0.0.1:$port" -Because '.NET sees the test''s connection'
        ($mine | Sort-Object) | Should -Be ($dotnet | Sort-Object)
        $c = $ours | Where-Object { $_.LocalPort -eq $clientPort -and $_.RemotePort -eq $port }
        $c.RemoteAddress | Should -Be '127.0.0.1' -Because 'an IPv4 peer of a dual-stack socket is shown as IPv4'
        $c.Source | Should -BeLike 'GetExtendedTcpTable*'
        $c.Region | Should -Be 'Special'
        ($ours | Where-Object { $_.LocalPort -eq $port -and $_.RemotePort -eq $clientPort }) | Should -Not -BeNullOrEmpty
    }

    It 'attributes the connection to this process, or under Wine says why it cannot' {
        $c = Get-WeChatConnection -All -WarningAction SilentlyContinue | Where-Object { $_.LocalPort -eq $clientPort -and $_.RemotePort -eq $port }
        if ($underWine) {
            $c.ProcessId | Should -BeNullOrEmpty -Because 'Wine 8.0 gives process id 0 on every row'
            $c.Attribution | Should -Match 'process id 0'
            $c.AgeSec | Should -BeNullOrEmpty -Because 'Wine records no creation time'
        } else {
            $c.ProcessId | Should -Be $PID
            $c.ProcessName | Should -Be (Get-Process -Id $PID).ProcessName
            $c.AgeSec | Should -BeGreaterOrEqual 0
        }
    }

    It 'leaves every statistic Windows or this user cannot give empty, never 0, and says why' {
        $out = Get-WeChatConnection -All -Verbose -WarningAction SilentlyContinue 4>&1
        $c = $out | Where-Object { $_ -is [WeChatNet.Connection] -and $_.LocalPort -eq $clientPort -and $_.RemotePort -eq $port }
        $verbose = ($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) -join "`n"
        foreach ($f in 'LostSegments', 'LastSendMs', 'LastReceiveMs') { $c.$f | Should -BeNullOrEmpty -Because "Windows gives no $f" }
        $verbose | Should -Match 'LostSegments, LastSendMs and LastReceiveMs are empty'
        if ($c.Source -eq 'GetExtendedTcpTable') {
            foreach ($f in 'RttMs', 'RttVarMs', 'Retransmissions', 'CongestionWindow', 'BytesSent', 'BytesReceived') { $c.$f | Should -BeNullOrEmpty -Because "EStats gave no $f here" }
            $verbose | Should -Match 'need Administrator|does not give per-connection statistics'
        } else {
            $c.BytesSent | Should -Not -BeNullOrEmpty
        }
    }

    It 'lists nothing for a WeChat that does not run, and says so' {
        $out = Get-WeChatConnection -Verbose -WarningAction SilentlyContinue 4>&1
        @($out | Where-Object { $_ -is [WeChatNet.Connection] }).Count | Should -Be 0
        ($out -join "`n") | Should -Match 'No connection of a WeChat process'
    }

    It 'watches a connection open and close' {
        # A runspace of this process watches (the SDK build has no ThreadJob module) while this thread connects and closes.
        $ps = [powershell]::Create().AddScript({
            param($m)
            Import-Module $m
            Get-WeChatConnection -All -Watch -Interval 0.2 -Duration 8 -WarningAction SilentlyContinue | ForEach-Object { '{0}|{1}|{2}' -f $_.Change, $_.Connection.LocalPort, $_.Connection.RemotePort }
        }).AddArgument((Get-Module WeChatNet).Path)
        $handle = $ps.BeginInvoke()
        try {
            Start-Sleep -Seconds 3
            $extra = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port)
            $accepted = $listener.AcceptTcpClient()
            $extraPort = $extra.Client.LocalEndPoint.Port
            Start-Sleep -Seconds 1.5
            $extra.Dispose(); $accepted.Dispose()
            $lines = @($ps.EndInvoke($handle))
        } finally { $ps.Dispose() }
        $mine = @($lines | Where-Object { ($_ -split '\|')[1] -eq "$extraPort" })
        $mine[0] | Should -Be "Opened|$extraPort|$port" -Because ($lines -join '; ')
        @($mine | Where-Object { $_ -like 'Closed|*' -or $_ -like 'Changed|*' }).Count | Should -BeGreaterThan 0 -Because ($lines -join '; ')
        @($lines | Where-Object { $_ -like "Existing|$clientPort|$port" }).Count | Should -Be 1
    }
}
