#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package). A local HTTP server (a runspace with a TcpListener)
# serves dispatch documents: plain, zlib-deflated, with a DTD, and an HTTP error.

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force

    $script:xml = @'
<?xml version="1.0" encoding="utf-8"?>
<dns><retcode>0</retcode><clientip>203.0.113.77</clientip><clientispid>4</clientispid><timestamp>1763776800</timestamp>
<domainlist><domain name="long.weixin.qq.com" timeout="600"><ip>101.226.5.4</ip><ip>180.163.10.11</ip></domain>
<domain name="mmsns.qpic.cn" timeout="300"><ip property="major">183.3.1.1</ip></domain></domainlist>
<builtiniplist><ip>101.226.76.164</ip></builtiniplist></dns>
<functionlist><change name="x"/></functionlist>
'@
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $script:listener = $listener
    $script:base = "http://127.0.0.1:$($listener.LocalEndpoint.Port)"
    $script:ps = [powershell]::Create()
    $null = $script:ps.AddScript({
        param($listener, $xml)
        $body = [Text.Encoding]::UTF8.GetBytes($xml)
        $ms = [IO.MemoryStream]::new(); $ms.WriteByte(0x78); $ms.WriteByte(0x9C)
        $d = [IO.Compression.DeflateStream]::new($ms, [IO.Compression.CompressionLevel]::Optimal, $true); $d.Write($body, 0, $body.Length); $d.Dispose()
        $zlib = $ms.ToArray()   # no Adler-32 trailer: the reader stops at the end of the deflate stream
        while ($true) {
            $client = $listener.AcceptTcpClient()
            $stream = $client.GetStream()
            $reader = [IO.StreamReader]::new($stream)
            $line = $reader.ReadLine()
            while ($reader.ReadLine()) { }
            $path = $line.Split(' ')[1].Split('?')[0]
            $status = '200 OK'; $payload = $body; $extra = ''
            switch -Wildcard ($path) {
                '/zlib/*' { $payload = $zlib; $extra = "Content-Encoding: deflate`r`n" }
                '/dtd/*' { $payload = [Text.Encoding]::UTF8.GetBytes('<!DOCTYPE dns [<!ENTITY e "x">]><dns><retcode>&e;</retcode></dns>') }
                '/error/*' { $status = '503 Service Unavailable'; $payload = [byte[]]@() }
            }
            $head = [Text.Encoding]::ASCII.GetBytes("HTTP/1.0 $status`r`nContent-Type: text/xml`r`nContent-Length: $($payload.Length)`r`n$extra`r`n")
            $stream.Write($head, 0, $head.Length); $stream.Write($payload, 0, $payload.Length)
            $client.Dispose()
        }
    }).AddArgument($listener).AddArgument($script:xml)
    $script:handle = $script:ps.BeginInvoke()
}

AfterAll {
    if ($script:listener) { $script:listener.Stop() }
    if ($script:ps) { $script:ps.Stop(); $script:ps.Dispose() }
}

Describe 'Get-WeChatDispatch' {
    It 'parses a plain dispatch document and masks the client IP' {
        $d = Get-WeChatDispatch -Uri "$($script:base)/plain/newgetdns"
        $d | Should -BeOfType ([WeChatNet.Dispatch])
        $d.RetCode | Should -Be 0
        $d.ClientIp | Should -BeLike 'masked-*'
        $d.Domains.Name | Should -Be @('long.weixin.qq.com', 'mmsns.qpic.cn')
        $d.Domains[0].Ttl | Should -Be 600
        $d.Domains[1].Addresses[0].Property | Should -Be 'major'
        $d.Builtin | Should -Be @('101.226.76.164')
        $d.HasFunctionList | Should -BeTrue
    }

    It 'masks stably and shows the IP on request' {
        $a = Get-WeChatDispatch -Uri "$($script:base)/plain/newgetdns"
        $b = Get-WeChatDispatch -Uri "$($script:base)/plain/newgetdns"
        $a.ClientIp | Should -Be $b.ClientIp
        (Get-WeChatDispatch -Uri "$($script:base)/plain/newgetdns" -ShowIdentifiers).ClientIp | Should -Be '203.0.113.77'
    }

    It 'inflates a zlib-deflated answer' {
        $d = Get-WeChatDispatch -Uri "$($script:base)/zlib/newgetdns" -Network Mobile
        $d.Compression | Should -Be 'Zlib'
        $d.Domains.Count | Should -Be 2
    }

    It 'refuses a document with a DTD' {
        Get-WeChatDispatch -Uri "$($script:base)/dtd/newgetdns" -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DispatchDtdProhibited*'
    }

    It 'reports an HTTP error' {
        Get-WeChatDispatch -Uri "$($script:base)/error/newgetdns" -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DispatchHttpError*'
    }

    It 'rejects a client version that is not a number' {
        { Get-WeChatDispatch -Uri "$($script:base)/plain/newgetdns" -ClientVersion 'eight' -ErrorAction Stop } | Should -Throw -ErrorId 'ClientVersionInvalid*'
    }

    It 'rejects a URI that is not absolute http(s) as a parameter error, before any request' -TestCases @(
        @{ Uri = 'ftp://x' }, @{ Uri = 'cgi-bin/micromsg-bin/newgetdns' }, @{ Uri = 'file:///etc/passwd' }) {
        try { Get-WeChatDispatch -Uri $Uri -ErrorAction Stop; throw 'no error' }
        catch {
            $_.Exception | Should -BeOfType ([System.Management.Automation.ParameterBindingException])
            $_.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*'
            $_.Exception.Message | Should -BeLike "*'$Uri'*http*"
        }
        { Resolve-WeChatDomain x.weixin.qq.com -Server 127.0.0.1:1 -DispatchUri $Uri } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'feeds Resolve-WeChatDomain -Dispatch' {
        $a = Resolve-WeChatDomain long.weixin.qq.com -Server '127.0.0.1:1' -Timeout 3s -Retries 0 -DispatchUri "$($script:base)/plain/newgetdns" |
            Where-Object Source -eq 'Dispatch'
        $a.Addresses | Should -Be @('101.226.5.4', '180.163.10.11')
    }

    It 'survives serialisation' {
        $path = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-dispatch-$PID.xml"
        try {
            Get-WeChatDispatch -Uri "$($script:base)/plain/newgetdns" | Export-Clixml $path
            (Import-Clixml $path).Domains.Count | Should -Be 2
        } finally { Remove-Item $path -ErrorAction SilentlyContinue }
    }
}
