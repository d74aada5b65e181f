#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
    $samples = [IO.Path]::GetFullPath((Join-Path (Split-Path $manifest) 'samples'))
}

Describe 'Get-WeChatFlow' {
    It 'lists the flows of the dead-link sample with hosts and kinds' {
        $flows = Get-WeChatFlow -Path (Join-Path $samples 'dead-link.pcapng')
        $flows | Should -BeOfType ([WeChatNet.Flow])
        ($flows | Where-Object Kind -eq 'LongLink').Host | Should -Contain 'sglong.wechat.com'
        ($flows | Where-Object { $_.Host -eq 'dns.weixin.qq.com' -and $_.Protocol -eq 'Tcp' }).Kind | Should -Be 'Dispatch'
        ($flows | Where-Object { $_.Host -eq 'dns.weixin.qq.com' -and $_.Protocol -eq 'Udp' }).HostSource | Should -Be 'DnsQuery'
        ($flows | Where-Object ResetBy -eq 'Client').Server | Should -Be '101.32.104.4:443'
    }

    It 'counts retransmissions and reordering like tshark on the retransmissions sample' {
        $flow = Get-WeChatFlow (Join-Path $samples 'retransmissions.pcapng') -Role LongLink
        $flow.Retransmissions | Should -Be 2
        $flow.OutOfOrder | Should -Be 2
    }

    It 'takes files from Get-ChildItem and packets from Import-WeChatCapture' {
        $byFile = Get-ChildItem (Join-Path $samples 'shortlink-burst.pcapng') | Get-WeChatFlow
        $byPacket = Import-WeChatCapture (Join-Path $samples 'shortlink-burst.pcapng') | Get-WeChatFlow
        $byPacket.Count | Should -Be $byFile.Count
        ($byPacket | Where-Object Kind -eq 'ShortLink').Count | Should -Be 6
    }

    It 'filters by protocol and shows everything with -All' {
        (Get-WeChatFlow (Join-Path $samples 'login-dispatch.pcapng') -Protocol Udp).Protocol | Should -Be 'Udp'
        (Get-WeChatFlow (Join-Path $samples 'login-dispatch.pcapng') -All).Count |
            Should -BeGreaterOrEqual (Get-WeChatFlow (Join-Path $samples 'login-dispatch.pcapng')).Count
    }

    It 'reports a missing file as CaptureFileNotFound' {
        Get-WeChatFlow -Path (Join-Path $TestDrive 'nope.pcapng') -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CaptureFileNotFound*'
        # One sentence naming the file, said once (not PowerShell's "Cannot find path ..." appended).
        $err[0].Exception.Message | Should -Be "Capture file '$(Join-Path $TestDrive 'nope.pcapng')' not found."
        $err[0].TargetObject | Should -Be (Join-Path $TestDrive 'nope.pcapng')
    }

    It 'analyses each file on its own and says which file each flow came from' {
        $dead = Join-Path $samples 'dead-link.pcapng'
        $mmtls = Join-Path $samples 'mmtls-longlink.pcapng'
        $both = Get-WeChatFlow $dead, $mmtls -All
        $alone = Get-WeChatFlow $dead -All
        @($both | Where-Object File -eq $dead).Count | Should -Be @($alone).Count
        @($both | Where-Object File -eq $mmtls).Count | Should -Be @(Get-WeChatFlow $mmtls -All).Count
        ($both | Where-Object File -eq $dead).Id | Should -Be $alone.Id
        $both.CaptureGapBytes | Measure-Object -Maximum | ForEach-Object Maximum | Should -BeLessThan 1000000
        $viaPipeline = Get-ChildItem $dead, $mmtls | Get-WeChatFlow -All
        @($viaPipeline).Count | Should -Be @($both).Count
        ($viaPipeline.File | Sort-Object -Unique) | Should -Be (@($dead, $mmtls) | Sort-Object)
    }

    It 'binds packets from Import-WeChatCapture (per file) and joins with -Join' {
        $dead = Join-Path $samples 'dead-link.pcapng'
        $byPacket = Import-WeChatCapture $dead | Get-WeChatFlow -ErrorAction Stop
        $byPacket.File | Sort-Object -Unique | Should -Be $dead
        $byPacket.Count | Should -Be (Get-WeChatFlow $dead).Count
        $joined = Get-WeChatFlow $dead, $dead -Join -All -WarningVariable w -WarningAction SilentlyContinue
        "$w" | Should -BeLike "*$dead starts * before $dead ends*"
        $joined | Should -Not -BeNullOrEmpty
    }

    It 'reads names with brackets through -LiteralPath and from Get-ChildItem' {
        $dir = Join-Path $TestDrive 'brackets'
        New-Item -ItemType Directory $dir | Out-Null
        Copy-Item (Join-Path $samples 'shortlink-burst.pcapng') -Destination (Join-Path $dir 'cap[1].pcapng')
        $literal = Join-Path $dir 'cap[1].pcapng'
        (Get-WeChatFlow -LiteralPath $literal -ErrorAction Stop).Count | Should -BeGreaterThan 0
        (Get-ChildItem -LiteralPath $literal | Get-WeChatFlow -ErrorAction Stop).File | Sort-Object -Unique | Should -Be $literal
        (Get-WeChatFlow -LP $literal -ErrorAction Stop).Count | Should -BeGreaterThan 0
    }

    It 'says a folder is a folder, naming it' {
        Get-WeChatFlow -Path $TestDrive -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CapturePathIsDirectory*'
        $err[0].Exception.Message | Should -BeLike "*$TestDrive*directory*"
    }

    It 'names the file in a missing-file error and a damaged-file error' {
        $missing = Join-Path $TestDrive 'nope.pcapng'
        Get-WeChatFlow -LiteralPath $missing -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CaptureFileNotFound*'
        $err[0].Exception.Message | Should -BeLike "*$missing*"
        $junk = Join-Path $TestDrive 'junk.pcapng'
        Set-Content -Path $junk -Value 'this is not a capture'
        Get-WeChatFlow $junk -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'NotACaptureFile*'
        $err2[0].Exception.Message | Should -BeLike "*$junk*"
    }

    It 'pipes a flow into Get-WeChatIpInfo by its server address' {
        $flow = Get-WeChatFlow (Join-Path $samples 'dead-link.pcapng') | Where-Object Kind -eq LongLink | Select-Object -First 1
        $info = $flow | Get-WeChatIpInfo -ErrorAction Stop
        $info.Address | Should -Be $flow.ServerAddress
    }

    It 'pipes a flow into Get-WeChatRoute by its server address, not its text' {
        $flow = [WeChatNet.Flow]@{ Id = 1; Protocol = 'Tcp'; Client = '127.0.0.1:50000'; Server = '127.0.0.1:8080'; ServerAddress = '127.0.0.1'; ServerPort = 8080 }
        $hops = $flow | Get-WeChatRoute -MaxHops 2 -Count 1 -Timeout 500ms -ErrorAction Stop
        $hops[-1].TargetAddress | Should -Be '127.0.0.1'
    }

    It 'shows parameter aliases in Get-Help' {
        (Get-Help Get-WeChatFlow -Parameter LiteralPath).aliases | Should -Be 'PSPath, LP'
        (Get-Help Get-WeChatIpInfo -Parameter Address).aliases | Should -BeLike 'ServerAddress*'
        (Get-Help Get-WeChatFlow -Parameter LiteralPath | Out-String) | Should -Match 'Aliases\s+PSPath, LP\s'
    }

    It 'says where each flow was captured (typed, in Format-List) and measures the path from there' {
        foreach ($point in 'Client', 'InBetween', 'Server') {
            $path = Join-Path $TestDrive "abroad-$point.pcapng"
            [IO.File]::WriteAllBytes($path, [WeChatNet.WeChat.SampleCaptureGenerator]::Generate('phone-abroad', $point).File)
            $tcp = @(Get-WeChatFlow $path -Protocol Tcp)
            $tcp.Count | Should -Be 26
            $tcp.CapturePoint | Sort-Object -Unique | Should -Be $point
            $tcp[0].CapturePoint | Should -BeOfType ([WeChatNet.CapturePoint])
            $tcp | ForEach-Object { $_.PathRttMs | Should -BeGreaterThan 179 -Because "flow $($_.Id) at $point"; $_.PathRttMs | Should -BeLessThan 191 }
            ($tcp[1] | Format-List | Out-String) | Should -Match "CapturePoint\s*:\s*$point"
        }
        $tcp | Export-Csv (Join-Path $TestDrive 'points.csv') -NoTypeInformation
        (Import-Csv (Join-Path $TestDrive 'points.csv')).CapturePoint | Sort-Object -Unique | Should -Be 'Server'
        # Through CLIXML (and so remoting) it comes back as the enum, so it still compares by name.
        $tcp | Export-Clixml (Join-Path $TestDrive 'points.xml')
        $back = @(Import-Clixml (Join-Path $TestDrive 'points.xml'))
        $back[0].CapturePoint | Should -BeOfType ([WeChatNet.CapturePoint])
        @($back | Where-Object CapturePoint -eq 'Server').Count | Should -Be 26
    }

    It 'gives DNS flows that ask for WeChat''s names the role Dns, shown by default and by -Role Dns' {
        $path = Join-Path $TestDrive 'mixed-dns.pcapng'
        [IO.File]::WriteAllBytes($path, [WeChatNet.WeChat.SampleCaptureGenerator]::Generate('mixed-traffic').File)
        $dns = @(Get-WeChatFlow $path -Role Dns)
        $dns.Count | Should -BeGreaterThan 0
        $dns.Host | Sort-Object -Unique | Should -Be @('sglong.wechat.com', 'sgshort.wechat.com')
        $dns.Kind | Sort-Object -Unique | Should -Be 'Dns'
        (Get-WeChatFlow $path | Where-Object Kind -eq 'Dns').Role | Sort-Object -Unique | Should -Be 'Dns'
        (Get-WeChatFlow $path -All | Where-Object { $_.Kind -eq 'Dns' -and $_.Host -eq 'ntp.ubuntu.com' }).Role | Should -BeNullOrEmpty
    }

    It 'names each flow from the best evidence and shows HostSource in Format-List and Export-Csv' {
        # One address, two names in the dispatch answer; every request carries Host: sgshort.wechat.com.
        $path = Join-Path $TestDrive 'shared-address.pcapng'
        [IO.File]::WriteAllBytes($path, [WeChatNet.WeChat.SampleCaptureGenerator]::Generate('shared-address').File)
        $shorts = Get-WeChatFlow $path | Where-Object ServerAddress -eq '43.130.30.241'
        $shorts.Count | Should -Be 4
        $shorts.Host | Sort-Object -Unique | Should -Be 'sgshort.wechat.com'
        $shorts.HostSource | Sort-Object -Unique | Should -Be 'HttpHost'
        $shorts.Role | Sort-Object -Unique | Should -Be 'ShortLink'
        (Get-WeChatFlow $path | Where-Object ServerAddress -eq '43.130.30.240').HostSource | Should -Be 'Dispatch'
        ($shorts[0] | Format-List | Out-String) | Should -Match 'HostSource\s*:\s*HttpHost'
        $csv = Join-Path $TestDrive 'flows.csv'
        $shorts | Export-Csv $csv -NoTypeInformation
        (Import-Csv $csv).HostSource | Sort-Object -Unique | Should -Be 'HttpHost'
    }

    It 'shows Web WeChat (named by SNI) by default, and DNS flows of other names only with -All' {
        $web = Join-Path $TestDrive 'web-wechat.pcapng'
        [IO.File]::WriteAllBytes($web, [WeChatNet.WeChat.SampleCaptureGenerator]::Generate('web-wechat').File)
        $tls = Get-WeChatFlow $web -Protocol Tcp
        $tls.Count | Should -Be 29
        $tls.HostSource | Sort-Object -Unique | Should -Be 'Sni'
        $tls.Role | Sort-Object -Unique | Should -Be @('Static', 'Web', 'WebLogin', 'WebPush')
        (Get-WeChatFlow $web -Role WebPush).Host | Sort-Object -Unique | Should -Be 'webpush.web.wechat.com'

        $mixed = Join-Path $TestDrive 'mixed.pcapng'
        [IO.File]::WriteAllBytes($mixed, [WeChatNet.WeChat.SampleCaptureGenerator]::Generate('mixed-traffic').File)
        $dns = Get-WeChatFlow $mixed -Protocol Udp
        $dns.Host | Should -Contain 'sglong.wechat.com'
        $dns.Host | Should -Not -Contain 'ntp.ubuntu.com'
        (Get-WeChatFlow $mixed -Protocol Udp -All).Host | Should -Contain 'ntp.ubuntu.com'
    }

    It 'counts SYN retries in HandshakeMs and reads a new-ISN SYN/ACK as no gap' {
        $path = Join-Path $TestDrive 'syn-retries.pcapng'
        [IO.File]::WriteAllBytes($path, [WeChatNet.WeChat.SampleCaptureGenerator]::Generate('syn-retries').File)
        $flows = Get-WeChatFlow $path -Protocol Tcp
        $retried = $flows | Where-Object SynRetries -gt 0
        $retried.SynRetries | Should -Be 2
        $retried.HandshakeMs | Should -BeGreaterThan 2400
        $retried.SynAckDelayMs | Should -BeLessThan 40
        ($flows | Where-Object ServerAddress -eq '43.130.30.240').CaptureGaps | Should -Be 0
    }

    It 'survives Export-Clixml' {
        $path = Join-Path $TestDrive 'flows.xml'
        Get-WeChatFlow (Join-Path $samples 'legacy-longlink.pcapng') | Export-Clixml $path
        (Import-Clixml $path | Where-Object Kind -eq LongLink).Host | Should -Be 'long.weixin.qq.com'
    }

    It 'decrypts with the key log of a sample piped in' {
        $flow = Get-WeChatSample mmtls-keylog | Get-WeChatFlow -Role LongLink
        $flow.LongLinkFrames | Should -BeGreaterThan 0
        $flow.LongLinkCommandsText | Should -Match 'Heartbeat='
        (Get-WeChatSample mmtls-longlink | Get-WeChatFlow -Role LongLink).LongLinkFrames | Should -Be 0
    }
}
