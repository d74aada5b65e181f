#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package). Needs knotd (Debian package knot) and kdig for the
# real-server tests: a Knot DNS instance is started on a random loopback port for this file.

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force

    $knotd = (Get-Command knotd -ErrorAction SilentlyContinue).Source
    if (-not $knotd) { $knotd = '/usr/sbin/knotd' }
    if (-not (Test-Path $knotd)) { throw 'These tests need knotd: apt-get install -y knot' }
    $script:dir = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-pester-resolve-$PID"
    New-Item -ItemType Directory -Path $script:dir -Force | Out-Null
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $script:port = $listener.LocalEndpoint.Port; $listener.Stop()
    @'
$ORIGIN weixin.qq.com.
$TTL 300
@ SOA ns1 admin 1 3600 600 86400 60
@ NS ns1
ns1 A 127.0.0.1
long A 101.226.5.4
long A 180.163.10.11
szlong 120 CNAME long
'@ | Set-Content (Join-Path $script:dir 'weixin.qq.com.zone')
    @"
server:
    rundir: "$($script:dir)"
    listen: 127.0.0.1@$($script:port)
database:
    storage: "$($script:dir)"
template:
  - id: default
    storage: "$($script:dir)"
    file: "%s.zone"
zone:
  - domain: weixin.qq.com
"@ | Set-Content (Join-Path $script:dir 'knot.conf')
    $script:knot = Start-Process $knotd -ArgumentList '-c', (Join-Path $script:dir 'knot.conf') -PassThru -RedirectStandardError (Join-Path $script:dir 'knot.err')
    $deadline = (Get-Date).AddSeconds(15)
    while ((Get-Date) -lt $deadline) {
        try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $script:port).Dispose(); break } catch { Start-Sleep -Milliseconds 100 }
    }
    $script:server = "127.0.0.1:$($script:port)"
    # A UDP port that never answers.
    $script:silent = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
    $script:silentServer = "127.0.0.1:$($script:silent.Client.LocalEndPoint.Port)"
}

AfterAll {
    if ($script:knot) { Stop-Process -Id $script:knot.Id -Force -ErrorAction SilentlyContinue }
    if ($script:silent) { $script:silent.Dispose() }
    if ($script:dir) { Remove-Item $script:dir -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Resolve-WeChatDomain' {
    It 'resolves a name from a given server' {
        $a = Resolve-WeChatDomain long.weixin.qq.com -Server $script:server
        $a | Should -BeOfType ([WeChatNet.DnsAnswer])
        $a.Status | Should -Be 'Ok'
        $a.Addresses | Sort-Object | Should -Be @('101.226.5.4', '180.163.10.11')
        $a.Server | Should -Be $script:server
        $a.Region | Should -Be 'Custom'
    }

    It 'follows CNAME chains' {
        $a = Resolve-WeChatDomain szlong.weixin.qq.com -Server $script:server -Protocol Tcp
        $a.CnameChain | Should -Be @('long.weixin.qq.com')
        $a.Ttl | Should -Be 120
        $a.Protocol | Should -Be 'Tcp'
    }

    It 'reports NXDOMAIN and timeouts as statuses, one answer per name and server' {
        # One -Timeout for both servers: 3 s, so Knot's answers are never late on a loaded machine (with 200 ms they
        # could be); only the silent server reaches it.
        $all = Resolve-WeChatDomain nosuch.weixin.qq.com, long.weixin.qq.com -Server $script:server, $script:silentServer -Timeout 3s -Retries 0
        $all.Count | Should -Be 4
        ($all | Where-Object { $_.Server -eq $script:silentServer }).Status | Should -Be @('Timeout', 'Timeout')
        ($all | Where-Object { $_.Name -eq 'nosuch.weixin.qq.com' -and $_.Server -eq $script:server }).Status | Should -Be 'NxDomain'
    }

    It 'takes names from Get-WeChatEndpoint through the pipeline' {
        $a = Get-WeChatEndpoint long.weixin.qq.com | Resolve-WeChatDomain -Server $script:server
        $a.Name | Should -Be 'long.weixin.qq.com'
    }

    It 'writes DomainNameInvalid for a bad name and still resolves the rest' {
        $a = Resolve-WeChatDomain 'bad..name', 'long.weixin.qq.com' -Server $script:server -ErrorVariable err -ErrorAction SilentlyContinue
        $a.Name | Should -Be 'long.weixin.qq.com'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DomainNameInvalid*'
    }

    It 'stops with ClientSubnetInvalid for a bad subnet' {
        { Resolve-WeChatDomain long.weixin.qq.com -Server $script:server -ClientSubnet 1.2.3.0/99 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ClientSubnetInvalid*'
    }

    It 'says that the -Server given is not a resolver, not that none was given' {
        # Nothing is queried: both errors come from checking the parameters.
        $e = { Resolve-WeChatDomain long.weixin.qq.com -Server 'bo gus' -ErrorVariable script:err -ErrorAction SilentlyContinue } |
            Should -Throw -ErrorId 'NoResolvers*' -PassThru
        $e.Exception.Message | Should -BeLike '*no -Server value is a resolver*'
        $e.Exception.Message | Should -Not -BeLike '*give -Server,*'
        $script:err[0].FullyQualifiedErrorId | Should -BeLike 'DnsServerInvalid*'
        $script:err[0].Exception.Message | Should -BeLike "*-Server 'bo gus' is not a resolver*"
    }

    It 'says a URL of another scheme is not a DoH URL, not that part of it is a bad port' {
        # 'ftp://x' was read as host 'ftp' and port '//x': "'//x' is not a port (1 to 65535)".
        { Resolve-WeChatDomain long.weixin.qq.com -Server 'ftp://resolver.example/dns-query', 'tls://127.0.0.1' -ErrorVariable script:err -ErrorAction SilentlyContinue } |
            Should -Throw -ErrorId 'NoResolvers*'
        $invalid = @($script:err | Where-Object { "$($_.FullyQualifiedErrorId)" -like 'DnsServerInvalid*' })
        $invalid | Should -HaveCount 2
        $invalid[0].Exception.Message | Should -Be "-Server 'ftp://resolver.example/dns-query' is not a resolver: 'ftp://resolver.example/dns-query' is a ftp URL; DNS over HTTPS needs an https:// URL."
        $invalid[1].Exception.Message | Should -BeLike "*'tls://127.0.0.1' is a tls URL; DNS over HTTPS needs an https:// URL."
    }

    It 'compares answers between servers' {
        $c = Resolve-WeChatDomain long.weixin.qq.com -Server $script:server, $script:silentServer -Timeout 3 -Retries 0 -Compare
        $c | Should -BeOfType ([WeChatNet.DnsComparison])
        $c.Differs | Should -BeFalse
        $c.Failed.Count | Should -Be 1
    }

    It 'survives serialisation' {
        $path = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-dnsanswer-$PID.xml"
        try {
            Resolve-WeChatDomain long.weixin.qq.com -Server $script:server | Export-Clixml $path
            (Import-Clixml $path).Addresses.Count | Should -Be 2
        } finally { Remove-Item $path -ErrorAction SilentlyContinue }
    }

    It 'shows every column of the answer table in a 120-column console, down to ElapsedMs' {
        # PowerShell leaves out the columns of a fixed-width table that do not fit: "how long the answer took" went missing.
        $a = Resolve-WeChatDomain long.weixin.qq.com -Server $script:server
        $labels = (Get-FormatData -TypeName WeChatNet.DnsAnswer).FormatViewDefinition[0].Control.Headers.Label
        $labels | Should -Contain 'ElapsedMs'
        $header = (($a | Format-Table | Out-String -Width 120) -split "`r?`n" | Where-Object { $_ -match '^Name\b' })
        $header | Should -Match ('^' + (($labels | ForEach-Object { [regex]::Escape($_) }) -join '\s+') + '$')
        $row = (($a | Format-Table | Out-String -Width 120) -split "`r?`n" | Where-Object { $_ -match '^long\.weixin' })
        $row | Should -Match '101\.226\.5\.4|180\.163\.10\.11'
    }

    It 'has default table views' {
        (Get-FormatData -TypeName WeChatNet.DnsAnswer).FormatViewDefinition.Control | Should -BeOfType ([System.Management.Automation.TableControl])
        (Get-FormatData -TypeName WeChatNet.DnsComparison).FormatViewDefinition.Control | Should -BeOfType ([System.Management.Automation.TableControl])
    }
}
