#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }, WeChatNet
# Runbook: the last capture from a client is healthy: no heartbeat failures, no dead long links, retransmissions
# below 1%, no capture findings above Info.
# Copy it, then run:  Invoke-Pester -Container (New-PesterContainer -Path ./CaptureHealth.Tests.ps1 -Data @{ Folder = 'C:\captures' })
param(
    # Where captures land (pcap, pcapng, .gz); the newest one is checked. A file path checks that file.
    [string] $Folder = '.',
    # Retransmitted share of data segments allowed on a long link.
    [double] $MaxRetransmissionRate = 0.01,
    # Below this many data packets a link's retransmission rate says little; such links are not judged.
    [int] $MinPackets = 100
)

BeforeAll {
    $script:Capture = if (Test-Path $Folder -PathType Leaf) { Get-Item $Folder } else {
        Get-ChildItem $Folder -File | Where-Object Name -Match '\.(pcap|pcapng|cap)(\.gz)?$' | Sort-Object LastWriteTime | Select-Object -Last 1
    }
    if (-not $Capture) { throw "No capture file in $Folder." }
    $script:Heartbeats = Measure-WeChatHeartbeat -LiteralPath $Capture.FullName
    $script:Flows = Get-WeChatFlow -LiteralPath $Capture.FullName
}

Describe "The last capture is healthy" {
    It 'holds at least one long link' {
        $Flows | Where-Object Kind -eq 'LongLink' | Should -Not -BeNullOrEmpty -Because 'a client that is logged in keeps a long link open'
    }

    It 'has no heartbeat failures' {
        $Heartbeats | Where-Object Missed -gt 0 | ForEach-Object { "flow $($_.FlowId) to $($_.Server): $($_.Missed) missed" } | Should -BeNullOrEmpty
    }

    It 'has no long link that died' {
        $Heartbeats | Where-Object Died | ForEach-Object { "flow $($_.FlowId) to $($_.Server) died: $($_.Ending)" } | Should -BeNullOrEmpty
    }

    It 'has retransmissions below 1% on every busy long link' {
        $Flows | Where-Object { $_.Kind -eq 'LongLink' -and $_.Packets -ge $MinPackets -and $_.RetransmissionRate -gt $MaxRetransmissionRate } |
            ForEach-Object { "flow $($_.Id) to $($_.Server): {0:P1}" -f $_.RetransmissionRate } | Should -BeNullOrEmpty
    }

    It 'gives no warnings or errors' {
        Invoke-WeChatDiagnostic -LiteralPath $Capture.FullName -MinimumSeverity Warning | ForEach-Object { "$($_.RuleId): $($_.Title)" } | Should -BeNullOrEmpty
    }
}
