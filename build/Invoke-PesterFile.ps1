<#
.SYNOPSIS
    Runs one Pester file in this process and writes its counts as JSON (used by build.ps1, one process per file).
.DESCRIPTION
    build.ps1 starts a fresh pwsh for every Pester file, so that a process-level crash (PowerShell's own remoting
    transport can end the process from a timer thread when a remote session is torn down) fails that file alone and
    the run still counts every other file. The counts go to -CountsPath; the NUnit XML to -ResultPath.
#>
param(
    [Parameter(Mandatory)] [string] $Path,
    [Parameter(Mandatory)] [string] $PesterVersion,
    [Parameter(Mandatory)] [string] $CountsPath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [string] $Tag
)
$ErrorActionPreference = 'Stop'
Import-Module Pester -RequiredVersion $PesterVersion -Force
if ($IsWindows -and (Test-Path -LiteralPath 'HKCU:\Software\Wine')) {
    # The Windows layer runs under Wine, whose WMI never answers Get-CimInstance Win32_OperatingSystem: Pester asks it
    # for the NUnit report's environment block and would hang there after the last test. Without it Pester reports
    # the OS as unknown.
    & (Get-Module Pester) { $script:SafeCommands.Remove('Get-CimInstance') }
}
$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.Exit = $false
$config.Run.PassThru = $true
if ($Tag) { $config.Filter.Tag = @($Tag -split ',') }
$config.Output.Verbosity = 'Normal'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = $ResultPath
$r = Invoke-Pester -Configuration $config
[ordered]@{
    Passed = $r.PassedCount; Failed = $r.FailedCount; Skipped = $r.SkippedCount; NotRun = $r.NotRunCount
    FailedBlocks = $r.FailedBlocksCount; FailedContainers = $r.FailedContainersCount
} | ConvertTo-Json | Set-Content -LiteralPath $CountsPath -Encoding utf8
# The counts carry the result; the exit code says only that the file ran to here (Pester leaves its failed-test count
# in $LASTEXITCODE, which the Windows layer's hosted pwsh.exe would otherwise return).
exit 0
