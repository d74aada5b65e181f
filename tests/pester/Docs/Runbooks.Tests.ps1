#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Issue 12 item 5: the runbooks in docs/runbooks run in CI, each with Invoke-Pester -Container and its documented
# parameters, in a child pwsh inside the sealed network (tests/pester/Support/SealedNetwork.psm1), in a passing and a
# failing setup; the test asserts on the child's counts and failure messages. Needs root (namespaces, raw sockets).
# Runs alone: ./build.ps1 -Task Pester -PesterTag Runbook   (or -PesterPath tests/pester/Docs/Runbooks.Tests.ps1)

BeforeAll {
    $script:root = (Resolve-Path (Join-Path $PSScriptRoot '../../..')).Path
    $script:manifest = Join-Path $root 'out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/SealedNetwork.psm1') -Force
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ("wcn-runbooks-{0:x}-{1}" -f $PID, (Get-Random -Maximum 65536))
    $null = New-Item -ItemType Directory -Force $work
    $script:net = New-SealedNetwork -Name runbook

    $folder = Join-Path $work 'captures'
    $null = New-Item -ItemType Directory -Force $folder
    Copy-Item (Get-WeChatSample dead-link).Path (Join-Path $folder 'old.pcapng')
    Copy-Item (Get-WeChatSample mmtls-longlink).Path (Join-Path $folder 'new.pcapng')
    # Both times set: Copy-Item keeps the sample's own time, which is the checkout's and may be older than two hours.
    (Get-Item (Join-Path $folder 'old.pcapng')).LastWriteTime = (Get-Date).AddHours(-2)
    (Get-Item (Join-Path $folder 'new.pcapng')).LastWriteTime = Get-Date
    $script:reports = Join-Path $work 'reports'
    # A process named WeChat in the client holding a long link (and a short link) to the stand-ins, for LongLinkHealth.
    $ready = Join-Path $work 'wechat-client.ready'
    Start-SealedDaemon $net client 'wechat-client' @('/usr/bin/python3', (Join-Path $PSScriptRoot '../Support/longlink_standins.py'), 'hold', '--name', 'WeChat',
        '--connect', "$($net.Addresses.MainlandLongLink[0]):8080,$($net.Addresses.MainlandShortLink[0]):80", '--ready', $ready)
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not (Test-Path $ready)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw 'The WeChat-named stand-in client did not connect in 60 s.' }
        Start-Sleep -Milliseconds 200
    }

    # Every setup, with the parameters each runbook documents; all run in one child pwsh in the sealed network.
    # Latency limits are generous in the passing setups: the machine is shared, and no test asserts wall-clock time.
    $sample = { param($n) (Get-WeChatSample $n).Path }
    $setups = [ordered]@{
        'CaptureHealth-mmtls-longlink'   = @{ Runbook = 'CaptureHealth'; Data = @{ Folder = (& $sample mmtls-longlink) } }
        'CaptureHealth-legacy-longlink'  = @{ Runbook = 'CaptureHealth'; Data = @{ Folder = (& $sample legacy-longlink) } }
        'CaptureHealth-login-dispatch'   = @{ Runbook = 'CaptureHealth'; Data = @{ Folder = (& $sample login-dispatch) } }
        'CaptureHealth-folder'           = @{ Runbook = 'CaptureHealth'; Data = @{ Folder = $folder } }
        'CaptureHealth-dead-link'        = @{ Runbook = 'CaptureHealth'; Data = @{ Folder = (& $sample dead-link) } }
        'CaptureHealth-nat-timeout'      = @{ Runbook = 'CaptureHealth'; Data = @{ Folder = (& $sample nat-timeout) } }
        'LongLinkRegion-mainland'        = @{ Runbook = 'LongLinkRegion'; Data = @{ ExpectedRegion = 'MainlandChina'; Family = 'Weixin'; MaxConnectMs = 2000 } }
        'LongLinkRegion-overseas-answer' = @{ Runbook = 'LongLinkRegion'; Data = @{ ExpectedRegion = 'MainlandChina'; Family = 'Weixin'; Server = @('Overseas=8.8.8.8') } }
        'LongLinkRegion-overseas-site'   = @{ Runbook = 'LongLinkRegion'; Data = @{ ExpectedRegion = 'Overseas'; Family = 'WeChat'; HostRegion = @('Global', 'Singapore'); Server = @('Overseas=8.8.8.8'); MaxConnectMs = 2000 } }
        'LiveNetwork-healthy'            = @{ Runbook = 'LiveNetwork'; Data = @{ ReportFolder = $reports } }
        'LiveNetwork-dead-short-link'    = @{ Runbook = 'LiveNetwork'; Data = @{ Server = @("Mainland=$($net.Addresses.BrokenResolvers[0])"); SkipTrace = $true } }
        'LongLinkHealth-healthy'         = @{ Runbook = 'LongLinkHealth'; Data = @{ ExpectedRegion = 'MainlandChina'; WatchSeconds = 3; MaxRttMs = 1000 } }
        'LongLinkHealth-wrong-region'    = @{ Runbook = 'LongLinkHealth'; Data = @{ ExpectedRegion = 'Overseas'; WatchSeconds = 2 } }
        'LongLinkHealth-no-wechat'       = @{ Runbook = 'LongLinkHealth'; Data = @{ ProcessName = @('nosuchapp'); WatchSeconds = 1 } }
        'LongLinkPath-healthy'           = @{ Runbook = 'LongLinkPath'; Data = @{ Target = 'long.weixin.qq.com'; Count = 3; MaxStepMs = 1000 } }
        'LongLinkPath-silent-server'     = @{ Runbook = 'LongLinkPath'; Data = @{ Target = ($net.Blackhole -replace '0/24$', '7'); Count = 2 } }
    }
    $list = foreach ($id in $setups.Keys) {
        @{ Id = $id; Runbook = (Join-Path $root "docs/runbooks/$($setups[$id].Runbook).Tests.ps1"); Data = $setups[$id].Data }
    }
    $setupFile = Join-Path $work 'setups.xml'
    @($list) | Export-Clixml -Path $setupFile
    $outFile = Join-Path $work 'results.json'
    $script:run = Invoke-SealedPwsh $net -File (Join-Path $PSScriptRoot '../Support/RunbookRunner.ps1') -WorkingDirectory $work -ModulePath (Join-Path $root 'out/modules') -TimeoutSec 400 `
        -ArgumentList '-SetupFile', $setupFile, '-OutputFile', $outFile, '-ModuleManifest', $manifest, '-PesterVersion', "$((Get-Module Pester | Select-Object -First 1).Version)"
    if (-not (Test-Path $outFile)) { throw "The runbook runner wrote no results (exit $($run.ExitCode)):`n$($run.StdOut)`n$($run.StdErr)" }
    $script:Outcome = @{}
    foreach ($x in @(Get-Content -Raw $outFile | ConvertFrom-Json)) {
        $x | Add-Member -NotePropertyName Output -NotePropertyValue (($run.StdOut -split '(?m)^=== ' | Where-Object { $_.StartsWith($x.Id) }) -join '')
        $Outcome[$x.Id] = $x
    }
    $script:setupCount = $setups.Count

    function script:Get-Failed($Result, [string] $Like) {
        @($Result.Tests | Where-Object { $_.Result -eq 'Failed' -and $_.Name -like $Like })
    }
    function script:Assert-Passed($Result, [int] $Count) {
        $Result | Should -Not -BeNullOrEmpty
        $Result.Failed + $Result.FailedBlocks + $Result.FailedContainers | Should -Be 0 -Because $Result.Output
        if ($Count) { $Result.Passed | Should -Be $Count -Because $Result.Output } else { $Result.Passed | Should -BeGreaterThan 0 }
    }
}

AfterAll {
    if ($script:net) { Remove-SealedNetwork $script:net }
    if ($script:work -and (Test-Path $script:work)) { Remove-Item $script:work -Recurse -Force -ErrorAction Ignore }
}

Describe 'Runbook CaptureHealth' -Tag Runbook {
    It 'passes on the healthy sample <_>' -ForEach 'mmtls-longlink', 'legacy-longlink', 'login-dispatch' {
        Assert-Passed $Outcome["CaptureHealth-$_"] 5
    }

    It 'checks the newest capture of a folder (mmtls-longlink, newer than dead-link)' {
        Assert-Passed $Outcome['CaptureHealth-folder'] 5
    }

    It 'fails on <_> with the documented messages, naming the flow and the server' -ForEach 'dead-link', 'nat-timeout' {
        $path = (Get-WeChatSample $_).Path
        $r = $Outcome["CaptureHealth-$_"]
        $r.Passed + $r.Failed | Should -Be 5 -Because $r.Output
        # What the runbook must say, from the cmdlets it is built on.
        $heartbeats = @(Measure-WeChatHeartbeat -Path $path)
        $missed = @($heartbeats | Where-Object Missed -gt 0 | ForEach-Object { "flow $($_.FlowId) to $($_.Server): $($_.Missed) missed" })
        $died = @($heartbeats | Where-Object Died | ForEach-Object { "flow $($_.FlowId) to $($_.Server) died: $($_.Ending)" })
        $warnings = @(Invoke-WeChatDiagnostic -Path $path -MinimumSeverity Warning | ForEach-Object { "$($_.RuleId): $($_.Title)" })
        $died.Count | Should -BeGreaterThan 0
        $missed.Count | Should -BeGreaterThan 0
        $m = (Get-Failed $r 'has no heartbeat failures').Message
        foreach ($line in $missed) { $m | Should -BeLike "*$line*" }
        $m = (Get-Failed $r 'has no long link that died').Message
        foreach ($line in $died) { $m | Should -BeLike "*$line*" }
        $m = (Get-Failed $r 'gives no warnings or errors').Message
        foreach ($line in $warnings) { $m | Should -BeLike "*$line*" }
        # One cause, one finding: dead-link's death is its own finding; nat-timeout's deaths are the idle timeout's evidence.
        $m | Should -BeLike $(if ($_ -eq 'nat-timeout') { '*LongLinkIdleTimeout*' } else { '*LongLinkDied*' })
        $warnings.Count | Should -BeGreaterThan 0
        (Get-Failed $r 'holds at least one long link') | Should -BeNullOrEmpty
    }
}

Describe 'Runbook LongLinkRegion (sealed network)' -Tag Runbook {
    It 'passes where the resolvers send the Weixin long link to mainland China (this machine''s resolver, 114.114.114.114)' {
        Assert-Passed $Outcome['LongLinkRegion-mainland']
        $Outcome['LongLinkRegion-mainland'].Passed | Should -BeGreaterThan 8   # two per catalog host of the default regions, and the connect
    }

    It 'fails naming the host and the resolver when an overseas resolver answers' {
        $r = $Outcome['LongLinkRegion-overseas-answer']
        $wrong = @(Get-Failed $r '* resolves to addresses in the expected region')
        $wrong.Count | Should -BeGreaterThan 0 -Because $r.Output
        $wrong.Name | Should -Contain 'long.weixin.qq.com resolves to addresses in the expected region'
        ($wrong | Where-Object Name -like 'long.weixin.qq.com*').Message | Should -BeLike "*8.8.8.8 answered $($net.Addresses.OverseasLongLink[0])*"
        (Get-Failed $r '* resolves') | Should -BeNullOrEmpty -Because 'the names still resolve'
    }

    It 'passes for an overseas site on the WeChat app with its documented settings' {
        Assert-Passed $Outcome['LongLinkRegion-overseas-site'] 5
    }
}

Describe 'Runbook LongLinkHealth (sealed network, a WeChat-named client holding a long link)' -Tag Runbook {
    It 'passes where WeChat holds an established long link in mainland China, quiet while watched' {
        Assert-Passed $Outcome['LongLinkHealth-healthy'] 6
    }

    It 'fails naming the server, host and region when the long link is not in the expected region' {
        $r = $Outcome['LongLinkHealth-wrong-region']
        $m = @(Get-Failed $r 'has its long link in the expected region').Message
        $m | Should -Not -BeNullOrEmpty -Because $r.Output
        $m | Should -BeLike "*WeChat (*) -> $($net.Addresses.MainlandLongLink[0]):8080 long.weixin.qq.com ``[MainlandChina``]*"
        $r.Failed | Should -Be 1 -Because $r.Output
    }

    It 'fails saying which process it looked for when none holds a connection' {
        $r = $Outcome['LongLinkHealth-no-wechat']
        @(Get-Failed $r 'WeChat runs and holds connections').Message | Should -BeLike '*nosuchapp*'
        @(Get-Failed $r 'holds an established long link') | Should -Not -BeNullOrEmpty
    }
}

Describe 'Runbook LiveNetwork (sealed network)' -Tag Runbook {
    It 'passes where the dispatch, every host, the resolvers and the path are fine, and keeps a report' {
        Assert-Passed $Outcome['LiveNetwork-healthy'] 5
        @(Get-ChildItem $reports -Filter 'wechat-*.html').Count | Should -Be 1
    }

    It 'fails naming the host when the site resolver sends the short link where nothing listens' {
        $r = $Outcome['LiveNetwork-dead-short-link']
        $m = @(Get-Failed $r 'reaches every WeChat host').Message
        $m | Should -Not -BeNullOrEmpty -Because $r.Output
        $m | Should -BeLike '*short.weixin.qq.com*'
        @(Get-Failed $r 'has no errors at all').Message | Should -BeLike '*HostUnreachable*short.weixin.qq.com*'
        Get-Failed $r 'gets an answer from the dispatch' | Should -BeNullOrEmpty
        Get-Failed $r 'has working resolvers' | Should -BeNullOrEmpty
    }
}

Describe 'Runbook LongLinkPath (sealed network)' -Tag Runbook {
    It 'passes where the long link answers over TCP 8080 through the routers' {
        Assert-Passed $Outcome['LongLinkPath-healthy'] 3
    }

    It 'fails naming the last hop that answered when the server never answers' {
        $r = $Outcome['LongLinkPath-silent-server']
        $m = @(Get-Failed $r 'reaches the server').Message
        $m | Should -Not -BeNullOrEmpty -Because $r.Output
        # r2 (198.18.101.2) is the last router before the world, which drops the target's packets: hop 2.
        $m | Should -BeLike '*the last hop answering was 198.18.101.2 at hop 2*'
    }
}

Describe 'Runbooks in CI' -Tag Runbook {
    It 'every runbook in docs/runbooks runs here, in a passing and a failing setup' {
        foreach ($f in Get-ChildItem (Join-Path $root 'docs/runbooks') -Filter *.Tests.ps1) {
            $name = $f.Name -replace '\.Tests\.ps1$'
            # The fleet runbook needs SSH sites: the remoting suite runs it against three namespace sites, passing and failing.
            $elsewhere = @{ 'Fleet' = 'tests/pester/Remoting.Tests.ps1' }
            if ($elsewhere.ContainsKey($name)) {
                $suite = Get-Content -Raw (Join-Path $root $elsewhere[$name])
                $suite | Should -Match ([regex]::Escape("docs/runbooks/$($f.Name)")) -Because "$($elsewhere[$name]) must run $($f.Name)"
                $suite | Should -Match 'passes for a healthy site' -Because "$($f.Name) needs a passing setup"
                $suite | Should -Match 'fails naming the site' -Because "$($f.Name) needs a failing setup"
                continue
            }
            @($Outcome.Keys | Where-Object { $_ -like "$name-*" }).Count | Should -BeGreaterOrEqual 2 -Because "$($f.Name) must run in CI"
        }
        $line = ($Outcome.Values | Sort-Object Id | ForEach-Object { "$($_.Id) $($_.Passed)/$($_.Failed) $($_.Seconds)s" }) -join '; '
        Write-Host "Runbooks: $setupCount setups in the sealed network (passed/failed tests): $line" -ForegroundColor Cyan
    }
}

Describe 'The sealed network the runbooks ran in' -Tag Runbook {
    It 'has no link to the host and no route out' {
        Test-SealedNetwork $net | Should -BeNullOrEmpty
        foreach ($role in $net.Namespaces.Keys) {
            Invoke-SealedCommand $net $role @('ip', 'route') | Where-Object { $_ -match '\bdev (\S+)' -and $Matches[1] -notmatch '^(lo|s10[0-2]p?)$' } |
                Should -BeNullOrEmpty -Because "$role routes only through the sealed links"
        }
    }

    It 'notices a link to the host (the check can fail)' {
        $leak = 'wcl{0:x4}' -f (Get-Random -Maximum 65536)
        & $net.Ip link add $leak type veth peer name "${leak}p" netns $net.Namespaces.client
        try {
            $problems = @(Test-SealedNetwork $net)
            $problems -join "`n" | Should -Match "client: interface ${leak}p is not a veth to another namespace of the sealed network"
            $problems -join "`n" | Should -Match "host: .*$leak"
        }
        finally { & $net.Ip link delete $leak 2>$null }
        Test-SealedNetwork $net | Should -BeNullOrEmpty
    }
}
