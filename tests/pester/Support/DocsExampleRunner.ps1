# Runs documentation examples one after the other in this pwsh (started by DocsExamples.Tests.ps1 inside the sealed
# network), each in its own prepared working folder, and writes what each did as JSON: errors, the types it emitted
# and the types that went into Format-Table/Format-List, its text as the console would show it, Pester counts.
param(
    [Parameter(Mandatory)] [string] $InputFile,
    [Parameter(Mandatory)] [string] $OutputFile,
    [Parameter(Mandatory)] [string] $ModuleManifest,
    # The Pester the calling suite runs on (build/TestTools.proj names it once).
    [Parameter(Mandatory)] [string] $PesterVersion
)
$ErrorActionPreference = 'Continue'
Import-Module Pester -RequiredVersion $PesterVersion
Import-Module $ModuleManifest
$examples = Get-Content -Raw $InputFile | ConvertFrom-Json

# Format-Table and Format-List record the types piped into them, then format as usual (the example text is unchanged).
$global:DocsFormatTypes = [Collections.Generic.List[string]]::new()
$global:DocsFormatObjects = [Collections.Generic.List[object]]::new()
foreach ($name in 'Format-Table', 'Format-List') {
    $proxy = [System.Management.Automation.ProxyCommand]::Create([System.Management.Automation.CommandMetadata]::new((Get-Command "Microsoft.PowerShell.Utility\$name")))
    $proxy = $proxy.Replace('$steppablePipeline.Process($_)', 'if ($null -ne $_) { $global:DocsFormatTypes.Add($_.PSObject.TypeNames[0]); $global:DocsFormatObjects.Add($_) }; $steppablePipeline.Process($_)')
    Set-Item "function:global:$name" ([scriptblock]::Create($proxy))
}

function Start-Traffic([string[]] $Targets, [int] $Seconds) {
    # WeChat-like traffic from this namespace while a capture runs: the long link's name looked up through this
    # machine's resolver, then long-link connections carrying heartbeat frames (which the stand-in server answers).
    Start-ThreadJob -ArgumentList $Targets, $Seconds -ScriptBlock {
        param($targets, $seconds)
        $until = [DateTime]::UtcNow.AddSeconds($seconds)
        $heartbeat = [byte[]]@(0, 0, 0, 0x10, 0, 0x10, 0, 1, 0, 0, 0, 6, 0xFF, 0xFF, 0xFF, 0xFF)
        $reply = [byte[]]::new(16)
        while ([DateTime]::UtcNow -lt $until) {
            try { $null = [System.Net.Dns]::GetHostAddresses('long.weixin.qq.com') } catch { }
            foreach ($t in $targets) {
                $c = [System.Net.Sockets.TcpClient]::new()
                try {
                    $c.NoDelay = $true
                    $c.Connect([System.Net.IPEndPoint]::Parse($t))
                    $s = $c.GetStream()
                    $s.ReadTimeout = 2000
                    for ($i = 0; $i -lt 20 -and [DateTime]::UtcNow -lt $until; $i++) {
                        $s.Write($heartbeat, 0, 16)
                        $got = 0; while ($got -lt 16) { $n = $s.Read($reply, $got, 16 - $got); if ($n -le 0) { throw 'closed' }; $got += $n }
                        Start-Sleep -Milliseconds 10
                    }
                }
                catch { Start-Sleep -Milliseconds 50 }
                finally { $c.Dispose() }
            }
        }
    }
}

$results = foreach ($ex in $examples) {
    Set-Location $ex.Dir
    $global:DocsFormatTypes.Clear()
    $global:DocsFormatObjects.Clear()
    $envBefore = [Environment]::GetEnvironmentVariables()
    $job = if ($ex.Traffic) { Start-Traffic $ex.Traffic $ex.TrafficSeconds }
    # An example that imports the module itself (the README's, from ./out/WeChatNet) starts where a new user does:
    # without it loaded (a second copy from another path would meet the first one's type data).
    $importsModule = $ex.Text -match '(?m)^\s*Import-Module\b.*WeChatNet'
    if ($importsModule) { Remove-Module WeChatNet }
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $errors = [Collections.Generic.List[string]]::new()
    $out = @()
    $pester = $null
    try {
        if ($ex.Mode -eq 'Pester') {
            $text = if ($ex.Text -match '^\s*Describe\b') { $ex.Text } else { "Describe 'documentation example' {`n$($ex.Text)`n}" }
            $config = New-PesterConfiguration
            $config.Run.Container = New-PesterContainer -ScriptBlock ([scriptblock]::Create($text))
            $config.Run.PassThru = $true
            $config.Output.Verbosity = 'None'
            $r = Invoke-Pester -Configuration $config
            $pester = @{ Passed = $r.PassedCount; Failed = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount
                Messages = @($r.Failed | ForEach-Object { "$($_.ExpandedName): $($_.ErrorRecord -join '; ')" }) }
        }
        else {
            $out = @(& ([scriptblock]::Create($ex.Text)) 2>&1 3>$null)
        }
    }
    catch { $errors.Add("terminating: $($_.Exception.Message) at $($_.InvocationInfo.PositionMessage)") }
    $seconds = $sw.Elapsed.TotalSeconds
    if ($importsModule) { Remove-Module WeChatNet -ErrorAction Ignore; Import-Module $ModuleManifest }
    if ($job) { $job | Stop-Job -PassThru | Remove-Job -Force }
    foreach ($o in $out) { if ($o -is [System.Management.Automation.ErrorRecord]) { $errors.Add("$($o.FullyQualifiedErrorId): $o") } }
    $objects = @($out | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
    # What a stand-in should have answered and did not: a resolver that failed, a connect that failed, a trace that
    # never reached its target (seen in the output and in what went into Format-*).
    $problems = foreach ($o in @($objects) + @($global:DocsFormatObjects)) {
        if ($null -eq $o) { continue }
        $type = $o.PSObject.TypeNames[0] -replace '^Selected\.'
        if ($type -eq 'WeChatNet.DnsAnswer' -and $o.PSObject.Properties['Status'] -and $o.Status -ne 'Ok') { "DnsAnswer $($o.Name) from $($o.Server): $($o.Status)" }
        if ($type -eq 'WeChatNet.ConnectionTest' -and $o.PSObject.Properties['Succeeded'] -and -not $o.Succeeded) { "ConnectionTest $($o.Host) $($o.Address):$($o.Port): $($o.Error)" }
    }
    $hops = @(@($objects) + @($global:DocsFormatObjects) | Where-Object { $null -ne $_ -and $_.PSObject.TypeNames[0] -eq 'WeChatNet.RouteHop' -and $_.PSObject.Properties['IsDestination'] })
    foreach ($g in $hops | Group-Object Target) { if (-not ($g.Group | Where-Object IsDestination)) { $problems = @($problems) + "RouteHop: the trace to $($g.Name) never reached it" } }
    $rendered = ''
    try { $rendered = ($objects | Out-String -Width 200) } catch { $errors.Add("formatting: $($_.Exception.Message)") }
    # Environment variables an example set (Get-WeChatIpInfo's example 3) do not leak into the next one.
    $envAfter = [Environment]::GetEnvironmentVariables()
    foreach ($k in @($envAfter.Keys)) { if (-not $envBefore.Contains($k)) { [Environment]::SetEnvironmentVariable($k, $null) } }
    [pscustomobject]@{
        Id          = $ex.Id
        Errors      = @($errors)
        Types       = @($objects | ForEach-Object { if ($null -ne $_) { $_.PSObject.TypeNames[0] } } | Select-Object -Unique)
        FormatTypes = @($global:DocsFormatTypes | Select-Object -Unique)
        Count       = $objects.Count
        Problems    = @($problems | Select-Object -Unique)
        Text        = if ($rendered.Length -gt 4000) { $rendered.Substring(0, 4000) } else { $rendered }
        Seconds     = [math]::Round($seconds, 2)
        Pester      = $pester
        Files       = @(Get-ChildItem -Path $ex.Dir -Recurse -File -Name)
    }
}
Set-Location $PSScriptRoot
ConvertTo-Json -InputObject @($results) -Depth 6 | Set-Content -Path $OutputFile
