<#
.SYNOPSIS
    Installs WeChatNet from its .nupkg in this fresh process, imports the installed copy and runs the README's main job
    and the help tests on it; writes what it saw as JSON (tests/pester/Package/InstalledPackage.Tests.ps1 asserts on it).
.PARAMETER Mode
    Save: Save-PSResource from a folder repository into -ModulesFolder (empty), then Import-Module WeChatNet by name from
    there; the help tests run on it. Readme: the README's "From a downloaded package" block as written (Install-PSResource
    into the CurrentUser scope, which the caller pointed into its work folder through XDG_DATA_HOME).
#>
param(
    [Parameter(Mandatory)] [ValidateSet('Save', 'Readme')] [string] $Mode,
    [Parameter(Mandatory)] [string] $WorkFolder,
    [Parameter(Mandatory)] [string] $ModulesFolder,
    [Parameter(Mandatory)] [string] $OutputFile,
    [string] $PesterModule,
    [string] $HelpTests,
    [string] $ReadmeBlockFile
)
$ErrorActionPreference = 'Stop'
$result = [ordered]@{ Mode = $Mode; ModulesBefore = @(); ModuleBase = $null; Version = $null; Findings = @(); FindingFiles = @()
    HelpPassed = 0; HelpFailed = 0; HelpFailures = @(); Error = $null }
try {
    # PSResourceGet from wherever this PowerShell has it, before the module path is narrowed to the empty folder.
    if (-not (Get-Module -ListAvailable Microsoft.PowerShell.PSResourceGet)) {
        throw "Microsoft.PowerShell.PSResourceGet is not available to this PowerShell ($PSHOME): it ships with PowerShell 7.4+; the test needs it to install the .nupkg."
    }
    Import-Module Microsoft.PowerShell.PSResourceGet
    $sep = [IO.Path]::PathSeparator
    $env:PSModulePath = $ModulesFolder + $sep + (Join-Path $PSHOME 'Modules')
    $result.ModulesBefore = @(Get-ChildItem -LiteralPath $ModulesFolder -Force -Name)
    Set-Location -LiteralPath $WorkFolder

    if ($Mode -eq 'Save') {
        $name = "WeChatNetTest-$PID-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        Register-PSResourceRepository -Name $name -Uri (Join-Path $WorkFolder 'packages') -Trusted
        try { Save-PSResource -Name WeChatNet -Repository $name -Path $ModulesFolder -TrustRepository }
        finally { Unregister-PSResourceRepository -Name $name }
        Import-Module WeChatNet
        $findings = @(Get-WeChatSample nat-timeout | Get-WeChatFinding)
    }
    else {
        # The README's block as written: it ends with the main job (Format-List), so the findings are taken again below.
        $block = Get-Content -Raw -LiteralPath $ReadmeBlockFile
        $null = . ([scriptblock]::Create($block)) | Out-String
        $findings = @(Get-WeChatSample nat-timeout | Get-WeChatFinding)
    }
    $m = @(Get-Module WeChatNet)
    if ($m.Count -ne 1) { throw "Expected one WeChatNet module loaded, found $($m.Count)." }
    $result.ModuleBase = $m[0].ModuleBase
    $result.Version = $m[0].Version.ToString()
    $result.Findings = @($findings | ForEach-Object { $_.RuleId })
    $result.FindingFiles = @($findings | ForEach-Object { $_.File } | Sort-Object -Unique)

    if ($HelpTests) {
        Import-Module $PesterModule -Force
        $manifest = Join-Path $m[0].ModuleBase 'WeChatNet.psd1'
        $config = New-PesterConfiguration
        $config.Run.Container = New-PesterContainer -Path $HelpTests -Data @{ ModulePath = $manifest }
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'None'
        $r = Invoke-Pester -Configuration $config
        $result.HelpPassed = $r.PassedCount
        $result.HelpFailed = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount
        $result.HelpFailures = @(@($r.Failed | ForEach-Object { "$($_.ExpandedPath): $($_.ErrorRecord -join '; ')" }) +
            @($r.FailedBlocks | ForEach-Object { "block $($_.Name): $($_.ErrorRecord -join '; ')" }) +
            @($r.FailedContainers | ForEach-Object { "container $($_.Item): $($_.ErrorRecord -join '; ')" }))
        # The help tests import by path: still the installed copy, and nothing else.
        $bases = @(Get-Module WeChatNet | ForEach-Object ModuleBase | Sort-Object -Unique)
        if ($bases.Count -ne 1 -or $bases[0] -ne $result.ModuleBase) { throw "The help tests loaded WeChatNet from $($bases -join ', ')." }
    }
}
catch {
    $result.Error = "$($_.Exception.Message) ($($_.InvocationInfo.PositionMessage))"
}
$result | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $OutputFile -Encoding utf8
