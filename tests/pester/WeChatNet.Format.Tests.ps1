#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Every output type of the module, formatted as a user sees it: Format-Table (the module's table view) and Format-List,
# through Out-String. No script-block text, no $null, no {…} in a table, no formatting error.
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).

BeforeDiscovery {
    $formatFile = Join-Path $PSScriptRoot '../../WeChatNet.Format.ps1xml'
    $script:typeNames = ([xml](Get-Content -Raw $formatFile)).Configuration.ViewDefinitions.View.ViewSelectedBy.TypeName | Sort-Object -Unique
}

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
    $samples = Join-Path (Split-Path $manifest) 'samples'
    $tmp = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-format-pester-$PID-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory $tmp | Out-Null

    # A port nothing listens on (bound, then released): resolvers and connects there fail fast, on this machine only.
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $closed = $listener.LocalEndpoint.Port; $listener.Stop()

    # One real instance (or more) of every output type, made the way a user makes them; nothing leaves 127.0.0.1.
    $objects = [System.Collections.Generic.List[object]]::new()
    $all = Get-WeChatSample
    $all | ForEach-Object { $objects.Add($_) }
    $all | Get-WeChatFlow -All | ForEach-Object { $objects.Add($_) }
    $all | Measure-WeChatHeartbeat | ForEach-Object { $objects.Add($_) }
    $all | Get-WeChatFinding | ForEach-Object { $objects.Add($_) }
    $all | ConvertFrom-WeChatPacket | ForEach-Object { $objects.Add($_) }
    Import-WeChatCapture (Join-Path $samples 'dead-link.pcapng') | Select-Object -First 20 | ForEach-Object { $objects.Add($_) }
    $objects.Add((Import-WeChatCapture (Join-Path $samples 'dead-link.pcapng') | Export-WeChatCapture (Join-Path $tmp 'x.pcapng') -PassThru))
    Get-WeChatEndpoint | ForEach-Object { $objects.Add($_) }
    $objects.Add((Get-WeChatIpInfo 127.0.0.1))
    $objects.Add((Get-WeChatIpInfo 43.130.30.240))
    Resolve-WeChatDomain long.weixin.qq.com -Server "127.0.0.1:$closed" -TimeoutSec 0.2 -Retries 0 -NoTcpFallback | ForEach-Object { $objects.Add($_) }
    Resolve-WeChatDomain long.weixin.qq.com -Server "127.0.0.1:$closed", "127.0.0.2:$closed" -TimeoutSec 0.2 -Retries 0 -NoTcpFallback -Compare | ForEach-Object { $objects.Add($_) }
    Test-WeChatConnection -Address 127.0.0.1 -Port $closed -TimeoutMs 500 -SkipHttp | ForEach-Object { $objects.Add($_) }
    Get-WeChatRoute 127.0.0.1 -MaxHops 1 -Count 1 -TimeoutMs 500 | ForEach-Object { $objects.Add($_) }
    Get-WeChatCaptureDevice | ForEach-Object { $objects.Add($_) }
    $objects.Add((Start-WeChatCapture lo -Filter "udp port $closed" -Duration 0.3 -OutFile (Join-Path $tmp 'live.pcapng')))
    # No sample carries VoIP (undocumented ports, a heuristic): the plain object is formatted as it comes.
    $objects.Add([WeChatNet.VoipPacket]::new())
}

AfterAll {
    if ($tmp -and (Test-Path $tmp)) { Remove-Item $tmp -Recurse -Force }
}

Describe 'WeChatNet.Format.ps1xml' {
    It 'formats <_> as a clean table and list' -ForEach $typeNames {
        $name = $_
        $items = @($objects | Where-Object { $_.GetType().FullName -eq $name })
        $items.Count | Should -BeGreaterThan 0 -Because "the test must make at least one $name"
        $table = $items | Select-Object -First 20 | Format-Table -DisplayError | Out-String -Width 300
        $list = $items | Select-Object -First 5 | Format-List -DisplayError | Out-String -Width 300
        foreach ($text in $table, $list) {
            $text | Should -Not -Match '\$null|<ScriptBlock>|#ERR|\{\$'
        }
        $table | Should -Not -Match '[{}]' -Because 'a table column shows values, not PowerShell array or script text'
        $table.Trim() | Should -Not -BeNullOrEmpty
    }

    It 'shows durations and handshake times in the flow table' {
        $flow = $objects | Where-Object { $_ -is [WeChatNet.Flow] -and $null -ne $_.HandshakeMs } | Select-Object -First 1
        $row = ($flow | Format-Table | Out-String -Width 300) -split "`n" | Where-Object { $_ -match "^\s*$($flow.Id)\s" } | Select-Object -First 1
        $row | Should -Match ('{0:0.#}' -f $flow.HandshakeMs)
        $row | Should -Match '\d+(\.\d)? (s|ms)'
    }

    It 'shows the median interval in the heartbeat table' {
        $hb = $objects | Where-Object { $_ -is [WeChatNet.HeartbeatReport] -and $null -ne $_.IntervalMedianSec } | Select-Object -First 1
        ($hb | Format-Table | Out-String -Width 300) | Should -Match ('\b{0:0}\b' -f $hb.IntervalMedianSec)
    }
}
