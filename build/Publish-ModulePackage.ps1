<#
.SYNOPSIS
    Packs the laid-out module folder into its .nupkg through a local folder repository (used by build.ps1 -Task Package).
.DESCRIPTION
    Publish-PSResource (PSResourceGet, shipped with PowerShell 7.4+) to a folder repository writes exactly the
    package the PowerShell Gallery would receive: WeChatNet.<ModuleVersion>.nupkg, with the manifest's tags,
    release notes and links in its nuspec. The repository is registered under a name unique to this run and
    unregistered in `finally`. build.ps1 starts this script in its own pwsh process with XDG_DATA_HOME pointed
    under out/ on Linux and macOS, so the user's PSResourceGet registrations are never read or written there;
    on Windows the registration lives in the user's store for the few seconds of the publish and is removed.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $RepositoryPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$manifest = Import-PowerShellDataFile -LiteralPath (Join-Path $ModulePath 'WeChatNet.psd1')
if (-not (Test-Path -LiteralPath $RepositoryPath)) { New-Item -ItemType Directory -Path $RepositoryPath | Out-Null }
# One package per version in the folder: an older build's package would otherwise be found beside the new one.
Get-ChildItem -LiteralPath $RepositoryPath -Filter 'WeChatNet.*.nupkg' | Remove-Item -Force

$name = "WeChatNetBuild-$PID-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
Register-PSResourceRepository -Name $name -Uri (Resolve-Path -LiteralPath $RepositoryPath).ProviderPath -Trusted
try {
    Publish-PSResource -Path $ModulePath -Repository $name
}
finally {
    Unregister-PSResourceRepository -Name $name
}
$nupkg = Join-Path $RepositoryPath "WeChatNet.$($manifest.ModuleVersion).nupkg"
if (-not (Test-Path -LiteralPath $nupkg)) {
    throw "Publish-PSResource reported success, but $nupkg is not there ($(@(Get-ChildItem -LiteralPath $RepositoryPath -Name) -join ', '))."
}
(Resolve-Path -LiteralPath $nupkg).ProviderPath
