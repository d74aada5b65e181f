#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Start-WeChatCapture -OutFile stopped from outside while a flood runs on loopback: by SIGTERM and SIGHUP (how a remote
# session, a job's process or a service manager ends pwsh), by a pipeline stop (Ctrl+C, PowerShell.Stop()), by closing
# the runspace it runs in, by Stop-Job and Remove-Job -Force on thread jobs and process jobs. Each time the file must be
# complete: tshark and Import-WeChatCapture read every packet without complaint, and their counts equal the count the
# capture recorded in the file's closing statistics block (isb_usrdeliv: every packet it counted).
# Needs root (capture rights), libpcap and tshark: fails naming what is missing.

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

    function Assert-CompleteCapture([string] $Path, [string] $How) {
        $c = Get-CaptureFileCheck -Path $Path
        $c.Complete | Should -BeTrue -Because "$How must leave whole blocks only"
        $c.TsharkErrors | Should -BeNullOrEmpty -Because "$How must leave a file tshark reads cleanly"
        $c.ReaderProblems | Should -BeNullOrEmpty -Because "$How must leave a file Import-WeChatCapture reads cleanly"
        $c.Recorded | Should -Not -BeNullOrEmpty -Because "$How must close the file with its statistics block"
        $c.Recorded | Should -BeGreaterThan 1000 -Because 'the flood was being captured when it was stopped'
        $c.TsharkPackets | Should -Be $c.Recorded -Because "every packet the capture counted ($How) is in the file"
        $c.ReaderPackets | Should -Be $c.Recorded
        $c.BlockPackets | Should -Be $c.Recorded
        $c
    }
}

Describe 'Start-WeChatCapture stopped from outside keeps every counted packet' {
    BeforeEach {
        $script:port = Get-FreeUdpPort
        $script:dir = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-capstop-$PID-$(Get-Random)"
        New-Item -ItemType Directory $script:dir | Out-Null
        $script:file = Join-Path $script:dir 'flood.pcapng'
        $script:flood = Start-UdpFlood -Port $script:port
    }
    AfterEach {
        Stop-UdpFlood $script:flood
        if ($script:proc -and -not $script:proc.HasExited) { $script:proc.Kill() }
        $script:proc = $null
        Remove-Item $script:dir -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'by <Signal> to the pwsh process' -ForEach @(@{ Signal = 'TERM'; Exit = 143 }, @{ Signal = 'HUP'; Exit = 129 }) {
        $script = "Import-Module '$script:manifest'; Start-WeChatCapture '$script:lo' -Filter 'udp port $script:port' -OutFile '$script:file'"
        $exe, $rest = $script:pwsh
        $script:proc = Start-Process -FilePath $exe -ArgumentList (@($rest) + @('-NoProfile', '-NonInteractive', '-Command', $script)) -PassThru `
            -RedirectStandardOutput (Join-Path $script:dir 'out.txt') -RedirectStandardError (Join-Path $script:dir 'err.txt')
        Wait-CaptureFileGrowing -Path $script:file
        & kill "-$Signal" $script:proc.Id
        $script:proc.WaitForExit(30000) | Should -BeTrue -Because "pwsh ends on SIG$Signal"
        $script:proc.ExitCode | Should -Be $Exit -Because 'the signal still ends the process as its sender meant'
        $c = Assert-CompleteCapture $script:file "SIG$Signal"
        $c.Comment | Should -Match "stopped by SIG$Signal"
    }

    It 'by a pipeline stop (PowerShell.Stop(), as Ctrl+C)' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$script:manifest'; Start-WeChatCapture '$script:lo' -Filter 'udp port $script:port' -OutFile '$script:file'")
            $async = $ps.BeginInvoke()
            Wait-CaptureFileGrowing -Path $script:file
            $ps.Stop()
            $thrown = { $ps.EndInvoke($async) } | Should -Throw -PassThru
            $thrown.Exception.InnerException | Should -BeOfType ([System.Management.Automation.PipelineStoppedException])
        } finally { $ps.Dispose() }
        $c = Assert-CompleteCapture $script:file 'a pipeline stop'
        $c.Comment | Should -Match 'stopped by Stopped'
    }

    It 'by a downstream Select-Object -First ending the pipeline (-PassThru)' {
        $out = Start-WeChatCapture $script:lo -Filter "udp port $script:port" -OutFile $script:file -PassThru | Select-Object -Skip 3000 -First 1
        $out | Should -Not -BeNullOrEmpty
        $null = Assert-CompleteCapture $script:file 'Select-Object -First'
    }

    It 'by closing the runspace it runs in (a session closing)' {
        $rs = [runspacefactory]::CreateRunspace()
        $rs.Open()
        $ps = [powershell]::Create($rs)
        try {
            $null = $ps.AddScript("Import-Module '$script:manifest'; Start-WeChatCapture '$script:lo' -Filter 'udp port $script:port' -OutFile '$script:file'")
            $null = $ps.BeginInvoke()
            Wait-CaptureFileGrowing -Path $script:file
            $rs.Close()
        } finally { $ps.Dispose(); $rs.Dispose() }
        $null = Assert-CompleteCapture $script:file 'closing the runspace'
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
                Wait-CaptureFileGrowing -Path $script:file
                if ($Stop -eq 'Stop-Job') { $job | Stop-Job; $job.State | Should -Be 'Stopped' }
                else { $job | Remove-Job -Force; $job = $null }
            } finally { if ($job) { $job | Remove-Job -Force } }
        } else {
            # A process job is driven from a pwsh of its own: pwsh 7.6.9's job client can crash its whole process
            # (ObjectDisposedException in OutOfProcessClientCommandTransportManager.OnSignalTimeOutTimerElapsed) when
            # Remove-Job -Force closes the job while a stop signal is still pending on a loaded machine.
            $driver = Join-Path $script:dir 'driver.ps1'
            Set-Content $driver @"
Import-Module '$(Join-Path $PSScriptRoot 'Support/CaptureStop.psm1')'
`$job = Start-Job -ScriptBlock { $block } -ArgumentList '$($args4 -join "','")'
Wait-CaptureFileGrowing -Path '$script:file'
if ('$Stop' -eq 'Stop-Job') { `$job | Stop-Job; if (`$job.State -ne 'Stopped') { exit 3 }; `$job | Remove-Job -Force } else { `$job | Remove-Job -Force }
exit 0
"@
            $exe, $rest = $script:pwsh
            $script:proc = Start-Process -FilePath $exe -ArgumentList (@($rest) + @('-NoProfile', '-NonInteractive', '-File', $driver)) -PassThru `
                -RedirectStandardOutput (Join-Path $script:dir 'driver.out') -RedirectStandardError (Join-Path $script:dir 'driver.err')
            $script:proc.WaitForExit(120000) | Should -BeTrue -Because 'the driver starts, stops and removes the job'
            if ($script:proc.ExitCode -ne 0) { Write-Warning "job driver exited with $($script:proc.ExitCode): $(Get-Content (Join-Path $script:dir 'driver.err') -Raw)" }
            $script:proc.ExitCode | Should -Not -Be 3 -Because 'Stop-Job leaves the job Stopped'
        }
        # Remove-Job -Force returns as soon as the job is told to stop; the capture closes its file just after.
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (-not (Get-PcapNgBlockSummary -Path $script:file).Delivered -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
        $null = Assert-CompleteCapture $script:file "$Stop on a $Kind job"
    }
}
