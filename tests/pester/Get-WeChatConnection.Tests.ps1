#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Get-WeChatConnection against real connections: a sealed pair of network namespaces (LongLinkLab.psm1) with a
# stand-in long-link server and client processes named like WeChat's, run as nobody; the cmdlet runs unprivileged in
# a child pwsh, and `ss -tinp` (as root, on the same sockets) is the oracle for every field it shows. Needs root,
# iproute2 (ip, ss), iptables, util-linux (setpriv, unshare) and python3. Nothing leaves the namespaces.

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    $script:ModulePath = (Resolve-Path $manifest).Path
    Import-Module $manifest -Force
    Import-Module (Join-Path $PSScriptRoot 'Support/LongLinkLab.psm1') -Force
    $script:lab = New-LongLinkLab -Hosts @{ '129.226.1.10' = 'hklong.weixin.qq.com'; '101.226.5.4' = 'szshort.weixin.qq.com'; '183.3.224.1' = '' }
    # 183.3.224.1 is held by the server but named by nobody (an empty name adds no hosts line).
    Set-Content -Path (Join-Path $lab.EtcDir 'hosts') -Value "127.0.0.1 localhost`n129.226.1.10 hklong.weixin.qq.com`n101.226.5.4 szshort.weixin.qq.com`n"
    $script:wechat = Start-LabClient -Lab $lab -Name 'WeChat'
    $script:browser = Start-LabClient -Lab $lab -Name 'browser'
    $script:rootClient = Start-LabClient -Lab $lab -Name 'rootcli' -AsRoot
    Send-LabClient $wechat 'open ll 129.226.1.10 8080' | Out-Null
    Send-LabClient $wechat 'open sl 101.226.5.4 80' | Out-Null
    Send-LabClient $wechat 'open un 183.3.224.1 8080' | Out-Null
    Send-LabClient $browser "open web 101.226.5.4 443" | Out-Null
    Send-LabClient $browser "open other $($lab.ServerAddress) 443" | Out-Null
    Send-LabClient $rootClient 'open r 129.226.1.10 443' | Out-Null

    # Loss on the long link (iptables statistic match) until the kernel has retransmitted, then a clean path again. The
    # server's side drops: a drop in the client's own OUTPUT chain is a local send error, which TCP sends again without
    # counting a retransmission.
    $drop = @('-p', 'tcp', '-d', '129.226.1.10', '--dport', '8080', '-m', 'statistic', '--mode', 'random', '--probability', '0.5', '-j', 'DROP')
    Invoke-LabNative ip (@('netns', 'exec', $lab.Server, 'iptables', '-A', 'INPUT') + $drop) | Out-Null
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    do {
        Send-LabClient $wechat 'send ll 50000' | Out-Null
        Start-Sleep -Milliseconds 500
        $ll = Get-LabSs $lab | Where-Object LocalPort -eq $wechat.Ports['ll']
    } while ($ll.Retransmissions -lt 3 -and [DateTime]::UtcNow -lt $deadline)
    Invoke-LabNative ip (@('netns', 'exec', $lab.Server, 'iptables', '-D', 'INPUT') + $drop) | Out-Null
    # Let every connection go quiet: nothing unacknowledged, nothing in flight, so the statistics hold still.
    $deadline = [DateTime]::UtcNow.AddSeconds(90)
    do {
        Start-Sleep -Milliseconds 500
        $busy = @(Get-LabSs $lab | Where-Object { $_.Unacked -gt 0 })
    } while ($busy.Count -and [DateTime]::UtcNow -lt $deadline)
    Start-Sleep -Seconds 1
}

AfterAll {
    foreach ($c in $wechat, $browser, $rootClient) { if ($c) { $c.Writer.Dispose() } }
    Remove-LongLinkLab $lab
}

Describe 'Get-WeChatConnection on Linux, unprivileged, against ss' {
    BeforeAll {
        $script:ss1 = Get-LabSs $lab
        $script:result = Invoke-LabPwsh -Lab $lab -ModulePath $ModulePath -Script @'
$r = [ordered]@{}
$r.Uid = (id -u)
$r.Default = @(Get-WeChatConnection)
$r.All = @(Get-WeChatConnection -All -WarningVariable w -WarningAction SilentlyContinue)
$r.AllWarnings = @($w | ForEach-Object { "$_" })
$r.Browser = @(Get-WeChatConnection -ProcessName 'BROW*')
$r.ById = @(Get-WeChatConnection -ProcessId $r.Default[0].ProcessId)
$r.Table = Get-WeChatConnection | Format-Table | Out-String -Width 120
$r.List = Get-WeChatConnection | Format-List | Out-String -Width 120
[pscustomobject]$r | Export-Clixml -Depth 4 (Join-Path $HOME 'result.xml')
'@
        $script:ss2 = Get-LabSs $lab
        $script:ports = $wechat.Ports
    }

    It 'runs as an unprivileged user' {
        "$($result.Uid)".Trim() | Should -Be '65534'
    }

    It "lists exactly the WeChat-named process's connections, the long links first" {
        $mine = @($result.Default)
        ($mine.LocalPort | Sort-Object) | Should -Be (@($ports['ll'], $ports['sl'], $ports['un']) | Sort-Object)
        $mine.ProcessName | Sort-Object -Unique | Should -Be 'WeChat'
        $ssPid = ($ss1 | Where-Object LocalPort -eq $ports['ll']).Pid
        $ssPid | Should -BeGreaterThan 0
        $mine.ProcessId | Sort-Object -Unique | Should -Be $ssPid
        $mine.MatchedBy | Sort-Object -Unique | Should -Be 'Process'
        $mine[0].Role | Should -Be 'LongLink'
        $mine[1].Role | Should -Be 'LongLink'
        $mine[2].Role | Should -Be 'ShortLink'
        $mine[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.WeChatNet.Connection'
    }

    It 'names each server: host from the hosts file, role from the catalog or the port, region and owner as Get-WeChatIpInfo' {
        $ll = $result.Default | Where-Object LocalPort -eq $ports['ll']
        $ll.Host | Should -Be 'hklong.weixin.qq.com'
        $ll.HostSource | Should -Be 'HostsFile'
        $ll.Role | Should -Be 'LongLink'
        $ll.RoleSource | Should -Be 'Catalog'
        $ll.RemoteAddress | Should -Be '129.226.1.10'
        $ll.RemotePort | Should -Be 8080
        $ll.State | Should -Be 'Established'
        $info = Get-WeChatIpInfo 129.226.1.10
        $ll.Region | Should -Be $info.Region
        $ll.Owner | Should -Be $info.Owner
        $ll.Owner | Should -Be 'Tencent'
        $sl = $result.Default | Where-Object LocalPort -eq $ports['sl']
        $sl.Host | Should -Be 'szshort.weixin.qq.com'
        $sl.Role | Should -Be 'ShortLink'
        $sl.Region | Should -Be 'MainlandChina'
        $un = $result.Default | Where-Object LocalPort -eq $ports['un']
        $un.Host | Should -BeNullOrEmpty
        $un.Role | Should -Be 'LongLink'
        $un.RoleSource | Should -Be 'Port'
    }

    It 'gives statistics equal to ss -tinp on the same sockets (<Field>)' -ForEach @(
        @{ Field = 'RttMs' }, @{ Field = 'RttVarMs' }, @{ Field = 'Retransmissions' }, @{ Field = 'LostSegments' },
        @{ Field = 'CongestionWindow' }, @{ Field = 'BytesSent' }, @{ Field = 'BytesReceived' }
    ) {
        foreach ($name in 'll', 'sl', 'un') {
            $before = $ss1 | Where-Object LocalPort -eq $ports[$name]
            $after = $ss2 | Where-Object LocalPort -eq $ports[$name]
            $ours = $result.Default | Where-Object LocalPort -eq $ports[$name]
            $before.$Field | Should -Not -BeNullOrEmpty -Because "ss shows $Field for $name"
            $after.$Field | Should -Be $before.$Field -Because "the connections are idle, so ss reads $Field of $name the same twice"
            $ours.$Field | Should -Be $before.$Field -Because "$Field of $name ($($before.Info))"
        }
    }

    It 'saw retransmissions on the lossy long link (ss agrees)' {
        ($ss1 | Where-Object LocalPort -eq $ports['ll']).Retransmissions | Should -BeGreaterOrEqual 3
        ($result.Default | Where-Object LocalPort -eq $ports['ll']).Retransmissions | Should -BeGreaterOrEqual 3
        ($result.Default | Where-Object LocalPort -eq $ports['sl']).Retransmissions | Should -Be 0
    }

    It 'gives the time since the last send and receive within the time between the two ss reads (<Field>)' -ForEach @(
        @{ Field = 'LastSendMs' }, @{ Field = 'LastReceiveMs' }
    ) {
        foreach ($name in 'll', 'sl', 'un') {
            $before = ($ss1 | Where-Object LocalPort -eq $ports[$name]).$Field
            $after = ($ss2 | Where-Object LocalPort -eq $ports[$name]).$Field
            $ours = ($result.Default | Where-Object LocalPort -eq $ports[$name]).$Field
            $before | Should -Not -BeNullOrEmpty
            # ss and the kernel count in jiffies: allow one tick (4 ms at HZ=250, 10 ms at HZ=100) each side.
            $ours | Should -BeGreaterOrEqual ($before - 10)
            $ours | Should -BeLessOrEqual ($after + 10)
        }
    }

    It 'leaves AgeSec empty on Linux, which does not record it' {
        $result.Default | ForEach-Object { $_.AgeSec | Should -BeNullOrEmpty }
    }

    It "lists other users' connections with -All, unattributed, saying whose and why" {
        $r = $result.All | Where-Object LocalPort -eq $rootClient.Ports['r']
        $r | Should -Not -BeNullOrEmpty
        $r.ProcessId | Should -BeNullOrEmpty
        $r.User | Should -Be 'root'
        $r.Attribution | Should -Match 'root'
        ($ss1 | Where-Object LocalPort -eq $rootClient.Ports['r']).Process | Should -Be 'rootcli' -Because 'root sees the process'
        ($result.AllWarnings -join "`n") | Should -Match ([regex]::Escape("$($rootClient.Ports['r']) -> 129.226.1.10:443"))
        $mine = $result.All | Where-Object LocalPort -eq $wechat.Ports['ll']
        $mine.MatchedBy | Should -Be 'Process'
        ($result.All | Where-Object LocalPort -eq $browser.Ports['other']).MatchedBy | Should -BeNullOrEmpty
    }

    It 'lists a named process by endpoint: only its connections to WeChat servers' {
        @($result.Browser).Count | Should -Be 1
        $result.Browser[0].LocalPort | Should -Be $browser.Ports['web']
        $result.Browser[0].MatchedBy | Should -Be 'Endpoint'
        $result.Browser[0].ProcessName | Should -Be 'browser'
        $result.Browser[0].Host | Should -Be 'szshort.weixin.qq.com'
        (@($result.ById).LocalPort | Sort-Object) | Should -Be (@($result.Default).LocalPort | Sort-Object)
    }

    It 'formats as a table of at most 120 columns with the long link first' {
        $lines = ($result.Table -split "`r?`n") | Where-Object { $_.Trim() }
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
        $lines[0] | Should -Match '^Process\s+Remote\s+Host\s+Role\s+State\s+Region\s+RttMs\s+Retrans\s+LastRcvS'
        $lines[2] | Should -Match 'WeChat \d+\s+129\.226\.1\.10:8080\s+hklong\.weixin\.qq\.com\s+LongLink\s+Established\s+Overseas'
        $result.List | Should -Match 'Retransmissions\s+: \d+'
    }
}

Describe 'Get-WeChatConnection -Watch' {
    It 'reports the connections the client opens and closes, in order, and keeps the last statistics of a closed one' {
        $run = Start-LabPwsh -Lab $lab -ModulePath $ModulePath -Script @'
$events = Join-Path $HOME 'events.txt'
Get-WeChatConnection -Watch -Interval 0.2 -Duration 120 | ForEach-Object {
    Add-Content $events ('{0}|{1}|{2}|{3}|{4}|{5}' -f $_.Change, $_.Connection.LocalPort, $_.OldState, $_.NewState, $_.Connection.BytesSent, $_.Connection.ProcessName)
}
'@
        try {
            $file = Join-Path $run.Work 'events.txt'
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            while (-not ((Test-Path $file) -and (Get-Content $file | Where-Object { $_ -like "Existing|$($wechat.Ports['ll'])|*" }))) {
                if ($run.Process.HasExited) { throw "The watch ended early: $(Get-Content -Raw $run.Err)" }
                if ([DateTime]::UtcNow -gt $deadline) { throw 'The watch did not report the existing connections in 120 s.' }
                Start-Sleep -Milliseconds 200
            }
            Send-LabClient $wechat 'open w1 129.226.1.10 8080' | Out-Null
            $port = $wechat.Ports['w1']
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (Get-Content $file | Where-Object { $_ -like "Opened|$port|*" })) {
                if ([DateTime]::UtcNow -gt $deadline) { throw "The watch did not report the connection from port $port opening in 60 s." }
                Start-Sleep -Milliseconds 200
            }
            Send-LabClient $wechat 'send w1 3000' | Out-Null
            Start-Sleep -Milliseconds 800
            Send-LabClient $wechat 'close w1' | Out-Null
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (Get-Content $file | Where-Object { $_ -like "Closed|$port|*" })) {
                if ([DateTime]::UtcNow -gt $deadline) { throw "The watch did not report the connection from port $port closing in 60 s." }
                Start-Sleep -Milliseconds 200
            }
        } finally {
            if (-not $run.Process.HasExited) { $run.Process.Kill($true); $null = $run.Process.WaitForExit(10000) }
        }
        $lines = @(Get-Content $file)
        $existing = $lines | Where-Object { $_ -like 'Existing|*' } | ForEach-Object { [int]($_ -split '\|')[1] }
        ($existing | Sort-Object) | Should -Be (@($wechat.Ports['ll'], $wechat.Ports['sl'], $wechat.Ports['un']) | Sort-Object)
        $mine = @($lines | Where-Object { ($_ -split '\|')[1] -eq "$port" })
        $mine[0] | Should -BeLike "Opened|$port||Established|*|WeChat"
        $mine[-1] | Should -BeLike "Closed|$port|*|Closed|*|WeChat"
        [long](($mine[-1] -split '\|')[4]) | Should -BeGreaterOrEqual 3016 -Because 'the closed connection keeps its last statistics (16-byte heartbeat + 3000 bytes sent)'
        ($lines | Where-Object { $_ -like 'Opened|*' -and ($_ -split '\|')[1] -ne "$port" }) | Should -BeNullOrEmpty
    }

    It 'ends by itself after -Duration and writes ConnectionEvent objects that survive Export-Clixml' {
        $events = Invoke-LabPwsh -Lab $lab -ModulePath $ModulePath -Script @'
Get-WeChatConnection -Watch -Interval 0.2 -Duration 1.5 | Export-Clixml (Join-Path $HOME 'result.xml')
'@
        $events = @($events)
        $events.Count | Should -Be 3
        $events | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'Deserialized.WeChatNet.ConnectionEvent' }
        $events.Change | Sort-Object -Unique | Should -Be 'Existing'
        $ll = $events | Where-Object { $_.Connection.LocalPort -eq $wechat.Ports['ll'] }
        $ll.Connection.Host | Should -Be 'hklong.weixin.qq.com'
        $ll.Connection.RttMs | Should -BeGreaterThan 0
        ($events | Format-Table | Out-String -Width 120) -split "`r?`n" | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
    }
}

Describe 'Get-WeChatConnection parameters and errors' {
    It 'stops watching when stopped (Ctrl+C), without waiting for the next reading an hour away' {
        $ps = [powershell]::Create().AddScript({ param($m) Import-Module $m; Get-WeChatConnection -All -Watch -Interval 1h -WarningAction SilentlyContinue }).AddArgument($ModulePath)
        try {
            $handle = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while ($ps.InvocationStateInfo.State -ne 'Running' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Start-Sleep -Seconds 2   # past the first reading, into the wait
            $stop = $ps.BeginStop($null, $null)
            $stop.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(120)) | Should -BeTrue -Because 'StopProcessing ends the wait'
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        } finally { $ps.Dispose() }
    }

    It 'refuses an -Interval outside 50 ms to 1 h' {
        { Get-WeChatConnection -Watch -Interval 0 -Duration 1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,WeChatNet.Commands.GetWeChatConnectionCommand'
    }
    It 'names no process when none of WeChat''s runs here (in this test process''s namespace)' {
        # The host namespace runs no WeChat-named process; the verbose stream says so.
        $out = Get-WeChatConnection -ProcessName 'no-such-process-*' -Verbose 4>&1
        @($out | Where-Object { $_ -is [WeChatNet.Connection] }).Count | Should -Be 0
    }
}

Describe 'Invoke-WeChatDiagnostic -Live judges WeChat''s own connections' {
    It 'finds the long link in the other region and its retransmissions climbing, unprivileged' {
        # A resolver that never answers (UDP 53 dropped at the server) keeps the live checks running for a few seconds,
        # while the client sends on the long link through 50% loss.
        $dnsDrop = @('-p', 'udp', '--dport', '53', '-j', 'DROP')
        $loss = @('-p', 'tcp', '-d', '129.226.1.10', '--dport', '8080', '-m', 'statistic', '--mode', 'random', '--probability', '0.5', '-j', 'DROP')
        Invoke-LabNative ip (@('netns', 'exec', $lab.Server, 'iptables', '-A', 'INPUT') + $dnsDrop) | Out-Null
        Invoke-LabNative ip (@('netns', 'exec', $lab.Server, 'iptables', '-A', 'INPUT') + $loss) | Out-Null
        try {
            $run = Start-LabPwsh -Lab $lab -ModulePath $ModulePath -Script @"
`$f = Invoke-WeChatDiagnostic -Live -Server '$($lab.ServerAddress)' -Name long.weixin.qq.com -DnsTimeout 4s -SkipDispatch -SkipTrace -Target 129.226.1.10 -Port 8080 -ClientRegion MainlandChina
`$f | Export-Clixml (Join-Path `$HOME 'result.xml')
"@
            while (-not $run.Process.HasExited) {
                Send-LabClient $wechat 'send ll 20000' | Out-Null
                Start-Sleep -Milliseconds 300
            }
            Wait-LabPwsh $run | Out-Null
        } finally {
            Invoke-LabNative ip (@('netns', 'exec', $lab.Server, 'iptables', '-D', 'INPUT') + $loss) | Out-Null
            Invoke-LabNative ip (@('netns', 'exec', $lab.Server, 'iptables', '-D', 'INPUT') + $dnsDrop) | Out-Null
        }
        $f = @(Import-Clixml (Join-Path $run.Work 'result.xml'))
        $region = @($f | Where-Object RuleId -eq 'LongLinkOtherRegion')
        $region.Count | Should -Be 1 -Because ($f.Title -join "`n")
        $region[0].Title | Should -Match 'MainlandChina client goes to Overseas address 129\.226\.1\.10 \(hklong\.weixin\.qq\.com\)'
        $region[0].Evidence | Should -Match "WeChat \(\d+\) \S+:$($wechat.Ports['ll']) -> 129\.226\.1\.10:8080"
        $retrans = @($f | Where-Object RuleId -eq 'LongLinkRetransmitting')
        $retrans.Count | Should -Be 1 -Because ($f.Title -join "`n")
        $retrans[0].Title | Should -Match 'long link to 129\.226\.1\.10: \d+ in'
        $f.RuleId | Should -Not -Contain 'NoLongLink'
        $f.RuleId | Should -Not -Contain 'WeChatNotRunning'
    }

    It 'says WeChat does not run where it does not: this test''s namespace (the lab''s WeChat lives in another)' {
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $l.Start(); $closed = $l.LocalEndpoint.Port; $l.Stop()
        $f = Invoke-WeChatDiagnostic -Live -Server "127.0.0.1:$closed" -Name long.weixin.qq.com -DnsTimeout 300ms -SkipDispatch -SkipTrace -Target 127.0.0.1 -Port $closed
        ($f | Where-Object RuleId -eq 'WeChatNotRunning').Severity | Should -Be 'Info'
        $f.RuleId | Should -Not -Contain 'NoLongLink'
    }
}
