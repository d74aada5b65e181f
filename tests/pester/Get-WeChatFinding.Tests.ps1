#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
    $samples = [IO.Path]::GetFullPath((Join-Path (Split-Path $manifest) 'samples'))
}

Describe 'Get-WeChatFinding' {
    It 'names the NAT idle timeout and its interval, once, at the severity of the deaths it caused' {
        $f = @(Get-WeChatFinding (Join-Path $samples 'nat-timeout.pcapng'))
        $f.Count | Should -Be 1
        $f[0] | Should -BeOfType ([WeChatNet.Finding])
        $f[0].RuleId | Should -Be 'LongLinkIdleTimeout'
        $f[0].Title | Should -Be 'Long links do not survive 210 s of silence: a NAT or carrier idle timeout (3 reconnect(s))'
        $f[0].Severity | Should -Be 'Error'
        $f[0].Evidence | Should -Match 'it explains LongLinkDied \(Error\)'
    }

    It 'gives the same findings whether the capture sat at the phone, a router or the server' {
        foreach ($name in 'nat-idle', 'lossy-path', 'phone-abroad') {
            $shapes = foreach ($point in 'Client', 'InBetween', 'Server') {
                $path = Join-Path $TestDrive "$name-$point.pcapng"
                [IO.File]::WriteAllBytes($path, [WeChatNet.WeChat.SampleCaptureGenerator]::Generate($name, $point).File)
                (Get-WeChatFinding $path | ForEach-Object { "$($_.Severity) $($_.RuleId) $($_.FlowIds.Count)" } | Sort-Object) -join '; '
            }
            $shapes[0] | Should -Not -BeNullOrEmpty -Because "$name has findings"
            $shapes[1] | Should -Be $shapes[0] -Because "$name in between"
            $shapes[2] | Should -Be $shapes[0] -Because "$name at the server"
        }
    }

    It 'reports the dead link as an error, first' {
        $all = Get-WeChatFinding (Join-Path $samples 'dead-link.pcapng')
        $all[0].Severity | Should -Be 'Error'
        $all[0].RuleId | Should -Be 'LongLinkDied'
    }

    It 'finds nothing to warn about in a healthy capture' {
        Get-WeChatFinding (Join-Path $samples 'mmtls-longlink.pcapng') -MinimumSeverity Warning | Should -BeNullOrEmpty
    }

    It 'analyses several files one by one: the dead link is still found, and no gap spans two files' {
        $dead = Join-Path $samples 'dead-link.pcapng'
        $all = Get-WeChatFinding $dead, (Join-Path $samples 'mmtls-longlink.pcapng')
        $died = $all | Where-Object RuleId -eq 'LongLinkDied'
        $died | Should -Not -BeNullOrEmpty
        $died.File | Should -Be $dead
        $byDir = Get-ChildItem $samples -Filter *.pcapng | Get-WeChatFinding
        ($byDir | Where-Object RuleId -eq 'LongLinkDied').File | Should -Contain $dead
        ($byDir | Where-Object { $_.Evidence -match 'GB|GiB' }) | Should -BeNullOrEmpty
    }

    It 'takes packets from Import-WeChatCapture' {
        $f = Import-WeChatCapture (Join-Path $samples 'dead-link.pcapng') | Get-WeChatFinding -ErrorAction Stop
        $f.RuleId | Should -Contain 'LongLinkDied'
    }

    It 'gives one finding for 50 slow connects to one server, with every flow id' {
        $path = Join-Path $TestDrive 'many-slow.pcapng'
        [IO.File]::WriteAllBytes($path, [WeChatNet.WeChat.SampleCaptureGenerator]::Generate('many-slow-connects').File)
        $f = @(Get-WeChatFinding $path -MinimumSeverity Warning)
        $f.Count | Should -Be 1
        $f[0].RuleId | Should -Be 'SlowHandshake'
        $f[0].FlowIds.Count | Should -Be 50
        $f[0].Evidence | Should -Match '50 connect\(s\) needed SYN retries'
    }

    It 'calls a long but steady round trip an Info with the region pair, never a warning' {
        $path = Join-Path $TestDrive 'long-rtt.pcapng'
        [IO.File]::WriteAllBytes($path, [WeChatNet.WeChat.SampleCaptureGenerator]::Generate('long-rtt-healthy').File)
        Get-WeChatFinding $path -MinimumSeverity Warning | Should -BeNullOrEmpty
        $info = Get-WeChatFinding $path -ClientRegion Overseas | Where-Object RuleId -eq 'LongRoundTrip'
        $info.Severity | Should -Contain 'Info'
        $info.Title | Should -Match 'Overseas to Overseas'
    }

    It 'judges only WeChat traffic unless -All' {
        $path = Join-Path $TestDrive 'mixed.pcapng'
        [IO.File]::WriteAllBytes($path, [WeChatNet.WeChat.SampleCaptureGenerator]::Generate('mixed-traffic').File)
        Get-WeChatFinding $path -MinimumSeverity Warning | Should -BeNullOrEmpty
        $all = Get-WeChatFinding $path -All -MinimumSeverity Warning
        $all.RuleId | Should -Contain 'ServerResets'
        $all.RuleId | Should -Contain 'HighRetransmission'
        ($all | Where-Object RuleId -eq 'DnsFailure').Title | Should -Be 'DNS failed for ntp.ubuntu.com A, teams.microsoft.com A, www.gstatic.com A'
        $diag = Invoke-WeChatDiagnostic -Path $path -All -MinimumSeverity Warning
        $diag.RuleId | Should -Contain 'ServerResets'
        Invoke-WeChatDiagnostic -Path $path -MinimumSeverity Warning | Should -BeNullOrEmpty
    }

    It 'names the record type: AAAA SERVFAIL with A success is an Info' {
        $path = Join-Path $TestDrive 'aaaa.pcapng'
        [IO.File]::WriteAllBytes($path, [WeChatNet.WeChat.SampleCaptureGenerator]::Generate('aaaa-servfail').File)
        Get-WeChatFinding $path -MinimumSeverity Warning | Should -BeNullOrEmpty
        (Get-WeChatFinding $path | Where-Object RuleId -eq 'DnsOptionalLookupFailure').Title |
            Should -Be 'The resolver fails AAAA lookups for sglong.wechat.com, sgshort.wechat.com while their A lookups succeed'
    }

    It 'completes -MinimumSeverity and -ClientRegion from their enums' {
        $line = 'Get-WeChatFinding x.pcapng -MinimumSeverity W'
        $c = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $c.CompletionMatches.CompletionText | Should -Be 'Warning'
        $line = 'Get-WeChatFinding x.pcapng -ClientRegion '
        $c = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $c.CompletionMatches.CompletionText | Should -Be @('MainlandChina', 'Overseas')
        (Get-Command Get-WeChatFinding).Parameters['MinimumSeverity'].ParameterType | Should -Be ([WeChatNet.FindingSeverity])
        (Get-WeChatFinding (Join-Path $samples 'dead-link.pcapng') -MinimumSeverity Error).Severity | Sort-Object -Unique | Should -Be 'Error'
    }

    It 'rejects an unknown client region' {
        { Get-WeChatFinding (Join-Path $samples 'mmtls-longlink.pcapng') -ClientRegion Mars } | Should -Throw
    }
}

Describe 'README main job' {
    It 'runs on the shipped sample through the pipeline' {
        # One finding naming the 210 s idle timeout and the reconnects it caused (README: "The main job").
        $f = @(Get-WeChatSample nat-timeout | Get-WeChatFinding)
        $f.Count | Should -Be 1
        $f[0].RuleId | Should -Be 'LongLinkIdleTimeout'
        $f[0].Title | Should -Match '210 s of silence.*3 reconnect'
        $f[0].Evidence | Should -Match 'flow 2 reconnected 0\.3 s later as flow 3'
        $f[0].Recommendation | Should -Match 'about 210 s'
    }
}
