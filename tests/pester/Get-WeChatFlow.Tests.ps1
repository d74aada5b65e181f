#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
    $samples = Join-Path (Split-Path $manifest) 'samples'
}

Describe 'Get-WeChatFlow' {
    It 'lists the flows of the dead-link sample with hosts and kinds' {
        $flows = Get-WeChatFlow -Path (Join-Path $samples 'dead-link.pcapng')
        $flows | Should -BeOfType ([WeChatNet.Flow])
        ($flows | Where-Object Kind -eq 'LongLink').Host | Should -Contain 'sglong.wechat.com'
        ($flows | Where-Object Host -eq 'dns.weixin.qq.com').Kind | Should -Be 'Dispatch'
        ($flows | Where-Object ResetBy -eq 'Client').Server | Should -Be '101.32.104.4:443'
    }

    It 'counts retransmissions and reordering like tshark on the retransmissions sample' {
        $flow = Get-WeChatFlow (Join-Path $samples 'retransmissions.pcapng') -Role LongLink
        $flow.Retransmissions | Should -Be 2
        $flow.OutOfOrder | Should -Be 2
    }

    It 'takes files from Get-ChildItem and packets from Import-WeChatCapture' {
        $byFile = Get-ChildItem (Join-Path $samples 'shortlink-burst.pcapng') | Get-WeChatFlow
        $byPacket = Import-WeChatCapture (Join-Path $samples 'shortlink-burst.pcapng') | Get-WeChatFlow
        $byPacket.Count | Should -Be $byFile.Count
        ($byPacket | Where-Object Kind -eq 'ShortLink').Count | Should -Be 6
    }

    It 'filters by protocol and shows everything with -All' {
        (Get-WeChatFlow (Join-Path $samples 'login-dispatch.pcapng') -Protocol Udp).Protocol | Should -Be 'Udp'
        (Get-WeChatFlow (Join-Path $samples 'login-dispatch.pcapng') -All).Count |
            Should -BeGreaterOrEqual (Get-WeChatFlow (Join-Path $samples 'login-dispatch.pcapng')).Count
    }

    It 'reports a missing file as CaptureFileNotFound' {
        Get-WeChatFlow -Path (Join-Path $TestDrive 'nope.pcapng') -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CaptureFileNotFound*'
    }

    It 'survives Export-Clixml' {
        $path = Join-Path $TestDrive 'flows.xml'
        Get-WeChatFlow (Join-Path $samples 'legacy-longlink.pcapng') | Export-Clixml $path
        (Import-Clixml $path | Where-Object Kind -eq LongLink).Host | Should -Be 'long.weixin.qq.com'
    }
}
