#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
}

Describe 'ConvertFrom-WeChatPacket' {
    It 'gives a captured dispatch answer the packet''s time and names messages as the flows' {
        $path = Join-Path $TestDrive 'shared-address.pcapng'
        [IO.File]::WriteAllBytes($path, [WeChatNet.WeChat.SampleCaptureGenerator]::Generate('shared-address').File)
        $messages = ConvertFrom-WeChatPacket -Path $path
        $d = $messages | Where-Object Kind -eq 'Dispatch'
        $d.Timestamp | Should -Be $d.CapturedAt
        $d.Timestamp.UtcDateTime.Date | Should -Be ([datetime]'2026-11-22')
        $d.ServerTime | Should -Be ([DateTimeOffset]::FromUnixTimeSeconds(1795334400))
        $x = $messages | Where-Object { $_.Kind -eq 'ShortLinkExchange' -and $_.Connection -like '*43.130.30.241:80' }
        $x.Host | Sort-Object -Unique | Should -Be 'sgshort.wechat.com'
        $flows = Get-WeChatFlow $path | Where-Object ServerAddress -eq '43.130.30.241'
        $flows.Host | Sort-Object -Unique | Should -Be 'sgshort.wechat.com'
    }

    It 'reports no gap or reset events for connections that are not WeChat''s' {
        $path = Join-Path $TestDrive 'mixed.pcapng'
        [IO.File]::WriteAllBytes($path, [WeChatNet.WeChat.SampleCaptureGenerator]::Generate('mixed-traffic').File)
        $events = ConvertFrom-WeChatPacket -Path $path | Where-Object Kind -eq 'StreamEvent'
        $events | Where-Object { $_.Connection -match '142\.250\.|211\.249\.' } | Should -BeNullOrEmpty
    }

    It 'says a response whose start was not captured was not decodable, not missing' {
        $path = Join-Path $TestDrive 'truncated.pcapng'
        [IO.File]::WriteAllBytes($path, [WeChatNet.WeChat.SampleCaptureGenerator]::Generate('truncated-response').File)
        $x = ConvertFrom-WeChatPacket -Path $path | Where-Object Kind -eq 'ShortLinkExchange'
        ($x | Where-Object Problem -like 'response not decodable*').Problem | Should -Be 'response not decodable: its first 1400 bytes were not captured'
    }

    It 'decodes every shipped sample to exactly the messages of its manifest' {
        # Each message in the terms of the sample's <name>.expected.txt (kind, direction, what it is, host), written
        # independently here: a count alone would pass a decoder that emits the right number of wrong messages.
        function Get-MessageKey($o) {
            $what = switch ($o.Kind) {
                'LongLinkFrame' { "$($o.Command)/$($o.Sequence)" }
                'MmtlsRecord' { "$($o.ContentType)/$($o.HandshakeType)/$($o.Length)/$($o.Carrier)" }
                'ShortLinkExchange' { "$($o.Method) $($o.Path.Split('?')[0]) $($o.StatusCode)" }
                'Dispatch' { "retcode $($o.RetCode) domains $(@($o.Domains).Count)" }
                'DnsMessage' { "$(if ($o.IsResponse) { 'R' } else { 'Q' }) $($o.QueryName) $($o.QueryType)" }
                'StreamEvent' { "$($o.Event)" }
                default { throw "no key for a $($o.Kind) message" }
            }
            "$($o.Kind)`t$($o.Direction)`t$what`t$($o.Host)"
        }
        foreach ($sample in Get-WeChatSample) {
            $messages = @(ConvertFrom-WeChatPacket -Path $sample.Path)
            $messages.Count | Should -Be $sample.Messages -Because $sample.Name
            $expected = @(Get-Content ([IO.Path]::ChangeExtension($sample.Path, '.expected.txt')) | Where-Object { $_ -and -not $_.StartsWith('#') })
            $expected.Count | Should -Be $sample.Messages -Because "$($sample.Name).expected.txt lists every message"
            @($messages | ForEach-Object { Get-MessageKey $_ } | Sort-Object -CaseSensitive) | Should -Be @($expected | Sort-Object -CaseSensitive) -Because $sample.Name
        }
    }

    It 'decodes the legacy long link frames with names, sequences and paired replies' {
        $frames = @(Get-WeChatSample legacy-longlink | ConvertFrom-WeChatPacket -Kind LongLinkFrame)
        $frames[0].CommandName | Should -Be 'Identify'
        $frames.CommandName | Should -Be @('Identify', 'IdentifyReply', 'Heartbeat', 'HeartbeatReply', 'PushNotify', 'Sync', 'SyncReply',
            'SyncDone', 'PushData', 'PushNotify', 'Sync', 'SignallingKeepAlive', 'SyncReply')
        $frames.Sequence | Should -Be @(4294967294, 4294967294, 4294967295, 0, 0, 1, 1, 2, 0, 0, 3, 4, 3)
        # Every reply names the request it answers, and its round trip is at most the time since that request.
        $replies = @($frames | Where-Object IsReply)
        $replies.Count | Should -Be 4
        foreach ($r in $replies) {
            $i = [array]::IndexOf($frames, $r)
            $request = @($frames[0..($i - 1)] | Where-Object { -not $_.IsReply -and "$($_.Command)" -eq "$($r.RequestCommand)" })[-1]
            $request | Should -Not -BeNullOrEmpty -Because "$($r.CommandName) answers an earlier request"
            $r.RoundTripMs | Should -BeGreaterThan 0
            $r.RoundTripMs | Should -BeLessOrEqual ($r.Timestamp - $request.Timestamp).TotalMilliseconds
        }
        # The sequence is an unsigned 32-bit field (wire facts, section 2): 0xFFFFFFFE marks the identify request. PowerShell reads
        # the literal 0xFFFFFFFE as the Int32 -2, so the expected value is written as the unsigned number.
        $frames[0].Sequence | Should -Be 4294967294
        $frames[0].Sequence | Should -Be ([uint32]::MaxValue - 1)
        $frames[0].Host | Should -Be 'long.weixin.qq.com'
        $frames[0].Role | Should -Be 'LongLink'
        $reply = $frames | Where-Object CommandName -eq 'HeartbeatReply'
        $reply.IsReply | Should -BeTrue
        $reply.RoundTripMs | Should -BeGreaterThan 0
        $frames[0] | Should -BeOfType ([WeChatNet.LongLinkFrame])
    }

    It 'names the long link from the DNS answer seen earlier' {
        $rec = Get-WeChatSample mmtls-longlink | ConvertFrom-WeChatPacket -Kind MmtlsRecord | Select-Object -First 1
        $rec.Host | Should -Be 'sglong.wechat.com'
        $rec.HandshakeType | Should -Be 'ClientHello'
        $rec.CipherSuites | Should -Contain 'ECDHE-ECDSA-AES128-GCM-SHA256'
        $rec.Connection | Should -Match '^192\.168\.31\.20:\d+ -> 101\.32\.104\.4:443$'
    }

    It 'heartbeats follow the Mars schedule' {
        $hb = @(Get-WeChatSample mmtls-longlink | ConvertFrom-WeChatPacket -Kind MmtlsRecord |
            Where-Object { $_.Interpretation -eq 'ProbableHeartbeat' -and $_.Direction -eq 'ClientToServer' })
        $gaps = for ($i = 1; $i -lt $hb.Count; $i++) { [int]($hb[$i].Timestamp - $hb[$i - 1].Timestamp).TotalSeconds }
        $gaps | Should -Be @(270, 330, 390, 450, 510, 570, 600)
    }

    It 'masks identifiers unless -ShowIdentifiers' {
        $d = Get-WeChatSample login-dispatch | ConvertFrom-WeChatPacket -Kind Dispatch
        $d.ClientIp | Should -BeLike 'masked-*'
        ($d.RequestParameters -join '&') | Should -Not -Match '2718281828'
        $shown = Get-WeChatSample login-dispatch | ConvertFrom-WeChatPacket -Kind Dispatch -ShowIdentifiers
        $shown.ClientIp | Should -Be '203.0.113.77'
    }

    It 'reports the dead link reset and the reconnect' {
        $events = @(Get-WeChatSample dead-link | ConvertFrom-WeChatPacket -Kind StreamEvent)
        ($events | Where-Object Event -eq 'Reset').Reason | Should -Be 'client sent RST'
        $hellos = @(Get-WeChatSample dead-link | ConvertFrom-WeChatPacket -Kind MmtlsRecord | Where-Object HandshakeType -eq 'ClientHello')
        $hellos.Count | Should -Be 2
        $hellos[0].Connection | Should -Not -Be $hellos[1].Connection
    }

    It 'decodes a hex payload and a byte array' {
        $f = ConvertFrom-WeChatPacket -Hex '00000010 0010 0001 00000006 FFFFFFFF'
        $f.CommandName | Should -Be 'Heartbeat'
        $f.Direction | Should -Be 'Unknown'
        $bytes = [byte[]](0,0,0,0x10, 0,0x10, 0,1, 0x3B,0x9A,0xCA,0x06, 0,0,0,0)
        (ConvertFrom-WeChatPacket -Payload $bytes).CommandName | Should -Be 'HeartbeatReply'
        # -InputObject only ever names the pipeline object: the pre-1.0 alias of -Payload is gone (CHANGELOG.md).
        (Get-Command ConvertFrom-WeChatPacket).Parameters['Payload'].Aliases | Should -BeNullOrEmpty
    }

    It 'reports bad input with specific error ids' {
        ConvertFrom-WeChatPacket -Hex 'zz' -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'HexInvalid*'
        ConvertFrom-WeChatPacket -Hex '0102030405060708090a0b0c0d0e0f10' -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2[0].FullyQualifiedErrorId | Should -BeLike 'PayloadNotRecognized*'
        ConvertFrom-WeChatPacket -Path (Join-Path $TestDrive 'none.pcapng') -ErrorVariable e3 -ErrorAction SilentlyContinue
        $e3[0].FullyQualifiedErrorId | Should -BeLike 'CaptureFileNotFound*'
        $e3[0].Exception.Message | Should -BeLike "*none.pcapng*"
        ConvertFrom-WeChatPacket -LiteralPath $TestDrive -ErrorVariable e4 -ErrorAction SilentlyContinue
        $e4[0].FullyQualifiedErrorId | Should -BeLike 'CapturePathIsDirectory*'
    }

    It 'takes -MaxBufferSize in bytes; the pre-1.0 -MaxBufferedMB is gone (CHANGELOG.md)' {
        @(Get-WeChatSample mmtls-longlink | ConvertFrom-WeChatPacket -MaxBufferSize 2MB).Count | Should -BeGreaterThan 0
        { Get-WeChatSample mmtls-longlink | ConvertFrom-WeChatPacket -MaxBufferedMB 2 } | Should -Throw -ErrorId 'NamedParameterNotFound*'
        (Get-Command ConvertFrom-WeChatPacket).Parameters['IdleTimeout'].Attributes.TypeId.Name | Should -Contain 'DurationTransformationAttribute'
    }

    It 'survives Export-Clixml and ConvertTo-Json' {
        $all = Get-WeChatSample login-dispatch | ConvertFrom-WeChatPacket
        $path = Join-Path $TestDrive 'm.xml'
        $all.Count | Should -BeGreaterThan 0 -Because 'two empty lists would have the same count'
        $all | Export-Clixml $path
        $back = @(Import-Clixml $path)
        $back.Count | Should -Be $all.Count
        $back.Kind | Should -Be $all.Kind
        { $all | ConvertTo-Json -Depth 4 | Out-Null } | Should -Not -Throw
    }

    It 'releases idle connections after -IdleTimeout' {
        $events = @(Get-WeChatSample mmtls-longlink | ConvertFrom-WeChatPacket -Kind StreamEvent -IdleTimeout 00:01:00)
        ($events | Where-Object Reason -like 'idle for 60 s*').Count | Should -BeGreaterThan 0
        { Get-WeChatSample mmtls-longlink | ConvertFrom-WeChatPacket -IdleTimeout 00:00:00 -ErrorAction Stop } | Should -Throw -ErrorId 'IdleTimeoutInvalid*'
        # The message is the module's own sentence, not .NET's "(Parameter 'IdleTimeout') Actual value was ..." text.
        $e = { ConvertFrom-WeChatPacket -Hex '00' -IdleTimeout '-5s' -ErrorAction Stop } | Should -Throw -ErrorId 'IdleTimeoutInvalid*' -PassThru
        $e.Exception.Message | Should -Be "-IdleTimeout must be positive, not -00:00:05 (e.g. 30, '90s', '15m' or '00:15:00')."
        $e.Exception.Message | Should -Not -Match 'Actual value|\(Parameter'
    }

    It 'decrypts a piped sample with its own key log, and the others without one' {
        $piped = @(Get-WeChatSample | ConvertFrom-WeChatPacket -WarningVariable warn)
        $typed = @(foreach ($s in Get-WeChatSample) {
                $k = @{}; if ($s.KeyLogPath) { $k.KeyLogPath = $s.KeyLogPath }
                ConvertFrom-WeChatPacket -Path $s.Path @k })
        $decrypted = { param($o) @($o | Where-Object { $_.PSObject.Properties['Decrypted'] -and $_.Decrypted }).Count }
        (& $decrypted $piped) | Should -BeGreaterThan 0
        (& $decrypted $piped) | Should -Be (& $decrypted $typed)
        $piped.Count | Should -Be $typed.Count
        $warn | Should -BeNullOrEmpty
        (Get-WeChatSample mmtls-keylog | ConvertFrom-WeChatPacket -Kind LongLinkFrame).CommandName | Should -Contain 'Heartbeat'
        # Packets piped in still bind to -Packet (the key log is for files).
        @(Import-WeChatCapture (Get-WeChatSample dead-link).Path | ConvertFrom-WeChatPacket -ErrorAction Stop).Count | Should -BeGreaterThan 0
        { ConvertFrom-WeChatPacket -Hex '00' -KeyLogPath '' -ErrorAction Stop } | Should -Throw -ErrorId 'KeyLogFileNotFound*'
    }
}
