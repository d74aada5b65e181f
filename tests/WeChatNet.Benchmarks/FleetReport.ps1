<#
.SYNOPSIS
    Controller-side cost of many sites: what one site's objects cost to serialise and deserialise (as remoting does)
    and what Export-WeChatReport costs for 1, 10 and 100 sites built from deserialised recorded objects, side by side
    with PowerShell's own ConvertTo-Html of the same objects. Run by hand, never by CI:
        dotnet pwsh -NoProfile -File tests/WeChatNet.Benchmarks/FleetReport.ps1 [-Rounds 3]
    Needs the packaged module (./build.ps1 -Task Package) and python3 (the site stand-ins, on a 127.x address).
#>
param([int] $Rounds = 3)
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
Import-Module (Join-Path $root 'out/WeChatNet/WeChatNet.psd1') -Force
$samples = Join-Path $root 'out/WeChatNet/samples'
$work = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-fleetbench-$PID"
New-Item -ItemType Directory $work | Out-Null
$standins = $null
try {
    # One site's run, recorded: the stand-ins of the remoting suite on a loopback address of this run's own.
    $me = "127.77.$(Get-Random -Maximum 250).$(Get-Random -Minimum 2 -Maximum 250)"
    $xml = Join-Path $work 'dispatch.xml'
    Set-Content $xml '<dns><retcode>0</retcode><domainlist><domain name="long.weixin.qq.com" timeout="600"><ip>101.226.5.4</ip><ip>180.163.10.11</ip></domain><domain name="short.weixin.qq.com" timeout="600"><ip>14.215.1.2</ip></domain></domainlist></dns>'
    $ready = Join-Path $work 'ready'
    $standins = Start-Process /usr/bin/python3 -ArgumentList (Join-Path $root 'tests/pester/Support/site_standins.py'), '--address', $me, '--dispatch', $xml, '--ready', $ready, '--answer', 'long.weixin.qq.com=101.226.5.4' -PassThru
    while (-not (Test-Path $ready)) { Start-Sleep -Milliseconds 100 }
    $dispatch = "http://$me/cgi-bin/micromsg-bin/newgetdns"
    $run = @(
        Invoke-WeChatDiagnostic -Live -Server "${me}:53" -Name long.weixin.qq.com -Target $me -Port 8080 -DispatchUri $dispatch -SkipTrace -ClientRegion MainlandChina -DnsTimeout 1
        Invoke-WeChatDiagnostic (Join-Path $samples 'nat-timeout.pcapng')
        Resolve-WeChatDomain long.weixin.qq.com -Server "${me}:53" -Timeout 1
        Test-WeChatConnection -Address $me -Port 8080 -Timeout 1000ms -SkipHttp -Count 3
        Get-WeChatDispatch -Uri $dispatch
        Get-WeChatFlow (Join-Path $samples 'nat-timeout.pcapng')
    )
    $clixml = [System.Management.Automation.PSSerializer]::Serialize($run)   # depth 1, and 3 for Dispatch (types file), as remoting
    $objects = $run.Count
    function Median([double[]] $v) { $s = $v | Sort-Object; $s[[int][math]::Floor($s.Count / 2)] }
    function Time([scriptblock] $b) { & $b | Out-Null; $t = foreach ($i in 1..$Rounds) { $sw = [Diagnostics.Stopwatch]::StartNew(); & $b | Out-Null; $sw.Elapsed.TotalMilliseconds }; Median $t }

    $serialise = Time { [System.Management.Automation.PSSerializer]::Serialize($run) }
    $deserialise = Time { [System.Management.Automation.PSSerializer]::Deserialize($clixml) }

    # N sites: deserialised copies of the recorded run, labelled as remoting labels them; every 4th site's resolver
    # answers overseas, every 5th site's long link is blocked (its connection tests failed), so the sites differ.
    function Sites([int] $n) {
        foreach ($i in 1..$n) {
            $name = 'site-{0:D3}' -f $i
            foreach ($o in [System.Management.Automation.PSSerializer]::Deserialize($clixml)) {
                if ($i % 4 -eq 0 -and $o.PSObject.TypeNames[0] -eq 'Deserialized.WeChatNet.DnsAnswer') { $o.Addresses = @('129.226.1.1'); $o.AddressRegions = @('Overseas') }
                if ($i % 5 -eq 0 -and $o.PSObject.TypeNames[0] -eq 'Deserialized.WeChatNet.ConnectionTest') { $o.Succeeded = $false; $o.ConnectMs = $null; $o.Error = 'TimedOut' }
                $o.PSObject.Properties.Add([psnoteproperty]::new('PSComputerName', $name))
                $o
            }
        }
    }
    $rows = foreach ($n in 1, 10, 100) {
        $in = @(Sites $n)
        $path = Join-Path $work "fleet-$n.html"
        $report = Time { $in | Export-WeChatReport -Path $path -Force }
        $html = Join-Path $work "convertto-$n.html"
        $peer = Time { $in | ConvertTo-Html -Property PSComputerName, Severity, Title, Name, Addresses, Succeeded, ConnectMs | Out-File $html }
        [pscustomobject]@{
            Sites = $n; Objects = $in.Count
            'Export-WeChatReport ms' = [math]::Round($report, 1)
            'ms per site' = [math]::Round($report / $n, 2)
            'ConvertTo-Html ms' = [math]::Round($peer, 1)
            'Ratio to ConvertTo-Html' = [math]::Round($report / $peer, 2)
            'Report KB' = [math]::Round((Get-Item $path).Length / 1KB, 1)
            'Ratio to deserialising' = [math]::Round(($report / $n) / $deserialise, 2)
        }
    }
    "One site's run: $objects objects, $([math]::Round([Text.Encoding]::UTF8.GetByteCount($clixml) / 1KB, 1)) KB of CLIXML; serialise $([math]::Round($serialise, 2)) ms, deserialise $([math]::Round($deserialise, 2)) ms (median of $Rounds)."
    $rows | Format-Table -AutoSize | Out-String -Width 200
} finally {
    if ($standins -and -not $standins.HasExited) { Stop-Process -Id $standins.Id -Force }
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
