#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).
# Needs libpcap (Linux: libpcap0.8, macOS: built in) or Npcap (Windows).

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
}

Describe 'Get-WeChatCaptureDevice' {
    It 'lists the loopback interface with its address' {
        $lo = Get-WeChatCaptureDevice | Where-Object IsLoopback | Select-Object -First 1
        $lo | Should -Not -BeNullOrEmpty
        $lo | Should -BeOfType ([WeChatNet.CaptureDevice])
        $lo.IsUp | Should -BeTrue
        if (-not $IsWindows) { $lo.Addresses | Should -Contain '127.0.0.1/8' }
        $lo.IsDefault | Should -BeFalse
    }

    It 'marks at most one default device, the one -Default returns' {
        $all = Get-WeChatCaptureDevice
        @($all | Where-Object IsDefault).Count | Should -BeLessOrEqual 1
        $default = Get-WeChatCaptureDevice -Default
        @($default).Count | Should -BeLessOrEqual 1
        if ($all | Where-Object IsDefault) { $default.Name | Should -Be ($all | Where-Object IsDefault).Name }
    }

    It 'agrees with the routing table on Linux' {
        if (-not $IsLinux) { Set-ItResult -Skipped -Because 'it reads the Linux routing table (ip route)'; return }
        $route = (ip -4 route show default) -split '\n' | Select-Object -First 1
        if ($route -match '\bdev (\S+)') { (Get-WeChatCaptureDevice -Default).Name | Should -Be $Matches[1] }
    }

    It 'filters by name with wildcards and from the pipeline' {
        $lo = (Get-WeChatCaptureDevice | Where-Object IsLoopback | Select-Object -First 1).Name
        (Get-WeChatCaptureDevice $lo).Name | Should -Be $lo
        ($lo | Get-WeChatCaptureDevice).Name | Should -Be $lo
        ([pscustomobject]@{ Name = $lo } | Get-WeChatCaptureDevice).Name | Should -Be $lo
        Get-WeChatCaptureDevice 'wechatnet-no-such-*' | Should -BeNullOrEmpty
    }

    It 'finds Windows adapters by their friendly name' {
        if (-not $IsWindows) { Set-ItResult -Skipped -Because 'friendly adapter names ("Wi-Fi") exist only on Windows with Npcap; no Windows machine runs these tests'; return }
        $nic = Get-WeChatCaptureDevice | Where-Object { $_.FriendlyName -ne $_.Name } | Select-Object -First 1
        $nic | Should -Not -BeNullOrEmpty
        (Get-WeChatCaptureDevice $nic.FriendlyName).Name | Should -Be $nic.Name
    }

    It 'writes CaptureInterfaceNotFound for an unknown literal name and keeps going' {
        $lo = (Get-WeChatCaptureDevice | Where-Object IsLoopback | Select-Object -First 1).Name
        $found = Get-WeChatCaptureDevice 'wcnnosuch0', $lo -ErrorVariable err -ErrorAction SilentlyContinue
        $found.Name | Should -Be $lo
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CaptureInterfaceNotFound*'
    }

    It 'says how to install libpcap when the library is missing' {
        $saved = $env:WECHATNET_PCAP_LIBRARY
        try {
            $env:WECHATNET_PCAP_LIBRARY = Join-Path ([IO.Path]::GetTempPath()) 'wechatnet-no-such-libpcap.so.1'
            { Get-WeChatCaptureDevice -ErrorAction Stop } | Should -Throw -ErrorId 'CaptureLibraryMissing*'
            try { Get-WeChatCaptureDevice } catch { $_.Exception.Message | Should -Match 'Install|install' }
        } finally { $env:WECHATNET_PCAP_LIBRARY = $saved }
    }

    It 'completes interface names' {
        $lo = (Get-WeChatCaptureDevice | Where-Object IsLoopback | Select-Object -First 1).Name
        $line = "Start-WeChatCapture -Interface $($lo.Substring(0, 1))"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.ListItemText | Should -Contain $lo
    }

    It 'survives serialisation (remoting, Export-Clixml)' {
        $path = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-capturedevice-$PID.xml"
        try {
            Get-WeChatCaptureDevice | Where-Object IsLoopback | Select-Object -First 1 | Export-Clixml $path
            $back = Import-Clixml $path
            $back.IsLoopback | Should -BeTrue
            $back.Addresses.Count | Should -BeGreaterThan 0
        } finally { Remove-Item $path -ErrorAction SilentlyContinue }
    }

    It 'has a default table view' {
        (Get-FormatData -TypeName WeChatNet.CaptureDevice).FormatViewDefinition.Control |
            Should -BeOfType ([System.Management.Automation.TableControl])
    }
}
