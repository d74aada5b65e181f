#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Start-WeChatCapture -OutFile stopped from outside: by SIGTERM and SIGHUP (how a remote session, a job's process or a
# service manager ends pwsh), to pwsh itself and to PowerShell's .NET-tool launcher that the user sees as pwsh, by a
# pipeline stop (Ctrl+C, PowerShell.Stop()), by closing the runspace it runs in, by Stop-Job and Remove-Job -Force on
# thread jobs and process jobs. Each way at three rates: idle (the stop arrives while the capture waits for packets), a
# trickle of 5 datagrams a second (WeChat's own regime) whose last datagram is sent just before the stop, and a flood.
# Each time the file must be complete: tshark and Import-WeChatCapture read every packet without complaint, their counts
# equal the count the capture recorded in the file's closing statistics block (isb_usrdeliv), and at a trickle that count
# is every datagram sent before the stop. Signals go to children started with the default disposition (env
# --default-signal), so the suite holds under nohup or a runner that ignores hangups.
# Needs root (capture rights), libpcap, tshark and coreutils' env --default-signal: fails naming what is missing.

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    $script:manifest = (Resolve-Path $manifest).Path
    Import-Module $script:manifest -Force
    Import-Module (Join-Path $PSScriptRoot 'Support/CaptureStop.psm1') -Force
    $script:lo = (Get-WeChatCaptureDevice | Where-Object IsLoopback | Select-Object -First 1).Name
    if (-not $script:lo) { throw 'No loopback capture device.' }
    if ($IsLinux -and (id -u) -ne 0) { throw 'These tests capture on loopback: run them as root (or give dotnet cap_net_raw).' }
    $script:pwsh = Get-PwshCommandLine
    $script:env = (Get-Command env -CommandType Application -ErrorAction Stop)[0].Source
    & $script:env --default-signal true 2>$null
    if ($LASTEXITCODE -ne 0) { throw 'env --default-signal is needed (coreutils 8.31 or later) to start children with default signal handling.' }

    function Start-Traffic([string] $Rate, [string] $File) {
        <# Once the capture has created its file (the interface is open and filtered by then): nothing (Idle), 5 datagrams
           a second then one more just before the caller stops the capture (Trickle: returns how many were sent), or waits
           for the flood started by BeforeEach to fill the file. #>
        switch ($Rate) {
            'Idle' { Wait-CaptureFileGrowing -Path $File -MinBytes 0; Start-Sleep -Milliseconds 500; return 0 }
            'Trickle' {
                Wait-CaptureFileGrowing -Path $File -MinBytes 0
                $t = Start-UdpFlood -Port $script:port -PerSecond 5
                $deadline = [DateTime]::UtcNow.AddSeconds(300)
                while ($t.State.Sent -lt 5 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
                Stop-UdpFlood $t
                Send-UdpDatagram -Port $script:port
                return $t.State.Sent + 1
            }
            'Flood' { Wait-CaptureFileGrowing -Path $File; return $null }
        }
    }

    function Assert-CompleteCapture([string] $Path, [string] $How, [string] $Rate, $Sent) {
        $c = Get-CaptureFileCheck -Path $Path
        $c.Complete | Should -BeTrue -Because "$How must leave whole blocks only"
        $c.TsharkErrors | Should -BeNullOrEmpty -Because "$How must leave a file tshark reads cleanly"
        $c.ReaderProblems | Should -BeNullOrEmpty -Because "$How must leave a file Import-WeChatCapture reads cleanly"
        $c.Recorded | Should -Not -BeNullOrEmpty -Because "$How must close the file with its statistics block"
        switch ($Rate) {
            'Idle' { $c.Recorded | Should -Be 0 -Because 'nothing was sent' }
            'Trickle' { $c.Recorded | Should -Be $Sent -Because "every datagram sent before $How, the last one just before it, is in the file" }
            'Flood' { $c.Recorded | Should -BeGreaterThan 1000 -Because 'the flood was being captured when it was stopped' }
        }
        $c.TsharkPackets | Should -Be $c.Recorded -Because "every packet the capture counted ($How) is in the file"
        $c.ReaderPackets | Should -Be $c.Recorded
        $c.BlockPackets | Should -Be $c.Recorded
        $c
    }

    function Start-CaptureProcess([string[]] $Launch, [string] $File) {
        $script = "Import-Module '$script:manifest'; Start-WeChatCapture '$script:lo' -Filter 'udp port $script:port' -OutFile '$File'"
        $exe, $rest = $Launch
        Start-Process -FilePath $script:env -ArgumentList (@('--default-signal', $exe) + @($rest) + @('-NoProfile', '-NonInteractive', '-Command', $script)) -PassThru `
            -RedirectStandardOutput (Join-Path $script:dir 'out.txt') -RedirectStandardError (Join-Path $script:dir 'err.txt')
    }
}

Describe 'Start-WeChatCapture stopped from outside keeps every counted packet' {
  Context '<Rate>' -ForEach @(@{ Rate = 'Idle' }, @{ Rate = 'Trickle' }, @{ Rate = 'Flood' }) {
    BeforeEach {
        $script:port = Get-FreeUdpPort
        $script:dir = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-capstop-$PID-$(Get-Random)"
        New-Item -ItemType Directory $script:dir | Out-Null
        $script:file = Join-Path $script:dir 'capture.pcapng'
        $script:flood = if ($Rate -eq 'Flood') { Start-UdpFlood -Port $script:port }
    }
    AfterEach {
        Stop-UdpFlood $script:flood
        if ($script:proc -and -not $script:proc.HasExited) { $script:proc.Kill() }
        $script:proc = $null
        foreach ($orphan in @($script:orphan)) { if ($orphan -and (Test-Path "/proc/$orphan")) { Stop-Process -Id $orphan -Force -ErrorAction SilentlyContinue } }
        $script:orphan = $null
        Remove-Item $script:dir -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'by <Signal> to the pwsh process' -ForEach @(@{ Signal = 'TERM'; Exit = 143 }, @{ Signal = 'HUP'; Exit = 129 }) {
        $script:proc = Start-CaptureProcess -Launch $script:pwsh -File $script:file
        $sent = Start-Traffic $Rate $script:file
        & kill "-$Signal" $script:proc.Id
        $script:proc.WaitForExit(300000) | Should -BeTrue -Because "pwsh ends on SIG$Signal"
        $script:proc.ExitCode | Should -Be $Exit -Because 'the signal still ends the process as its sender meant'
        $c = Assert-CompleteCapture $script:file "SIG$Signal" $Rate $sent
        $c.Comment | Should -Match "stopped by SIG$Signal"
    }

    It 'by <Signal> to PowerShell''s .NET-tool launcher, which starts pwsh as its child and forwards no signal' -ForEach @(
        @{ Signal = 'TERM'; Exit = 143 }, @{ Signal = 'HUP'; Exit = 129 }) {
        # `dotnet pwsh` and a tool-path pwsh run Microsoft.PowerShell.GlobalTool.Shim, which starts `dotnet pwsh.dll`.
        $shim = Join-Path (Split-Path $PSHOME) 'Microsoft.PowerShell.GlobalTool.Shim.dll'
        if (-not (Test-Path $shim)) { throw "PowerShell's tool launcher is not at ${shim}: run the suite from the repository's tool manifest (dotnet pwsh)." }
        $dotnet = (Get-Command dotnet -CommandType Application -ErrorAction Stop)[0].Source
        $script:proc = Start-CaptureProcess -Launch @($dotnet, $shim) -File $script:file
        Wait-CaptureFileGrowing -Path $script:file -MinBytes 0
        $script:orphan = @(Get-ChildProcessId -ParentId $script:proc.Id)
        $script:orphan.Count | Should -Be 1 -Because 'the launcher runs pwsh as its one child'
        $sent = Start-Traffic $Rate $script:file
        & kill "-$Signal" $script:proc.Id
        $script:proc.WaitForExit(300000) | Should -BeTrue -Because "the launcher ends on SIG$Signal"
        $script:proc.ExitCode | Should -Be $Exit
        Wait-ProcessGone -Id $script:orphan[0] | Should -BeTrue -Because 'the capturing pwsh ends with its launcher instead of capturing on as an orphan'
        $c = Assert-CompleteCapture $script:file "SIG$Signal to the launcher" $Rate $sent
        $c.Comment | Should -Match 'stopped by SIGTERM' -Because 'the kernel sends the parent-death signal, SIGTERM'
    }

    It 'by a pipeline stop (PowerShell.Stop(), as Ctrl+C)' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$script:manifest'; Start-WeChatCapture '$script:lo' -Filter 'udp port $script:port' -OutFile '$script:file'")
            $async = $ps.BeginInvoke()
            $sent = Start-Traffic $Rate $script:file
            $ps.Stop()
            $thrown = { $ps.EndInvoke($async) } | Should -Throw -PassThru
            $thrown.Exception.InnerException | Should -BeOfType ([System.Management.Automation.PipelineStoppedException])
        } finally { $ps.Dispose() }
        $c = Assert-CompleteCapture $script:file 'a pipeline stop' $Rate $sent
        $c.Comment | Should -Match 'stopped by Stopped'
    }

    It 'by a downstream Select-Object -First ending the pipeline (-PassThru)' -Skip:($Rate -eq 'Idle') {
        # With nothing arriving nothing reaches Select-Object: that pipeline ends by Ctrl+C (the pipeline-stop test).
        $first = if ($Rate -eq 'Flood') { 3000 } else { 2 }
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$script:manifest'; Start-WeChatCapture '$script:lo' -Filter 'udp port $script:port' -OutFile '$script:file' -PassThru | Select-Object -Skip $first -First 1")
            $async = $ps.BeginInvoke()
            $null = Start-Traffic $Rate $script:file
            $async.AsyncWaitHandle.WaitOne(60000) | Should -BeTrue -Because 'Select-Object -First ends the capture once its object arrives'
            $out = $ps.EndInvoke($async)
        } finally { $ps.Dispose() }
        $out | Should -Not -BeNullOrEmpty
        $c = Get-CaptureFileCheck -Path $script:file
        $c.Complete | Should -BeTrue
        $c.TsharkErrors | Should -BeNullOrEmpty
        $c.Recorded | Should -BeGreaterThan $first
        $c.TsharkPackets | Should -Be $c.Recorded
        $c.ReaderPackets | Should -Be $c.Recorded
    }

    It 'by closing the runspace it runs in (a session closing)' {
        $rs = [runspacefactory]::CreateRunspace()
        $rs.Open()
        $ps = [powershell]::Create($rs)
        try {
            $null = $ps.AddScript("Import-Module '$script:manifest'; Start-WeChatCapture '$script:lo' -Filter 'udp port $script:port' -OutFile '$script:file'")
            $null = $ps.BeginInvoke()
            $sent = Start-Traffic $Rate $script:file
            $rs.Close()
        } finally { $ps.Dispose(); $rs.Dispose() }
        $null = Assert-CompleteCapture $script:file 'closing the runspace' $Rate $sent
    }

    It 'by <Stop> on a <Kind> job' -ForEach @(
        @{ Kind = 'thread'; Stop = 'Stop-Job' }, @{ Kind = 'thread'; Stop = 'Remove-Job -Force' },
        @{ Kind = 'process'; Stop = 'Stop-Job' }, @{ Kind = 'process'; Stop = 'Remove-Job -Force' }) {
        $block = {
            param($manifest, $lo, $port, $file)
            Import-Module $manifest
            Start-WeChatCapture $lo -Filter "udp port $port" -OutFile $file
        }
        $args4 = @($script:manifest, $script:lo, $script:port, $script:file)
        if ($Kind -eq 'thread') {
            $job = Start-ThreadJob -ScriptBlock $block -ArgumentList $args4
            try {
                $sent = Start-Traffic $Rate $script:file
                if ($Stop -eq 'Stop-Job') { $job | Stop-Job; $job.State | Should -Be 'Stopped' }
                else { $job | Remove-Job -Force; $job = $null }
            } finally { if ($job) { $job | Remove-Job -Force } }
        } else {
            # A process job is driven from a pwsh of its own: pwsh 7.6.9's job client can crash its whole process
            # (ObjectDisposedException in OutOfProcessClientCommandTransportManager.OnSignalTimeOutTimerElapsed) when
            # Remove-Job -Force closes the job while a stop signal is still pending on a loaded machine. The driver starts
            # the job, waits until this test has sent its traffic (the go file), then stops the job.
            $driver = Join-Path $script:dir 'driver.ps1'
            $go = Join-Path $script:dir 'go'
            Set-Content $driver @"
`$job = Start-Job -ScriptBlock { $block } -ArgumentList '$($args4 -join "','")'
`$deadline = [DateTime]::UtcNow.AddSeconds(600)
while (-not (Test-Path '$go') -and [DateTime]::UtcNow -lt `$deadline) { Start-Sleep -Milliseconds 20 }
if ('$Stop' -eq 'Stop-Job') { `$job | Stop-Job; if (`$job.State -ne 'Stopped') { exit 3 }; `$job | Remove-Job -Force } else { `$job | Remove-Job -Force }
exit 0
"@
            $exe, $rest = $script:pwsh
            $script:proc = Start-Process -FilePath $exe -ArgumentList (@($rest) + @('-NoProfile', '-NonInteractive', '-File', $driver)) -PassThru `
                -RedirectStandardOutput (Join-Path $script:dir 'driver.out') -RedirectStandardError (Join-Path $script:dir 'driver.err')
            $sent = Start-Traffic $Rate $script:file
            New-Item -ItemType File $go | Out-Null
            $script:proc.WaitForExit(600000) | Should -BeTrue -Because 'the driver starts, stops and removes the job'
            if ($script:proc.ExitCode -ne 0) { Write-Warning "job driver exited with $($script:proc.ExitCode): $(Get-Content (Join-Path $script:dir 'driver.err') -Raw)" }
            $script:proc.ExitCode | Should -Not -Be 3 -Because 'Stop-Job leaves the job Stopped'
        }
        # Remove-Job -Force returns as soon as the job is told to stop; the capture closes its file just after.
        $deadline = [DateTime]::UtcNow.AddSeconds(300)
        while ($null -eq (Get-PcapNgBlockSummary -Path $script:file).Delivered -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
        $null = Assert-CompleteCapture $script:file "$Stop on a $Kind job" $Rate $sent
    }
  }
}

Describe 'Start-WeChatCapture under an inherited SIGHUP ignore (nohup)' {
    BeforeEach {
        $script:port = Get-FreeUdpPort
        $script:dir = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-capstop-$PID-$(Get-Random)"
        New-Item -ItemType Directory $script:dir | Out-Null
        $script:file = Join-Path $script:dir 'capture.pcapng'
    }
    AfterEach {
        if ($script:proc -and -not $script:proc.HasExited) { $script:proc.Kill() }
        $script:proc = $null
        Remove-Item $script:dir -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'keeps capturing on a hangup, as every nohup''d program does, and still closes its file on SIGTERM' {
        $nohup = (Get-Command nohup -CommandType Application -ErrorAction Stop)[0].Source
        $script = "Import-Module '$script:manifest'; Start-WeChatCapture '$script:lo' -Filter 'udp port $script:port' -OutFile '$script:file'"
        $exe, $rest = $script:pwsh
        # nohup sets SIGHUP to ignored and execs pwsh; .NET and the capture leave an inherited ignore in place.
        $script:proc = Start-Process -FilePath $script:env -ArgumentList (@('--default-signal', $nohup, $exe) + @($rest) + @('-NoProfile', '-NonInteractive', '-Command', $script)) -PassThru `
            -RedirectStandardOutput (Join-Path $script:dir 'out.txt') -RedirectStandardError (Join-Path $script:dir 'err.txt')
        Wait-CaptureFileGrowing -Path $script:file -MinBytes 0
        & kill -HUP $script:proc.Id
        $script:proc.WaitForExit(3000) | Should -BeFalse -Because 'a capture started under nohup ignores hangups'
        Send-UdpDatagram -Port $script:port
        & kill -TERM $script:proc.Id
        $script:proc.WaitForExit(300000) | Should -BeTrue
        $script:proc.ExitCode | Should -Be 143
        $c = Assert-CompleteCapture $script:file 'SIGTERM after an ignored SIGHUP' 'Trickle' 1
        $c.Comment | Should -Match 'stopped by SIGTERM'
    }
}
