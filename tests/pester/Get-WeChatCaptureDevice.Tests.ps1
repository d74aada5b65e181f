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
        $flagged = @($all | Where-Object IsDefault)
        $flagged.Count | Should -BeLessOrEqual 1
        $default = @(Get-WeChatCaptureDevice -Default)
        $default.Count | Should -BeLessOrEqual 1
        # Without a default route -Default falls back to an up, running device that is not the loopback (or none):
        # either way it never returns a device the list did not flag while another one is flagged.
        if ($flagged.Count -eq 1) { $default.Name | Should -Be $flagged[0].Name }
        else { $default | Where-Object IsLoopback | Should -BeNullOrEmpty }
    }

    It 'agrees with the routing table on Linux' {
        if (-not $IsLinux) { Set-ItResult -Skipped -Because 'it reads the Linux routing table (ip route)'; return }
        $route = (ip -4 route show default) -split '\n' | Select-Object -First 1
        $flagged = @(Get-WeChatCaptureDevice | Where-Object IsDefault)
        if ($route -match '\bdev (\S+)') {
            $flagged.Name | Should -Be $Matches[1]
            (Get-WeChatCaptureDevice -Default).Name | Should -Be $Matches[1]
        }
        else { $flagged | Should -BeNullOrEmpty -Because 'this machine has no IPv4 default route' }
    }

    # This machine's own routes are whatever they are; a namespace makes each case certain (root, iproute2).
    It 'flags the device of the default route, falls back without one, and has none with only the loopback (namespace)' {
        if (-not $IsLinux) { Set-ItResult -Skipped -Because 'it builds a Linux network namespace'; return }
        if (-not (Get-Command ip -ErrorAction SilentlyContinue)) { throw 'This test needs ip (apt-get install -y iproute2) and root.' }
        $ns = "wcndev$PID"
        # The module runs in a child pwsh placed in the namespace (the pwsh running this test, by its own path).
        $pwsh = if ([IO.Path]::GetFileNameWithoutExtension((Get-Process -Id $PID).Path) -eq 'dotnet') { (Get-Process -Id $PID).Path, (Join-Path $PSHOME 'pwsh.dll') } else { , (Get-Process -Id $PID).Path }
        function Get-InNamespace {
            $command = "Import-Module '$manifest'; [pscustomobject]@{ All = @(Get-WeChatCaptureDevice | Select-Object Name, IsDefault, IsLoopback, DefaultGateway); Default = @((Get-WeChatCaptureDevice -Default).Name) } | ConvertTo-Json -Depth 3"
            $json = ip netns exec $ns @pwsh -NoProfile -Command $command
            if ($LASTEXITCODE -ne 0) { throw "pwsh in namespace $ns failed: $json" }
            $json | ConvertFrom-Json
        }
        try {
            ip netns add $ns
            if ($LASTEXITCODE -ne 0) { throw "ip netns add $ns failed: this test needs root." }
            ip -n $ns link set lo up
            # A veth pair with both ends inside (this kernel has no dummy devices): two up, running devices.
            ip -n $ns link add wcnd0 type veth peer name wcnd1
            if ($LASTEXITCODE -ne 0) { throw "ip link add (veth) in $ns failed" }
            ip -n $ns addr add 198.18.250.2/24 dev wcnd0
            ip -n $ns addr add 198.18.251.2/24 dev wcnd1
            ip -n $ns link set wcnd0 up
            ip -n $ns link set wcnd1 up
            ip -n $ns route add default via 198.18.251.1 dev wcnd1

            $r = Get-InNamespace
            foreach ($name in 'lo', 'wcnd0', 'wcnd1') { @($r.All.Name) | Should -Contain $name -ErrorAction Stop }
            @($r.All | Where-Object IsDefault).Name | Should -Be 'wcnd1'
            ($r.All | Where-Object Name -eq 'wcnd1').DefaultGateway | Should -Be '198.18.251.1'
            $r.Default | Should -Be 'wcnd1'

            # No default route: nothing is flagged, -Default is an up non-loopback device with an address.
            ip -n $ns route del default
            $r = Get-InNamespace
            @($r.All | Where-Object IsDefault) | Should -BeNullOrEmpty
            $r.Default.Count | Should -Be 1
            $r.Default[0] | Should -BeIn 'wcnd0', 'wcnd1'

            # Only the loopback left: -Default returns nothing.
            ip -n $ns link del wcnd0   # and its peer wcnd1
            $r = Get-InNamespace
            @($r.All | Where-Object Name -like 'wcnd*') | Should -BeNullOrEmpty
            @($r.Default) | Should -BeNullOrEmpty
        }
        finally { ip netns delete $ns 2>$null }
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
            $e = { Get-WeChatCaptureDevice -ErrorAction Stop } | Should -Throw -ErrorId 'CaptureLibraryMissing*' -PassThru
            $e.Exception.Message | Should -Match 'Install|install'
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
