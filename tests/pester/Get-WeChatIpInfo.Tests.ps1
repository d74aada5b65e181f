#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).
# No network traffic: every lookup is answered from the module's data files.

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
    $shippedMmdb = Join-Path $PSScriptRoot '../../out/WeChatNet/data/mainland-china.mmdb'
}

Describe 'Get-WeChatIpInfo' {
    It 'labels a Tencent mainland address' {
        $i = Get-WeChatIpInfo 1.12.16.1
        $i | Should -BeOfType ([WeChatNet.IpInfo])
        $i.Region | Should -Be 'MainlandChina'
        $i.Country | Should -Be 'CN'
        $i.Asn | Should -Be 45090
        $i.Owner | Should -Be 'Tencent'
        $i.Prefix | Should -Be '1.12.0.0/14'
        $i.Source | Should -Be 'chnroutes2, tencent-asn-prefixes'
    }

    It 'tells mainland carrier space, overseas and private addresses apart' {
        $r = Get-WeChatIpInfo 101.226.1.1, 8.8.8.8, 10.1.2.3, 100.64.0.1, 127.0.0.1, 'fd00::1', '2001:db8::1'
        $r.Region | Should -Be @('MainlandChina', 'Overseas', 'Private', 'Private', 'Special', 'Private', 'Special')
        $r.Range | Should -Be @('Public', 'Public', 'Private', 'Cgnat', 'Loopback', 'UniqueLocal', 'Documentation')
        $r[0].Owner | Should -BeNullOrEmpty
    }

    It 'binds by value and by the Address, Server and Destination property names' {
        ('1.12.16.1' | Get-WeChatIpInfo).Owner | Should -Be 'Tencent'
        ([pscustomobject]@{ Address = '1.12.16.1' } | Get-WeChatIpInfo).Owner | Should -Be 'Tencent'
        ([pscustomobject]@{ Server = '2402:4e00::1' } | Get-WeChatIpInfo).Asn | Should -Be 45090
        ([pscustomobject]@{ Destination = '192.168.0.1' } | Get-WeChatIpInfo).Region | Should -Be 'Private'
        ([System.Net.IPAddress]::Parse('1.12.16.1') | Get-WeChatIpInfo).Owner | Should -Be 'Tencent'
    }

    It 'writes IpAddressInvalid for a host name and goes on' {
        $r = Get-WeChatIpInfo 'dns.weixin.qq.com', '8.8.8.8' -ErrorVariable err -ErrorAction SilentlyContinue
        $r.Address | Should -Be '8.8.8.8'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'IpAddressInvalid*'
    }

    It 'uses a MaxMind DB given with -Database' {
        $i = Get-WeChatIpInfo 101.226.1.1 -Database $shippedMmdb
        $i.Source | Should -Be 'mainland-china.mmdb'
        $i.Country | Should -Be 'CN'
    }

    It 'uses a newer prefix list and the module-wide setting' {
        $list = Join-Path $TestDrive 'newer.txt'
        Set-Content $list "8.8.8.0/24"
        (Get-WeChatIpInfo 8.8.8.8 -MainlandPrefixFile $list).Region | Should -Be 'MainlandChina'
        try {
            $env:WECHATNET_MAINLAND_PREFIXES = $list
            (Get-WeChatIpInfo 8.8.8.8).Source | Should -Be 'newer.txt'
        } finally { Remove-Item Env:WECHATNET_MAINLAND_PREFIXES -ErrorAction SilentlyContinue }
        (Get-WeChatIpInfo 8.8.8.8).Region | Should -Be 'Overseas'
    }

    It 'stops with IpDatabaseInvalid for a file that is not a MaxMind DB' {
        $bad = Join-Path $TestDrive 'bad.mmdb'
        Set-Content $bad 'not a database'
        $e = { Get-WeChatIpInfo 1.1.1.1 -Database $bad -ErrorAction Stop } | Should -Throw -ErrorId 'IpDatabaseInvalid*' -PassThru
        # The module's sentence, not the MaxMind reader's "Could not find a MaxMind Db metadata marker in this file ()".
        $e.Exception.Message | Should -BeLike "*bad.mmdb: not a MaxMind DB file: it has no MaxMind DB metadata section (a GeoLite2 or DB-IP .mmdb file ends with one)."
        $e.Exception.Message | Should -Not -BeLike '*Could not find*'
        { Get-WeChatIpInfo 1.1.1.1 -Database (Join-Path $TestDrive 'absent.mmdb') -ErrorAction Stop } | Should -Throw -ErrorId 'IpDataFileNotFound*'
    }

    It 'names the file in every data-file error, and a folder is not "not found"' {
        $bad = Join-Path $TestDrive 'bad2.mmdb'
        Set-Content $bad 'not a database'
        $absent = Join-Path $TestDrive 'absent.mmdb'
        foreach ($case in @(@{ File = $bad; Id = 'IpDatabaseInvalid' }, @{ File = $absent; Id = 'IpDataFileNotFound' }, @{ File = "$TestDrive"; Id = 'IpDataPathIsDirectory' })) {
            $e = { Get-WeChatIpInfo 1.1.1.1 -Database $case.File -ErrorAction Stop } | Should -Throw -ErrorId "$($case.Id)*" -PassThru
            $e.Exception.Message | Should -BeLike "*$($case.File)*"
        }
        $list = Join-Path $TestDrive 'badlist.txt'
        Set-Content $list 'not a prefix'
        $e = { Get-WeChatIpInfo 1.1.1.1 -MainlandPrefixFile $list -ErrorAction Stop } | Should -Throw -PassThru
        $e.Exception.Message | Should -BeLike '*badlist.txt*'
    }

    It 'binds a flow by its server address, not its "address:port" Server' {
        $flow = [WeChatNet.Flow]@{ Server = '1.12.16.1:443'; ServerAddress = '1.12.16.1'; ServerPort = 443 }
        ($flow | Get-WeChatIpInfo -ErrorAction Stop).Address | Should -Be '1.12.16.1'
    }

    It 'labels the addresses of piped DNS answers, not the resolver that gave them' {
        # A DnsAnswer has a Server property (the resolver) too: Resolve-WeChatDomain | Get-WeChatIpInfo labelled 127.0.2.53.
        function Answer([string] $name, [string[]] $addresses, [string] $status) {
            [WeChatNet.DnsAnswer]::new($name, 'A', '127.0.0.53', 'Custom', 'Dns', 'Udp', $status, [string[]]@(), $addresses, $addresses,
                300, 1.0, '', -1, 'NoError', 1, 0, '')
        }
        $r = @(Answer 'long.weixin.qq.com' @('1.12.16.1', '8.8.8.8') 'Ok'; Answer 'nx.weixin.qq.com' @() 'NxDomain') |
            Get-WeChatIpInfo -ErrorVariable err -ErrorAction SilentlyContinue
        @($r | ForEach-Object Address) | Should -Be @('1.12.16.1', '8.8.8.8')
        @($r | ForEach-Object Owner) | Should -Be @('Tencent', $null)
        $err | Should -BeNullOrEmpty -Because 'an answer without addresses has nothing to label, which is not an error'
        # The same answers after Export-Csv and Import-Csv: Addresses is then the text 'System.String[]', AddressesText is kept.
        $csv = Join-Path $TestDrive 'answers.csv'
        @(Answer 'long.weixin.qq.com' @('1.12.16.1', '8.8.8.8') 'Ok'; Answer 'nx.weixin.qq.com' @() 'NxDomain') | Export-Csv -LiteralPath $csv
        $back = Import-Csv -LiteralPath $csv | Get-WeChatIpInfo -ErrorVariable csvErr -ErrorAction SilentlyContinue
        @($back | ForEach-Object Address) | Should -Be @('1.12.16.1', '8.8.8.8')
        $csvErr | Should -BeNullOrEmpty
    }

    It 'survives serialisation' {
        $path = Join-Path $TestDrive 'ipinfo.xml'
        Get-WeChatIpInfo 1.12.16.1 | Export-Clixml $path
        $back = Import-Clixml $path
        $back.Asn | Should -Be 45090
        $back.Region | Should -Be 'MainlandChina'
        (Get-WeChatIpInfo 1.12.16.1 | ConvertTo-Json | ConvertFrom-Json).Owner | Should -Be 'Tencent'
    }

    It 'has a default table view' {
        (Get-FormatData -TypeName WeChatNet.IpInfo).FormatViewDefinition.Control |
            Should -BeOfType ([System.Management.Automation.TableControl])
    }
}
