#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).
# Live checks here talk only to servers on 127.0.0.1 that the test starts (a dispatch) or names (a port nobody answers).

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
    $samples = Join-Path (Split-Path $manifest) 'samples'

    # A UDP port with nobody behind it: a resolver that never answers.
    $udp = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
    $silentResolver = "127.0.0.1:$($udp.Client.LocalEndPoint.Port)"
    # A TCP port that was free a moment ago: connects are refused.
    $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $l.Start()
    $closedPort = $l.LocalEndpoint.Port; $l.Stop()
}

AfterAll {
    $udp.Dispose()
}

Describe 'Invoke-WeChatDiagnostic' {
    Context 'captures' {
        It 'reports the dead link as an error, first' {
            $all = Invoke-WeChatDiagnostic -Path (Join-Path $samples 'dead-link.pcapng')
            $all[0] | Should -BeOfType ([WeChatNet.Finding])
            $all[0].RuleId | Should -Be 'LongLinkDied'
            $all[0].Severity | Should -Be 'Error'
        }

        It 'names the NAT idle timeout from the pipeline' {
            $f = Get-WeChatSample nat-timeout | Invoke-WeChatDiagnostic | Where-Object RuleId -eq 'LongLinkIdleTimeout'
            $f.Title | Should -Be 'Long links do not survive 210 s of silence: a NAT or carrier idle timeout (3 reconnect(s))'
        }

        It 'lists each cause once: the deaths the idle timeout caused are its evidence, in the report too' {
            $f = @(Get-WeChatSample nat-timeout | Invoke-WeChatDiagnostic)
            $f.RuleId | Should -Be 'LongLinkIdleTimeout'
            $f[0].Severity | Should -Be 'Error'
            $report = Join-Path $TestDrive 'nat-once.md'
            $null = Get-WeChatSample nat-timeout | Invoke-WeChatDiagnostic -Report $report
            $md = Get-Content $report -Raw
            $md | Should -Match 'LongLinkIdleTimeout'
            $md | Should -Match 'it explains LongLinkDied'
            $md | Should -Not -Match '\(`LongLinkDied`\)'
        }

        It 'finds nothing to warn about in healthy captures' -TestCases @(
            @{ Name = 'login-dispatch' }, @{ Name = 'mmtls-longlink' }, @{ Name = 'shortlink-burst' }, @{ Name = 'legacy-longlink' }
        ) {
            Invoke-WeChatDiagnostic (Join-Path $samples "$Name.pcapng") -MinimumSeverity Warning | Should -BeNullOrEmpty
        }

        It 'writes an error for a missing file and goes on with the others' {
            $f = Invoke-WeChatDiagnostic -Path (Join-Path $samples 'dead-link.pcapng'), (Join-Path $TestDrive 'missing.pcapng') -ErrorVariable e -ErrorAction SilentlyContinue
            $e[0].FullyQualifiedErrorId | Should -Match '^CaptureFileNotFound'
            $f.RuleId | Should -Contain 'LongLinkDied'
        }

        It 'analyses each file on its own, from Get-ChildItem too, and warns when -Join joins files that do not continue' {
            $dead = [IO.Path]::GetFullPath((Join-Path $samples 'dead-link.pcapng'))
            $healthy = [IO.Path]::GetFullPath((Join-Path $samples 'mmtls-longlink.pcapng'))
            $f = Get-ChildItem $dead, $healthy | Invoke-WeChatDiagnostic
            ($f | Where-Object RuleId -eq 'LongLinkDied').File | Should -Be $dead
            Invoke-WeChatDiagnostic -LiteralPath $dead, $healthy -Join -WarningVariable w -WarningAction SilentlyContinue | Out-Null
            "$w" | Should -BeLike "*$healthy starts*before $dead ends*"
        }
    }

    Context 'reports' {
        It 'writes a self-contained HTML report' {
            $report = Join-Path $TestDrive 'r.html'
            $null = Invoke-WeChatDiagnostic (Join-Path $samples 'nat-timeout.pcapng') -Report $report
            $html = Get-Content $report -Raw
            $html | Should -Match '<!DOCTYPE html>'
            $html | Should -Match 'LongLinkIdleTimeout'
            $html | Should -Not -Match '<script'
        }

        It 'does not replace a report without -Force, and writes nothing with -WhatIf' {
            $report = Join-Path $TestDrive 'r.md'
            Set-Content $report 'old'
            { Invoke-WeChatDiagnostic (Join-Path $samples 'dead-link.pcapng') -Report $report -ErrorAction Stop } | Should -Throw -ErrorId 'ReportExists*'
            Invoke-WeChatDiagnostic (Join-Path $samples 'dead-link.pcapng') -Report $report -Force -WhatIf | Out-Null
            Get-Content $report -Raw | Should -Match '^old'
            Invoke-WeChatDiagnostic (Join-Path $samples 'dead-link.pcapng') -Report $report -Force | Out-Null
            Get-Content $report -Raw | Should -Match '# WeChat network diagnostic'
        }

        It 'stops before the checks when the report folder does not exist' {
            { Invoke-WeChatDiagnostic (Join-Path $samples 'dead-link.pcapng') -Report (Join-Path $TestDrive 'no/such/r.html') } | Should -Throw -ErrorId 'ReportWriteError*'
        }

        It 'refuses a -Report of another provider (Env:) before the checks, writing nothing' {
            $name = "wcn-nofs-$(Get-Random).html"
            $e = { Invoke-WeChatDiagnostic (Join-Path $samples 'dead-link.pcapng') -Report "Env:/$name" } | Should -Throw -ErrorId 'ReportWriteError*' -PassThru
            $e.Exception.Message | Should -BeLike "'Env:/$name' is a path of the Environment provider*"
            Join-Path ([Environment]::CurrentDirectory) $name | Should -Not -Exist
        }

        It 'says a -Report that is a folder is a folder' {
            $e = { Invoke-WeChatDiagnostic (Join-Path $samples 'dead-link.pcapng') -Report $TestDrive -Force } | Should -Throw -ErrorId 'ReportWriteError*' -PassThru
            $e.Exception.Message | Should -BeLike "-Report '$TestDrive' is a folder*"
        }

        It 'rejects a report format it does not know' {
            { Invoke-WeChatDiagnostic (Join-Path $samples 'dead-link.pcapng') -Report (Join-Path $TestDrive 'r.pdf') } | Should -Throw -ErrorId 'ReportFormatUnknown*'
        }
    }

    Context 'live, against local servers only' {
        It 'reports a resolver that never answers and a refused port, errors first' {
            $f = Invoke-WeChatDiagnostic -Live -Server "Overseas=$silentResolver" -DnsTimeout 300ms -SkipDispatch -SkipTrace `
                -Target 127.0.0.1 -Port $closedPort
            ($f | Where-Object RuleId -eq 'ResolverFailed').Title | Should -Match 'failed for \d+ of \d+ names: Timeout'
            ($f | Where-Object RuleId -eq 'HostUnreachable').Title | Should -Match '^No TCP connection to 127\.0\.0\.1 succeeded \(1 tried: Refused\)'
            $f[0].Severity | Should -Be 'Error'
        }

        It 'reports a dispatch that does not answer' {
            $f = Invoke-WeChatDiagnostic -Live -Server "127.0.0.1:$($udp.Client.LocalEndPoint.Port)" -DnsTimeout 0.3 -SkipTrace `
                -DispatchUri "http://127.0.0.1:$closedPort/cgi-bin/micromsg-bin/newgetdns" -Target 127.0.0.1 -Port $closedPort
            ($f | Where-Object RuleId -eq 'DispatchFailed').Title | Should -Match 'failed: DispatchUnreachable'
        }
    }

    It 'needs a capture or -Live' {
        { Invoke-WeChatDiagnostic } | Should -Throw -ErrorId 'NoDiagnosticInput*'
    }
}
