#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Start-WeChatCapture -OutFile when something goes wrong underneath it, each with real components: a full disk (a 1 MB
# tmpfs, one file and a rotation set), the output folder removed mid-capture, the capture interface deleted mid-capture
# (a veth pair), a read-only destination (a read-only tmpfs), and SIGKILL. After each: the file on disk is valid up to its
# last whole block (tshark and Import-WeChatCapture read it without complaint), the CaptureSummary says how many packets
# the files hold (PacketsWritten) and how many were lost and why (PacketsLost, FileError), the error names the cause and
# the path, and nothing hangs.
# Needs root (capture rights, mount, ip link), libpcap and tshark: fails naming what is missing.

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    $script:manifest = (Resolve-Path $manifest).Path
    Import-Module $script:manifest -Force
    Import-Module (Join-Path $PSScriptRoot 'Support/CaptureStop.psm1') -Force
    if (-not $IsLinux) { throw 'These fault tests use Linux mounts, veth pairs and signals: they run in the Linux layer.' }
    if ((id -u) -ne 0) { throw 'These tests mount file systems, add interfaces and capture: run them as root.' }
    foreach ($tool in 'mount', 'umount', 'ip', 'kill') {
        if (-not (Get-Command $tool -CommandType Application -ErrorAction SilentlyContinue)) { throw "$tool is needed (util-linux, iproute2, procps)." }
    }
    $script:lo = (Get-WeChatCaptureDevice | Where-Object IsLoopback | Select-Object -First 1).Name
    $script:pwsh = Get-PwshCommandLine

    function Invoke-Capture([string] $Arguments, [int] $TimeoutSeconds = 600) {
        <# Runs Start-WeChatCapture in a PowerShell instance of its own, so a hang fails the test instead of the suite.
           Returns the summary (-OutVariable: the cmdlet writes it before its terminating error) and the error. #>
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$script:manifest'; `$s = `$null; try { Start-WeChatCapture $Arguments -OutVariable s | Out-Null; `$e = `$null } catch { `$e = `$_ }; [pscustomobject]@{ Summary = `$s | Select-Object -Last 1; Error = `$e }")
            $async = $ps.BeginInvoke()
            if (-not $async.AsyncWaitHandle.WaitOne($TimeoutSeconds * 1000)) { $ps.Stop(); throw "Start-WeChatCapture $Arguments did not end within $TimeoutSeconds s." }
            $ps.EndInvoke($async) | Select-Object -First 1
        } finally { $ps.Dispose() }
    }

    function Assert-CleanFile([string] $Path) {
        $c = Get-CaptureFileCheck -Path $Path
        $c.Complete | Should -BeTrue -Because "$Path must end at a whole block"
        $c.TsharkErrors | Should -BeNullOrEmpty -Because "tshark must read $Path without complaint"
        $c.ReaderProblems | Should -BeNullOrEmpty -Because "Import-WeChatCapture must read $Path without complaint"
        $c.TsharkPackets | Should -Be $c.BlockPackets
        $c.ReaderPackets | Should -Be $c.BlockPackets
        $c
    }

    function New-SmallDisk([string] $Size, [switch] $ReadOnly) {
        $dir = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-fault-$PID-$(Get-Random)"
        New-Item -ItemType Directory $dir | Out-Null
        $opts = "size=$Size" + ($(if ($ReadOnly) { ',ro' } else { '' }))
        & mount -t tmpfs -o $opts wechatnet-fault $dir
        if ($LASTEXITCODE -ne 0) { throw "mount -t tmpfs -o $opts failed (needs root)." }
        $dir
    }

    function Remove-SmallDisk([string] $Dir) {
        if (-not $Dir) { return }
        & umount $Dir 2>$null
        Remove-Item $Dir -Recurse -Force -ErrorAction SilentlyContinue
    }
}

Describe 'Start-WeChatCapture on a full disk' {
    BeforeEach {
        $script:port = Get-FreeUdpPort
        $script:disk = New-SmallDisk 1m
        $script:flood = Start-UdpFlood -Port $script:port
    }
    AfterEach {
        Stop-UdpFlood $script:flood
        Remove-SmallDisk $script:disk
    }

    It 'stops with an error naming the file and the cause, and leaves a file that ends at its last whole packet' {
        $file = Join-Path $script:disk 'full.pcapng'
        $r = Invoke-Capture "'$script:lo' -Filter 'udp port $script:port' -OutFile '$file' -Duration 60"
        $r.Error | Should -Not -BeNullOrEmpty -Because 'a full disk stops the capture with an error'
        $r.Error.FullyQualifiedErrorId | Should -BeLike 'CaptureFileWriteError*'
        $r.Error.Exception.Message | Should -BeLike "*'$file'*No space left on device*"
        $s = $r.Summary
        $s | Should -Not -BeNullOrEmpty -Because 'the summary is written before the error'
        $s.StopReason | Should -Be 'Error'
        $s.FileError | Should -BeLike '*No space left on device*'
        $c = Assert-CleanFile $file
        $c.BlockPackets | Should -BeGreaterThan 1000 -Because 'the flood filled 1 MB'
        $s.PacketsWritten | Should -Be $c.BlockPackets -Because 'PacketsWritten is what the file holds'
        $s.PacketsLost | Should -Be ($s.PacketsCaptured - $s.PacketsWritten)
        $s.PacketsLost | Should -BeGreaterThan 0 -Because 'the write that failed held at least one packet'
        $r.Error.Exception.Message | Should -BeLike "*hold $($s.PacketsWritten) whole packets*$($s.PacketsLost) of the $($s.PacketsCaptured) packets captured are in no file*"
    }

    It 'stops a rotation set with every file readable and their packets summed in PacketsWritten' {
        $file = Join-Path $script:disk 'ring.pcapng'
        $r = Invoke-Capture "'$script:lo' -Filter 'udp port $script:port' -OutFile '$file' -MaxFileSize 150KB -Duration 60"
        $r.Error.FullyQualifiedErrorId | Should -BeLike 'CaptureFileWriteError*'
        $s = $r.Summary
        @($s.Files).Count | Should -BeGreaterThan 3 -Because '1 MB holds several 150 KB files'
        $total = 0
        foreach ($f in $s.Files) { $total += (Assert-CleanFile $f).BlockPackets }
        $s.PacketsWritten | Should -Be $total
        $s.PacketsLost | Should -Be ($s.PacketsCaptured - $total)
        $s.PacketsLost | Should -BeGreaterThan 0
    }
}

Describe 'Start-WeChatCapture when its folder, its interface or its rights go' {
    BeforeEach {
        $script:port = Get-FreeUdpPort
        $script:dir = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-fault-$PID-$(Get-Random)"
        New-Item -ItemType Directory $script:dir | Out-Null
    }
    AfterEach {
        Stop-UdpFlood $script:trickle
        $script:trickle = $null
        if ($script:veth) { & ip link del $script:veth 2>$null; $script:veth = $null }
        Remove-SmallDisk $script:disk
        $script:disk = $null
        Remove-Item $script:dir -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'stops when the output folder is removed mid-capture, saying the file went with it' {
        $sub = Join-Path $script:dir 'out'
        New-Item -ItemType Directory $sub | Out-Null
        $file = Join-Path $sub 'gone.pcapng'
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$script:manifest'; `$s = `$null; try { Start-WeChatCapture '$script:lo' -Filter 'udp port $script:port' -OutFile '$file' -OutVariable s | Out-Null; `$e = `$null } catch { `$e = `$_ }; [pscustomobject]@{ Summary = `$s | Select-Object -Last 1; Error = `$e }")
            $async = $ps.BeginInvoke()
            Wait-CaptureFileGrowing -Path $file -MinBytes 0
            $script:trickle = Start-UdpFlood -Port $script:port -PerSecond 5
            $deadline = [DateTime]::UtcNow.AddSeconds(300)
            while ($script:trickle.State.Sent -lt 3 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            Remove-Item $sub -Recurse -Force
            $async.AsyncWaitHandle.WaitOne(600000) | Should -BeTrue -Because 'the capture notices at its next flush (at most a second) and stops'
            $r = $ps.EndInvoke($async) | Select-Object -First 1
        } finally { $ps.Dispose() }
        $r.Error.FullyQualifiedErrorId | Should -BeLike 'CaptureFileWriteError*'
        $r.Error.Exception.Message | Should -BeLike "*'$file'*was removed during the capture*folder '$sub' no longer exists*"
        $r.Summary.PacketsWritten | Should -Be 0 -Because 'what was written went with the folder'
        $r.Summary.PacketsLost | Should -Be $r.Summary.PacketsCaptured
        $r.Summary.PacketsCaptured | Should -BeGreaterThan 0
    }

    It 'stops when the capture interface is deleted mid-capture, with its file closed complete' {
        $name = 'wnf' + (Get-Random -Maximum 99999)
        & ip link add $name type veth peer name "${name}p"
        if ($LASTEXITCODE -ne 0) { throw 'ip link add ... type veth failed (needs root and veth support).' }
        $script:veth = $name
        & ip link set $name up; & ip link set "${name}p" up
        $file = Join-Path $script:dir 'veth.pcapng'
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$script:manifest'; `$s = `$null; try { Start-WeChatCapture '$name' -All -OutFile '$file' -OutVariable s | Out-Null; `$e = `$null } catch { `$e = `$_ }; [pscustomobject]@{ Summary = `$s | Select-Object -Last 1; Error = `$e }")
            $async = $ps.BeginInvoke()
            Wait-CaptureFileGrowing -Path $file -MinBytes 0
            Start-Sleep -Milliseconds 500
            & ip link del $name
            $script:veth = $null
            $async.AsyncWaitHandle.WaitOne(600000) | Should -BeTrue -Because 'a vanished interface ends the capture'
            $r = $ps.EndInvoke($async) | Select-Object -First 1
        } finally { $ps.Dispose() }
        $r.Error.FullyQualifiedErrorId | Should -BeLike 'CaptureReadFailed*'
        $r.Error.Exception.Message | Should -BeLike "*'$name'*"
        $r.Summary.StopReason | Should -Be 'Error'
        $c = Assert-CleanFile $file
        $c.Recorded | Should -Not -BeNullOrEmpty -Because 'the file is closed with its statistics block'
        $r.Summary.PacketsWritten | Should -Be $c.BlockPackets
        $r.Summary.PacketsLost | Should -Be 0
    }

    It 'refuses a read-only destination at once, naming the file, and leaves nothing behind' {
        $script:disk = New-SmallDisk 1m -ReadOnly
        $file = Join-Path $script:disk 'ro.pcapng'
        $r = Invoke-Capture "'$script:lo' -Filter 'udp port $script:port' -OutFile '$file' -Duration 30" 
        $r.Error.FullyQualifiedErrorId | Should -BeLike 'CaptureFileWriteError*'
        $r.Error.Exception.Message | Should -BeLike "*'$file'*Read-only file system*"
        $r.Summary | Should -BeNullOrEmpty -Because 'no capture ran'
        Test-Path $file | Should -BeFalse
    }
}

Describe 'Start-WeChatCapture killed with SIGKILL' {
    BeforeEach {
        $script:port = Get-FreeUdpPort
        $script:dir = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-fault-$PID-$(Get-Random)"
        New-Item -ItemType Directory $script:dir | Out-Null
    }
    AfterEach {
        Stop-UdpFlood $script:trickle
        if ($script:proc -and -not $script:proc.HasExited) { $script:proc.Kill() }
        Remove-Item $script:dir -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'loses at most the flush interval: the file holds whole packets up to about a second before the kill' {
        # 20 datagrams a second never lets libpcap's read time out, so only the capture's time-based flush (every second)
        # puts them on disk; without it 15 s of them (about 70 KB) would still sit in the 1 MiB write buffer.
        $file = Join-Path $script:dir 'killed.pcapng'
        $script = "Import-Module '$script:manifest'; Start-WeChatCapture '$script:lo' -Filter 'udp port $script:port' -OutFile '$file'"
        $exe, $rest = $script:pwsh
        $script:proc = Start-Process -FilePath $exe -ArgumentList (@($rest) + @('-NoProfile', '-NonInteractive', '-Command', $script)) -PassThru `
            -RedirectStandardOutput (Join-Path $script:dir 'out.txt') -RedirectStandardError (Join-Path $script:dir 'err.txt')
        Wait-CaptureFileGrowing -Path $file -MinBytes 0
        $script:trickle = Start-UdpFlood -Port $script:port -PerSecond 20
        Start-Sleep -Seconds 15
        $killedAt = [DateTimeOffset]::UtcNow
        & kill -KILL $script:proc.Id
        $script:proc.WaitForExit(300000) | Should -BeTrue
        $c = Assert-CleanFile $file
        $c.Recorded | Should -BeNullOrEmpty -Because 'nothing runs after SIGKILL: no statistics block'
        $c.BlockPackets | Should -BeGreaterThan 0
        $last = Import-WeChatCapture -Path $file | Select-Object -Last 1
        # The documented bound is the flush interval (1 s) plus libpcap's 100 ms buffer timeout; 8 s leaves room for a
        # loaded machine starving the capture thread, and still fails by far without the time-based flush (nothing of the
        # 15 s would be on disk).
        ($killedAt - $last.Timestamp).TotalSeconds | Should -BeLessThan 8 -Because 'packets wait at most about a second in the write buffer'
    }
}
