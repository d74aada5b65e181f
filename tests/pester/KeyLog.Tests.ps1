#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# -KeyLogPath on ConvertFrom-WeChatPacket, Get-WeChatFlow, Measure-WeChatHeartbeat, Get-WeChatFinding and Invoke-WeChatDiagnostic,
# on the shipped mmtls-keylog sample and its key log. Run after packaging (./build.ps1 -Task Package).

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
    $sample = Get-WeChatSample mmtls-keylog
    $temp = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-keylog-pester-$PID-$(Get-Random)"
    New-Item -ItemType Directory $temp | Out-Null
    # the same key log with one hex digit of every key changed
    $wrong = Join-Path $temp 'wrong.keys'
    (Get-Content $sample.KeyLogPath) | ForEach-Object {
        if ($_ -match '"key": "([0-9a-f])') { $d = if ($Matches[1] -eq 'f') { '0' } else { 'f' }; $_ -replace '"key": "[0-9a-f]', ('"key": "' + $d) } else { $_ }
    } | Set-Content $wrong
    $keys = @(Get-Content $sample.KeyLogPath | Where-Object { $_ -like '{*' } | ForEach-Object { $_ | ConvertFrom-Json })
    $outer = @($keys | Where-Object layer -eq 'OUTER').Count
}

AfterAll {
    if ($temp -and (Test-Path $temp)) { Remove-Item $temp -Recurse -Force }
}

Describe 'Key logs (-KeyLogPath)' {
    It 'loads BouncyCastle from the packaged module folder' {
        $null = ConvertFrom-WeChatPacket -Path $sample.Path -KeyLogPath $sample.KeyLogPath -Kind MmtlsRecord
        $bc = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'BouncyCastle.Cryptography' }
        $bc | Should -Not -BeNullOrEmpty
        $bc.GetName().Version.Major | Should -Be 2
        (Split-Path $bc.Location) | Should -Be (Split-Path (Resolve-Path $manifest))
    }

    It 'decrypts every encrypted record of the sample and decodes its frames' {
        $records = @(ConvertFrom-WeChatPacket -Path $sample.Path -KeyLogPath $sample.KeyLogPath -Kind MmtlsRecord)
        @($records | Where-Object Decrypted).Count | Should -Be $outer
        @($records | Where-Object { -not $_.Decrypted }).HandshakeType | Sort-Object -Unique | Should -Be @('ClientHello', 'ServerHello')
        $records | ForEach-Object { $_.Plaintext | Should -BeNullOrEmpty }
        $frames = @(ConvertFrom-WeChatPacket -Path $sample.Path -KeyLogPath $sample.KeyLogPath -Kind LongLinkFrame)
        $frames.Count | Should -Be 13
        $frames | ForEach-Object { $_.Decrypted | Should -BeTrue }
        @($frames | Where-Object CommandName -eq 'Heartbeat').Count | Should -Be 3
        ($frames | Where-Object CommandName -eq 'SyncReply').Length | Should -Be 3000
    }

    It 'shows the short links'' CGI and the plaintext only with -ShowIdentifiers' {
        $x = @(ConvertFrom-WeChatPacket -Path $sample.Path -KeyLogPath $sample.KeyLogPath -Kind ShortLinkExchange)
        ($x.CgiName | Sort-Object) | Should -Be @('newsendmsg', 'newsync')
        ($x | Where-Object CgiName -eq 'newsync').RequestType | Should -Be 138
        $shown = ConvertFrom-WeChatPacket -Path $sample.Path -KeyLogPath $sample.KeyLogPath -Kind MmtlsRecord -ShowIdentifiers | Where-Object Decrypted | Select-Object -First 1
        $shown.Plaintext.Length | Should -Be $shown.PlaintextLength
    }

    It 'reads real heartbeats and says so, where the same capture alone only allows a guess' {
        (Measure-WeChatHeartbeat $sample.Path -KeyLogPath $sample.KeyLogPath).Method | Should -Be 'Decrypted'
        (Measure-WeChatHeartbeat $sample.Path).Method | Should -Be 'SizeAndTiming'
        $flow = Get-WeChatFlow $sample.Path -KeyLogPath $sample.KeyLogPath | Where-Object Kind -eq 'LongLink'
        $flow.LongLinkCommands | Should -Contain 'Heartbeat=3'
        Get-WeChatFinding $sample.Path -KeyLogPath $sample.KeyLogPath -MinimumSeverity Warning | Should -BeNullOrEmpty
    }

    It 'with a wrong key decrypts nothing, raises no error and warns once' {
        $records = @(ConvertFrom-WeChatPacket -Path $sample.Path -KeyLogPath $wrong -Kind MmtlsRecord -ErrorVariable e -WarningVariable w -WarningAction SilentlyContinue)
        $e | Should -BeNullOrEmpty
        @($records | Where-Object Decrypted).Count | Should -Be 0
        @($records | Where-Object DecryptionStatus -eq 'TagMismatch').Count | Should -Be $outer
        $w.Count | Should -Be 1
        "$w" | Should -Match "decrypted none of the $outer MMTLS records \($outer tag mismatches"
        @(ConvertFrom-WeChatPacket -Path $sample.Path -KeyLogPath $wrong -Kind LongLinkFrame -WarningAction SilentlyContinue).Count | Should -Be 0
        (Measure-WeChatHeartbeat $sample.Path -KeyLogPath $wrong -WarningAction SilentlyContinue).Method | Should -Be 'SizeAndTiming'
    }

    It 'warns about a malformed line by its number, without its text' {
        $bad = Join-Path $temp 'truncated.keys'
        $lines = @(Get-Content $sample.KeyLogPath)
        $lines[3] = $lines[3].Substring(0, 60)
        $lines | Set-Content $bad
        $null = ConvertFrom-WeChatPacket -Path $sample.Path -KeyLogPath $bad -Kind MmtlsRecord -WarningVariable w -WarningAction SilentlyContinue
        $w.Count | Should -Be 1
        "$w" | Should -Match 'truncated\.keys line 4: not valid JSON'
        "$w" | Should -Not -Match '[0-9a-f]{16}'
    }

    It 'stops with KeyLogFileNotFound or KeyLogPathIsDirectory naming only the path' {
        { ConvertFrom-WeChatPacket -Path $sample.Path -KeyLogPath (Join-Path $temp 'missing.keys') -ErrorAction Stop } | Should -Throw -ErrorId 'KeyLogFileNotFound*'
        { Get-WeChatFlow $sample.Path -KeyLogPath (Join-Path $temp 'missing.keys') -ErrorAction Stop } | Should -Throw -ErrorId 'KeyLogFileNotFound*'
        { Invoke-WeChatDiagnostic $sample.Path -KeyLogPath $temp -ErrorAction Stop } | Should -Throw -ErrorId 'KeyLogPathIsDirectory*'
        $missing = Join-Path $temp 'missing.keys'
        $e = { Measure-WeChatHeartbeat $sample.Path -KeyLogPath $missing -ErrorAction Stop } | Should -Throw -ErrorId 'KeyLogFileNotFound*' -PassThru
        $e.Exception.Message | Should -Be "The key log '$missing' does not exist."
    }

    It 'writes a report that counts what the key log decrypted and holds no key material' {
        foreach ($ext in 'html', 'md') {
            $report = Join-Path $temp "report.$ext"
            $null = Invoke-WeChatDiagnostic $sample.Path -KeyLogPath $sample.KeyLogPath -Report $report
            $text = Get-Content $report -Raw
            $text | Should -Match "$outer of $outer MMTLS records decrypted with a key log"
            $text | Should -Not -Match 'mmtls-keylog\.keys'
            foreach ($k in $keys) {
                foreach ($field in 'key', 'nonce', 'iv', 'metadata', 'tag', 'tail') {
                    $value = $k.PSObject.Properties[$field]
                    if ($value -and $value.Value) { $text.Contains($value.Value) | Should -BeFalse -Because "the report must not hold the key log's $field" }
                }
            }
        }
    }

    It 'keeps key material out of Clixml and JSON of the output' {
        $xml = Join-Path $temp 'records.xml'
        ConvertFrom-WeChatPacket -Path $sample.Path -KeyLogPath $sample.KeyLogPath | Export-Clixml $xml
        $json = ConvertFrom-WeChatPacket -Path $sample.Path -KeyLogPath $sample.KeyLogPath | ConvertTo-Json -Depth 3
        foreach ($text in (Get-Content $xml -Raw), $json) {
            foreach ($k in $keys) { $text.Contains($k.key) | Should -BeFalse }
        }
        (Import-Clixml $xml | Where-Object Kind -eq 'LongLinkFrame').Count | Should -Be 13
    }
}
