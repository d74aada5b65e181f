<#
.SYNOPSIS
    Build, test and package WeChatNet.
.DESCRIPTION
    Test is the project's one test command: the xunit suites, then the module packaged to out/WeChatNet,
    then every Pester suite under tests/pester against that packaged module, with Pester taken from the
    package feed (build/TestTools.proj) into out/modules, never from the user's profile, then the same Pester
    files on the Windows build of PowerShell under Wine (the Windows layer; the files it cannot run are listed
    with their reasons in tests/pester/WindowsLayer.psd1). It ends with one line that sums every layer:
    "N passed, N failed, N skipped".

    Without PowerShell installed, the repository's tool manifest brings it:
        dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
.PARAMETER Task
    Build, Package, Test (xunit + package + Pester + the Windows layer), Xunit (xunit alone), Pester (package +
    Pester alone) or Windows (package + the Pester files of the Windows layer alone, in the Windows build of
    PowerShell under Wine: build/WindowsPwsh.psm1, docs/testing.md "The Windows layer").
.PARAMETER XunitPath
    With -Task Xunit or Test: the test projects to run instead of the whole solution (for example
    tests/WeChatNet.Module.Tests, which reads metadata only and runs on any platform).
.PARAMETER PesterPath
    With -Task Pester, Windows or Test: the Pester files or folders to run instead of tests/pester.
.PARAMETER PesterTag
    With -Task Pester or Test: run only Pester tests with these tags (for example Docs, Runbook).
.PARAMETER Target
    With -Task Fuzz: the fuzz target (capture, gzip, packet, dns, dispatch, http, longlink, mmtls, keylog; see
    docs/testing.md, "Fuzzing"). Linux only, by hand, never in CI: afl-fuzz (Debian's afl++) pins a CPU core.
.PARAMETER Duration
    With -Task Fuzz: how long afl-fuzz runs, such as 90s, 10m or 1h (default 10m).
.EXAMPLE
    ./build.ps1 -Task Package
    Lays out a ready-to-import module folder at out/WeChatNet/ and packs it into out/repository/WeChatNet.<version>.nupkg.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
    Everything CI runs: xunit, packaging, Pester on Linux and in the Windows layer; the last line counts them all.
.EXAMPLE
    ./build.ps1 -Task Pester -PesterPath tests/pester/Get-WeChatFlow.Tests.ps1
    Packages the module and runs one Pester file.
.EXAMPLE
    ./build.ps1 -Task Windows -PesterPath tests/pester/WeChatNet.Windows.Tests.ps1
    Packages the module and runs one Pester file in the Windows build of PowerShell under Wine.
.EXAMPLE
    ./build.ps1 -Task Fuzz -Target dns -Duration 10m
    A fuzzing campaign: builds the harness, instruments WeChatNet.Core.dll in out/fuzz/dns, runs afl-fuzz for 10
    minutes from the kept corpus and fresh seeds, minimises the queue with afl-cmin into
    tests/WeChatNet.Fuzz/corpus/dns, and prints executions, coverage, crashes and hangs (saved in out/fuzz/dns).
.NOTES
    Each step is a plain dotnet command:
      Build:   dotnet build WeChatNet.sln -c Release
      Xunit:   dotnet test WeChatNet.sln -c Release
      Package: dotnet publish src/WeChatNet/WeChatNet.csproj -c Release -o out/WeChatNet, then
               Publish-PSResource -Path out/WeChatNet to a folder repository at out/repository (build/Publish-ModulePackage.ps1)
      Pester:  dotnet restore build/TestTools.proj --packages out/packages, then Invoke-Pester tests/pester
      Fuzz:    dotnet build tests/WeChatNet.Fuzz, dotnet sharpfuzz on a copy, afl-fuzz, afl-cmin
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Xunit', 'Pester', 'Windows', 'Fuzz')]
    [string[]] $Task = @('Build'),
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    [string[]] $XunitPath,
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
    Invoke-NupkgPackage
}

function Invoke-NupkgPackage {
    # The .nupkg a user downloads (or the Gallery serves), made by PSResourceGet from the laid-out folder, in a pwsh of
    # its own: PSResourceGet keeps its repository list under XDG_DATA_HOME on Linux and macOS, pointed here under out/
    # so the user's list is never touched (on Windows the script unregisters what it registered).
    $repository = Join-Path $root 'out/repository'
    $pwsh = @(Get-PwshCommand)
    $childArgs = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $root 'build/Publish-ModulePackage.ps1'),
        '-ModulePath', $outDir, '-RepositoryPath', $repository)
    $saved = $env:XDG_DATA_HOME
    try {
        # $IsWindows does not exist in Windows PowerShell 5.1 (and strict mode refuses an unset variable).
        if ([Environment]::OSVersion.Platform -ne [PlatformID]::Win32NT) {
            $env:XDG_DATA_HOME = Join-Path $root 'out/psresourceget'
            # .NET returns no LocalApplicationData for a folder that does not exist, and PSResourceGet then writes to the current folder.
            New-Item -ItemType Directory -Force -Path $env:XDG_DATA_HOME | Out-Null
        }
        Write-Host "pwsh build/Publish-ModulePackage.ps1 -ModulePath $outDir -RepositoryPath $repository" -ForegroundColor Cyan
        $output = & $pwsh[0] @childArgs
        if ($LASTEXITCODE -ne 0) { throw "Publish-PSResource to $repository failed (exit code $LASTEXITCODE): $($output -join ' ')" }
    }
    finally {
        $env:XDG_DATA_HOME = $saved
    }
    Write-Host "Package written to $(@($output)[-1])" -ForegroundColor Green
}

function Invoke-Xunit {
    # Each test assembly prints one summary line: "Passed!  - Failed:     0, Passed:   124, Skipped:     0, ...".
    # Lines passing tests must still show (the differential oracles' counts): emptied here, printed after the run.
    $report = Join-Path $root 'out/TestResults/xunit-report.txt'
    if (Test-Path -LiteralPath $report) { Remove-Item -LiteralPath $report -Force }
    $targets = if ($XunitPath) { @($XunitPath -split ',') } else { @(Join-Path $root 'WeChatNet.sln') }
    $summaries = @()
    $exit = 0
    foreach ($target in $targets) {
        $arguments = @('test', $target, '-c', $Configuration)
        Write-Host "dotnet $($arguments -join ' ')" -ForegroundColor Cyan
        $summaries += @(& dotnet @arguments 2>&1 | ForEach-Object {
            $line = "$_"
            Write-Host $line
            if ($line -match '^\s*(Passed|Failed)!\s+-\s+Failed:\s*(\d+),\s*Passed:\s*(\d+),\s*Skipped:\s*(\d+)') { $Matches }
        })
        if ($LASTEXITCODE -ne 0) { $exit = $LASTEXITCODE }
    }
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

function Get-WindowsLayerList {
    # Pester files (relative to tests/pester, '/'-separated) the Windows layer does not run, each with its reason.
    $list = Import-PowerShellDataFile -LiteralPath (Join-Path $root 'tests/pester/WindowsLayer.psd1')
    $list.NotOnWindows
}

function Get-RelativePesterPath {
    param([string] $File)
    [System.IO.Path]::GetRelativePath((Join-Path $root 'tests/pester'), $File) -replace '\\', '/'
}

function Get-PesterFiles {
    # The files -PesterPath (or tests/pester) selects. From folders, *.Windows.Tests.ps1 only in the Windows layer.
    param([switch] $Windows)
    $paths = if ($PesterPath) { @($PesterPath -split ',') } else { @(Join-Path $root 'tests/pester') }
    @(foreach ($p in $paths) {
        if (Test-Path -LiteralPath $p -PathType Container) {
            Get-ChildItem -LiteralPath $p -Recurse -Filter '*.Tests.ps1' | Sort-Object FullName | ForEach-Object FullName |
                Where-Object { $Windows -or $_ -notlike '*.Windows.Tests.ps1' }
        }
        elseif (Test-Path -LiteralPath $p -PathType Leaf) { (Resolve-Path -LiteralPath $p).Path }
        else { throw "Pester path '$p' does not exist." }
    })
}

function New-PesterSum { [ordered]@{ Passed = 0; Failed = 0; Skipped = 0; NotRun = 0; FailedBlocks = 0; FailedContainers = 0; Crashed = 0 } }

function Add-PesterFileResult {
    # One file's counts into the layer's sum: no counts or a non-zero exit is a crash of that file.
    param($Sum, [string] $File, [string] $CountsPath, [int] $ExitCode, [string] $Layer)
    $hasCounts = Test-Path -LiteralPath $CountsPath
    if ($hasCounts) {
        $c = Get-Content -Raw -LiteralPath $CountsPath | ConvertFrom-Json
        foreach ($k in 'Passed', 'Failed', 'Skipped', 'NotRun', 'FailedBlocks', 'FailedContainers') { $Sum[$k] += [int]$c.$k }
    }
    if (-not $hasCounts -or $ExitCode -ne 0) {
        Write-Host "${Layer}: $File ended the PowerShell process with exit code $ExitCode$(if (-not $hasCounts) { ' before its counts were written' })" -ForegroundColor Red
        $Sum.Crashed++
    }
}

function Complete-PesterLayer {
    # A file that does not parse, or a BeforeAll that throws, fails its container: that is a failure too, and so is a
    # crash. A layer where no test ran failed (a path or tag that selects nothing is a mistake, not a green run).
    param($Sum, [string] $Layer, [string] $Title, [int] $FileCount, [string] $Extra = '', [switch] $AllowEmpty)
    $failed = $Sum.Failed + $Sum.FailedBlocks + $Sum.FailedContainers + $Sum.Crashed
    if ($Sum.Passed + $Sum.Failed -eq 0 -and $AllowEmpty) {
        Write-Host "${Layer}: none of the selected tests runs here (path: $($PesterPath -join ', '); tag: $($PesterTag -join ', '))" -ForegroundColor Yellow
    }
    elseif ($Sum.Passed + $Sum.Failed -eq 0) {
        Write-Host "${Layer}: no test ran (path: $($PesterPath -join ', '); tag: $($PesterTag -join ', '))" -ForegroundColor Red
        $failed++
    }
    $script:totals.Passed += $Sum.Passed
    $script:totals.Failed += $failed
    $script:totals.Skipped += $Sum.Skipped
    Write-Host ("{0}: {1} files, {2} passed, {3} failed ({4} tests, {5} blocks, {6} files, {7} crashed), {8} skipped, {9} not run{10}" -f $Title,
        $FileCount, $Sum.Passed, $failed, $Sum.Failed, $Sum.FailedBlocks, $Sum.FailedContainers, $Sum.Crashed,
        $Sum.Skipped, $Sum.NotRun, $Extra) -ForegroundColor Cyan
}

function Invoke-PesterSuites {
    $version = Install-TestModules
    $files = @(Get-PesterFiles)
    $results = Join-Path $root 'out/TestResults'
    if (Test-Path $results) { Get-ChildItem $results -Filter 'pester-*' | Remove-Item -Force }
    New-Item -ItemType Directory -Force -Path $results | Out-Null
    $pwsh = @(Get-PwshCommand)
    $sum = New-PesterSum
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
        Add-PesterFileResult -Sum $sum -File $file -CountsPath $counts -ExitCode $LASTEXITCODE -Layer 'pester'
    }
    Complete-PesterLayer -Sum $sum -Layer 'pester' -Title "pester $version" -FileCount $files.Count
}

function Invoke-WindowsLayer {
    # The packaged module on the Windows build of PowerShell under Wine: every selected Pester file except those
    # tests/pester/WindowsLayer.psd1 lists (each named here with its reason), one Windows pwsh process per file, the
    # same pass/fail rule as the Linux layer.
    $started = [DateTime]::UtcNow
    Import-Module (Join-Path $root 'build/WindowsPwsh.psm1') -Force
    $version = Initialize-WindowsPwsh
    $notOnWindows = Get-WindowsLayerList
    $files = @(foreach ($file in Get-PesterFiles -Windows) {
        $rel = Get-RelativePesterPath $file
        if ($notOnWindows.Contains($rel)) { Write-Host "windows: not run: $rel ($($notOnWindows[$rel]))" -ForegroundColor DarkGray }
        else { $file }
    })
    $results = Join-Path $root 'out/TestResults'
    if (Test-Path $results) { Get-ChildItem $results -Filter 'windows-pester-*' | Remove-Item -Force }
    # Every file sees this as /etc/resolv.conf (Wine reads the adapters' DNS servers from it): the Windows tests know
    # which resolvers Windows reports, and nothing in the layer can ask the machine's own resolver.
    $resolvConf = Join-Path $root 'out/winpwsh/resolv.conf'
    Set-Content -LiteralPath $resolvConf -Value @('# The Windows layer''s resolvers (build.ps1): loopback addresses where nothing answers.',
        'nameserver 127.0.0.7', 'nameserver 127.0.0.8')
    $environment = @{ WECHATNET_TEST_RESOLV_CONF = (ConvertTo-WindowsPath $resolvConf) }
    $sum = New-PesterSum
    foreach ($file in $files) {
        Write-Host "windows: $(Get-RelativePesterPath $file)" -ForegroundColor Cyan
        $r = Invoke-WindowsPester -Path $file -PesterVersion $version -Tag $PesterTag -ResultsDirectory $results -Stream -TimeoutSeconds 900 `
            -ResolvConf $resolvConf -Environment $environment
        if (-not $r.TimedOut -and -not (Test-Path -LiteralPath $r.CountsPath)) {
            # The process died before Pester could write its counts: under Wine that is the CLR or Wine itself (an access
            # violation dump from a runtime thread, seen once in a while), not a test's verdict. Such a file runs once more;
            # a second crash fails it. A test that fails is never run again.
            Write-Host "windows: $(Get-RelativePesterPath $file) ended (exit $($r.ExitCode)) before writing its counts; running it once more" -ForegroundColor Yellow
            $r = Invoke-WindowsPester -Path $file -PesterVersion $version -Tag $PesterTag -ResultsDirectory $results -Stream -TimeoutSeconds 900 `
                -ResolvConf $resolvConf -Environment $environment
        }
        $r.Error | ForEach-Object { Write-Host $_ -ForegroundColor Red }
        if ($r.TimedOut) { Write-Host "windows: $file did not finish within 900 s and was stopped" -ForegroundColor Red }
        Add-PesterFileResult -Sum $sum -File $file -CountsPath $r.CountsPath -ExitCode $r.ExitCode -Layer 'windows'
    }
    $seconds = ([DateTime]::UtcNow - $started).TotalSeconds
    # With -Task Test and a -PesterPath or -PesterTag, the Linux layer already failed a selection that selects nothing;
    # one whose tests are all Linux-only (-PesterTag Docs) is no failure here.
    Complete-PesterLayer -Sum $sum -Layer 'windows' -Title "windows pester $version (Windows build of PowerShell 7.6.9 under Wine)" -FileCount $files.Count `
        -Extra (", {0} not run on Windows (tests/pester/WindowsLayer.psd1), {1:0} s" -f $notOnWindows.Count, $seconds) `
        -AllowEmpty:(($Task -contains 'Test') -and ($PesterPath -or $PesterTag))
}

$ran = $false
try {
    foreach ($t in $Task) {
        switch ($t) {
            'Build'   { Invoke-Build }
            'Package' { Invoke-Package }
            'Xunit'   { $ran = $true; Invoke-Xunit }
            'Pester'  { $ran = $true; Invoke-Package; Invoke-PesterSuites }
            'Windows' { $ran = $true; Invoke-Package; Invoke-WindowsLayer }
            'Test'    { $ran = $true; Invoke-Xunit; Invoke-Package; Invoke-PesterSuites; Invoke-WindowsLayer }
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
