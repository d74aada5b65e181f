# Runs runbooks the way their headers say (Invoke-Pester -Container with New-PesterContainer -Data), one setup after
# the other, in this pwsh: a child process of the test (Invoke-Pester nested in a running Pester is unreliable), so one
# process start serves every setup. Writes, per setup, the counts and every test's result and failure message as JSON.
# Started by tests/pester/Docs/Runbooks.Tests.ps1 inside the sealed network.
param(
    # A Clixml list of setups: @{ Id; Runbook (path); Data (hashtable for -Data) } (Clixml keeps arrays and switches).
    [Parameter(Mandatory)] [string] $SetupFile,
    [Parameter(Mandatory)] [string] $OutputFile,
    [Parameter(Mandatory)] [string] $ModuleManifest,
    # The Pester the calling suite runs on (build/TestTools.proj names it once).
    [Parameter(Mandatory)] [string] $PesterVersion
)
$ErrorActionPreference = 'Stop'
Import-Module Pester -RequiredVersion $PesterVersion
Import-Module $ModuleManifest
$results = foreach ($setup in @(Import-Clixml $SetupFile)) {
    $dir = Join-Path (Split-Path $SetupFile) $setup.Id
    $null = New-Item -ItemType Directory -Force $dir
    Set-Location $dir
    $config = New-PesterConfiguration
    $config.Run.Container = New-PesterContainer -Path $setup.Runbook -Data $setup.Data
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    Write-Host "=== $($setup.Id)"
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $r = Invoke-Pester -Configuration $config
    [pscustomobject]@{
        Id               = $setup.Id
        Seconds          = [math]::Round($sw.Elapsed.TotalSeconds, 1)
        Passed           = $r.PassedCount
        Failed           = $r.FailedCount
        FailedBlocks     = $r.FailedBlocksCount
        FailedContainers = $r.FailedContainersCount
        Skipped          = $r.SkippedCount
        Tests            = @($r.Tests | ForEach-Object {
                [pscustomobject]@{ Name = $_.ExpandedName; Result = "$($_.Result)"; Message = (@($_.ErrorRecord | ForEach-Object { $_.Exception.Message }) -join "`n") }
            })
        ContainerErrors  = @($r.Containers | ForEach-Object { $_.ErrorRecord } | ForEach-Object { "$($_.Exception.Message)" })
    }
}
Set-Location $PSScriptRoot
ConvertTo-Json -InputObject @($results) -Depth 5 | Set-Content -Path $OutputFile
