<#
.SYNOPSIS
    Build, test and package WeChatNet.
.DESCRIPTION
    Test is the project's one test command: the xunit suites, then the module packaged to out/WeChatNet,
    then every Pester suite under tests/pester against that packaged module, with Pester taken from the
    package feed (build/TestTools.proj) into out/modules, never from the user's profile. It ends with one
    line that sums both layers: "N passed, N failed, N skipped".

    Without PowerShell installed, the repository's tool manifest brings it:
        dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
.PARAMETER Task
    Build, Package, Test (xunit + package + Pester), Xunit (xunit alone) or Pester (package + Pester alone).
.PARAMETER PesterPath
    With -Task Pester or Test: the Pester files or folders to run instead of tests/pester.
.PARAMETER PesterTag
    With -Task Pester or Test: run only Pester tests with these tags (for example Docs, Runbook).
.PARAMETER Target
    With -Task Fuzz: the fuzz target (capture, gzip, packet, dns, dispatch, http, longlink, mmtls, keylog; see
    docs/testing.md, "Fuzzing"). Linux only, by hand, never in CI: afl-fuzz (Debian's afl++) pins a CPU core.
.PARAMETER Duration
    With -Task Fuzz: how long afl-fuzz runs, such as 90s, 10m or 1h (default 10m).
.EXAMPLE
    ./build.ps1 -Task Package
    Lays out a ready-to-import module folder at out/WeChatNet/.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
    Everything CI runs: xunit, packaging, Pester; the last line counts both.
.EXAMPLE
    ./build.ps1 -Task Pester -PesterPath tests/pester/Get-WeChatFlow.Tests.ps1
    Packages the module and runs one Pester file.
.EXAMPLE
    ./build.ps1 -Task Fuzz -Target dns -Duration 10m
    A fuzzing campaign: builds the harness, instruments WeChatNet.Core.dll in out/fuzz/dns, runs afl-fuzz for 10
    minutes from the kept corpus and fresh seeds, minimises the queue with afl-cmin into
    tests/WeChatNet.Fuzz/corpus/dns, and prints executions, coverage, crashes and hangs (saved in out/fuzz/dns).
.NOTES
    Each step is a plain dotnet command:
      Build:   dotnet build WeChatNet.sln -c Release
      Xunit:   dotnet test WeChatNet.sln -c Release
      Package: dotnet publish src/WeChatNet/WeChatNet.csproj -c Release -o out/WeChatNet
      Pester:  dotnet restore build/TestTools.proj --packages out/packages, then Invoke-Pester tests/pester
      Fuzz:    dotnet build tests/WeChatNet.Fuzz, dotnet sharpfuzz on a copy, afl-fuzz, afl-cmin
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Xunit', 'Pester', 'Fuzz')]
    [string[]] $Task = @('Build'),
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    [string[]] $PesterPath,
    [string[]] $PesterTag,
    [ValidateSet('capture', 'gzip', 'packet', 'dns', 'dispatch', 'http', 'longlink', 'mmtls', 'keylog')]
    [string] $Target,
    [ValidatePattern('^\d+[smh]$')]
    [string] $Duration = '10m'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$outDir = Join-Path $root 'out/WeChatNet'
$script:totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }

function Invoke-Dotnet {
    param([string[]] $Arguments)
    Write-Host "dotnet $($Arguments -join ' ')" -ForegroundColor Cyan
    & dotnet @Arguments | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE." }
}

function Invoke-Build {
    Invoke-Dotnet @('build', (Join-Path $root 'WeChatNet.sln'), '-c', $Configuration)
}

function Invoke-Package {
    if (Test-Path $outDir) { Remove-Item $outDir -Recurse -Force }
    Invoke-Dotnet @('publish', (Join-Path $root 'src/WeChatNet/WeChatNet.csproj'), '-c', $Configuration, '-o', $outDir)
    Write-Host "Module laid out at $outDir" -ForegroundColor Green
}

function Invoke-Xunit {
    # Each test assembly prints one summary line: "Passed!  - Failed:     0, Passed:   124, Skipped:     0, ...".
    # Lines passing tests must still show (the differential oracles' counts): emptied here, printed after the run.
    $report = Join-Path $root 'out/TestResults/xunit-report.txt'
    if (Test-Path -LiteralPath $report) { Remove-Item -LiteralPath $report -Force }
    $arguments = @('test', (Join-Path $root 'WeChatNet.sln'), '-c', $Configuration)
    Write-Host "dotnet $($arguments -join ' ')" -ForegroundColor Cyan
    $summaries = & dotnet @arguments 2>&1 | ForEach-Object {
        $line = "$_"
        Write-Host $line
        if ($line -match '^\s*(Passed|Failed)!\s+-\s+Failed:\s*(\d+),\s*Passed:\s*(\d+),\s*Skipped:\s*(\d+)') { $Matches }
    }
    $exit = $LASTEXITCODE
    $failed = 0
    foreach ($m in @($summaries)) {
        $script:totals.Passed += [int]$m[3]
        $script:totals.Skipped += [int]$m[4]
        $failed += [int]$m[2]
    }
    if ($exit -ne 0 -and $failed -eq 0) {
        Write-Host "xunit: dotnet test exited with $exit and no failed test was reported (build or test host failure)" -ForegroundColor Red
        $failed = 1
    }
    $script:totals.Failed += $failed
    if (Test-Path -LiteralPath $report) { Get-Content -LiteralPath $report | ForEach-Object { Write-Host "xunit: $_" -ForegroundColor Cyan } }
    Write-Host "xunit: $(@($summaries).Count) assemblies" -ForegroundColor Cyan
}

function Invoke-Fuzz {
    # One campaign (docs/testing.md, "Fuzzing"). The harness runs under afl-fuzz with only WeChatNet.Core.dll
    # instrumented, in a copy (instrumenting the build output would break every other use of it).
    if (-not $Target) { throw "-Task Fuzz needs -Target (capture, gzip, packet, dns, dispatch, http, longlink, mmtls, keylog)." }
    if (-not $IsLinux) { throw "-Task Fuzz runs on Linux only (afl++)." }
    foreach ($tool in 'afl-fuzz', 'afl-cmin') {
        if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) { throw "$tool is missing: apt-get install afl++" }
    }
    $seconds = [int]$Duration.Substring(0, $Duration.Length - 1) * @{ s = 1; m = 60; h = 3600 }[$Duration.Substring($Duration.Length - 1)]
    $project = Join-Path $root 'tests/WeChatNet.Fuzz'
    $work = Join-Path $root "out/fuzz/$Target"
    $corpus = Join-Path $project "corpus/$Target"
    $dictionary = Join-Path $project "dictionaries/$Target.dict"
    if (Test-Path $work) { Remove-Item $work -Recurse -Force }
    $bin = Join-Path $work 'bin'
    Invoke-Dotnet @('build', (Join-Path $project 'WeChatNet.Fuzz.csproj'), '-c', 'Release', '-o', $bin)
    # Inputs: the kept corpus and fresh seeds from the samples (made before instrumenting: the instrumented core
    # runs only inside SharpFuzz's loop).
    $in = Join-Path $work 'in'
    $null = New-Item -ItemType Directory -Path $in -Force
    Invoke-Dotnet @((Join-Path $bin 'WeChatNet.Fuzz.dll'), '--seeds', (Join-Path $work 'seeds'))
    Copy-Item (Join-Path $work "seeds/$Target/*") $in
    if (Test-Path $corpus) { Copy-Item (Join-Path $corpus '*') $in }
    Invoke-Dotnet @('tool', 'restore')
    Invoke-Dotnet @('tool', 'run', 'sharpfuzz', (Join-Path $bin 'WeChatNet.Core.dll'))

    $env:AFL_SKIP_BIN_CHECK = '1'; $env:AFL_NO_UI = '1'; $env:AFL_SKIP_CPUFREQ = '1'
    $env:AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES = '1'
    $findings = Join-Path $work 'findings'
    $harness = @('--', (Get-Command dotnet).Source, (Join-Path $bin 'WeChatNet.Fuzz.dll'), $Target)
    $arguments = @('-i', $in, '-o', $findings, '-t', '5000', '-m', 'none', '-V', "$seconds")
    if (Test-Path $dictionary) { $arguments += @('-x', $dictionary) }
    Write-Host "afl-fuzz $($arguments + $harness -join ' ')" -ForegroundColor Cyan
    & afl-fuzz @arguments @harness | Out-File (Join-Path $work 'afl-fuzz.log')
    $stats = @{}
    foreach ($line in Get-Content (Join-Path $findings 'default/fuzzer_stats')) {
        $name, $value = $line -split '\s*:\s*', 2
        $stats[$name] = $value
    }

    # The queue, minimised, becomes the kept corpus (files named by content: stable, and valid on every file system).
    $minimised = Join-Path $work 'cmin'
    & afl-cmin -i (Join-Path $findings 'default/queue') -o $minimised -t 5000 -m none @harness | Out-File (Join-Path $work 'afl-cmin.log')
    if ($LASTEXITCODE -ne 0 -or -not (Get-ChildItem $minimised -File)) { throw "afl-cmin failed: see $(Join-Path $work 'afl-cmin.log')" }
    if (Test-Path $corpus) { Remove-Item $corpus -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $corpus -Force
    foreach ($file in Get-ChildItem $minimised -File) {
        $hash = (Get-FileHash -LiteralPath $file.FullName -Algorithm SHA1).Hash.ToLowerInvariant().Substring(0, 16)
        Copy-Item -LiteralPath $file.FullName (Join-Path $corpus $hash)
    }
    $crashes = @(Get-ChildItem (Join-Path $findings 'default/crashes') -File -Filter 'id*' -ErrorAction SilentlyContinue)
    $hangs = @(Get-ChildItem (Join-Path $findings 'default/hangs') -File -Filter 'id*' -ErrorAction SilentlyContinue)
    $summary = '{0}: {1} s, {2} executions ({3}/s), map coverage {4}, {5} edges, {6} paths, corpus kept {7} (of {8} queued), {9} crashes, {10} hangs' -f
        $Target, $stats['run_time'], $stats['execs_done'], $stats['execs_per_sec'], $stats['bitmap_cvg'], $stats['edges_found'],
        $stats['corpus_count'], @(Get-ChildItem $corpus -File).Count, $stats['corpus_count'], $crashes.Count, $hangs.Count
    $summary | Out-File (Join-Path $work 'summary.txt')
    Write-Host $summary -ForegroundColor Green
    foreach ($f in $crashes + $hangs) {
        Write-Host "  $($f.FullName)  (reproduce: dotnet tests/WeChatNet.Fuzz/bin/Release/net10.0/WeChatNet.Fuzz.dll $Target '$($f.FullName)')" -ForegroundColor Yellow
    }
}

function Get-PesterVersion {
    $proj = [xml](Get-Content -Raw (Join-Path $root 'build/TestTools.proj'))
    [string]$proj.Project.PropertyGroup.PesterVersion
}

function Install-TestModules {
    $version = Get-PesterVersion
    $modules = Join-Path $root 'out/modules'
    $target = Join-Path $modules "Pester/$version"
    if (-not (Test-Path (Join-Path $target 'Pester.psd1'))) {
        $packages = Join-Path $root 'out/packages'
        Invoke-Dotnet @('restore', (Join-Path $root 'build/TestTools.proj'), '--packages', $packages)
        $tools = Join-Path $packages "pester/$version/tools"
        if (-not (Test-Path (Join-Path $tools 'Pester.psd1'))) { throw "Pester $version was restored, but $tools holds no Pester.psd1." }
        New-Item -ItemType Directory -Force -Path $target | Out-Null
        Copy-Item -Path (Join-Path $tools '*') -Destination $target -Recurse -Force
    }
    $sep = [System.IO.Path]::PathSeparator
    if (-not ($env:PSModulePath -split [regex]::Escape($sep) | Where-Object { $_ -eq $modules })) {
        $env:PSModulePath = $modules + $sep + $env:PSModulePath
    }
    $version
}

function Get-PwshCommand {
    # The pwsh running this script: an installed pwsh, or the repo's tool run as "dotnet <PSHOME>/pwsh.dll".
    $self = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    if ([System.IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { @($self, (Join-Path $PSHOME 'pwsh.dll')) } else { @($self) }
}

function Invoke-PesterSuites {
    $version = Install-TestModules
    # pwsh -File passes "a,b" as one string: split lists given that way.
    $paths = if ($PesterPath) { @($PesterPath -split ',') } else { @(Join-Path $root 'tests/pester') }
    $files = @(foreach ($p in $paths) {
        if (Test-Path -LiteralPath $p -PathType Container) { Get-ChildItem -LiteralPath $p -Recurse -Filter '*.Tests.ps1' | Sort-Object FullName | ForEach-Object FullName }
        elseif (Test-Path -LiteralPath $p -PathType Leaf) { (Resolve-Path -LiteralPath $p).Path }
        else { throw "Pester path '$p' does not exist." }
    })
    $results = Join-Path $root 'out/TestResults'
    if (Test-Path $results) { Get-ChildItem $results -Filter 'pester-*' | Remove-Item -Force }
    New-Item -ItemType Directory -Force -Path $results | Out-Null
    $pwsh = @(Get-PwshCommand)
    $sum = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0; NotRun = 0; FailedBlocks = 0; FailedContainers = 0; Crashed = 0 }
    foreach ($file in $files) {
        # One process per file: a crash of PowerShell itself fails this file, not the whole run.
        $name = [System.IO.Path]::GetFileNameWithoutExtension($file) -replace '\.Tests$', ''
        $counts = Join-Path $results "pester-$name.json"
        $childArgs = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'build/Invoke-PesterFile.ps1'), '-Path', $file,
            '-PesterVersion', $version, '-CountsPath', $counts, '-ResultPath', (Join-Path $results "pester-$name.xml"))
        if ($PesterTag) { $childArgs += @('-Tag', ($PesterTag -join ',')) }
        $exe = $pwsh[0]
        $rest = @($pwsh | Select-Object -Skip 1) + $childArgs
        & $exe @rest | Out-Host
        $exit = $LASTEXITCODE
        if (Test-Path -LiteralPath $counts) {
            $c = Get-Content -Raw -LiteralPath $counts | ConvertFrom-Json
            foreach ($k in 'Passed', 'Failed', 'Skipped', 'NotRun', 'FailedBlocks', 'FailedContainers') { $sum[$k] += [int]$c.$k }
        }
        if (-not (Test-Path -LiteralPath $counts) -or $exit -ne 0) {
            Write-Host "pester: $file ended the PowerShell process with exit code $exit$(if (-not (Test-Path -LiteralPath $counts)) { ' before its counts were written' })" -ForegroundColor Red
            $sum.Crashed++
        }
    }
    # A file that does not parse, or a BeforeAll that throws, fails its container: that is a failure too, and so is a crash.
    $failed = $sum.Failed + $sum.FailedBlocks + $sum.FailedContainers + $sum.Crashed
    if ($sum.Passed + $sum.Failed -eq 0) {
        # A path or tag that selects nothing is a mistake, not a green run.
        Write-Host "pester: no test ran (path: $($paths -join ', '); tag: $($PesterTag -join ', '))" -ForegroundColor Red
        $failed++
    }
    $script:totals.Passed += $sum.Passed
    $script:totals.Failed += $failed
    $script:totals.Skipped += $sum.Skipped
    Write-Host ("pester {0}: {1} files, {2} passed, {3} failed ({4} tests, {5} blocks, {6} files, {7} crashed), {8} skipped, {9} not run" -f $version,
        $files.Count, $sum.Passed, $failed, $sum.Failed, $sum.FailedBlocks, $sum.FailedContainers, $sum.Crashed,
        $sum.Skipped, $sum.NotRun) -ForegroundColor Cyan
}

$ran = $false
try {
    foreach ($t in $Task) {
        switch ($t) {
            'Build'   { Invoke-Build }
            'Package' { Invoke-Package }
            'Xunit'   { $ran = $true; Invoke-Xunit }
            'Pester'  { $ran = $true; Invoke-Package; Invoke-PesterSuites }
            'Test'    { $ran = $true; Invoke-Xunit; Invoke-Package; Invoke-PesterSuites }
            'Fuzz'    { Invoke-Fuzz }
        }
    }
}
catch {
    # A step that cannot run (restore, publish, Pester missing) is a failure the count must show.
    if (-not $ran) { throw }
    Write-Host "build.ps1: $($_.Exception.Message)" -ForegroundColor Red
    $script:totals.Failed += 1
}
if ($ran) {
    # The closing line CI reads.
    "{0} passed, {1} failed, {2} skipped" -f $script:totals.Passed, $script:totals.Failed, $script:totals.Skipped
    if ($script:totals.Failed -gt 0) { exit 1 }
}
