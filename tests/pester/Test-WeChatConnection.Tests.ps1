#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).
# Network rule: every test passes 127.0.0.1 explicitly (-Address / -DispatchAddress); nothing is resolved and
# nothing leaves the machine.

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force

    function New-Listener {
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $l.Start()
        $l
    }
    function Get-ClosedPort {
        $l = New-Listener
        $port = $l.LocalEndpoint.Port
        $l.Stop()
        $port
    }
    # A tiny HTTP server in a background job: answers one request with the given status line. The listener is
    # listening before the job starts (no race with a slow job start on a loaded machine), and Stop-FakeDispatch
    # closes it first, so a job still blocked in AcceptTcpClient ends instead of holding Remove-Job forever.
    function Start-FakeDispatch([string] $StatusLine) {
        $l = New-Listener
        $job = Start-ThreadJob -ArgumentList $l, $StatusLine -ScriptBlock {
            param($l, $status)
            try {
                $c = $l.AcceptTcpClient()
                $s = $c.GetStream()
                $buf = [byte[]]::new(4096)
                $null = $s.Read($buf, 0, $buf.Length)
                $bytes = [Text.Encoding]::ASCII.GetBytes("$status`r`nContent-Length: 0`r`n`r`n")
                $s.Write($bytes, 0, $bytes.Length)
                $c.Close()
            } catch [System.Net.Sockets.SocketException], [System.ObjectDisposedException], [System.InvalidOperationException] {
                # stopped before a request came
            }
        }
        [pscustomobject]@{ Port = $l.LocalEndpoint.Port; Job = $job; Listener = $l }
    }
    function Stop-FakeDispatch($Server) {
        $Server.Listener.Stop()
        $Server.Job | Wait-Job -Timeout 30 | Out-Null
        $Server.Job | Remove-Job -Force
    }
}

Describe 'Test-WeChatConnection' {
    BeforeEach { $listener = New-Listener; $open = $listener.LocalEndpoint.Port; $closed = Get-ClosedPort }
    AfterEach { $listener.Stop() }

    It 'connects to a local listener and reports a closed port as Refused' {
        $r = Test-WeChatConnection -Address 127.0.0.1 -Port $open, $closed -SkipHttp -Count 2
        $r | Should -HaveCount 2
        $r | ForEach-Object { $_ | Should -BeOfType ([WeChatNet.ConnectionTest]) }
        $ok = $r | Where-Object Port -eq $open
        $ok.Succeeded | Should -BeTrue
        $ok.Test | Should -Be 'TcpConnect'
        $ok.ResolvedBy | Should -Be 'Given'
        $ok.Attempts | Should -Be 2
        $ok.ConnectTimesMs | Should -HaveCount 2
        $ok.ConnectMs | Should -BeGreaterThan 0
        $ok.Region | Should -Be 'Special'
        $bad = $r | Where-Object Port -eq $closed
        $bad.Succeeded | Should -BeFalse
        $bad.Error | Should -Be 'Refused'
    }

    It 'tests named hosts at given addresses without resolving them, from the pipeline too' {
        $r = 'long.weixin.qq.com', 'szshort.weixin.qq.com' | Test-WeChatConnection -Address 127.0.0.1 -Port $open -SkipHttp
        ($r.Host | Sort-Object) | Should -Be @('long.weixin.qq.com', 'szshort.weixin.qq.com')
        ($r.Role | Sort-Object) | Should -Be @('LongLink', 'ShortLink')
        $r.Succeeded | Should -Not -Contain $false
        $e = Get-WeChatEndpoint szlong.weixin.qq.com | Test-WeChatConnection -Address 127.0.0.1 -Port $open -SkipHttp
        $e.Host | Should -Be 'szlong.weixin.qq.com'
    }

    It 'tests piped DNS answers at the addresses they carry, and never resolves their names again' {
        # Resolve-WeChatDomain x -Server S | Test-WeChatConnection threw the answers away and asked the system resolver instead.
        function Answer([string] $name, [string[]] $addresses, [string] $status) {
            [WeChatNet.DnsAnswer]::new($name, 'A', '127.0.0.1:53', 'Custom', 'Dns', 'Udp', $status, [string[]]@(), $addresses, $addresses,
                300, 1.0, '', -1, 'NoError', 1, 0, '')
        }
        $r = @(Answer 'long.weixin.qq.com' @('127.0.0.1') 'Ok'; Answer 'nx.weixin.invalid' @() 'NxDomain') |
            Test-WeChatConnection -Port $open -SkipHttp -Timeout 5
        $r | Should -HaveCount 2
        $ok = $r | Where-Object Host -eq 'long.weixin.qq.com'
        $ok.Address | Should -Be '127.0.0.1'
        $ok.ResolvedBy | Should -Be 'Given'
        $ok.Succeeded | Should -BeTrue
        $nx = $r | Where-Object Host -eq 'nx.weixin.invalid'
        $nx.Error | Should -Be 'DnsFailed'
        $nx.ResolvedBy | Should -Be 'Given'
        $nx.ErrorMessage | Should -BeLike '*piped answer*not resolved again*'
        # The same answers after Export-Csv and Import-Csv (Addresses is then the text 'System.String[]'; AddressesText is kept).
        $csv = Join-Path $TestDrive 'answers.csv'
        @(Answer 'long.weixin.qq.com' @('127.0.0.1') 'Ok'; Answer 'nx.weixin.invalid' @() 'NxDomain') | Export-Csv -LiteralPath $csv
        $back = Import-Csv -LiteralPath $csv | Test-WeChatConnection -Port $open -SkipHttp -Timeout 5 -ErrorVariable csvErr
        $csvErr | Should -BeNullOrEmpty
        ($back | Where-Object Host -eq 'long.weixin.qq.com').Address | Should -Be '127.0.0.1'
        ($back | Where-Object Host -eq 'nx.weixin.invalid').Error | Should -Be 'DnsFailed'
        # A dispatch domain's addresses bind the same way.
        $domain = [pscustomobject]@{ Name = 'short.weixin.qq.com'; Addresses = @([pscustomobject]@{ Address = '127.0.0.1' }.Address) }
        ($domain | Test-WeChatConnection -Port $open -SkipHttp).Address | Should -Be '127.0.0.1'
    }

    It 'sends one HTTP request to the named dispatch target and reports its status' {
        $server = Start-FakeDispatch 'HTTP/1.0 200 OK'
        try {
            $r = Test-WeChatConnection -Address 127.0.0.1 -Port $open -DispatchAddress 127.0.0.1 -DispatchPort $server.Port
            $http = $r | Where-Object Test -eq 'HttpGet'
            $http.Succeeded | Should -BeTrue
            $http.HttpStatus | Should -Be 200
            $http.Host | Should -Be 'dns.weixin.qq.com'
            $http.FirstByteMs | Should -BeGreaterThan 0
        } finally { Stop-FakeDispatch $server }
    }

    It 'reports an HTTP target that refuses' {
        $http = Test-WeChatConnection -Address 127.0.0.1 -Port $open -DispatchPort $closed | Where-Object Test -eq 'HttpGet'
        $http.Error | Should -Be 'Refused'
    }

    It 'writes DomainNameInvalid for a malformed name without asking a resolver, and tests the rest' {
        # 'bad name!' went to the system resolver and came back as a DnsFailed result saying "Name or service not known".
        $r = Test-WeChatConnection -Name 'bad name!', 'a..b', 'long.weixin.qq.com' -Address 127.0.0.1 -Port $open -SkipHttp -ErrorVariable err -ErrorAction SilentlyContinue
        @($r).Count | Should -Be 1
        $r.Host | Should -Be 'long.weixin.qq.com'
        @($err).Count | Should -Be 2
        $err | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'DomainNameInvalid*' }
        $err[0].Exception.Message | Should -BeLike "'bad name!' is not a valid host name: *"
        $alone = Test-WeChatConnection -Name 'bad name!' -Port $open -SkipHttp -ErrorVariable err2 -ErrorAction SilentlyContinue
        $alone | Should -BeNullOrEmpty -Because 'nothing is resolved or tested for a name that is not one'
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'DomainNameInvalid*'
    }

    It 'rejects an address that is not an IP address' {
        { Test-WeChatConnection -Address 'long.weixin.qq.com' -SkipHttp -ErrorAction Stop } | Should -Throw -ErrorId 'IpAddressInvalid*'
    }

    It 'rejects out-of-range parameters' {
        { Test-WeChatConnection -Address 127.0.0.1 -Port 0 } | Should -Throw
        { Test-WeChatConnection -Address 127.0.0.1 -Count 0 } | Should -Throw
        { Test-WeChatConnection -Address 127.0.0.1 -Timeout 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'takes -Timeout as a duration; the pre-1.0 names -TimeoutMs, -HostName and -IPAddress are gone (1.0 decision, CHANGELOG.md)' {
        (Get-Command Test-WeChatConnection).Parameters['Timeout'].ParameterType | Should -Be ([TimeSpan])
        { Test-WeChatConnection -Address 127.0.0.1 -Port 1 -SkipHttp -TimeoutMs 1500 } | Should -Throw -ErrorId 'NamedParameterNotFound*'
        { Test-WeChatConnection -HostName localhost -Port 1 -SkipHttp } | Should -Throw -ErrorId 'NamedParameterNotFound*'
        { Test-WeChatConnection -IPAddress 127.0.0.1 -Port 1 -SkipHttp } | Should -Throw -ErrorId 'NamedParameterNotFound*'
        # ComputerName stays: Test-Connection's alias for its target.
        (Get-Command Test-WeChatConnection).Parameters['Name'].Aliases | Should -Be @('ComputerName')
    }

    It 'reads durations as people type them, unquoted 2s (an Int16 to PowerShell) included' -TestCases @(
        @{ Typed = { 2s }; Seconds = 2 }, @{ Typed = { '500ms' }; Seconds = 0.5 }, @{ Typed = { '2m' }; Seconds = 120 }, @{ Typed = { 1.5 }; Seconds = 1.5 },
        @{ Typed = { 30 }; Seconds = 30 }, @{ Typed = { '00:01:00' }; Seconds = 60 }, @{ Typed = { 10us }; Seconds = 10 }, @{ Typed = { 5l }; Seconds = 5 }) {
        $t = [WeChatNet.Commands.DurationTransformationAttribute]::new().Transform($ExecutionContext, (& $Typed))
        $t | Should -Be ([TimeSpan]::FromSeconds($Seconds))
    }

    It 'survives serialisation' {
        $path = Join-Path $TestDrive 'conn.xml'
        Test-WeChatConnection -Address 127.0.0.1 -Port $open -SkipHttp | Export-Clixml $path
        $back = Import-Clixml $path
        $back.Succeeded | Should -BeTrue
        $back.Port | Should -Be $open
    }

    It 'shows every column of its table in a 120-column console, down to Region and Owner' {
        # PowerShell leaves out the columns of a fixed-width table that do not fit: Owner went missing, Region was cut.
        $r = Test-WeChatConnection -Name long.weixin.qq.com -Address 127.0.0.1 -Port $open -SkipHttp
        $labels = (Get-FormatData -TypeName WeChatNet.ConnectionTest).FormatViewDefinition[0].Control.Headers.Label
        $labels | Should -Contain 'Owner'
        $text = ($r | Format-Table | Out-String -Width 120) -split "`r?`n"
        ($text | Where-Object { $_ -match '^Test\b' }) | Should -Match ('^' + (($labels | ForEach-Object { [regex]::Escape($_) }) -join '\s+') + '$')
        ($text | Where-Object { $_ -match 'long\.weixin' }) | Should -Match '\bSpecial\s*$'
    }

    It 'has a default table view' {
        (Get-FormatData -TypeName WeChatNet.ConnectionTest).FormatViewDefinition.Control |
            Should -BeOfType ([System.Management.Automation.TableControl])
    }
}
