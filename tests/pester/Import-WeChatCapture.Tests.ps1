#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force

    function ConvertFrom-Hex([string] $Hex) {
        $clean = ($Hex -replace '#[^\n]*', '') -replace '\s', ''
        [byte[]] (0..($clean.Length / 2 - 1) | ForEach-Object { [Convert]::ToByte($clean.Substring($_ * 2, 2), 16) })
    }

    # Classic pcap, little-endian, microseconds, Ethernet; three packets.
    $script:header = 'd4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000'
    $eth = '001122334455 66778899aabb 0800'
    # 1: TCP SYN 10.0.0.1:50000 -> 43.130.30.240:8080, t = 1700000000.000001
    $syn = "00f15365 01000000 36000000 36000000 $eth 45000028 00014000 40060000 0a000001 2b821ef0 c3501f90 000003e8 00000000 5002faf0 00000000"
    # 2: UDP 10.0.0.1:5353 -> 10.0.0.2:53 with 4 bytes of payload, t = 1700000001.5
    $udp = "01f15365 20a10700 2e000000 2e000000 $eth 45000020 00020000 40110000 0a000001 0a000002 14e90035 000c0000 01020304"
    # 3: ICMP echo request 10.0.0.1 -> 10.0.0.2 id 7 seq 1
    $icmp = "02f15365 00000000 2a000000 2a000000 $eth 4500001c 00030000 40010000 0a000001 0a000002 08000000 00070001"
    $script:pcapBytes = ConvertFrom-Hex "$header $syn $udp $icmp"

    $script:dir = Join-Path ([IO.Path]::GetTempPath()) ("wechatnet-import-pester-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $dir | Out-Null
    $script:pcap = Join-Path $dir 'three.pcap'
    [IO.File]::WriteAllBytes($pcap, $pcapBytes)
}

AfterAll {
    if ($script:dir -and (Test-Path $script:dir)) { Remove-Item -Recurse -Force $script:dir }
}

Describe 'Import-WeChatCapture' {
    It 'decodes every packet with its fields' {
        $p = @(Import-WeChatCapture $pcap)
        $p.Count | Should -Be 3
        $p[0] | Should -BeOfType ([WeChatNet.Packet])
        $p[0].Number | Should -Be 1
        $p[0].Protocol | Should -BeExactly 'Tcp'
        $p[0].Source | Should -Be '10.0.0.1'
        $p[0].Destination | Should -Be '43.130.30.240'
        $p[0].DestinationPort | Should -Be 8080
        $p[0].TcpFlags | Should -Be 'SYN'
        $p[0].Sequence | Should -Be 1000
        $p[0].TimestampNanoseconds | Should -Be 1700000000000001000
        $p[0].Timestamp.Offset | Should -Be ([TimeSpan]::Zero)
        $p[0].LinkType | Should -Be 'Ethernet'
        $p[0].Data.Length | Should -Be 54
        $p[1].Protocol | Should -BeExactly 'Udp'
        $p[1].PayloadLength | Should -Be 4
        $p[1].Info | Should -BeLike '5353 * 53 Len=4'
        $p[2].Protocol | Should -BeExactly 'Icmp'
        $p[2].Info | Should -BeLike 'Echo (ping) request*'
    }

    It 'filters in the core with a tcpdump-like expression' {
        @(Import-WeChatCapture $pcap -Filter 'tcp port 8080').Number | Should -Be @(1)
        @(Import-WeChatCapture $pcap -Filter 'host 43.130.30.240').Number | Should -Be @(1)
        @(Import-WeChatCapture $pcap -Filter 'udp').Number | Should -Be @(2)
        @(Import-WeChatCapture $pcap -Filter 'not tcp and dst host 10.0.0.2').Number | Should -Be @(2, 3)
        @(Import-WeChatCapture $pcap -Filter 'udp port 8080').Count | Should -Be 0
    }

    It 'rejects an invalid filter, naming the position' {
        $err = $null
        try { Import-WeChatCapture $pcap -Filter 'tcp port eighty' } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'CaptureFilterInvalid,*'
        $err.Exception.Message | Should -BeLike '*position 9*'
    }

    It 'takes a name with brackets literally, from -LiteralPath and from Get-ChildItem' {
        $odd = Join-Path $dir 'cap[1].pcap'
        Copy-Item -LiteralPath $pcap -Destination $odd
        @(Import-WeChatCapture -LiteralPath $odd).Count | Should -Be 3
        @(Get-ChildItem -LiteralPath $odd | Import-WeChatCapture).Count | Should -Be 3
        @(Get-ChildItem -LiteralPath $odd | Import-WeChatCapture)[0].File | Should -Be $odd
        Remove-Item -LiteralPath $odd
    }

    It 'says a folder is a folder, and names every file it cannot read' {
        Import-WeChatCapture $dir -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'CapturePathIsDirectory*'
        $e[0].Exception.Message | Should -BeLike "*$dir*"
        $missing = Join-Path $dir 'absent.pcap'
        Import-WeChatCapture -LiteralPath $missing -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2[0].FullyQualifiedErrorId | Should -BeLike 'CaptureFileNotFound*'
        $e2[0].Exception.Message | Should -BeLike "*$missing*"
    }

    It 'takes Get-ChildItem output by PSPath and expands wildcards' {
        Copy-Item $pcap (Join-Path $dir 'copy.pcap')
        @(Get-ChildItem (Join-Path $dir '*.pcap') | Import-WeChatCapture).Count | Should -Be 6
        @(Import-WeChatCapture (Join-Path $dir 'c*.pcap')).Count | Should -Be 3
    }

    It 'reads gzip-compressed captures whatever their extension' {
        $gz = Join-Path $dir 'three.bin'
        $fs = [IO.File]::Create($gz)
        $z = [IO.Compression.GZipStream]::new($fs, [IO.Compression.CompressionMode]::Compress)
        $z.Write($pcapBytes, 0, $pcapBytes.Length)
        $z.Dispose(); $fs.Dispose()
        $fromGz = @(Import-WeChatCapture $gz)
        $fromGz.Count | Should -Be 3
        # The same packets as the uncompressed file, field for field.
        $plain = @(Import-WeChatCapture $pcap)
        ($fromGz | ForEach-Object { "$($_.Number) $($_.Protocol) $($_.Source):$($_.SourcePort) $($_.Destination):$($_.DestinationPort) $($_.Length)" }) |
            Should -Be ($plain | ForEach-Object { "$($_.Number) $($_.Protocol) $($_.Source):$($_.SourcePort) $($_.Destination):$($_.DestinationPort) $($_.Length)" })
    }

    It 'reports a truncated file with its offset and keeps the packets before the damage' {
        $cut = Join-Path $dir 'cut.pcap'
        [IO.File]::WriteAllBytes($cut, $pcapBytes[0..($pcapBytes.Length - 10)])
        $packets = @(Import-WeChatCapture $cut -ErrorVariable damage -ErrorAction SilentlyContinue)
        $packets.Count | Should -Be 2
        $damage.Count | Should -Be 1
        $damage[0].FullyQualifiedErrorId | Should -BeLike 'CaptureFileTruncated,*'
        $damage[0].Exception.Message | Should -BeLike "*cut.pcap*offset 156*"
    }

    It 'says when a file is not a capture' {
        $txt = Join-Path $dir 'notes.pcap'
        Set-Content -Path $txt -Value 'this is not a capture'
        Import-WeChatCapture $txt -ErrorVariable bad -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'NotACaptureFile,*'
    }

    It 'reports a missing file' {
        Import-WeChatCapture (Join-Path $dir 'missing.pcap') -ErrorVariable missing -ErrorAction SilentlyContinue
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'CaptureFileNotFound,*'
    }

    It 'emits plain data that survives ConvertTo-Json' {
        $json = Import-WeChatCapture $pcap -Filter 'tcp' | ConvertTo-Json -Depth 3 | ConvertFrom-Json
        $json.DestinationPort | Should -Be 8080
        $json.Source | Should -Be '10.0.0.1'
    }
}
