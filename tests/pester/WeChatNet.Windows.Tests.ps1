#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Issue 20 item 2: what the module does on Windows, in the Windows layer (./build.ps1 -Task Windows or Test: the
# Windows build of PowerShell 7.6.9 under Wine, docs/testing.md "The Windows layer"). It fails where $IsWindows is
# false: its Windows branches cannot be proven anywhere else.
# Wine is not Windows. Sharing violations, drive letters, \\?\ paths (Wine has no SMB client: \\server\share paths,
# \\localhost\C$ too, cannot be tried here), code pages, the adapter list and the
# missing-Npcap path are Wine's implementation of the Windows API; live capture is Wine's wpcap.dll over the host's
# libpcap, and sockets are Linux's. Tests whose result rests on that say so in their names.

BeforeAll {
    if (-not $IsWindows) { throw 'WeChatNet.Windows.Tests.ps1 proves the Windows code paths: run it in the Windows layer (./build.ps1 -Task Windows), on a Windows build of PowerShell. It fails anywhere else.' }
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
    # A folder on the Windows drive C: (the prefix's %TEMP%), named per run.
    $script:Work = Join-Path $env:TEMP "wechatnet-windows-$PID-$(Get-Random)"
    New-Item -ItemType Directory -Path $script:Work | Out-Null
    $script:Sample = Get-WeChatSample mmtls-keylog
    $script:Pwsh = (Get-Process -Id $PID).Path

    function Invoke-WindowsChild {
        # Another Windows process: this pwsh.exe again, with extra environment variables. Returns ExitCode and Output.
        param([string] $Command, [hashtable] $Environment = @{}, [int] $TimeoutSeconds = 180)
        $psi = [System.Diagnostics.ProcessStartInfo]::new($script:Pwsh)
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $Command) { $psi.ArgumentList.Add($a) }
        $psi.UseShellExecute = $false
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
        $p = [System.Diagnostics.Process]::Start($psi)
        $err = $p.StandardError.ReadToEndAsync()
        $out = $p.StandardOutput.ReadToEnd()
        if (-not $p.WaitForExit($TimeoutSeconds * 1000)) { $p.Kill(); throw "The child pwsh did not end within $TimeoutSeconds s: $out" }
        [pscustomobject]@{ ExitCode = $p.ExitCode; Output = $out; Error = $err.Result }
    }

    function Start-Holder {
        # Another Windows process that holds $Path open (FileShare $Share) until it is stopped; returns once it holds it.
        param([string] $Path, [System.IO.FileAccess] $Access, [System.IO.FileShare] $Share)
        $flag = "$Path.held"
        $cmd = "`$f = [IO.File]::Open('$Path', 'OpenOrCreate', '$Access', '$Share'); Set-Content -LiteralPath '$flag' held; Start-Sleep -Seconds 600"
        $psi = [System.Diagnostics.ProcessStartInfo]::new($script:Pwsh)
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $cmd) { $psi.ArgumentList.Add($a) }
        $psi.UseShellExecute = $false
        $psi.RedirectStandardOutput = $true
        $p = [System.Diagnostics.Process]::Start($psi)
        $deadline = [DateTime]::UtcNow.AddSeconds(120)
        while (-not (Test-Path -LiteralPath $flag)) {
            if ($p.HasExited -or [DateTime]::UtcNow -gt $deadline) { throw "The process that should hold $Path open did not (exit: $($p.HasExited))." }
            Start-Sleep -Milliseconds 200
        }
        $p
    }
}

AfterAll {
    if ($script:Work -and (Test-Path -LiteralPath $script:Work)) { Remove-Item -LiteralPath $script:Work -Recurse -Force }
}

Describe 'The Windows build of PowerShell' {
    It 'is Windows to the module: $IsWindows, a drive-letter %TEMP%, the Windows build of .NET' {
        $IsWindows | Should -BeTrue
        $env:TEMP | Should -Match '^[A-Za-z]:\\'
        [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier | Should -Be 'win-x64'
        [System.IO.Path]::DirectorySeparatorChar | Should -Be '\'
    }
}

Describe 'No capture library: a Windows machine without Npcap (Wine with its wpcap.dll hidden)' {
    It 'Get-WeChatCaptureDevice and Start-WeChatCapture say Npcap is missing and where to get it' {
        $cmd = "Import-Module '$manifest'; " +
            'foreach ($c in { Get-WeChatCaptureDevice }, { Start-WeChatCapture -Duration 00:00:02 }) { ' +
            'try { & $c -ErrorAction Stop | Out-Null; ''NO ERROR'' } catch { $_.FullyQualifiedErrorId; $_.CategoryInfo.Category; $_.Exception.Message } }'
        # Wine's DLL override "disabled" for wpcap, read by each new process of the prefix (WINEDLLOVERRIDES in a child's
        # environment is not): only the child below starts while it is set.
        $key = 'HKCU:\Software\Wine\DllOverrides'
        if (-not (Test-Path $key)) { New-Item -Path $key -Force | Out-Null }
        Set-ItemProperty -Path $key -Name wpcap -Value ''
        try { $r = Invoke-WindowsChild -Command $cmd }
        finally { Remove-ItemProperty -Path $key -Name wpcap }
        $lines = @($r.Output -split "`r?`n" | Where-Object { $_ })
        $lines | Should -Not -Contain 'NO ERROR'
        $lines.Count | Should -Be 6 -Because "each command gives id, category and message: $($r.Output) $($r.Error)"
        foreach ($i in 0, 3) {
            $lines[$i] | Should -BeLike 'CaptureLibraryMissing*'
            $lines[$i + 1] | Should -Be 'NotInstalled'
            $lines[$i + 2] | Should -BeLike '*Install Npcap from https://npcap.com/*'
            $lines[$i + 2] | Should -Match ([regex]::Escape('system32\Npcap\wpcap.dll')) -Because 'it names where Npcap was looked for'
            $lines[$i + 2] | Should -Not -Match 'apt-get|libpcap0\.8' -Because 'Linux advice is no help on Windows'
        }
    }
}

Describe 'Capture devices by Windows names (Wine''s wpcap.dll over the host''s libpcap)' {
    BeforeAll {
        $script:Devices = @(Get-WeChatCaptureDevice)
        $script:Loopback = $script:Devices | Where-Object IsLoopback | Select-Object -First 1
    }

    It 'lists devices as \Device\NPF_{GUID} with the adapter''s friendly name' {
        $script:Devices.Count | Should -BeGreaterThan 0
        $script:Devices | ForEach-Object { $_.Name | Should -Match '^\\Device\\NPF_\{[0-9A-Fa-f-]{36}\}$' }
        $nics = [System.Net.NetworkInformation.NetworkInterface]::GetAllNetworkInterfaces()
        foreach ($d in $script:Devices) {
            $guid = $d.Name.Substring('\Device\NPF_'.Length)
            $nic = $nics | Where-Object Id -eq $guid
            $nic | Should -Not -BeNullOrEmpty -Because "$($d.Name) is an adapter Windows knows"
            $d.FriendlyName | Should -Be $nic.Name
        }
        $script:Loopback | Should -Not -BeNullOrEmpty
    }

    It 'tells adapters apart in the table by the friendly name -Interface takes, not by 22 cells of \Device\NPF_{' {
        $lines = @(($script:Devices | Format-Table | Out-String -Width 120) -split "`r?`n" | Select-Object -Skip 3 | Where-Object { $_.Trim() })
        $lines.Count | Should -Be $script:Devices.Count
        for ($i = 0; $i -lt $lines.Count; $i++) { $lines[$i] | Should -BeLike "$($script:Devices[$i].FriendlyName) *" }
        ($lines -join "`n") | Should -Not -Match 'NPF_'
    }

    It 'finds a device by its NPF name (any case) and by its friendly name' {
        (Get-WeChatCaptureDevice -Name $script:Loopback.Name).Name | Should -Be $script:Loopback.Name
        (Get-WeChatCaptureDevice -Name $script:Loopback.Name.ToLowerInvariant()).Name | Should -Be $script:Loopback.Name
        (Get-WeChatCaptureDevice -Name $script:Loopback.FriendlyName).Name | Should -Be $script:Loopback.Name
        { Get-WeChatCaptureDevice -Name '\Device\NPF_{00000000-0000-0000-0000-000000000000}' -ErrorAction Stop } |
            Should -Throw -ErrorId 'CaptureInterfaceNotFound*'
    }

    It 'Start-WeChatCapture says an interface Windows does not list does not exist, and how Windows names them' {
        $e = { Start-WeChatCapture -Interface 'wcnnosuch0' -All -Count 1 -ErrorAction Stop } | Should -Throw -ErrorId 'CaptureInterfaceNotFound*' -PassThru
        $e.Exception.Message | Should -BeLike "*'wcnnosuch0'*\Device\NPF_{GUID}*"
    }

    It 'captures loopback traffic by friendly name into a file on drive C: (capture is Linux''s underneath)' {
        $port = Get-Random -Minimum 20000 -Maximum 60000
        $out = Join-Path $script:Work 'live.pcapng'
        $sender = [powershell]::Create().AddScript({
            param($port)
            $u = [System.Net.Sockets.UdpClient]::new()
            try { foreach ($i in 1..240) { $null = $u.Send([byte[]](1, 2, 3, 4), 4, '127.0.0.1', $port); Start-Sleep -Milliseconds 250 } } finally { $u.Dispose() }
        }).AddArgument($port)
        $handle = $sender.BeginInvoke()
        try {
            Start-WeChatCapture -Interface $script:Loopback.FriendlyName -Filter "udp port $port" -Count 3 -Duration 00:00:50 -OutFile $out | Out-Null
        }
        finally { $sender.Stop(); $sender.Dispose() }
        $packets = @(Import-WeChatCapture -LiteralPath $out)
        $packets.Count | Should -BeGreaterOrEqual 3
        $packets | ForEach-Object { $_.DestinationPort | Should -Be $port }
    }
}

Describe 'How resolvers are found on Windows: the adapters'' DNS servers' {
    It 'asks the DNS servers the adapters report (Wine reads them from the resolv.conf the layer gives)' {
        if (-not $env:WECHATNET_TEST_RESOLV_CONF) { throw 'WECHATNET_TEST_RESOLV_CONF is not set: run this file through ./build.ps1 -Task Windows, which gives the process its own resolv.conf.' }
        $expected = @(Get-Content -LiteralPath $env:WECHATNET_TEST_RESOLV_CONF | Where-Object { $_ -match '^nameserver\s+(\S+)' } | ForEach-Object { ($_ -split '\s+')[1] })
        $expected.Count | Should -BeGreaterThan 0
        $adapters = @([System.Net.NetworkInformation.NetworkInterface]::GetAllNetworkInterfaces() |
            Where-Object { $_.OperationalStatus -eq 'Up' -and $_.NetworkInterfaceType -ne 'Loopback' } |
            ForEach-Object { $_.GetIPProperties().DnsAddresses.IPAddressToString } | Select-Object -Unique)
        $adapters | Should -Be $expected -Because 'Windows reports them per adapter'
        # Nothing answers on those loopback addresses: each query times out, naming the server it asked.
        $answers = @(Resolve-WeChatDomain long.weixin.qq.com -Region System -Timeout 00:00:01 -Retries 0)
        @($answers.Server | Sort-Object) | Should -Be @($expected | Sort-Object) -Because 'the queries run in parallel'
        $answers.Count | Should -Be $expected.Count
        $answers | ForEach-Object { $_.Region | Should -Be 'System'; $_.Status | Should -Be 'Timeout' }
    }
}

Describe 'Windows paths through -Path and -LiteralPath' {
    BeforeAll {
        $script:Drive = Join-Path $script:Work 'cap[1].pcapng'
        Copy-Item -LiteralPath $script:Sample.Path -Destination $script:Drive
        $script:Expected = @(Import-WeChatCapture -LiteralPath $script:Sample.Path).Count
        $script:Expected | Should -BeGreaterThan 0
    }

    It 'reads <Form>' -ForEach @(
        @{ Form = 'a drive-letter path (C:\...) with brackets, literally'; Make = { $script:Drive } }
        @{ Form = 'a Z: path (Wine''s drive for the Linux root)'; Make = { $script:Sample.Path } }
        @{ Form = 'a \\?\ long-path form'; Make = { '\\?\' + $script:Drive } }
        @{ Form = 'a path with forward slashes'; Make = { $script:Drive -replace '\\', '/' } }
    ) {
        $p = & $Make
        @(Import-WeChatCapture -LiteralPath $p).Count | Should -Be $script:Expected
        @(Get-WeChatFlow -LiteralPath $p).Count | Should -BeGreaterThan 0
    }

    It 'expands -Path wildcards in a drive-letter folder, and reads a relative path after Set-Location C:\...' {
        Copy-Item -LiteralPath $script:Sample.Path -Destination (Join-Path $script:Work 'b.pcapng')
        @(Import-WeChatCapture -Path (Join-Path $script:Work 'b*.pcapng')).Count | Should -Be $script:Expected
        Push-Location -LiteralPath $script:Work
        try { @(Import-WeChatCapture -Path '.\b.pcapng').Count | Should -Be $script:Expected } finally { Pop-Location }
    }

    It 'reads through a PowerShell drive, turning it into the Windows path' {
        New-PSDrive -Name WcnWin -PSProvider FileSystem -Root $script:Work | Out-Null
        try { @(Import-WeChatCapture -LiteralPath 'WcnWin:\b.pcapng').Count | Should -Be $script:Expected }
        finally { Remove-PSDrive WcnWin }
    }

    It 'says which file is missing, in its Windows form' {
        $missing = Join-Path $script:Work 'nope.pcapng'
        $e = { Import-WeChatCapture -LiteralPath $missing -ErrorAction Stop } | Should -Throw -ErrorId 'CaptureFileNotFound*' -PassThru
        $e.Exception.Message | Should -BeLike "*$missing*"
    }
}

Describe 'Reports, capture export and key logs on Windows paths' {
    It 'Export-WeChatReport writes HTML and Markdown to C:\ and \\?\ paths' {
        $findings = @(Get-WeChatFinding -LiteralPath (Get-WeChatSample dead-link).Path)
        $html = Join-Path $script:Work 'report.html'
        $findings | Export-WeChatReport -Path $html | Out-Null
        Get-Content -Raw -LiteralPath $html | Should -BeLike '*<html*'
        $md = '\\?\' + (Join-Path $script:Work 'report.md')
        $findings | Export-WeChatReport -Path $md | Out-Null
        Get-Content -Raw -LiteralPath (Join-Path $script:Work 'report.md') | Should -Match '(?m)^#'
        @(Get-ChildItem -LiteralPath $script:Work -Force -Filter '*.partial').Count | Should -Be 0
    }

    It 'Export-WeChatCapture writes pcapng to a drive-letter path, and replaces it with -Force' {
        $target = Join-Path $script:Work 'export.pcapng'
        Import-WeChatCapture -LiteralPath $script:Sample.Path | Export-WeChatCapture -Path $target | Out-Null
        @(Import-WeChatCapture -LiteralPath $target).Count | Should -Be $script:Expected
        Import-WeChatCapture -LiteralPath $script:Sample.Path | Select-Object -First 5 | Export-WeChatCapture -Path $target -Force | Out-Null
        @(Import-WeChatCapture -LiteralPath $target).Count | Should -Be 5
    }

    It 'decrypts with -KeyLogPath on a drive-letter path' {
        $keys = Join-Path $script:Work 'keys [1].log'
        Copy-Item -LiteralPath $script:Sample.KeyLogPath -Destination $keys
        $with = @(ConvertFrom-WeChatPacket -LiteralPath $script:Sample.Path -KeyLogPath $keys -Kind MmtlsRecord | Where-Object Decrypted)
        $with.Count | Should -BeGreaterThan 0
    }
}

Describe 'Files another Windows process holds open (sharing modes are Windows'' own; Wine enforces them)' {
    It 'decrypts with a key log that another process is still appending to' {
        $keys = Join-Path $script:Work 'live.keys'
        Copy-Item -LiteralPath $script:Sample.KeyLogPath -Destination $keys
        # As a logger appends: write access, others may read (File.AppendText's sharing).
        $holder = Start-Holder -Path $keys -Access Write -Share Read
        try {
            $with = @(ConvertFrom-WeChatPacket -LiteralPath $script:Sample.Path -KeyLogPath $keys -Kind MmtlsRecord | Where-Object Decrypted)
            $with.Count | Should -BeGreaterThan 0
        }
        finally { $holder.Kill(); $holder.WaitForExit() }
    }

    It 'reads a capture file that another process is still writing (as dumpcap or Wireshark do)' {
        $cap = Join-Path $script:Work 'being-written.pcapng'
        Copy-Item -LiteralPath $script:Sample.Path -Destination $cap
        $holder = Start-Holder -Path $cap -Access Write -Share Read
        try { @(Import-WeChatCapture -LiteralPath $cap).Count | Should -Be $script:Expected }
        finally { $holder.Kill(); $holder.WaitForExit() }
    }

    It 'says a capture file is locked when another process holds it exclusively' {
        $cap = Join-Path $script:Work 'locked.pcapng'
        Copy-Item -LiteralPath $script:Sample.Path -Destination $cap
        $holder = Start-Holder -Path $cap -Access ReadWrite -Share None
        try {
            $e = { Import-WeChatCapture -LiteralPath $cap -ErrorAction Stop } | Should -Throw -ErrorId 'CaptureFileUnreadable*' -PassThru
            $e.Exception.Message | Should -BeLike "*$cap*"
        }
        finally { $holder.Kill(); $holder.WaitForExit() }
    }

    It 'Export-WeChatCapture -Force onto a file another process reads: an error naming it, the old file intact, no partial file left' {
        $target = Join-Path $script:Work 'open-target.pcapng'
        Copy-Item -LiteralPath $script:Sample.Path -Destination $target
        $before = (Get-FileHash -LiteralPath $target).Hash
        $holder = Start-Holder -Path $target -Access Read -Share Read
        try {
            $e = { Import-WeChatCapture -LiteralPath $script:Sample.Path | Select-Object -First 3 | Export-WeChatCapture -Path $target -Force -ErrorAction Stop } |
                Should -Throw -ErrorId 'CaptureFileWriteError*' -PassThru
            $e.Exception.Message | Should -BeLike "*$target*"
        }
        finally { $holder.Kill(); $holder.WaitForExit() }
        (Get-FileHash -LiteralPath $target).Hash | Should -Be $before
        @(Get-ChildItem -LiteralPath $script:Work -Force -Filter '.open-target*.partial').Count | Should -Be 0
    }

    It 'Export-WeChatReport -Force onto a report another process reads: an error naming it, the old report intact' {
        $target = Join-Path $script:Work 'open-report.html'
        Set-Content -LiteralPath $target -Value 'old report'
        $holder = Start-Holder -Path $target -Access Read -Share Read
        try {
            $e = { Get-WeChatFinding -LiteralPath (Get-WeChatSample dead-link).Path | Export-WeChatReport -Path $target -Force -ErrorAction Stop } |
                Should -Throw -ErrorId 'ReportWriteError*' -PassThru
            $e.Exception.Message | Should -BeLike "*$target*"
        }
        finally { $holder.Kill(); $holder.WaitForExit() }
        (Get-Content -Raw -LiteralPath $target).Trim() | Should -Be 'old report'
        @(Get-ChildItem -LiteralPath $script:Work -Force -Filter '.open-report*.partial').Count | Should -Be 0
    }
}

Describe 'Ctrl+C (a pipeline stop) of a long cmdlet' {
    It 'stops Start-WeChatCapture -Duration 10 min promptly and leaves a complete capture file (capture is Linux''s underneath)' {
        $out = Join-Path $script:Work 'stopped.pcapng'
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
            param($manifest, $iface, $out)
            Import-Module $manifest
            Start-WeChatCapture -Interface $iface -All -Duration 00:10:00 -OutFile $out
        }).AddArgument($manifest).AddArgument(((Get-WeChatCaptureDevice | Where-Object IsLoopback | Select-Object -First 1).Name)).AddArgument($out)
        $handle = $ps.BeginInvoke()
        $stopped = $false
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            while (-not (Test-Path -LiteralPath $out) -and -not $handle.IsCompleted -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            # (Streams.Error is read by index: enumerating an open PSDataCollection blocks until the pipeline ends.)
            $handle.IsCompleted | Should -BeFalse -Because "the capture runs until stopped ($($ps.Streams.Error.Count) errors$(if ($ps.Streams.Error.Count) { ': ' + $ps.Streams.Error[0] }))"
            Test-Path -LiteralPath $out | Should -BeTrue -Because 'the capture file is created when the capture starts'
            $stop = $ps.BeginStop($null, $null)
            $stopped = $stop.AsyncWaitHandle.WaitOne(60000)
            $stopped | Should -BeTrue -Because 'a pipeline stop ends the capture well before its 10 minutes'
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally {
            # Disposing a pipeline that did not stop would wait for it: leave it to the process's end then.
            if ($stopped -or $handle.IsCompleted) { $ps.Dispose() }
        }
        { Import-WeChatCapture -LiteralPath $out -ErrorAction Stop | Out-Null } | Should -Not -Throw
    }
}

Describe 'Tables with Chinese names in the Windows console''s code page' {
    It 'keeps Chinese names and aligns the columns by console cells, with the console''s own code page' {
        # The console code page is Wine's for the Unix locale: 1252 here (the image has no zh_CN locale, so code page
        # 936 cannot be tried); what matters is that it is a Windows code page, not UTF-8, and the table survives it.
        $cp = [Console]::OutputEncoding.CodePage
        $cp | Should -Not -Be 65001
        $rows = '上海门店', 'depot' | ForEach-Object { [pscustomobject]@{ Site = $_; Region = 'Mainland'; Rtt = 42 } }
        $lines = @(($rows | Format-Table -AutoSize | Out-String -Width 120) -split "`r?`n")
        $shop = $lines | Where-Object { $_ -like '上海门店*' }
        $depot = $lines | Where-Object { $_ -like 'depot*' }
        $shop | Should -Not -BeNullOrEmpty
        $cells = { param($s) $n = 0; foreach ($c in $s.ToCharArray()) { $n += if ([int]$c -ge 0x2E80) { 2 } else { 1 } }; $n }
        & $cells $shop.Substring(0, $shop.IndexOf('Mainland')) | Should -Be (& $cells $depot.Substring(0, $depot.IndexOf('Mainland')))
    }
}
