#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Get-WeChatRoute's Windows implementation: ICMP through Windows' ICMP helper API (IcmpSendEcho2), no raw sockets.
# Runs in the Windows layer only (the Windows build of PowerShell under Wine, docs/testing.md): where $IsWindows is false
# it fails. The routers are real Linux routers in network namespaces, built as root on Linux by
# Get-WeChatRoute.Windows.Fixture.ps1 before this Windows pwsh starts; their addresses come in WECHATNET_TEST_ROUTE.
# Wine is not Windows: its ICMP helper API sends and reads through Linux's ICMP sockets, and its process is not a
# limited Windows token, so this proves the Windows code path (the API calls, the reply layout, statuses, threading),
# not that Windows itself lets a non-administrator do it (Microsoft documents that it does, and tracert relies on it).

BeforeAll {
    if (-not $IsWindows) { throw "This file tests Get-WeChatRoute on Windows; here `$IsWindows is false. It runs in the Windows layer (./build.ps1 -Task Test, see docs/testing.md)." }
    $script:manifest = Join-Path $PSScriptRoot '..\..\out\WeChatNet\WeChatNet.psd1'
    if (-not (Test-Path -LiteralPath $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
    if (-not $env:WECHATNET_TEST_ROUTE) {
        throw 'WECHATNET_TEST_ROUTE is not set: the routers come from tests/pester/Get-WeChatRoute.Windows.Fixture.ps1, run as root on Linux before this Windows pwsh starts (build.ps1''s Windows layer does).'
    }
    $script:topo = $env:WECHATNET_TEST_ROUTE | ConvertFrom-Json
    # Wine 8 has no ICMPv6 in its ICMP helper API (Icmp6CreateFile answers "call not implemented").
    $script:underWine = Test-Path -LiteralPath 'HKCU:\Software\Wine'

    # Runs a command in its own runspace and returns its output, errors, progress records and the terminating error.
    function Invoke-Captured([string] $command) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$manifest'; try { $command } catch { [pscustomobject]@{ TerminatingError = `$_ } }")
            $all = @($ps.Invoke())
            [pscustomobject]@{
                Output = @($all | Where-Object { -not $_.PSObject.Properties['TerminatingError'] })
                Errors = @($ps.Streams.Error)
                Progress = @($ps.Streams.Progress)
                Terminating = @($all | Where-Object { $_.PSObject.Properties['TerminatingError'] } | ForEach-Object TerminatingError)[0]
            }
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Get-WeChatRoute on Windows (ICMP helper API)' {
    AfterAll {
        # Requests a stopped trace left pending run out on their own (their -Timeout). Wine, unlike Windows, wedges its
        # ICMP driver, and with it every later process of the prefix, when a process exits with requests pending: wait.
        if ($script:pendingUntil) {
            $left = ($script:pendingUntil - [DateTime]::UtcNow).TotalSeconds
            if ($left -gt 0) { Start-Sleep -Seconds ([math]::Ceiling($left)) }
        }
    }

    It 'traces through real routers over ICMP: every hop in order, the silent one as no reply, the target reached' {
        $hops = @(Get-WeChatRoute $topo.Target -Timeout 1)
        $hops.Hop | Should -Be @(1, 2, 3, 4)
        $hops[0].Address | Should -Be $topo.Hops[0]
        $hops[2].Address | Should -Be $topo.Hops[2]
        $hops[3].Address | Should -Be $topo.Target
        $hops[3].IsDestination | Should -BeTrue
        $hops[3].Reply | Should -Be 'EchoReply'
        @($hops | Where-Object IsDestination).Count | Should -Be 1
        $hops[0].Reply | Should -Be 'TimeExceeded'
        $silent = $hops[$topo.SilentHop - 1]
        $silent.Received | Should -Be 0
        $silent.Address | Should -BeNullOrEmpty
        $silent.Note | Should -BeLike '*later hops answer*'
        foreach ($h in $hops) {
            $h.Protocol | Should -Be 'Icmp'
            $h.Port | Should -Be 0
            $h.TargetAddress | Should -Be $topo.Target
            $h.Sent | Should -Be 3
        }
        foreach ($h in $hops | Where-Object Address) {
            $h.Received | Should -Be 3
            $h.LossPercent | Should -Be 0
            # Owner and region of every answering hop, as on Linux: 198.18.0.0/15 is a special-purpose block.
            $h.Region | Should -Be 'Special'
            $h.BestMs | Should -BeGreaterThan 0
        }
    }

    It 'keeps -Count, reports progress per round, and writes what Export-Csv and a 120-column table need' {
        $r = Invoke-Captured "Get-WeChatRoute $($topo.Target) -Count 5 -Timeout 1"
        $r.Terminating | Should -BeNullOrEmpty
        $r.Output.Hop | Should -Be @(1, 2, 3, 4)
        foreach ($h in $r.Output) { $h.Sent | Should -Be 5 }
        $r.Output[3].Received | Should -Be 5
        # One record per round as it starts, then the completion. The cmdlet writes one ProgressRecord object again and
        # again (as hosts expect), so the collection holds that object six times, in its last state.
        $progress = @($r.Progress | Where-Object Activity -eq "Get-WeChatRoute $($topo.Target)")
        $progress.Count | Should -Be 6
        $progress[-1].RecordType | Should -Be 'Completed'
        $progress[-1].StatusDescription | Should -BeLike 'Round 5 of 5: * probes sent, * replies, target at hop 4'

        $csv = Join-Path $TestDrive 'route.csv'
        $r.Output | Export-Csv -LiteralPath $csv
        $rows = Import-Csv -LiteralPath $csv
        $rows[3].AddressesText | Should -Be $topo.Target
        $table = $r.Output | Format-Table | Out-String -Width 120
        $table | Should -Match ([regex]::Escape($topo.Hops[2]))
        ($table -split "`r?`n" | Where-Object { $_.Length -gt 120 }) | Should -BeNullOrEmpty
    }

    It 'traces loopback in one hop, and several targets from the pipeline' {
        $hops = @('127.0.0.1', $topo.Target | Get-WeChatRoute -Count 2 -Timeout 1)
        ($hops | Where-Object Target -eq '127.0.0.1').Hop | Should -Be @(1)
        ($hops | Where-Object Target -eq '127.0.0.1').Reply | Should -Be 'EchoReply'
        ($hops | Where-Object Target -eq $topo.Target)[-1].IsDestination | Should -BeTrue
    }

    It 'names hops with -ResolveNames through the system resolver (loopback: from the hosts file, no DNS query)' {
        $hop = @(Get-WeChatRoute 127.0.0.1 -Count 1 -Timeout 1 -ResolveNames)
        $hop.Count | Should -Be 1
        $hop[0].HostName | Should -BeLike 'localhost*'
    }

    It 'stops -Protocol <_> with RouteProtocolUnsupported, says why, offers -Protocol Icmp, and traces nothing' -ForEach 'Tcp', 'Udp' {
        $r = Invoke-Captured "'127.0.0.1', '$($topo.Target)' | Get-WeChatRoute -Protocol $_"
        $r.Output | Should -BeNullOrEmpty
        $e = $r.Terminating
        $e.FullyQualifiedErrorId | Should -BeLike 'RouteProtocolUnsupported,*'
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.Message | Should -BeLike "-Protocol $_ is not available on Windows: *"
        $e.Exception.Message | Should -BeLike '*raw*'
        $e.Exception.Message | Should -BeLike '*Trace with -Protocol Icmp (the default)*'
    }

    It 'Invoke-WeChatDiagnostic -TraceProtocol Tcp skips only the trace, and its advice names -TraceProtocol, not -Protocol' {
        # The diagnostic has no -Protocol: advice that names Get-WeChatRoute's parameter cannot be typed into it.
        $r = Invoke-Captured "Invoke-WeChatDiagnostic -Live -Target 127.0.0.1 -Port 9 -SkipDispatch -TraceProtocol Tcp -Server 127.0.0.1 -DnsTimeout 1s -ConnectTimeout 1s -All"
        $r.Terminating | Should -BeNullOrEmpty
        $skipped = @($r.Output | Where-Object RuleId -eq 'PathTraceSkipped')
        $skipped.Count | Should -Be 1
        $skipped[0].Recommendation | Should -BeLike '-TraceProtocol Tcp is not available on Windows: *Trace with -TraceProtocol Icmp (the default)*(RouteProtocolUnsupported)'
        $skipped[0].Recommendation | Should -Not -BeLike '*-Protocol *'
        @($r.Output | Where-Object RuleId -eq 'HostUnreachable').Count | Should -Be 1 -Because 'the connect checks still ran'
    }

    It 'traces IPv6 loopback, or says plainly that this system''s ICMP helper API has no IPv6 (Wine)' {
        $r = Invoke-Captured 'Get-WeChatRoute ::1 -IPv6 -Count 1'
        if ($underWine) {
            $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'RouteProtocolUnsupported,*'
            $r.Terminating.Exception.Message | Should -BeLike '*Icmp6CreateFile*leave out -IPv6*'
        }
        else {
            $r.Terminating | Should -BeNullOrEmpty
            $r.Output.Hop | Should -Be @(1)
            $r.Output[0].Reply | Should -Be 'EchoReply'
        }
    }

    It 'stops at once when the pipeline is stopped (Ctrl+C), keeping the hops already written' {
        # The target never answers and hop 2 is silent: with -Timeout 20 nothing else would settle for 20 s.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$manifest'; Get-WeChatRoute $($topo.SilentTarget) -Timeout 20")
            $out = [System.Management.Automation.PSDataCollection[psobject]]::new()
            # Whatever happens below, its requests run out within the wait, the timeout and a margin (see AfterAll).
            $script:pendingUntil = [DateTime]::UtcNow.AddSeconds(90)
            $async = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $out)
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ($out.Count -eq 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $out.Count | Should -BeGreaterThan 0 -Because 'hop 1 answers at once and is written before the trace ends'
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Stop()
            $script:pendingUntil = [DateTime]::UtcNow.AddSeconds(25)
            $async.IsCompleted | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 15 -Because 'a stopped trace must not wait out its 20 s timeout'
            $out[0].Hop | Should -Be 1
            $out[0].Address | Should -Be $topo.Hops[0]
            @($out | Where-Object IsDestination) | Should -BeNullOrEmpty
        }
        finally { $ps.Dispose() }
    }

    It 'traces again while a stopped trace''s requests are still pending and the thread that ran it is gone' {
        # Under Wine a request left pending by a thread that exited wedged every later request of the process: the next
        # trace hung inside IcmpSendEcho2. Requests now start on one thread that lives as long as the process.
        $first = [powershell]::Create()
        try {
            $null = $first.AddScript("Import-Module '$manifest'; Get-WeChatRoute $($topo.SilentTarget) -Timeout 20")
            $out = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $script:pendingUntil = [DateTime]::UtcNow.AddSeconds(90)
            $null = $first.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $out)
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ($out.Count -eq 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $out.Count | Should -BeGreaterThan 0 -Because 'hop 1 answers at once; the silent hops stay pending for 20 s'
            $first.EndStop($first.BeginStop($null, $null))
        }
        finally { $first.Dispose() } # closes its runspace: the thread that ran the trace ends
        $script:pendingUntil = [DateTime]::UtcNow.AddSeconds(25)

        $next = [powershell]::Create()
        try {
            $null = $next.AddScript("Import-Module '$manifest'; Get-WeChatRoute 127.0.0.1 -Count 1 -Timeout 2")
            $async = $next.BeginInvoke()
            # A wedged helper never returns: bound the wait instead of hanging the suite (one loopback hop takes milliseconds).
            $async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(60)) | Should -BeTrue -Because 'a trace after a stopped one must not hang'
            $hops = @($next.EndInvoke($async))
            $hops.Count | Should -Be 1
            $hops[0].Reply | Should -Be 'EchoReply'
        }
        finally {
            # A trace wedged inside the helper API cannot be stopped: leave it (the file's process ends with it) rather than hang here.
            if ($next.InvocationStateInfo.State -eq 'Running') { $null = $next.BeginStop($null, $null) } else { $next.Dispose() }
        }
    }
}
