#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }, WeChatNet
# Runbook: on the machine where WeChat runs, its long link is up and healthy right now. No capture, no privilege
# (for WeChat run by the same user; run as root/Administrator to see another user's WeChat).
# Copy it, then run:  Invoke-Pester -Container (New-PesterContainer -Path ./LongLinkHealth.Tests.ps1 -Data @{ ExpectedRegion = 'MainlandChina' })
param(
    # Where this machine's long link should go: MainlandChina, HongKong or Overseas (empty: not checked).
    [string] $ExpectedRegion = '',
    # WeChat's processes by name (empty: the names Get-WeChatConnection knows: WeChat, Weixin, wechat and helpers).
    # Name another program (a browser with Web WeChat, an emulator) to judge its connections to WeChat's servers.
    [string[]] $ProcessName = @(),
    # The long link's smoothed round trip (the kernel's own, ms) must stay under this.
    [double] $MaxRttMs = 300,
    # How long to watch the long link for retransmissions and reconnects.
    [double] $WatchSeconds = 10,
    # Retransmissions the long link may add while watched.
    [int] $MaxNewRetransmissions = 3,
    # New long links (reconnects) allowed while watched.
    [int] $MaxReconnects = 0
)

BeforeAll {
    $select = @{}
    if ($ProcessName) { $select.ProcessName = $ProcessName }
    # Names from the system resolver, so the long link is known by its host, not only by its port.
    $script:Connections = @(Get-WeChatConnection @select -Resolve)
    $script:LongLinks = @($Connections | Where-Object { $_.Role -eq 'LongLink' -and $_.State -eq 'Established' })
    $script:Events = @(Get-WeChatConnection @select -Watch -Interval 0.5 -Duration $WatchSeconds)
    function script:Show($c) { "$($c.ProcessName) ($($c.ProcessId)) -> $($c.RemoteAddress):$($c.RemotePort) $($c.Host) [$($c.Region)]" }
}

Describe 'WeChat''s long link is up and healthy' {
    It 'WeChat runs and holds connections' {
        $Connections | Should -Not -BeNullOrEmpty -Because "a process named $(if ($ProcessName) { $ProcessName -join ', ' } else { 'WeChat, Weixin or wechat' }) must hold connections (is WeChat running, and as this user?)"
    }

    It 'holds an established long link' {
        $LongLinks | Should -Not -BeNullOrEmpty -Because "WeChat's connections are: $(@($Connections | ForEach-Object { "$(Show $_) $($_.State) $($_.Role)" }) -join '; ')"
    }

    It 'has its long link in the expected region' -Skip:(-not $ExpectedRegion) {
        @($LongLinks | Where-Object Region -ne $ExpectedRegion | ForEach-Object { Show $_ }) | Should -BeNullOrEmpty -Because "the long link should go to $ExpectedRegion"
    }

    It 'has a round trip below the limit' {
        @($LongLinks | Where-Object { $null -ne $_.RttMs -and $_.RttMs -gt $MaxRttMs } | ForEach-Object { "$(Show $_): $($_.RttMs) ms" }) |
            Should -BeNullOrEmpty -Because "the kernel's round trip on the long link must stay under $MaxRttMs ms"
    }

    It 'adds no more than the allowed retransmissions while watched' {
        $first = @{}
        foreach ($e in $Events) { $k = "$($e.Connection.LocalPort)|$($e.Connection.RemoteAddress)|$($e.Connection.RemotePort)"; if (-not $first.ContainsKey($k)) { $first[$k] = $e.Connection } }
        $now = @(Get-WeChatConnection @select | Where-Object { $_.Role -eq 'LongLink' })
        @(foreach ($c in $now) {
            $k = "$($c.LocalPort)|$($c.RemoteAddress)|$($c.RemotePort)"
            if ($first.ContainsKey($k) -and $null -ne $c.Retransmissions -and $null -ne $first[$k].Retransmissions -and
                $c.Retransmissions - $first[$k].Retransmissions -gt $MaxNewRetransmissions) {
                "$(Show $c): retransmissions $($first[$k].Retransmissions) -> $($c.Retransmissions)"
            }
        }) | Should -BeNullOrEmpty
    }

    It 'does not reconnect while watched' {
        $opened = @($Events | Where-Object { $_.Change -eq 'Opened' -and $_.Connection.Role -eq 'LongLink' } | ForEach-Object { "opened $(Show $_.Connection)" })
        $opened.Count | Should -BeLessOrEqual $MaxReconnects -Because ($opened -join '; ')
    }
}
