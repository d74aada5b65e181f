#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }, WeChatNet
# Runbook: the path to the long link has no loss at the server and no hop where latency jumps.
# Needs raw sockets (run elevated, or on Linux grant CAP_NET_RAW; ICMP also works where ping sockets are allowed).
# Copy it, then run:  Invoke-Pester -Container (New-PesterContainer -Path ./LongLinkPath.Tests.ps1 -Data @{ Target = 'long.weixin.qq.com' })
param(
    [string] $Target = 'long.weixin.qq.com',
    # TCP SYNs to 8080 follow the long link's own path through firewalls and load balancers.
    [ValidateSet('Icmp', 'Udp', 'Tcp')] [string] $Protocol = 'Tcp',
    [int] $Count = 10,
    [double] $MaxLossPercent = 5,
    [double] $MaxStepMs = 100
)

BeforeAll {
    $script:Hops = @(Get-WeChatRoute -Target $Target -Protocol $Protocol -Count $Count)
    $script:Last = $Hops | Select-Object -Last 1
    # The last hop that answered at all: where a trace that never reaches the server stops.
    $script:LastAnswered = $Hops | Where-Object Address | Select-Object -Last 1
}

Describe "The path to $Target" {
    It 'reaches the server' {
        $Last.IsDestination | Should -BeTrue -Because "the last hop answering was $($LastAnswered.Address) at hop $($LastAnswered.Hop)"
    }

    It 'loses at most 5% at the server' {
        $Last.LossPercent | Should -BeLessOrEqual $MaxLossPercent
    }

    It 'has no hop where latency jumps by more than 100 ms' {
        $Hops | Where-Object { $_.StepMs -gt $MaxStepMs } | ForEach-Object { "hop $($_.Hop) $($_.Address): +$($_.StepMs) ms ($(($_.Address | Get-WeChatIpInfo).AsName))" } |
            Should -BeNullOrEmpty
    }
}
