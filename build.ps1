<#
.SYNOPSIS
    Build, test and package WeChatNet (Windows PowerShell 5.1 and PowerShell 7).
.EXAMPLE
    ./build.ps1 -Task Package
    Lays out a ready-to-import module folder at out/WeChatNet/.
.EXAMPLE
    ./build.ps1 -Task Test
    Runs the xunit suites, packages the module and runs the Pester suites against it.
.NOTES
    Every step is a plain dotnet command, so machines without PowerShell run the same steps:
      Build:   dotnet build WeChatNet.sln -c Release
      Test:    dotnet test WeChatNet.sln -c Release
      Package: dotnet publish src/WeChatNet/WeChatNet.csproj -c Release -o out/WeChatNet
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package')]
    [string[]] $Task = @('Build'),
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$outDir = Join-Path $root 'out/WeChatNet'

function Invoke-Dotnet {
    param([string[]] $Arguments)
    Write-Host "dotnet $($Arguments -join ' ')" -ForegroundColor Cyan
    & dotnet @Arguments
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

function Invoke-Test {
    Invoke-Dotnet @('test', (Join-Path $root 'WeChatNet.sln'), '-c', $Configuration)
    Invoke-Package
    $pester = Get-Module -ListAvailable Pester | Where-Object { $_.Version -ge [version]'5.0' } | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $pester) { throw 'Pester 5 is not installed: Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser' }
    Import-Module $pester
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $root 'tests/pester'
    $config.Run.Exit = $false
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $result = Invoke-Pester -Configuration $config
    if ($result.FailedCount -gt 0) { throw "$($result.FailedCount) Pester test(s) failed." }
}

foreach ($t in $Task) {
    switch ($t) {
        'Build'   { Invoke-Build }
        'Package' { Invoke-Package }
        'Test'    { Invoke-Test }
    }
}
