#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).
# The tracing tests need root (raw sockets, network namespaces) and iproute2; they build their own routers with
# addresses from 198.18.0.0/15 and talk to nothing else.

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force

    # client -- r1 -- r2 -- server, 198.18.241.0/24 .. 198.18.243.0/24; r2 drops its time-exceeded (a silent hop).
    function New-TestPath {
        $script:suffix = "pst$PID"
        $script:ns = 'c', 'r1', 'r2', 's' | ForEach-Object { "wcn$suffix$_" }
        foreach ($n in $ns) { ip netns add $n; ip netns exec $n ip link set lo up }
        function Link($a, $ai, $aaddr, $b, $bi, $baddr) {
            ip link add $ai netns $a type veth peer name $bi netns $b
            ip netns exec $a ip addr add $aaddr dev $ai; ip netns exec $a ip link set $ai up
            ip netns exec $b ip addr add $baddr dev $bi; ip netns exec $b ip link set $bi up
        }
        Link $ns[0] c0 198.18.241.2/24 $ns[1] a0 198.18.241.1/24
        Link $ns[1] b0 198.18.242.1/24 $ns[2] a0 198.18.242.2/24
        Link $ns[2] b0 198.18.243.1/24 $ns[3] s0 198.18.243.2/24
        foreach ($r in $ns[1], $ns[2]) { ip netns exec $r sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0 }
        ip netns exec $ns[0] ip route add default via 198.18.241.1
        ip netns exec $ns[1] ip route add default via 198.18.242.2
        ip netns exec $ns[2] ip route add 198.18.241.0/24 via 198.18.242.1
        ip netns exec $ns[3] ip route add default via 198.18.243.1
        ip netns exec $ns[2] iptables -A OUTPUT -p icmp --icmp-type time-exceeded -j DROP
    }
    function Remove-TestPath { foreach ($n in $script:ns) { ip netns delete $n 2>$null } }
    # The module runs in a child pwsh placed in the client namespace.
    function Invoke-InClient([string] $command) {
        $json = ip netns exec $script:ns[0] pwsh -NoProfile -Command "Import-Module '$manifest'; $command | ConvertTo-Json -Depth 3"
        if ($LASTEXITCODE -ne 0) { throw "pwsh in the client namespace failed: $json" }
        @($json | ConvertFrom-Json)
    }
}

Describe 'Get-WeChatRoute' {
    It 'has a default table view' {
        (Get-FormatData -TypeName WeChatNet.RouteHop).FormatViewDefinition.Control |
            Should -BeOfType ([System.Management.Automation.TableControl])
    }

    It 'declares its parameters and rejects values out of range' {
        $cmd = Get-Command Get-WeChatRoute
        $cmd.OutputType.Name | Should -Contain 'WeChatNet.RouteHop'
        'Target', 'Protocol', 'Port', 'MaxHops', 'Count', 'Timeout', 'Interval', 'ResolveNames', 'IPv6' |
            ForEach-Object { $cmd.Parameters.Keys | Should -Contain $_ }
        { Get-WeChatRoute 198.18.0.1 -MaxHops 0 } | Should -Throw
        { Get-WeChatRoute 198.18.0.1 -Protocol Sctp } | Should -Throw
        { Get-WeChatRoute 198.18.0.1 -Timeout 61 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'takes -Timeout and -Interval as durations; the pre-1.0 -TimeoutMs and -IntervalMs are gone (1.0 decision, CHANGELOG.md)' {
        $cmd = Get-Command Get-WeChatRoute
        $cmd.Parameters['Timeout'].ParameterType | Should -Be ([TimeSpan])
        $cmd.Parameters['Interval'].ParameterType | Should -Be ([TimeSpan])
        { Get-WeChatRoute 127.0.0.1 -MaxHops 1 -Count 1 -TimeoutMs 300 } | Should -Throw -ErrorId 'NamedParameterNotFound*'
        { Get-WeChatRoute 127.0.0.1 -MaxHops 1 -Count 1 -IntervalMs 20 } | Should -Throw -ErrorId 'NamedParameterNotFound*'
    }

    It 'shows every column of its table in a 120-column console, down to Step and Note' {
        # PowerShell leaves out the columns of a fixed-width table that do not fit: StDev, Step (the '>' of the biggest
        # step, Example 1) and Note (the reading of the path) went missing at 120 columns.
        $hops = 1..3 | ForEach-Object {
            $h = [WeChatNet.RouteHop]::new()
            $h.Target = 'long.weixin.qq.com'; $h.TargetAddress = '198.18.243.2'; $h.Protocol = 'Icmp'; $h.Hop = $_
            $h.Address = "198.18.24$_.1"; $h.Addresses = @($h.Address); $h.Region = 'Special'; $h.Sent = 3; $h.Received = 3
            $h.BestMs = 10 * $_; $h.AvgMs = 10 * $_; $h.WorstMs = 10 * $_; $h.LastMs = 10 * $_; $h.StDevMs = 0; $h.StepMs = 10
            $h.Reply = 'TimeExceeded'
            $h
        }
        $hops[2].IsBiggestStep = $true; $hops[2].StepMs = 150; $hops[2].Note = 'Biggest latency step on the path: +150 ms (best RTT) over the hop before.'
        $labels = (Get-FormatData -TypeName WeChatNet.RouteHop).FormatViewDefinition[0].Control.Headers.Label
        $labels | Should -Contain 'Note'
        $text = ($hops | Format-Table | Out-String -Width 120) -split "`r?`n"
        ($text | Where-Object { $_ -match '^Hop\b' }) | Should -Match ('^' + (($labels | ForEach-Object { [regex]::Escape($_) }) -join '\s+') + '$')
        ($text | Where-Object { $_ -match '^\s*3 ' }) | Should -Match '>\+150\.0 Biggest latency'
    }

    It 'says which target each trace in a table went to' {
        # Several targets from the pipeline made one table of hops 1..n, 1..m with nothing to tell the traces apart.
        $hops = foreach ($t in @(@('long.weixin.qq.com', '198.18.243.2'), @('198.18.244.2', '198.18.244.2'))) {
            foreach ($n in 1, 2) {
                $h = [WeChatNet.RouteHop]::new()
                $h.Target = $t[0]; $h.TargetAddress = $t[1]; $h.Protocol = 'Tcp'; $h.Port = 8080; $h.Hop = $n; $h.Sent = 1; $h.Received = 1
                $h.Address = if ($n -eq 2) { $t[1] } else { '198.18.241.1' }; $h.Addresses = @($h.Address); $h.BestMs = $n; $h.AvgMs = $n
                $h
            }
        }
        $text = ($hops | Format-Table | Out-String -Width 120) -split "`r?`n"
        @($text | Where-Object { $_ -match '^\s*Target: ' }) | Should -Be @(
            '   Target: long.weixin.qq.com (198.18.243.2), Tcp port 8080', '   Target: 198.18.244.2, Tcp port 8080')
    }

    It 'writes RouteTargetNotResolved for a piped answer without addresses, without resolving its name again' {
        $nx = [WeChatNet.DnsAnswer]::new('nx.weixin.qq.com', 'A', '127.0.0.1:53', 'Custom', 'Dns', 'Udp', 'NxDomain', [string[]]@(),
            [string[]]@(), [string[]]@(), -1, 1.0, '', -1, 'NXDomain', 1, 0, '')
        $null = $nx | Get-WeChatRoute -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RouteTargetNotResolved*'
        $err[0].Exception.Message | Should -BeLike "*piped answer for 'nx.weixin.qq.com' has no address*"
    }

    It 'completes WeChat host names for -Target' {
        $completion = TabExpansion2 -inputScript 'Get-WeChatRoute szlo' -cursorColumn 20
        $completion.CompletionMatches.CompletionText | Should -Contain 'szlong.weixin.qq.com'
    }

    It 'writes RouteTargetNoAddress for an IPv4 literal traced with -IPv6 (no DNS query is made)' {
        $null = Get-WeChatRoute 198.18.0.1 -IPv6 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RouteTargetNoAddress*'
    }

    It 'writes RouteTargetNotResolved for a malformed name without asking a resolver' {
        $null = Get-WeChatRoute 'not valid name!' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RouteTargetNotResolved*'
        $err[0].Exception.Message | Should -BeLike "'not valid name!' is neither an IP address nor a host name: *"
    }

    Context 'through real routers (root)' {
        BeforeAll { New-TestPath }
        AfterAll { Remove-TestPath }

        # -Timeout 5s where the timeout is not what is tested: the answering hops reply at once, and the silent one waits
        # only ten times the later hops' round trip (the near rule), so it costs nothing; with 800 ms a loaded machine
        # could turn a late reply into a lost probe and break the exact counts.
        It 'reports every hop, the silent one as no reply, and reaches the target over <_>' -ForEach 'Icmp', 'Udp', 'Tcp' {
            $hops = Invoke-InClient "Get-WeChatRoute 198.18.243.2 -Protocol $_ -Timeout 5s"
            $hops.Hop | Should -Be @(1, 2, 3)
            $hops[0].Address | Should -Be '198.18.241.1'
            $hops[1].Received | Should -Be 0
            $hops[1].Note | Should -BeLike '*later hops answer*'
            $hops[2].Address | Should -Be '198.18.243.2'
            $hops[2].IsDestination | Should -BeTrue
            $hops[2].Sent | Should -Be 3
        }

        It 'traces a piped DNS answer to the address it carries, not to what the system resolver says' {
            # Resolve-WeChatDomain long.weixin.qq.com -Server S | Get-WeChatRoute asked the system resolver for the name again.
            $answer = "[WeChatNet.DnsAnswer]::new('long.weixin.qq.com', 'A', '127.0.0.1:53', 'Custom', 'Dns', 'Udp', 'Ok', [string[]]@(), " +
                "[string[]]@('198.18.243.2'), [string[]]@('198.18.243.2'), 300, 1.0, '', -1, 'NoError', 1, 0, '')"
            $hops = Invoke-InClient "$answer | Get-WeChatRoute -Timeout 5s"
            $hops[-1].Target | Should -Be 'long.weixin.qq.com'
            $hops[-1].TargetAddress | Should -Be '198.18.243.2'
            $hops[-1].IsDestination | Should -BeTrue
        }

        It 'tells an open TCP port from a closed one' {
            $closed = Invoke-InClient "Get-WeChatRoute 198.18.243.2 -Protocol Tcp -Port 8081 -Timeout 5"
            $closed[-1].Reply | Should -Be 'TcpReset'
            $closed[-1].IsDestination | Should -BeTrue
        }

        It 'survives serialisation (remoting, Export-Clixml)' {
            $hops = Invoke-InClient "Get-WeChatRoute 198.18.243.2 -Timeout 5s"
            $hops[-1].TargetAddress | Should -Be '198.18.243.2'
            $hops[-1].Addresses | Should -Be @('198.18.243.2')
        }

        It 'stops with RouteNeedsPrivilege, and says what to do, without raw sockets' {
            # The command goes through bash (capsh -c): pass it encoded, so bash expands nothing in it (it used to turn $_ into its own).
            $command = "Import-Module '$manifest'; try { Get-WeChatRoute 198.18.243.2 } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }"
            $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($command))
            # The PowerShell running this test (the repo's tool, which may not be on PATH as pwsh).
            $pwsh = "dotnet '$(Join-Path $PSHOME 'pwsh.dll')'"
            $out = ip netns exec $script:ns[0] capsh --drop=cap_net_raw -- -c "$pwsh -NoProfile -EncodedCommand $encoded"
            ($out -join "`n") | Should -BeLike '*RouteNeedsPrivilege*setcap cap_net_raw+ep*'
        }
    }
}
