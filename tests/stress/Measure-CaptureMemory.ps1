<#
.SYNOPSIS
    Captures for a long time with rotation under a loopback flood and records the capturing process's memory over time.
.DESCRIPTION
    Start-WeChatCapture -OutFile -MaxFileSize -MaxFiles runs in a pwsh of its own while a UDP flood pours into loopback;
    every -SampleSeconds the script reads that process's resident set (VmRSS), its peak (VmHWM) and the packets the
    files hold, and prints a row. At the end: the first and last RSS after warm-up, the largest, and the growth per
    hour, for docs/benchmarks.md. Run by hand as root on Linux (never part of the test command); only loopback traffic.
.PARAMETER Minutes
    How long the capture runs (30 by default).
.EXAMPLE
    dotnet pwsh -NoProfile -File tests/stress/Measure-CaptureMemory.ps1 -Minutes 30
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 1440)] [int] $Minutes = 30,
    [ValidateRange(1, 3600)] [int] $SampleSeconds = 30,
    [string] $CsvPath
)
$ErrorActionPreference = 'Stop'
if (-not $IsLinux) { throw 'This script reads /proc: run it on Linux.' }
$root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$manifest = Join-Path $root 'out/WeChatNet/WeChatNet.psd1'
if (-not (Test-Path $manifest)) { throw 'Package the module first: ./build.ps1 -Task Package' }
Import-Module (Join-Path $root 'tests/pester/Support/CaptureStop.psm1')
$work = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-memory-$PID"
New-Item -ItemType Directory -Force $work | Out-Null
$port = Get-FreeUdpPort
$file = Join-Path $work 'ring.pcapng'
$pwsh = Get-PwshCommandLine
$script = "Import-Module '$manifest'; Start-WeChatCapture lo -Filter 'udp port $port' -OutFile '$file' -MaxFileSize 50MB -MaxFiles 4 -Duration '$($Minutes)m' | Format-List *"
$proc = Start-Process -FilePath $pwsh[0] -ArgumentList (@($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $script)) -PassThru `
    -RedirectStandardOutput (Join-Path $work 'summary.txt') -RedirectStandardError (Join-Path $work 'err.txt')
$flood = Start-UdpFlood -Port $port
function Read-Status([int] $Id) {
    $s = @{}
    foreach ($line in Get-Content "/proc/$Id/status" -ErrorAction SilentlyContinue) { if ($line -match '^(VmRSS|VmHWM):\s+(\d+) kB') { $s[$Matches[1]] = [long]$Matches[2] } }
    $s
}
$rows = [System.Collections.Generic.List[object]]::new()
$started = [DateTime]::UtcNow
try {
    while (-not $proc.HasExited) {
        Start-Sleep -Seconds $SampleSeconds
        if ($proc.HasExited) { break }
        $st = Read-Status $proc.Id
        $row = [pscustomobject]@{
            Minute = [math]::Round(([DateTime]::UtcNow - $started).TotalMinutes, 1)
            RssMB  = [math]::Round($st.VmRSS / 1024, 1)
            PeakMB = [math]::Round($st.VmHWM / 1024, 1)
            Files  = @(Get-ChildItem $work -Filter 'ring_*.pcapng').Count
            Sent   = $flood.State.Sent
            Load   = (Get-Content /proc/loadavg).Split(' ')[0]
        }
        $rows.Add($row)
        $row | Format-Table -HideTableHeaders | Out-String | ForEach-Object TrimEnd | Write-Host
    }
} finally {
    Stop-UdpFlood $flood
    if (-not $proc.HasExited) { $proc.Kill() }
}
if ($CsvPath) { $rows | Export-Csv -NoTypeInformation $CsvPath }
Get-Content (Join-Path $work 'summary.txt') | Where-Object { $_ -match 'PacketsCaptured|PacketsWritten|PacketsDroppedByKernel|FilesWritten|StopReason' }
$warm = @($rows | Where-Object Minute -ge 2)
if ($warm.Count -ge 2) {
    $first = $warm[0]; $last = $warm[-1]
    $perHour = ($last.RssMB - $first.RssMB) / [math]::Max(0.1, ($last.Minute - $first.Minute) / 60)
    'RSS after warm-up: {0} MB at minute {1}, {2} MB at minute {3}; largest {4} MB; growth {5:F1} MB/hour' -f $first.RssMB, $first.Minute,
        $last.RssMB, $last.Minute, ($rows | Measure-Object RssMB -Maximum).Maximum, $perHour
}
Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
