#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Every output type as remoting delivers it: serialised with PowerShell's serialiser at remoting's default depth
# (1, raised per type by WeChatNet.Types.ps1xml) and deserialised. No property may be lost, and no nested object or
# array may arrive as a string. Offline: the objects come from the shipped samples. Real SSH remoting: Remoting.Tests.ps1.

BeforeDiscovery {
    $script:sources = @(
        @{ Type = 'Endpoint'; Make = { Get-WeChatEndpoint | Select-Object -First 3 } }
        @{ Type = 'IpInfo'; Make = { Get-WeChatIpInfo 101.226.5.4, 129.226.1.1 } }
        @{ Type = 'WeChatSample'; Make = { Get-WeChatSample } }
        @{ Type = 'Flow'; Make = { Get-WeChatFlow (Get-WeChatSample nat-timeout).Path } }
        @{ Type = 'HeartbeatReport'; Make = { Measure-WeChatHeartbeat (Get-WeChatSample nat-timeout).Path } }
        @{ Type = 'Finding'; Make = { Get-WeChatFinding (Get-WeChatSample nat-timeout).Path } }
        @{ Type = 'Packet'; Make = { Import-WeChatCapture (Get-WeChatSample login-dispatch).Path | Select-Object -First 20 } }
        @{ Type = 'Dispatch'; Make = { ConvertFrom-WeChatPacket (Get-WeChatSample login-dispatch).Path | Where-Object { $_ -is [WeChatNet.Dispatch] } } }
        @{ Type = 'LongLinkFrame'; Make = { ConvertFrom-WeChatPacket (Get-WeChatSample legacy-longlink).Path | Where-Object { $_ -is [WeChatNet.LongLinkFrame] } | Select-Object -First 5 } }
        @{ Type = 'MmtlsRecord'; Make = { ConvertFrom-WeChatPacket (Get-WeChatSample mmtls-longlink).Path | Where-Object { $_ -is [WeChatNet.MmtlsRecord] } | Select-Object -First 5 } }
        @{ Type = 'ShortLinkExchange'; Make = { ConvertFrom-WeChatPacket (Get-WeChatSample shortlink-burst).Path | Where-Object { $_ -is [WeChatNet.ShortLinkExchange] } | Select-Object -First 5 } }
        @{ Type = 'CaptureDevice'; Make = { Get-WeChatCaptureDevice } }
        @{ Type = 'CaptureFileSummary'; Make = { Import-WeChatCapture (Get-WeChatSample login-dispatch).Path | Export-WeChatCapture (Join-Path $TestDrive "x$(Get-Random).pcapng") -PassThru } }
        @{ Type = 'Connection'; Make = { Invoke-WithLoopbackConnection { param($ports) Get-WeChatConnection -All -WarningAction SilentlyContinue | Where-Object { $_.LocalPort -in $ports -and $_.RemotePort -in $ports } } } }
        @{ Type = 'ConnectionEvent'; Make = { Invoke-WithLoopbackConnection { param($ports) Get-WeChatConnection -All -WarningAction SilentlyContinue -Watch -Interval 0.1 -Duration 0.3 | Where-Object { $_.Connection.LocalPort -in $ports -and $_.Connection.RemotePort -in $ports } } } }
        @{ Type = 'ReportFile'; Make = { Get-WeChatFinding (Get-WeChatSample nat-timeout).Path | Export-WeChatReport (Join-Path $TestDrive "r$(Get-Random).html") } }
    )
}

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force

    # Runs a script block, given the two ports, while this process holds a loopback TCP connection (chosen by port, not
    # by -ProcessId: Wine, in the Windows layer, names no owning process).
    function Invoke-WithLoopbackConnection([scriptblock] $Script) {
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $l.Start()
        $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $l.LocalEndpoint.Port)
        try { & $Script @($l.LocalEndpoint.Port, $c.Client.LocalEndPoint.Port) } finally { $c.Dispose(); $l.Stop() }
    }

    # Problems of one deserialised value against its live original, by property path.
    function Compare-Deserialized($Live, $Back, [string] $Where, [int] $Depth = 0) {
        if ($null -eq $Live) { return }
        $t = $Live.GetType()
        if ($t.IsPrimitive -or $t.IsEnum -or $Live -is [string] -or $Live -is [datetime] -or $Live -is [datetimeoffset] -or $Live -is [timespan] -or $Live -is [decimal] -or $Live -is [guid] -or $Live -is [uri] -or $Live -is [version]) { return }
        if ($Live -is [byte[]]) { if ($Back -isnot [byte[]]) { "${Where}: byte[] arrived as $($Back.GetType().Name)" }; return }
        if ($Live -is [System.Collections.IEnumerable]) {
            if ($Back -is [string]) { "${Where}: a $($t.Name) arrived as the string '$Back'"; return }
            $l = @($Live); $b = @($Back)
            if ($l.Count -ne $b.Count) { "${Where}: $($l.Count) items arrived as $($b.Count)"; return }
            for ($i = 0; $i -lt [math]::Min($l.Count, 3); $i++) { Compare-Deserialized $l[$i] $b[$i] "$Where[$i]" ($Depth + 1) }
            return
        }
        if ($Back -is [string]) { "${Where}: a $($t.Name) arrived as the string '$Back'"; return }
        foreach ($p in $t.GetProperties()) {
            if ($p.GetIndexParameters().Count) { continue }
            $prop = $Back.PSObject.Properties[$p.Name]
            if (-not $prop) { "${Where}.$($p.Name): missing"; continue }
            Compare-Deserialized ($p.GetValue($Live)) $prop.Value "$Where.$($p.Name)" ($Depth + 1)
        }
    }
}

Describe 'Output types through serialisation, as remoting delivers them' {
    It '<Type> keeps every property, nested objects and arrays' -ForEach $sources {
        $objects = @(& $Make)
        $objects | Should -Not -BeNullOrEmpty -Because "the sample yields $Type objects"
        $objects[0].GetType().FullName | Should -Be "WeChatNet.$Type"
        $back = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($objects))
        @($back).Count | Should -Be $objects.Count
        @($back)[0].PSObject.TypeNames[0] | Should -Be "Deserialized.WeChatNet.$Type"
        $problems = for ($i = 0; $i -lt [math]::Min($objects.Count, 5); $i++) { Compare-Deserialized $objects[$i] @($back)[$i] "$Type[$i]" }
        $problems | Should -BeNullOrEmpty
        (@($back)[0] | Format-Table | Out-String) | Should -Not -Match 'Deserialized\.WeChatNet' -Because 'the table view applies to the deserialised type'
    }
}
