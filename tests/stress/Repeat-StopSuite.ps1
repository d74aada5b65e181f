<#
.SYNOPSIS
    Runs the capture stop suite many times in a row beside CPU-bound loops, and counts the runs that failed.
.DESCRIPTION
    Proof that the stop tests (tests/pester/Start-WeChatCapture.Stop.Tests.ps1: every stop way at idle, a trickle and a
    flood) hold on a loaded two-core machine, not only on an idle one. Run by hand, as root, after packaging the module
    (./build.ps1 -Task Package); never part of the test command. Each run is a fresh pwsh, as in build.ps1. Prints one
    line per run and ends with "N runs, N passed, N failed" and the failed tests' names; the figure goes to
    docs/testing.md.
.PARAMETER Times
    How many runs (30 by default, as docs/testing.md reports).
.PARAMETER BusyLoops
    How many CPU-bound loops run beside the suite (2 by default: one per core of the project's machines).
.EXAMPLE
    dotnet pwsh -NoProfile -File tests/stress/Repeat-StopSuite.ps1 -Times 30 -BusyLoops 2
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 1000)] [int] $Times = 30,
    [ValidateRange(0, 64)] [int] $BusyLoops = 2
)
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$suite = Join-Path $root 'tests/pester/Start-WeChatCapture.Stop.Tests.ps1'
if (-not (Test-Path (Join-Path $root 'out/WeChatNet/WeChatNet.psd1'))) { throw 'Package the module first: ./build.ps1 -Task Package' }
$version = ([xml](Get-Content -Raw (Join-Path $root 'build/TestTools.proj'))).Project.PropertyGroup.PesterVersion
$modules = Join-Path $root 'out/modules'
if (-not (Test-Path (Join-Path $modules "Pester/$version/Pester.psd1"))) { throw "Pester $version is not in ${modules}: run ./build.ps1 -Task Pester once." }
$env:PSModulePath = $modules + [IO.Path]::PathSeparator + $env:PSModulePath
$self = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
$pwsh = if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { @($self, (Join-Path $PSHOME 'pwsh.dll')) } else { @($self) }
$work = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-stop-repeat-$PID"
New-Item -ItemType Directory -Force $work | Out-Null

$loops = @(1..$BusyLoops | Where-Object { $BusyLoops -gt 0 } | ForEach-Object { Start-Process sh -ArgumentList '-c "while :; do :; done"' -PassThru })
$passedRuns = 0; $failedRuns = 0; $failures = [System.Collections.Generic.List[string]]::new()
$started = [DateTime]::UtcNow
try {
    for ($i = 1; $i -le $Times; $i++) {
        $counts = Join-Path $work "run-$i.json"
        $xml = Join-Path $work "run-$i.xml"
        $exe = $pwsh[0]; $rest = @($pwsh | Select-Object -Skip 1)
        & $exe @rest -NoProfile -NonInteractive -File (Join-Path $root 'build/Invoke-PesterFile.ps1') -Path $suite -PesterVersion $version `
            -CountsPath $counts -ResultPath $xml *> (Join-Path $work "run-$i.log")
        $c = if (Test-Path $counts) { Get-Content -Raw $counts | ConvertFrom-Json }
        $ok = $c -and $LASTEXITCODE -eq 0 -and $c.Failed -eq 0 -and $c.FailedBlocks -eq 0 -and $c.FailedContainers -eq 0 -and $c.Passed -gt 0
        if ($ok) { $passedRuns++ } else {
            $failedRuns++
            if (Test-Path $xml) {
                foreach ($t in ([xml](Get-Content -Raw $xml)).SelectNodes("//test-case[@result='Failure']")) { $failures.Add("run ${i}: $($t.name)") }
            } else { $failures.Add("run ${i}: no results (exit $LASTEXITCODE), see $(Join-Path $work "run-$i.log")") }
        }
        $load = if (Test-Path /proc/loadavg) { (Get-Content /proc/loadavg).Split(' ')[0] } else { '?' }
        '{0,3}/{1}: {2} ({3} passed, {4} failed, {5} skipped) load {6}' -f $i, $Times, ($ok ? 'pass' : 'FAIL'), $c.Passed, $c.Failed, $c.Skipped, $load
    }
} finally {
    foreach ($l in $loops) { if (-not $l.HasExited) { $l.Kill() } }
}
'{0} runs, {1} passed, {2} failed in {3:F1} min with {4} busy loops' -f $Times, $passedRuns, $failedRuns, ([DateTime]::UtcNow - $started).TotalMinutes, $BusyLoops
$failures
if ($failedRuns -gt 0) { exit 1 }
