#!/usr/bin/env pwsh
# Get-WeChatRoute on Windows (ICMP helper API, under Wine) side by side with the Linux path (raw sockets) and traceroute,
# on one path: the root namespace -> r1 -> r2 (silent) -> r3 -> server, built by tests/pester/Get-WeChatRoute.Windows.Fixture.ps1.
# Run by hand as root after ./build.ps1 -Task Package: dotnet pwsh -NoProfile -File tests/WeChatNet.Benchmarks/RouteWindows.ps1 [-Runs 5]
# Each figure is the median over -Runs traces timed inside one process (no process start-up), 3 rounds, -Timeout 2 s.
param([int] $Runs = 5)
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$manifest = Join-Path $root 'out/WeChatNet/WeChatNet.psd1'
if (-not (Test-Path $manifest)) { throw "Package the module first (./build.ps1 -Task Package): $manifest is missing." }
Import-Module (Join-Path $root 'build/WindowsPwsh.psm1')
$null = Initialize-WindowsPwsh
$fx = & (Join-Path $root 'tests/pester/Get-WeChatRoute.Windows.Fixture.ps1')
try {
    $topo = $fx.Environment.WECHATNET_TEST_ROUTE | ConvertFrom-Json
    # The same measurement in both processes: wall time per trace, hop 1's best RTT, the hop list.
    $measure = {
        param($manifest, $target, $runs)
        Import-Module $manifest
        $null = Get-WeChatRoute 127.0.0.1 -Count 1 -Timeout 1 # warm-up (JIT)
        $rows = foreach ($i in 1..$runs) {
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $hops = @(Get-WeChatRoute $target -Timeout 2)
            [pscustomobject]@{ Ms = $sw.Elapsed.TotalMilliseconds; Hop1 = $hops[0].BestMs; Path = ($hops | ForEach-Object { $_.Address ?? '*' }) -join ' > ' }
        }
        $rows | ConvertTo-Json -Compress
    }
    $linux = & $measure $manifest $topo.Target $Runs | ConvertFrom-Json
    $winManifest = ConvertTo-WindowsPath $manifest
    $command = "& { $measure } '$winManifest' '$($topo.Target)' $Runs"
    $r = Invoke-WindowsPwsh -Command $command -TimeoutSeconds 600
    if ($r.ExitCode -ne 0) { throw "The Windows pwsh failed ($($r.ExitCode)): $($r.Error -join "`n")" }
    $windows = ($r.Output -join '') | ConvertFrom-Json
    $tr = foreach ($i in 1..$Runs) {
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $null = traceroute -I -n -q 3 -w 2 $topo.Target
        $sw.Elapsed.TotalMilliseconds
    }
    function Median($xs) { $s = @($xs | Sort-Object); $s[[int][math]::Floor(($s.Count - 1) / 2)] }
    $lm = Median $linux.Ms; $wm = Median $windows.Ms; $tm = Median $tr
    "| Path | Linux (raw ICMP) | Windows under Wine (ICMP helper API) | ratio | traceroute -I | hop 1 best RTT, Linux | hop 1 best RTT, Windows | hops equal |"
    "|---|---:|---:|---:|---:|---:|---:|---|"
    $equal = if ((($linux.Path | Select-Object -Unique) -join '|') -eq (($windows.Path | Select-Object -Unique) -join '|')) { 'yes' } else { 'no' }
    "| 4 hops, hop 2 silent | {0:N0} ms | {1:N0} ms | {2:N2}x | {3:N0} ms | {4:N3} ms | {5:N3} ms | {6} ({7}) |" -f $lm, $wm, ($wm / $lm), $tm,
        (Median $linux.Hop1), (Median $windows.Hop1), $equal, $linux[0].Path
}
finally { & $fx.Remove }
