# The Linux side of tests/pester/Get-WeChatRoute.Windows.Tests.ps1: real routers in network namespaces that the Windows
# pwsh under Wine (in the root namespace) reaches through a veth. Run as root on Linux before the Windows pwsh starts
# (build.ps1's Windows layer does, see docs/testing.md); returns Environment (for the Windows process: where the routers
# are) and Remove (a script block that deletes every namespace, veth and route it made; call it in a finally).
#
#   root (198.18.B.2) -- r1 -- r2 (silent: drops its time-exceeded) -- r3 -- server (198.18.B+3.2; .3 drops everything)
#
# B is the first block of four free /24s in 198.18.100.0-198.18.199.0 (two runs at once take different blocks); every
# name carries a per-run suffix.
[CmdletBinding()]
param()
$ErrorActionPreference = 'Stop'

if (-not $IsLinux) { throw "Get-WeChatRoute.Windows.Fixture.ps1 builds Linux network namespaces: run it on Linux (it ran on $([Environment]::OSVersion))." }
if ((id -u) -ne '0') { throw 'Get-WeChatRoute.Windows.Fixture.ps1 needs root (network namespaces, veths, routes in the root namespace).' }
foreach ($tool in 'ip', 'iptables', 'sysctl') {
    if (-not (Get-Command $tool -CommandType Application -ErrorAction Ignore)) { throw "Get-WeChatRoute.Windows.Fixture.ps1 needs '$tool' (Debian package $(if ($tool -eq 'sysctl') { 'procps' } else { $tool -replace '^ip$', 'iproute2' }))." }
}

function Invoke-Checked {
    $exe, $rest = $args
    $out = & $exe @rest 2>&1
    if ($LASTEXITCODE -ne 0) { throw "'$($args -join ' ')' failed ($LASTEXITCODE): $out" }
}

$suffix = 'w' + $PID.ToString('x') + (Get-Random -Maximum 0xfff).ToString('x')
$routes = (ip -4 route show) -join "`n"
$base = $null
foreach ($b in (100..196 | Where-Object { $_ % 4 -eq 0 })) {
    if (-not (0..3 | Where-Object { $routes -match "198\.18\.$($b + $_)\." })) { $base = $b; break }
}
if ($null -eq $base) { throw 'No free block of four /24s in 198.18.100.0-198.18.199.255: remove leftover routes (ip route | grep 198.18.).' }
$net = 0..3 | ForEach-Object { "198.18.$($base + $_)" }
$ns = 'r1', 'r2', 'r3', 's' | ForEach-Object { "wcn$suffix$_" }
$hostVeth = "wcn$suffix"
$created = [System.Collections.Generic.List[string]]::new()

$remove = {
    # The host's veth first (its routes go with it, at once); deleting a namespace deletes its veths too, but the
    # kernel finishes that in the background.
    ip link delete $hostVeth 2>$null
    foreach ($n in $ns) { ip netns delete $n 2>$null }
}.GetNewClosure()

try {
    foreach ($n in $ns) { Invoke-Checked ip netns add $n; $created.Add($n); Invoke-Checked ip netns exec $n ip link set lo up }
    Invoke-Checked ip link add $hostVeth type veth peer name a0 netns $ns[0]
    Invoke-Checked ip addr add "$($net[0]).2/24" dev $hostVeth
    Invoke-Checked ip link set $hostVeth up
    function Link($a, $ai, $aaddr, $b, $bi, $baddr) {
        Invoke-Checked ip link add $ai netns $a type veth peer name $bi netns $b
        Invoke-Checked ip netns exec $a ip addr add $aaddr dev $ai; Invoke-Checked ip netns exec $a ip link set $ai up
        Invoke-Checked ip netns exec $b ip addr add $baddr dev $bi; Invoke-Checked ip netns exec $b ip link set $bi up
    }
    Invoke-Checked ip netns exec $ns[0] ip addr add "$($net[0]).1/24" dev a0
    Invoke-Checked ip netns exec $ns[0] ip link set a0 up
    Link $ns[0] b0 "$($net[1]).1/24" $ns[1] a0 "$($net[1]).2/24"
    Link $ns[1] b0 "$($net[2]).1/24" $ns[2] a0 "$($net[2]).2/24"
    Link $ns[2] b0 "$($net[3]).1/24" $ns[3] s0 "$($net[3]).2/24"
    Invoke-Checked ip netns exec $ns[3] ip addr add "$($net[3]).3/24" dev s0
    foreach ($r in $ns[0..2]) { Invoke-Checked ip netns exec $r sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0 net.ipv4.conf.all.rp_filter=0 }
    Invoke-Checked ip netns exec $ns[3] sysctl -q -w net.ipv4.icmp_ratelimit=0
    Invoke-Checked ip netns exec $ns[0] ip route add default via "$($net[1]).2"
    Invoke-Checked ip netns exec $ns[1] ip route add default via "$($net[2]).2"
    Invoke-Checked ip netns exec $ns[1] ip route add "$($net[0]).0/24" via "$($net[1]).1"
    Invoke-Checked ip netns exec $ns[2] ip route add default via "$($net[2]).1"
    Invoke-Checked ip netns exec $ns[3] ip route add default via "$($net[3]).1"
    # r2 is a router that forwards but never says so (its time-exceeded dropped): a silent hop.
    Invoke-Checked ip netns exec $ns[1] iptables -A OUTPUT -p icmp --icmp-type time-exceeded -j DROP
    # The server's second address answers nothing: a target that never replies (for cancellation).
    Invoke-Checked ip netns exec $ns[3] iptables -A INPUT -d "$($net[3]).3" -j DROP
    foreach ($i in 1..3) { Invoke-Checked ip route add "$($net[$i]).0/24" via "$($net[0]).1" dev $hostVeth }
    # The path works before any Windows process looks at it.
    $ping = ping -c 1 -W 5 "$($net[3]).2" 2>&1
    if ($LASTEXITCODE -ne 0) { throw "The test routers do not forward to $($net[3]).2: $ping" }
}
catch {
    & $remove
    throw
}

[pscustomobject]@{
    Environment = @{
        # Hop by hop: what the Windows side must see (the silent r2 as no reply).
        WECHATNET_TEST_ROUTE = (@{
            Hops = @("$($net[0]).1", "$($net[1]).2", "$($net[2]).2", "$($net[3]).2")
            SilentHop = 2
            Target = "$($net[3]).2"
            SilentTarget = "$($net[3]).3"
        } | ConvertTo-Json -Compress)
    }
    Remove = $remove
    Namespaces = $ns
}
