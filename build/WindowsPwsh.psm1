# The Windows build of PowerShell 7 under Wine: build it, set up its Wine prefix, run scripts and Pester files in it.
# Used by build.ps1's Windows layer (docs/testing.md, "The Windows layer") and by anyone who wants to try a change on
# the Windows code paths:
#
#   Import-Module ./build/WindowsPwsh.psm1
#   Initialize-WindowsPwsh                          # once per clone: publishes build/WindowsPwsh to out/winpwsh/app,
#                                                   # makes the prefix out/winpwsh/prefix, puts Pester in out/modules
#   $r = Invoke-WindowsPwsh -Command '$IsWindows; Import-Module Z:\...\out\WeChatNet\WeChatNet.psd1; Get-WeChatSample'
#   $r.ExitCode; $r.Output; $r.Error
#   Invoke-WindowsPwsh -File ./my.ps1 -ArgumentList '-Name', 'x'   # Linux paths are turned into Z:\ paths
#   Invoke-WindowsPester -Path tests/pester/X.Tests.ps1            # counts as build.ps1 prints them
#   ConvertTo-WindowsPath /work/wt/x/out   ->  Z:\work\wt\x\out
#
# Wine is not Windows: sockets, ICMP and capture are Linux's underneath. What runs here proves that the Windows code
# paths load and behave, with Windows paths, encodings and the Windows build of .NET and PowerShell.
Set-StrictMode -Version Latest

$script:Root = Split-Path -Parent $PSScriptRoot
$script:Dir = Join-Path $script:Root 'out/winpwsh'
$script:App = Join-Path $script:Dir 'app'
$script:Prefix = Join-Path $script:Dir 'prefix'
$script:Modules = Join-Path $script:Root 'out/modules'
$script:Project = Join-Path $PSScriptRoot 'WindowsPwsh'

function ConvertTo-WindowsPath {
    <# A Linux path as the Windows programs in the prefix see it (Wine's Z: drive is /). #>
    param([Parameter(Mandatory, ValueFromPipeline)] [string] $Path)
    process { 'Z:' + ([System.IO.Path]::GetFullPath($Path) -replace '/', '\') }
}

function Get-WindowsPwshEnvironment {
    <# The environment every process in the prefix gets. #>
    @{
        WINEPREFIX = $script:Prefix
        WINEDEBUG = '-all'
        # Without it the CLR dies at random under Wine (Internal CLR error 0x80131506).
        DOTNET_EnableWriteXorExecute = '0'
        # Pester (and anything else build.ps1 restores) first, then pwsh's own.
        PSModulePath = (ConvertTo-WindowsPath $script:Modules)
        POWERSHELL_TELEMETRY_OPTOUT = '1'
        POWERSHELL_UPDATECHECK = 'Off'
    }
}

function Assert-WindowsPwshTools {
    $missing = @(foreach ($tool in 'wine', 'wineserver', 'xvfb-run', 'xauth', 'script', 'dotnet') {
        if (-not (Get-Command $tool -CommandType Application -ErrorAction Ignore)) { $tool }
    })
    if ($missing) {
        throw "The Windows layer needs $($missing -join ', ') (Debian packages wine, wine64, xvfb, xauth, util-linux; .ci/run installs them)."
    }
}

function Invoke-Native {
    param([string] $File, [string[]] $Arguments, [hashtable] $Environment = @{}, [switch] $Quiet)
    $saved = @{}
    foreach ($k in $Environment.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
    try {
        $out = & $File @Arguments 2>&1 | ForEach-Object { "$_" }
        if (-not $Quiet) { $out | Out-Host }
        if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE`n$($out -join "`n")" }
    }
    finally {
        foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) }
    }
}

function Get-ProjectStamp {
    $files = Get-ChildItem -LiteralPath $script:Project -File | Where-Object Extension -in '.cs', '.csproj' | Sort-Object Name
    $text = ($files | ForEach-Object { $_.Name + "`n" + (Get-Content -Raw -LiteralPath $_.FullName) }) -join "`n"
    $sha = [System.Security.Cryptography.SHA256]::Create()
    try { [Convert]::ToHexString($sha.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($text))) } finally { $sha.Dispose() }
}

function Install-WindowsPester {
    <# Pester from the package feed (build/TestTools.proj) into out/modules, as build.ps1 does for the Linux layer. #>
    $proj = [xml](Get-Content -Raw (Join-Path $PSScriptRoot 'TestTools.proj'))
    $version = [string]$proj.Project.PropertyGroup.PesterVersion
    $target = Join-Path $script:Modules "Pester/$version"
    if (-not (Test-Path (Join-Path $target 'Pester.psd1'))) {
        $packages = Join-Path $script:Root 'out/packages'
        Invoke-Native dotnet @('restore', (Join-Path $PSScriptRoot 'TestTools.proj'), '--packages', $packages)
        $tools = Join-Path $packages "pester/$version/tools"
        if (-not (Test-Path (Join-Path $tools 'Pester.psd1'))) { throw "Pester $version was restored, but $tools holds no Pester.psd1." }
        New-Item -ItemType Directory -Force -Path $target | Out-Null
        Copy-Item -Path (Join-Path $tools '*') -Destination $target -Recurse -Force
    }
    $version
}

function Install-WindowsShippedModules {
    <#
    The modules pwsh.exe 7.6.9 ships in $PSHOME\Modules that the SDK package lacks (ThreadJob, PSResourceGet, Archive,
    PSReadLine, PowerShellGet, PackageManagement), from the Windows half of the PowerShell tool package that
    `dotnet tool restore` brings (.config/dotnet-tools.json): $PSHOME\Modules then holds what an installed pwsh.exe has.
    #>
    $version = (Get-Content -Raw (Join-Path $script:Root '.config/dotnet-tools.json') | ConvertFrom-Json).tools.powershell.version
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $source = Join-Path $packages "powershell/$version/tools/net10.0/any/win/Modules"
    if (-not (Test-Path -LiteralPath $source)) {
        throw "The Windows modules of PowerShell $version are not at ${source}: run 'dotnet tool restore' (the PowerShell tool package holds them)."
    }
    foreach ($m in Get-ChildItem -LiteralPath $source -Directory) {
        $target = Join-Path $script:App "Modules/$($m.Name)"
        if (-not (Test-Path -LiteralPath $target)) { Copy-Item -LiteralPath $m.FullName -Destination $target -Recurse }
    }
}

function Initialize-WindowsPwsh {
    <#
    .SYNOPSIS
        Builds the Windows pwsh (out/winpwsh/app/pwsh.exe) and its Wine prefix (out/winpwsh/prefix) when missing or
        stale, installs Pester for it, and keeps wineserver running for the next processes. Returns the Pester version.
    #>
    [CmdletBinding()]
    param()
    Assert-WindowsPwshTools
    $stamp = Get-ProjectStamp
    $stampFile = Join-Path $script:App 'build.stamp'
    if (-not (Test-Path (Join-Path $script:App 'pwsh.exe')) -or -not (Test-Path $stampFile) -or (Get-Content -Raw $stampFile).Trim() -ne $stamp) {
        if (Test-Path $script:App) { Remove-Item -LiteralPath $script:App -Recurse -Force }
        Write-Host "windows: publishing the Windows build of PowerShell to $script:App" -ForegroundColor Cyan
        Invoke-Native dotnet @('publish', (Join-Path $script:Project 'WindowsPwsh.csproj'), '-c', 'Release', '-o', $script:App, '-p:UseAppHost=true') -Quiet
        # $PSHOME\Modules, as an installed pwsh.exe has it.
        Copy-Item -LiteralPath (Join-Path $script:App 'runtimes/win/lib/net10.0/Modules') -Destination (Join-Path $script:App 'Modules') -Recurse
        Set-Content -LiteralPath $stampFile -Value $stamp
    }
    Install-WindowsShippedModules
    $env = Get-WindowsPwshEnvironment
    if (-not (Test-Path (Join-Path $script:Prefix 'system.reg'))) {
        Write-Host "windows: creating the Wine prefix $script:Prefix" -ForegroundColor Cyan
        New-Item -ItemType Directory -Force -Path $script:Dir | Out-Null
        # No Mono/Gecko download prompts, no desktop menu files in the home folder; wineboot wants a display.
        $boot = $env.Clone(); $boot.WINEDLLOVERRIDES = 'mscoree=;mshtml=;winemenubuilder.exe=d'
        Invoke-Native xvfb-run @('-a', 'wine', 'wineboot', '-i') -Environment $boot -Quiet
        Invoke-Native wine @('reg', 'add', 'HKCU\Software\Wine', '/v', 'Version', '/d', 'win10', '/f') -Environment $env -Quiet
        # A new prefix links Documents and its neighbours to the Linux home folder: make them real folders, so
        # anything written there (modules, profiles) stays in the prefix.
        Get-ChildItem -LiteralPath (Join-Path $script:Prefix 'drive_c/users') -Directory | ForEach-Object {
            Get-ChildItem -LiteralPath $_.FullName | Where-Object LinkType | ForEach-Object {
                Remove-Item -LiteralPath $_.FullName -Force
                New-Item -ItemType Directory -Path $_.FullName | Out-Null
            }
        }
    }
    $version = Install-WindowsPester
    # One wineserver for the whole run: each process then starts in ~2-3 s instead of ~5 s.
    # Started with its output on /dev/null: a wineserver that a wine process starts inherits that process's stdout
    # and would hold the reader's pipe (and CI's tee) open until it exits.
    # It fails (exit 2) when one already runs for this prefix: that one serves as well.
    Invoke-Native sh @('-c', 'wineserver -p60 </dev/null >/dev/null 2>&1 || true') -Environment $env -Quiet
    $version
}

function Read-Lines {
    param([string] $Path)
    if (Test-Path -LiteralPath $Path) {
        $text = [System.IO.File]::ReadAllText($Path, [System.Text.UTF8Encoding]::new($false))
        if ($text) { $text.TrimEnd("`r", "`n") -split "`r?`n" }
    }
}

function Show-NewLines {
    # Writes the lines of a growing file from line $Shown on (the last, maybe partial, line only when -Final).
    param([string] $Path, [int] $Shown, [switch] $Final)
    $lines = @(Read-Lines $Path)
    $upTo = if ($Final) { $lines.Count } else { $lines.Count - 1 }
    for ($i = $Shown; $i -lt $upTo; $i++) { Write-Host $lines[$i] }
    [Math]::Max($Shown, $upTo)
}

function Invoke-WindowsPwsh {
    <#
    .SYNOPSIS
        Runs a script file or a command in the Windows pwsh under Wine. Returns ExitCode, Output (stdout lines),
        Error (stderr lines, without Wine's own notices) and TimedOut. -Stream writes stdout to the host as it comes.
    .PARAMETER File
        A script path (Linux or Windows form); -ArgumentList follows it as pwsh -File takes them ("-Name" is a
        parameter name, everything else a value; Linux paths among them are not converted: use ConvertTo-WindowsPath).
    .PARAMETER ResolvConf
        A file the process sees as /etc/resolv.conf (a private mount namespace: needs root), so the adapters' DNS
        servers Windows programs read are the ones it names.
    .PARAMETER Console
        Run under PowerShell's console host on a pseudo-terminal (script -qec) instead of a hosted runspace: for tests
        of the console host itself. Output then holds terminal control sequences and wraps at 80 columns.
    #>
    [CmdletBinding(DefaultParameterSetName = 'File')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'File', Position = 0)] [string] $File,
        [Parameter(ParameterSetName = 'File')] [string[]] $ArgumentList = @(),
        [Parameter(Mandatory, ParameterSetName = 'Command')] [string] $Command,
        [hashtable] $Environment = @{},
        [string] $WorkingDirectory = $script:Root,
        [int] $TimeoutSeconds = 1800,
        [string] $ResolvConf,
        [switch] $Console,
        [switch] $Stream
    )
    $exe = Join-Path $script:App 'pwsh.exe'
    if (-not (Test-Path $exe)) { throw "The Windows pwsh is not built: run Initialize-WindowsPwsh (build/WindowsPwsh.psm1) first." }
    $pwshArgs = @('-NoProfile', '-NonInteractive')
    if ($PSCmdlet.ParameterSetName -eq 'File') {
        $path = if ($File -match '^[A-Za-z]:\\|^\\\\') { $File } else { ConvertTo-WindowsPath $File }
        $pwshArgs += @('-File', $path) + $ArgumentList
    }
    else {
        $pwshArgs += @('-Command', $Command)
    }
    # Output goes to files, not pipes: the Wine services the first process of a session starts inherit its standard
    # handles and would hold a pipe open (a reader waiting for its end waits until wineserver exits).
    $tmp = Join-Path ([System.IO.Path]::GetTempPath()) ("winpwsh-" + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $tmp | Out-Null
    try {
        $outFile = Join-Path $tmp 'stdout'
        $errFile = Join-Path $tmp 'stderr'
        $inner = if ($Console) {
            @('script', '-qec', ((@('wine', $exe) + $pwshArgs | ForEach-Object { "'" + ($_ -replace "'", "'\''") + "'" }) -join ' '), '/dev/null')
        }
        else { @('wine', $exe) + $pwshArgs }
        if ($ResolvConf) {
            # Wine's IP Helper API reads the DNS servers from /etc/resolv.conf in the process itself: in a mount
            # namespace of its own, the process sees this file there (and asks no resolver of the machine).
            if (-not (Test-Path -LiteralPath $ResolvConf -PathType Leaf)) { throw "-ResolvConf '$ResolvConf' does not exist." }
            $inner = @('unshare', '-m', 'sh', '-c', 'mount --bind "$0" /etc/resolv.conf && exec "$@"', ([System.IO.Path]::GetFullPath($ResolvConf))) + $inner
        }
        $psi = [System.Diagnostics.ProcessStartInfo]::new('sh')
        foreach ($a in @('-c', 'out=$1; err=$2; shift 2; exec "$@" <&- </dev/null >"$out" 2>"$err"', 'sh', $outFile, $errFile) + $inner) { $psi.ArgumentList.Add($a) }
        $psi.WorkingDirectory = $WorkingDirectory
        $psi.UseShellExecute = $false
        $all = Get-WindowsPwshEnvironment
        foreach ($k in $Environment.Keys) { $all[$k] = $Environment[$k] }
        foreach ($k in $all.Keys) { $psi.Environment[$k] = [string]$all[$k] }
        $proc = [System.Diagnostics.Process]::Start($psi)
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        $timedOut = $false
        $shown = 0
        while (-not $proc.WaitForExit(500)) {
            if ($Stream) { $shown = Show-NewLines $outFile $shown }
            if ([DateTime]::UtcNow -gt $deadline) {
                $timedOut = $true
                try { $proc.Kill($true) } catch { Write-Verbose "kill: $_" }
                $proc.WaitForExit(10000) | Out-Null
                break
            }
        }
        if ($Stream) { $shown = Show-NewLines $outFile $shown -Final }
        $out = @(Read-Lines $outFile)
        $err = @(Read-Lines $errFile | Where-Object { $_ -and $_ -notmatch '^wine: |^\S+:fixme:' })
    }
    finally {
        Remove-Item -LiteralPath $tmp -Recurse -Force -ErrorAction Ignore
    }
    [pscustomobject]@{
        ExitCode = if ($timedOut) { -1 } else { $proc.ExitCode }
        Output = $out
        Error = $err
        TimedOut = $timedOut
    }
}

function Invoke-WindowsPester {
    <#
    .SYNOPSIS
        Runs one Pester file in the Windows pwsh with build/Invoke-PesterFile.ps1, as build.ps1's Windows layer does.
        Returns the Invoke-WindowsPwsh result plus Counts (Passed, Failed, Skipped, NotRun, FailedBlocks,
        FailedContainers; $null when the process ended before writing them) and CountsPath (the JSON file).
        A file with a sibling <Name>.Fixture.ps1 (docs/testing.md, the Windows layer) gets its Linux-side resources
        first: the fixture runs here (as root on Linux), its Environment goes to the Windows process, and its Remove
        runs in a finally.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Path,
        [string] $ResultsDirectory = (Join-Path $script:Root 'out/TestResults'),
        [string] $PesterVersion,
        [string[]] $Tag,
        [hashtable] $Environment = @{},
        [int] $TimeoutSeconds = 1800,
        [string] $ResolvConf,
        [switch] $Stream
    )
    if (-not $PesterVersion) { $PesterVersion = Install-WindowsPester }
    New-Item -ItemType Directory -Force -Path $ResultsDirectory | Out-Null
    $name = [System.IO.Path]::GetFileNameWithoutExtension($Path) -replace '\.Tests$', ''
    $counts = Join-Path $ResultsDirectory "windows-pester-$name.json"
    if (Test-Path -LiteralPath $counts) { Remove-Item -LiteralPath $counts -Force }
    $arguments = @('-Path', (ConvertTo-WindowsPath $Path), '-PesterVersion', $PesterVersion,
        '-CountsPath', (ConvertTo-WindowsPath $counts), '-ResultPath', (ConvertTo-WindowsPath (Join-Path $ResultsDirectory "windows-pester-$name.xml")))
    if ($Tag) { $arguments += @('-Tag', ($Tag -join ',')) }
    $fixturePath = Join-Path ([System.IO.Path]::GetDirectoryName([System.IO.Path]::GetFullPath($Path))) "$name.Fixture.ps1"
    $fixture = $null
    if (Test-Path -LiteralPath $fixturePath) {
        try { $fixture = & $fixturePath }
        catch {
            # The file fails (no counts), naming what its fixture lacked; the layer goes on with the next file.
            return [pscustomobject]@{ ExitCode = 1; Output = @(); Error = @("$fixturePath failed: $($_.Exception.Message)"); TimedOut = $false; Counts = $null; CountsPath = $counts }
        }
    }
    try {
        $all = @{} + $Environment
        if ($fixture) { foreach ($k in $fixture.Environment.Keys) { $all[$k] = $fixture.Environment[$k] } }
        $r = Invoke-WindowsPwsh -File (Join-Path $PSScriptRoot 'Invoke-PesterFile.ps1') -ArgumentList $arguments -Environment $all -TimeoutSeconds $TimeoutSeconds -ResolvConf $ResolvConf -Stream:$Stream
    }
    finally {
        if ($fixture) { & $fixture.Remove }
    }
    $c = if (Test-Path -LiteralPath $counts) { Get-Content -Raw -LiteralPath $counts | ConvertFrom-Json } else { $null }
    $r | Add-Member -NotePropertyName Counts -NotePropertyValue $c
    $r | Add-Member -NotePropertyName CountsPath -NotePropertyValue $counts -PassThru
}

Export-ModuleMember -Function ConvertTo-WindowsPath, Initialize-WindowsPwsh, Invoke-WindowsPwsh, Invoke-WindowsPester, Install-WindowsPester
