<#
.SYNOPSIS
    Get-WeChatConnection against ss -tinp on the same socket table: 1,000 connections of a WeChat-named process (and the
    1,000 accepted ends a stand-in server holds) in a network namespace this script creates and removes. Run by hand, as
    root, never by CI:
        dotnet pwsh -NoProfile -File tests/WeChatNet.Benchmarks/ConnectionTable.ps1 [-Connections 1000] [-Rounds 15]
    Needs the packaged module (./build.ps1 -Task Package), iproute2 (ip, ss) and python3. Nothing leaves the namespace.
#>
param([int] $Connections = 1000, [int] $Rounds = 15, [switch] $Inner, [string] $ResultFile)
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

if ($Inner) {
    # Inside the namespace: each tool lists every TCP connection with statistics and processes, $Rounds times.
    Import-Module (Join-Path $root 'out/WeChatNet/WeChatNet.psd1') -Force
    $null = Get-WeChatConnection -All   # warm: the module's first call loads the address tables
    function Measure-Median([scriptblock] $Script) {
        $times = foreach ($i in 1..$Rounds) { (Measure-Command $Script).TotalMilliseconds }
        ($times | Sort-Object)[[int][math]::Floor($times.Count / 2)]
    }
    $ssRows = @(& ss -tinpH state all | Where-Object { $_ -notmatch '^\s' -and $_ -notmatch '^LISTEN' }).Count
    $allRows = @(Get-WeChatConnection -All -WarningAction SilentlyContinue).Count
    $wechatRows = @(Get-WeChatConnection).Count
    $result = [ordered]@{
        SsRows = $ssRows; AllRows = $allRows; WeChatRows = $wechatRows
        SsMs = Measure-Median { & ss -tinp > $null }
        AllMs = Measure-Median { $null = Get-WeChatConnection -All -WarningAction SilentlyContinue }
        WeChatMs = Measure-Median { $null = Get-WeChatConnection }
        TableMs = Measure-Median { $null = Get-WeChatConnection | Format-Table | Out-String -Width 120 }
    }
    [pscustomobject]$result | Export-Clixml $ResultFile
    return
}

if ((id -u) -ne 0) { throw 'The benchmark creates a network namespace: run it as root.' }
$suffix = '{0:x4}' -f (Get-Random -Maximum 65535)
$ns = "wcnbench-$suffix"
$work = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-connbench-$PID-$suffix"
New-Item -ItemType Directory $work | Out-Null
$procs = @()
try {
    ip netns add $ns
    ip -n $ns link set lo up
    $standins = Join-Path $root 'tests/pester/Support/longlink_standins.py'
    $ready = Join-Path $work 'server.ready'
    $procs += Start-Process ip -ArgumentList 'netns', 'exec', $ns, '/usr/bin/python3', $standins, 'server', '--ports', '18080', '--ready', $ready -PassThru
    while (-not (Test-Path $ready)) { Start-Sleep -Milliseconds 100 }
    $targets = (@('127.0.0.1:18080') * $Connections) -join ','
    $held = Join-Path $work 'client.ready'
    $procs += Start-Process ip -ArgumentList 'netns', 'exec', $ns, '/usr/bin/python3', $standins, 'hold', '--name', 'WeChat', '--connect', $targets, '--ready', $held -PassThru
    $deadline = [DateTime]::UtcNow.AddSeconds(120)
    while (-not (Test-Path $held)) { if ([DateTime]::UtcNow -gt $deadline) { throw 'the client did not connect in 120 s' }; Start-Sleep -Milliseconds 200 }
    $resultFile = Join-Path $work 'result.xml'
    $dotnet = [Environment]::ProcessPath
    & ip netns exec $ns $dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -File $PSCommandPath -Inner -Rounds $Rounds -ResultFile $resultFile
    if ($LASTEXITCODE -ne 0) { throw "the measurement failed ($LASTEXITCODE)" }
    $r = Import-Clixml $resultFile
    "Rows: ss -tinp $($r.SsRows) (all but listeners), Get-WeChatConnection -All $($r.AllRows), Get-WeChatConnection (WeChat's) $($r.WeChatRows)"
    '| What | Median of {0} | Ratio to ss -tinp |' -f $Rounds
    '|---|---:|---:|'
    '| `ss -tinp` (a process per call, as a user runs it) | {0:N1} ms | 1.00 |' -f $r.SsMs
    '| `Get-WeChatConnection -All` (every connection, named, region and owner) | {0:N1} ms | {1:N2} |' -f $r.AllMs, ($r.AllMs / $r.SsMs)
    '| `Get-WeChatConnection` (WeChat''s {2} connections) | {0:N1} ms | {1:N2} |' -f $r.WeChatMs, ($r.WeChatMs / $r.SsMs), $r.WeChatRows
    '| `Get-WeChatConnection \| Format-Table` (the table a user reads) | {0:N1} ms | {1:N2} |' -f $r.TableMs, ($r.TableMs / $r.SsMs)
} finally {
    foreach ($p in $procs) { if ($p -and -not $p.HasExited) { Stop-Process -Id $p.Id -Force -ErrorAction SilentlyContinue } }
    foreach ($id in @(ip netns pids $ns 2>$null)) { if ($id -match '^\d+$') { Stop-Process -Id ([int]$id) -Force -ErrorAction SilentlyContinue } }
    ip netns del $ns 2>$null
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
