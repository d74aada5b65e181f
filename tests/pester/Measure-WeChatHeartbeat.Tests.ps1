#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
    $samples = [IO.Path]::GetFullPath((Join-Path (Split-Path $manifest) 'samples'))
}

Describe 'Measure-WeChatHeartbeat' {
    It 'sees Mars probing up to the ceiling on the MMTLS long link' {
        $r = Measure-WeChatHeartbeat (Join-Path $samples 'mmtls-longlink.pcapng')
        $r | Should -BeOfType ([WeChatNet.HeartbeatReport])
        $r.Method | Should -Be 'SizeAndTiming'
        $r.IntervalsSec | ForEach-Object { [math]::Round($_) } | Should -Be @(210, 270, 330, 390, 450, 510, 570, 600)
        $r.Missed | Should -Be 0
        $r.Pattern | Should -BeLike 'Mars smart heartbeat probing up*ceiling'
    }

    It 'finds the death and the reconnect in the dead-link sample' {
        $dead = Measure-WeChatHeartbeat (Join-Path $samples 'dead-link.pcapng') | Where-Object Died
        $dead.Missed | Should -Be 1
        $dead.Ending | Should -Be 'ResetByClient'
        $dead.ReconnectServer | Should -Be '43.130.30.240:443'
    }

    It 'does not list a racing connect that carried nothing as a long link' {
        $path = Join-Path $TestDrive 'mixed.pcapng'
        [IO.File]::WriteAllBytes($path, [WeChatNet.WeChat.SampleCaptureGenerator]::Generate('mixed-traffic').File)
        $reports = @(Measure-WeChatHeartbeat $path)
        $reports.Count | Should -Be 1
        $reports[0].Server | Should -Be '43.130.30.240:443'
    }

    It 'works on packets from the pipeline' {
        $r = Import-WeChatCapture (Join-Path $samples 'nat-timeout.pcapng') | Measure-WeChatHeartbeat
        ($r | Where-Object Died).Count | Should -Be 3
        $r.File | Sort-Object -Unique | Should -Be (Join-Path $samples 'nat-timeout.pcapng')
    }

    It 'sees the same deaths from beyond the NAT: links the client replaced, after the same silence' {
        foreach ($point in 'Client', 'InBetween', 'Server') {
            $path = Join-Path $TestDrive "nat-$point.pcapng"
            [IO.File]::WriteAllBytes($path, [WeChatNet.WeChat.SampleCaptureGenerator]::Generate('nat-idle', $point).File)
            $died = @(Measure-WeChatHeartbeat $path | Where-Object Died)
            $died.Count | Should -Be 3
            $died.Ending | Sort-Object -Unique | Should -Be $(if ($point -eq 'Client') { 'ResetByClient' } else { 'Replaced' })
            $died | ForEach-Object { [math]::Round($_.IdleBeforeEndSec) | Should -Be 210 -Because "flow $($_.FlowId) at $point" }
            $died.ReconnectFlowId | Should -Be @(2..4 | ForEach-Object { $_ + 1 })
        }
    }

    It 'reports each file on its own, with its File' {
        $nat = Join-Path $samples 'nat-timeout.pcapng'
        $dead = Join-Path $samples 'dead-link.pcapng'
        $r = Get-ChildItem $nat, $dead | Measure-WeChatHeartbeat
        $alone = @(Measure-WeChatHeartbeat $nat)
        $alone.Count | Should -BeGreaterThan 0 -Because 'two empty lists would have the same count'
        @($r | Where-Object File -eq $nat).Count | Should -Be $alone.Count
        ($r | Where-Object { $_.File -eq $dead -and $_.Died }).Missed | Should -Be 1
    }

    It 'carries its server''s address and port, so a report pipes into Get-WeChatIpInfo' {
        $r = Measure-WeChatHeartbeat (Join-Path $samples 'dead-link.pcapng') | Where-Object Died
        $r.ServerAddress | Should -Be '101.32.104.4'
        $r.ServerPort | Should -Be 443
        $info = $r | Get-WeChatIpInfo -ErrorAction Stop
        $info.Address | Should -Be '101.32.104.4'
        $info.Owner | Should -Be 'Tencent'
    }

    It 'uses the key log of a sample piped in, and none for the samples without one' {
        $r = Get-WeChatSample | Measure-WeChatHeartbeat -WarningVariable warn -ErrorAction Stop
        ($r | Where-Object File -like '*mmtls-keylog.pcapng').Method | Should -Be 'Decrypted'
        ($r | Where-Object File -like '*mmtls-longlink.pcapng').Method | Should -Be 'SizeAndTiming'
        ($r | Where-Object File -like '*legacy-longlink.pcapng').Method | Should -Be 'Plaintext'
        $warn | Should -BeNullOrEmpty -Because 'the right key log decrypts its capture, and the others have none'
        # The same with the key log typed: the pipeline form is a shorthand for it.
        $s = Get-WeChatSample mmtls-keylog
        (Measure-WeChatHeartbeat -Path $s.Path -KeyLogPath $s.KeyLogPath).Method | Should -Be 'Decrypted'
    }

    It 'stops with KeyLogFileNotFound for an empty -KeyLogPath typed on the command line' {
        { Measure-WeChatHeartbeat (Join-Path $samples 'dead-link.pcapng') -KeyLogPath '' -ErrorAction Stop } | Should -Throw -ErrorId 'KeyLogFileNotFound*'
    }
}
