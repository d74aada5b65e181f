#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).
# Live capture needs libpcap/Npcap and capture rights (root on Linux, /dev/bpf access on macOS, Administrator
# with an admin-only Npcap): the capturing tests fail with a message saying so when those are missing.

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force

    $script:lo = (Get-WeChatCaptureDevice | Where-Object IsLoopback | Select-Object -First 1).Name
    if (-not $script:lo) { throw 'No loopback capture device (on Windows install Npcap with loopback support).' }

    function Get-FreePort {
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $l.Start(); $p = $l.LocalEndpoint.Port; $l.Stop(); $p
    }

    # Loopback TCP traffic to $Port from a thread job, repeated until the job is stopped, so a capture started
    # at any moment sees some (no sleeps to line things up).
    function Start-LoopbackTraffic([int] $Port) {
        Start-ThreadJob -ArgumentList $Port -ScriptBlock {
            param($port)
            $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, $port)
            $listener.Start()
            try {
                while ($true) {
                    $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port)
                    $s = $listener.AcceptTcpClient()
                    $frame = [byte[]](0,0,0,16, 0,16, 0,1, 0,0,0,6, 255,255,255,255)   # long-link heartbeat
                    $c.GetStream().Write($frame, 0, $frame.Length)
                    $c.Close(); $s.Close()
                    Start-Sleep -Milliseconds 20
                }
            } finally { $listener.Stop() }
        }
    }
}

Describe 'Start-WeChatCapture' {
    Context 'argument and setup errors' {
        It 'reports a bad BPF filter with libpcap''s text' {
            $e = { Start-WeChatCapture $script:lo -Filter 'tcp port 80 or and' -Count 1 } | Should -Throw -ErrorId 'CaptureFilterInvalid*' -PassThru
            $e.Exception.Message | Should -Match 'syntax error'
        }

        It 'reports an unknown interface' {
            { Start-WeChatCapture 'wcnnosuch0' -All -Count 1 } | Should -Throw -ErrorId 'CaptureInterfaceNotFound*'
        }

        It 'reports a missing capture library with the way to install it' {
            $saved = $env:WECHATNET_PCAP_LIBRARY
            try {
                $env:WECHATNET_PCAP_LIBRARY = Join-Path ([IO.Path]::GetTempPath()) 'wechatnet-no-such-libpcap.so.1'
                { Start-WeChatCapture $script:lo -All -Count 1 } | Should -Throw -ErrorId 'CaptureLibraryMissing*'
            } finally { $env:WECHATNET_PCAP_LIBRARY = $saved }
        }

        It 'refuses rotation without a file' {
            { Start-WeChatCapture $script:lo -Count 1 -MaxFileSize 1MB } | Should -Throw -ErrorId 'CaptureRotationNeedsOutFile*'
            { Start-WeChatCapture $script:lo -Count 1 -OutFile x.pcapng -MaxFiles 3 } | Should -Throw -ErrorId 'CaptureRotationNeedsOutFile*'
        }

        It 'says a folder given as -OutFile is a folder, not that access is denied' {
            $dir = Join-Path $TestDrive 'captures'
            New-Item -ItemType Directory $dir | Out-Null
            $e = { Start-WeChatCapture $script:lo -All -Count 1 -OutFile $dir } | Should -Throw -ErrorId 'CaptureFileWriteError*' -PassThru
            $e.Exception.Message | Should -BeLike "*'$dir'*is a folder*$(Join-Path $dir 'wechat.pcapng')*"
            $e.Exception.Message | Should -Not -Match 'denied'
            Get-ChildItem $dir | Should -BeNullOrEmpty
        }

        It 'refuses an -OutFile of another provider (Env:) instead of capturing into a file of that name in the process''s folder' {
            $name = "wcn-nofs-$(Get-Random).pcapng"
            $e = { Start-WeChatCapture $script:lo -All -Count 1 -OutFile "Env:/$name" } | Should -Throw -ErrorId 'CaptureFileWriteError*' -PassThru
            $e.Exception.Message | Should -BeLike "'Env:/$name' is a path of the Environment provider*"
            Join-Path ([Environment]::CurrentDirectory) $name | Should -Not -Exist
        }

        It 'writes nothing with -WhatIf' {
            $path = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-whatif-$PID.pcapng"
            Start-WeChatCapture $script:lo -Count 1 -OutFile $path -WhatIf | Should -BeNullOrEmpty
            Test-Path $path | Should -BeFalse
        }

        It 'takes -MaxFileSize in bytes; the pre-1.0 -MaxFileSizeMB is gone (CHANGELOG.md)' {
            $path = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-whatif-mb-$PID.pcapng"
            (Get-Command Start-WeChatCapture).Parameters['MaxFileSize'].ParameterType | Should -Be ([long])
            { Start-WeChatCapture $script:lo -Count 1 -OutFile $path -MaxFileSizeMB 1 -WhatIf } | Should -Throw -ErrorId 'NamedParameterNotFound*'
            Test-Path $path | Should -BeFalse
        }

        It 'takes -Duration in seconds or with a unit' {
            (Start-WeChatCapture $script:lo -Filter 'udp port 9' -Duration 0.3 -OutFile (Join-Path ([IO.Path]::GetTempPath()) "wechatnet-dur-$PID.pcapng")).StopReason | Should -Be 'Duration'
            { Start-WeChatCapture $script:lo -Duration 'soon' } | Should -Throw
            Remove-Item (Join-Path ([IO.Path]::GetTempPath()) "wechatnet-dur-$PID.pcapng") -ErrorAction SilentlyContinue
        }
    }

    Context 'capturing loopback traffic' {
        BeforeEach {
            $script:port = Get-FreePort
            $script:traffic = Start-LoopbackTraffic $script:port
            $script:dir = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-live-$PID-$(Get-Random)"
            New-Item -ItemType Directory $script:dir | Out-Null
        }
        AfterEach {
            $script:traffic | Stop-Job -PassThru | Remove-Job -Force
            Remove-Item $script:dir -Recurse -Force -ErrorAction SilentlyContinue
        }

        It 'streams WeChatNet.Packet objects' {
            $packets = Start-WeChatCapture $script:lo -Filter "tcp port $script:port" -Count 10
            $packets.Count | Should -Be 10
            $packets | ForEach-Object { $_ | Should -BeOfType ([WeChatNet.Packet]) }
            $packets[0].Protocol | Should -BeExactly 'Tcp'
            ($packets | Where-Object { $_.SourcePort -eq $script:port -or $_.DestinationPort -eq $script:port }).Count | Should -Be 10
            $packets.Number | Should -Be (1..10)
        }

        It 'writes a pcapng file that Import-WeChatCapture reads, and a summary' {
            $file = Join-Path $script:dir 'live.pcapng'
            $out = Start-WeChatCapture $script:lo -Filter "tcp port $script:port" -Count 20 -OutFile $file
            $summary = $out | Select-Object -Last 1
            $summary | Should -BeOfType ([WeChatNet.CaptureSummary])
            @($out).Count | Should -Be 1          # no packets without -PassThru
            $summary.PacketsCaptured | Should -Be 20
            $summary.StopReason | Should -Be 'Count'
            $summary.Files | Should -Be @((Resolve-Path $file).Path)
            (Import-WeChatCapture $file).Count | Should -Be 20
        }

        It 'passes packets through with -PassThru and ends with the summary' {
            $file = Join-Path $script:dir 'pass.pcapng'
            $out = Start-WeChatCapture $script:lo -Filter "tcp port $script:port" -Count 5 -OutFile $file -PassThru
            $out.Count | Should -Be 6
            $out[0..4] | ForEach-Object { $_ | Should -BeOfType ([WeChatNet.Packet]) }
            $out[5] | Should -BeOfType ([WeChatNet.CaptureSummary])
        }

        It 'rolls files over by size' {
            $file = Join-Path $script:dir 'ring.pcapng'
            $summary = Start-WeChatCapture $script:lo -Filter "tcp port $script:port" -Count 400 -OutFile $file -MaxFileSize 10000 -MaxFiles 2
            $summary.FilesWritten | Should -BeGreaterThan 2
            $summary.Files.Count | Should -Be 2
            $summary.Files | ForEach-Object { (Get-Item $_).Length | Should -BeLessOrEqual 10000; Import-WeChatCapture $_ | Should -Not -BeNullOrEmpty }
        }

        It 'survives serialisation (remoting, Export-Clixml)' {
            $path = Join-Path $script:dir 'summary.xml'
            Start-WeChatCapture $script:lo -Filter "tcp port $script:port" -Count 3 -OutFile (Join-Path $script:dir 's.pcapng') | Export-Clixml $path
            (Import-Clixml $path).PacketsCaptured | Should -Be 3
        }
    }

    It 'has default table views' {
        foreach ($t in 'WeChatNet.CaptureSummary', 'WeChatNet.Packet') {
            (Get-FormatData -TypeName $t).FormatViewDefinition.Control | Should -BeOfType ([System.Management.Automation.TableControl])
        }
    }
}
