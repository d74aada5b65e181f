#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force

    function New-TestPacket([int] $Number, [string] $LinkType, [int] $LinkTypeNumber, [byte[]] $Data, [long] $Ns) {
        $p = [WeChatNet.Packet]::new()
        $p.Number = $Number
        $p.LinkType = $LinkType
        $p.LinkTypeNumber = $LinkTypeNumber
        $p.Data = $Data
        $p.CapturedLength = $Data.Length
        $p.OriginalLength = $Data.Length
        $p.TimestampNanoseconds = $Ns
        $p.Interface = 'test0'
        $p
    }

    # Raw IPv4 (link type 101): UDP 192.0.2.1:1234 -> 192.0.2.2:53, no payload.
    $script:rawUdp = [byte[]](0x45,0,0,28, 0,1,0,0, 64,17,0,0, 192,0,2,1, 192,0,2,2, 0x04,0xd2,0,53, 0,8,0,0)
    $script:dir = Join-Path ([IO.Path]::GetTempPath()) ("wechatnet-export-pester-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $dir | Out-Null
}

AfterAll {
    if ($script:dir -and (Test-Path $script:dir)) { Remove-Item -Recurse -Force $script:dir }
}

Describe 'Export-WeChatCapture' {
    It 'round-trips packets through pcapng with nanosecond timestamps' {
        $out = Join-Path $dir 'rt.pcapng'
        $packets = 1..3 | ForEach-Object { New-TestPacket $_ 'Raw' 101 $rawUdp (1700000000123456789 + $_) }
        $summary = $packets | Export-WeChatCapture $out -PassThru
        $summary | Should -BeOfType ([WeChatNet.CaptureFileSummary])
        $summary.PacketCount | Should -Be 3
        $summary.Format | Should -Be 'PcapNg'
        $back = @(Import-WeChatCapture $out)
        $back.Count | Should -Be 3
        $back[0].TimestampNanoseconds | Should -Be 1700000000123456790
        $back[0].Protocol | Should -BeExactly 'Udp'
        $back[0].DestinationPort | Should -Be 53
        $back[0].Interface | Should -Be 'test0'
    }

    It 'writes classic pcap and reads it back' {
        $out = Join-Path $dir 'rt.pcap'
        New-TestPacket 1 'Raw' 101 $rawUdp 5000000007 | Export-WeChatCapture $out -Format Pcap
        $back = Import-WeChatCapture $out
        $back.TimestampNanoseconds | Should -Be 5000000007
        $back.Source | Should -Be '192.0.2.1'
    }

    It 'refuses to overwrite without -Force and leaves the file untouched' {
        $out = Join-Path $dir 'keep.pcapng'
        Set-Content -Path $out -Value 'precious'
        $err = $null
        try { New-TestPacket 1 'Raw' 101 $rawUdp 1 | Export-WeChatCapture $out -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'CaptureFileExists,*'
        Get-Content $out | Should -Be 'precious'
        New-TestPacket 1 'Raw' 101 $rawUdp 1 | Export-WeChatCapture $out -Force
        @(Import-WeChatCapture $out).Count | Should -Be 1
    }

    It 'refuses a path of another provider (Env:) instead of writing a file of that name in the process''s folder' {
        $name = "wcn-nofs-$(Get-Random).pcapng"
        $packets = 1..2 | ForEach-Object { New-TestPacket $_ 'Raw' 101 $rawUdp (1700000000123456789 + $_) }
        $e = { $packets | Export-WeChatCapture -Path "Env:/$name" } | Should -Throw -ErrorId 'CaptureFileWriteError*' -PassThru
        $e.Exception.Message | Should -BeLike "'Env:/$name' is a path of the Environment provider*"
        Join-Path ([Environment]::CurrentDirectory) $name | Should -Not -Exist
    }

    It 'writes nothing with -WhatIf' {
        $out = Join-Path $dir 'whatif.pcapng'
        New-TestPacket 1 'Raw' 101 $rawUdp 1 | Export-WeChatCapture $out -WhatIf
        Test-Path $out | Should -BeFalse
        @(Get-ChildItem $dir -Force -Filter '*.partial').Count | Should -Be 0
    }

    It 'stops on mixed link types in classic pcap and leaves no file behind' {
        $out = Join-Path $dir 'mixed.pcap'
        $eth = New-TestPacket 2 'Ethernet' 1 ([byte[]](1..60)) 2
        $err = $null
        try { @((New-TestPacket 1 'Raw' 101 $rawUdp 1), $eth) | Export-WeChatCapture $out -Format Pcap -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'CaptureLinkTypeMismatch,*'
        Test-Path $out | Should -BeFalse
        @(Get-ChildItem $dir -Force -Filter '*.partial').Count | Should -Be 0
        # pcapng holds both.
        @((New-TestPacket 1 'Raw' 101 $rawUdp 1), $eth) | Export-WeChatCapture (Join-Path $dir 'mixed.pcapng')
        (Import-WeChatCapture (Join-Path $dir 'mixed.pcapng')).LinkType | Should -Be @('Raw', 'Ethernet')
    }

    It 'filters on import and exports the subset' {
        $all = Join-Path $dir 'all.pcapng'
        $udp = New-TestPacket 1 'Raw' 101 $rawUdp 1
        $other = New-TestPacket 2 'Raw' 101 ([byte[]](0x45,0,0,20, 0,1,0,0, 64,47,0,0, 192,0,2,1, 192,0,2,9)) 2
        @($udp, $other) | Export-WeChatCapture $all
        Import-WeChatCapture $all -Filter 'udp port 53' | Export-WeChatCapture (Join-Path $dir 'dns.pcapng')
        @(Import-WeChatCapture (Join-Path $dir 'dns.pcapng')).Count | Should -Be 1
    }

    It 'takes -LiteralPath (PSPath, LP) as Export-Csv does, and reads wildcards in -Path as it does' {
        $packets = 1..2 | ForEach-Object { New-TestPacket $_ 'Raw' 101 $rawUdp (1700000000000000000 + $_) }
        $literal = Join-Path $dir 'cap[1].pcapng'
        ($packets | Export-WeChatCapture -LiteralPath $literal -PassThru).PacketCount | Should -Be 2
        @(Import-WeChatCapture -LiteralPath $literal).Count | Should -Be 2
        (Get-Command Export-WeChatCapture).Parameters['LiteralPath'].Aliases | Should -Be @('PSPath', 'LP')
        # A pattern that matches no file names no file to write: an error that says to use -LiteralPath, and no file.
        $e = { $packets | Export-WeChatCapture -Path (Join-Path $dir 'new[2].pcapng') } | Should -Throw -ErrorId 'OutputPathWildcardUnresolved*' -PassThru
        $e.Exception.Message | Should -BeLike '*-LiteralPath*'
        Get-ChildItem -LiteralPath $dir -Filter 'new*' | Should -BeNullOrEmpty
        # A pattern that matches one existing file is that file (replaced with -Force).
        $packets | Export-WeChatCapture -LiteralPath (Join-Path $dir 'one1.pcapng')
        ($packets[0] | Export-WeChatCapture -Path (Join-Path $dir 'one[1].pcapng') -Force -PassThru).PacketCount | Should -Be 1
        @(Import-WeChatCapture -LiteralPath (Join-Path $dir 'one1.pcapng')).Count | Should -Be 1
    }
}
