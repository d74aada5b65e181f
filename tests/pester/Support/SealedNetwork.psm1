# A sealed network for tests that name public addresses: network namespaces with no link to the host and no route
# out, where stand-ins hold the addresses and names WeChatNet's presets and examples use. Nothing can leave it, so
# documentation examples and runbooks run there unchanged.
#
#   client (pwsh runs here; resolv.conf: 114.114.114.114)
#     c0 198.18.100.2 ── r1 ── r2 ── world 198.18.102.2 (+ fd00:5ea1:N::/64 on each link)
#   world: its loopback holds every stand-in address (no dummy module on our kernels), and the servers:
#     Knot "mainland view" on 114.114.114.114, 223.5.5.5, 119.29.29.29, 1.12.12.12, 10.1.0.53, 192.0.2.53 (port 53)
#     Knot "overseas view" on 8.8.8.8, 1.1.1.1, 9.9.9.9, 10.2.0.53 (port 53)
#     Knot "broken view" on 10.9.0.53: the mainland view, but the short link at 109.244.217.99 where nothing listens
#     198.51.100.0/24 routed into the world and dropped there (blackhole): a target that never answers
#     Unbound DoH (HTTP/2, 443) as doh.pub 1.12.12.12 and dns.alidns.com 223.5.5.5 (mainland view), dns.google
#       8.8.8.8 and cloudflare-dns.com 1.1.1.1 (overseas view): a certificate from the network's own CA, trusted
#       through SSL_CERT_FILE in the client only; resolver.corp.example 10.3.0.53 with a second CA (CorpCaPath),
#       trusted by no one unless given
#     TCP 80/443/8080 on the WeChat stand-ins (HTTP answers: the dispatch document for newgetdns)
#   Traces from the client see r1, r2 and then the world.
#
# Interface (kept stable for other suites, issue 16 reuses it):
#   $net = New-SealedNetwork -Name docs [-Pwsh <path>]   builds it (throws naming what is missing; cleans up on failure)
#   Test-SealedNetwork $net                             the routes or links that would leave the sealed world (none)
#   Invoke-SealedPwsh $net -Command '...' [-WorkingDirectory d] [-Environment @{}] [-TimeoutSec n]
#                                                       pwsh in the client namespace: ExitCode, StdOut, StdErr
#   Invoke-SealedCommand $net -Namespace world -Command iptables, ...   a command in one of its namespaces
#   Start-SealedService $net -Listen 127.0.0.1:8080 -Namespace client   more stand-in HTTP/TCP servers
#   Start-SealedDaemon $net -Namespace world -Name sshd -Command /usr/sbin/sshd, -D, ...   any daemon, killed on removal
#   Remove-SealedNetwork $net                           kills its processes, deletes namespaces and files
#   $net.Addresses    the stand-in addresses by role (MainlandLongLink, OverseasLongLink, Dispatch, ...)
#   $net.Namespaces   client, r1, r2, world (names)   $net.CaPath, $net.CorpCaPath, $net.Dir
Set-StrictMode -Version Latest

$script:Addresses = [ordered]@{
    MainlandResolvers = @('114.114.114.114', '223.5.5.5', '119.29.29.29', '1.12.12.12', '10.1.0.53', '192.0.2.53')
    OverseasResolvers = @('8.8.8.8', '1.1.1.1', '9.9.9.9', '10.2.0.53')
    MainlandLongLink  = @('183.3.224.139', '101.226.211.105')
    MainlandShortLink = @('109.244.217.11')
    MainlandOther     = @('101.226.76.164')
    Dispatch          = @('101.227.131.100')
    OverseasLongLink  = @('43.130.30.240', '129.226.107.244')
    OverseasOther     = @('162.62.115.25')
    OverseasLongLink6 = @('2402:4e00:8000::1')
    LabTarget         = @('203.0.113.80')
    CorpResolver      = @('10.3.0.53')
    # A site resolver that sends the short link to a dead address (nothing listens there: connects are refused).
    BrokenResolvers   = @('10.9.0.53')
    DeadShortLink     = @('109.244.217.99')
}
# Routed into the world and dropped there without a word (blackhole route): a target that never answers.
$script:Blackhole = '198.51.100.0/24'
$script:DohNames = [ordered]@{
    'doh.pub' = '1.12.12.12'; 'dns.alidns.com' = '223.5.5.5'; 'dns.google' = '8.8.8.8'; 'cloudflare-dns.com' = '1.1.1.1'
    'resolver.corp.example' = '10.3.0.53'
}

function Get-PwshCommand {
    # The pwsh this process runs on: an installed pwsh, or dotnet + pwsh.dll of the repository's tool manifest.
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') { @($process, (Join-Path $PSHOME 'pwsh.dll')) } else { @($process) }
}

function Find-Tool([string] $name, [string] $package) {
    $c = Get-Command $name -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if (-not $c) {
        foreach ($dir in '/usr/sbin', '/sbin', '/usr/bin') { if (Test-Path "$dir/$name") { return "$dir/$name" } }
        throw "The sealed network needs '$name', which is not installed: apt-get install -y $package (.ci/run installs it)."
    }
    $c.Source
}

function Invoke-Native {
    param([string] $File, [string[]] $Arguments, [switch] $AllowFailure)
    $out = & $File @Arguments 2>&1
    if ($LASTEXITCODE -ne 0 -and -not $AllowFailure) { throw "$File $($Arguments -join ' ') failed ($LASTEXITCODE): $($out -join "`n")" }
    $out | ForEach-Object { "$_" }
}

function Invoke-SealedCommand {
    <# A command inside one of the network's namespaces (client, r1, r2, world); throws with its output if it fails. #>
    param([Parameter(Mandatory)] $Network, [Parameter(Mandatory)] [string] $Namespace,
        [Parameter(Mandatory)] [string[]] $Command, [switch] $AllowFailure)
    if (-not $Network.Namespaces.Contains($Namespace)) { throw "Sealed network $($Network.Name) has no namespace '$Namespace' (it has $($Network.Namespaces.Keys -join ', '))." }
    Invoke-Native $Network.Ip (@('netns', 'exec', $Network.Namespaces[$Namespace]) + $Command) -AllowFailure:$AllowFailure
}

function Start-SealedDaemon {
    <# A long-running program in one namespace of the network (output to <Dir>/<Name>.log), killed by Remove-SealedNetwork. #>
    param([Parameter(Mandatory)] $Network, [Parameter(Mandatory)] [string] $Namespace, [Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [string[]] $Command)
    if (-not $Network.Namespaces.Contains($Namespace)) { throw "Sealed network $($Network.Name) has no namespace '$Namespace'." }
    $log = Join-Path $Network.Dir "$Name.log"
    $psi = [Diagnostics.ProcessStartInfo]::new('/bin/sh')
    # exec: the process we keep is the daemon itself (ip netns exec execs too), so its id is what we kill.
    $quoted = (@($Network.Ip, 'netns', 'exec', $Network.Namespaces[$Namespace]) + $Command | ForEach-Object { "'" + ($_ -replace "'", "'\''") + "'" }) -join ' '
    $psi.ArgumentList.Add('-c'); $psi.ArgumentList.Add("exec $quoted >'$log' 2>&1 </dev/null")
    $psi.UseShellExecute = $false
    $p = [Diagnostics.Process]::Start($psi)
    $Network.Processes.Add([pscustomobject]@{ Name = $Name; Process = $p; Log = $log })
}

function Wait-SealedListen {
    param($Network, [string[]] $Endpoint, [int] $TimeoutSec = 20, [string] $Namespace = 'world')
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ($true) {
        $listening = (Invoke-SealedCommand $Network $Namespace 'ss', '-Hlnt' -AllowFailure) -join "`n"
        $missing = @($Endpoint | Where-Object { $listening -notmatch ('\s' + [regex]::Escape($_) + '\s') })
        if (-not $missing) { return }
        $dead = @($Network.Processes | Where-Object { $_.Process.HasExited })
        if ($dead -or [DateTime]::UtcNow -gt $deadline) {
            $logs = ($Network.Processes | ForEach-Object { "--- $($_.Name) (exited: $($_.Process.HasExited))`n" + (Get-Content -Raw $_.Log -ErrorAction Ignore) }) -join "`n"
            throw "Sealed network $($Network.Name): not listening on $($missing -join ', ')`n$logs"
        }
        Start-Sleep -Milliseconds 100
    }
}

function Request-SealedWarmup {
    # One HTTP request to a fresh stand-in server, so its first real client does not wait for the script to compile
    # (seconds on a loaded machine, longer than a short -Timeout in an example).
    param($Network, [string] $Namespace, [string] $Endpoint)
    $ep = [System.Net.IPEndPoint]::Parse($Endpoint)
    $script = "exec 3<>/dev/tcp/$($ep.Address)/$($ep.Port); printf 'GET /cgi-bin/micromsg-bin/newgetdns HTTP/1.0\r\nHost: warmup\r\n\r\n' >&3; cat <&3"
    $answer = (Invoke-SealedCommand $Network $Namespace 'timeout', '60', 'bash', '-c', $script -AllowFailure) -join "`n"
    if ($answer -notmatch '<dns>') { throw "Sealed network $($Network.Name): the stand-in at $Endpoint ($Namespace) gave no dispatch answer: $answer" }
}

function New-ZoneText {
    # One root zone per view: every catalog name (wildcards left out) with the view's stand-in addresses.
    param([ValidateSet('Mainland', 'Overseas', 'Broken')] [string] $View, [object[]] $Endpoints)
    $a = $script:Addresses
    $lines = [Collections.Generic.List[string]]::new()
    $lines.Add('$TTL 300')
    $lines.Add('. SOA ns.sealed. admin.sealed. 1 3600 600 86400 60')
    $lines.Add('. NS ns.sealed.')
    $lines.Add('ns.sealed. A 198.18.102.2')
    foreach ($n in $script:DohNames.Keys) { $lines.Add("$n. A $($script:DohNames[$n])") }
    foreach ($e in $Endpoints) {
        if ($e.Name -like '*`**') { continue }
        $addresses = if ($e.Role -eq 'Dispatch') { $a.Dispatch }
        elseif ($e.Family -eq 'WeChat' -or $View -eq 'Overseas') {
            if ($e.Role -eq 'LongLink') { $a.OverseasLongLink } else { $a.OverseasOther }
        }
        else {
            $short = if ($View -eq 'Broken') { $a.DeadShortLink } else { $a.MainlandShortLink }
            switch ($e.Role) { 'LongLink' { $a.MainlandLongLink } { $_ -in 'ShortLink', 'Payment' } { $short } default { $a.MainlandOther } }
        }
        foreach ($ip in @($addresses)) { $lines.Add("$($e.Name). A $ip") }
        if ($e.Family -eq 'WeChat' -and $e.Role -eq 'LongLink') { $lines.Add("$($e.Name). AAAA $($a.OverseasLongLink6[0])") }
    }
    ($lines | Select-Object -Unique) -join "`n"
}

function New-DispatchXml {
    $a = $script:Addresses
    $ml = ($a.MainlandLongLink | ForEach-Object { "<ip>$_</ip>" }) -join ''
    $ms = ($a.MainlandShortLink | ForEach-Object { "<ip>$_</ip>" }) -join ''
    $ol = ($a.OverseasLongLink | ForEach-Object { "<ip>$_</ip>" }) -join ''
    @"
<?xml version="1.0" encoding="utf-8"?>
<dns><retcode>0</retcode><clientip>198.18.100.2</clientip><clientispid>4</clientispid><timestamp>1763776800</timestamp>
<domainlist><domain name="long.weixin.qq.com" timeout="600">$ml</domain>
<domain name="szlong.weixin.qq.com" timeout="600">$ml</domain>
<domain name="short.weixin.qq.com" timeout="600">$ms</domain>
<domain name="szshort.weixin.qq.com" timeout="600">$ms</domain>
<domain name="dns.weixin.qq.com" timeout="600"><ip>$($a.Dispatch[0])</ip></domain>
<domain name="sglong.wechat.com" timeout="600">$ol</domain>
<domain name="mmsns.qpic.cn" timeout="300"><ip property="major">$($a.MainlandOther[0])</ip></domain></domainlist>
<builtiniplist><ip>$($a.MainlandLongLink[0])</ip></builtiniplist></dns>
"@
}

function New-Certificate {
    param($Network, [string] $Name, [string] $CaName, [string[]] $DnsNames)
    $d = $Network.Dir
    $ossl = $Network.OpenSsl
    Invoke-Native $ossl @('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', "$d/$Name-ca.key", '-out', "$d/$Name-ca.pem",
        '-days', '2', '-subj', "/CN=$CaName", '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign') | Out-Null
    $san = ($DnsNames | ForEach-Object { "DNS:$_" }) -join ','
    Invoke-Native $ossl @('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', "$d/$Name.key", '-out', "$d/$Name.csr",
        '-subj', "/CN=$($DnsNames[0])", '-addext', "subjectAltName=$san") | Out-Null
    Invoke-Native $ossl @('x509', '-req', '-in', "$d/$Name.csr", '-CA', "$d/$Name-ca.pem", '-CAkey', "$d/$Name-ca.key", '-CAcreateserial',
        '-out', "$d/$Name.pem", '-days', '2', '-copy_extensions', 'copy') | Out-Null
    "$d/$Name-ca.pem"
}

function New-SealedNetwork {
    <#
    .SYNOPSIS
        Builds the sealed network (namespaces, routers, stand-in servers) and returns its handle.
    .PARAMETER Name
        Names the namespaces and the temp folder after the test (with a per-run suffix).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [ValidatePattern('^[a-z0-9]{1,12}$')] [string] $Name)
    if (-not $IsLinux) { throw 'The sealed network needs Linux network namespaces.' }
    if ((Invoke-Native 'id' @('-u')) -ne '0') { throw 'The sealed network needs root (CAP_SYS_ADMIN) for network namespaces: run the tests as root.' }
    $suffix = '{0:x}{1:x4}' -f $PID, (Get-Random -Maximum 65536)
    $net = [pscustomobject]@{
        PSTypeName = 'WeChatNet.Tests.SealedNetwork'
        Name       = "wcs-$Name-$suffix"
        Namespaces = [ordered]@{}
        Dir        = Join-Path ([IO.Path]::GetTempPath()) "wcs-$Name-$suffix"
        Processes  = [Collections.Generic.List[object]]::new()
        Addresses  = $script:Addresses
        Blackhole  = $script:Blackhole
        DohNames   = $script:DohNames
        Ip         = Find-Tool 'ip' 'iproute2'
        OpenSsl    = Find-Tool 'openssl' 'openssl'
        CaPath     = $null
        CorpCaPath = $null
        DispatchXml = New-DispatchXml
        EtcNetns   = $null
        Pwsh       = @(Get-PwshCommand)
    }
    $knotd = Find-Tool 'knotd' 'knot'
    $unbound = Find-Tool 'unbound' 'unbound'
    $null = Find-Tool 'ss' 'iproute2'
    try {
        $null = New-Item -ItemType Directory -Path $net.Dir -Force
        foreach ($role in 'client', 'r1', 'r2', 'world') {
            $ns = "$($net.Name)-$role"
            Invoke-Native $net.Ip @('netns', 'add', $ns) | Out-Null
            $net.Namespaces[$role] = $ns
            Invoke-SealedCommand $net $role 'ip', 'link', 'set', 'lo', 'up' | Out-Null
            foreach ($s in 'net.ipv4.icmp_ratelimit=0', 'net.ipv6.icmp.ratelimit=0', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1') {
                Invoke-SealedCommand $net $role 'sysctl', '-q', '-w', $s | Out-Null
            }
        }
        # Links inside the sealed world only: client-r1 (100), r1-r2 (101), r2-world (102).
        $links = @(@('client', 'r1', 100), @('r1', 'r2', 101), @('r2', 'world', 102))
        foreach ($l in $links) {
            $a, $b, $n = $l
            Invoke-Native $net.Ip @('link', 'add', "s$n", 'netns', $net.Namespaces[$a], 'type', 'veth', 'peer', 'name', "s${n}p", 'netns', $net.Namespaces[$b]) | Out-Null
            Invoke-SealedCommand $net $a 'ip', 'addr', 'add', "198.18.$n.$(if ($a -eq 'client') { 2 } else { 1 })/24", 'dev', "s$n" | Out-Null
            Invoke-SealedCommand $net $b 'ip', 'addr', 'add', "198.18.$n.$(if ($a -eq 'client') { 1 } else { 2 })/24", 'dev', "s${n}p" | Out-Null
            Invoke-SealedCommand $net $a 'ip', '-6', 'addr', 'add', "fd00:5ea1:$n::$(if ($a -eq 'client') { 2 } else { 1 })/64", 'dev', "s$n", 'nodad' | Out-Null
            Invoke-SealedCommand $net $b 'ip', '-6', 'addr', 'add', "fd00:5ea1:$n::$(if ($a -eq 'client') { 1 } else { 2 })/64", 'dev', "s${n}p", 'nodad' | Out-Null
            Invoke-SealedCommand $net $a 'ip', 'link', 'set', "s$n", 'up' | Out-Null
            Invoke-SealedCommand $net $b 'ip', 'link', 'set', "s${n}p", 'up' | Out-Null
        }
        # client: 198.18.100.2, r1: .100.1/.101.1, r2: .101.2/.102.1, world: .102.2
        $routes = @(
            @('client', 'default', 'via', '198.18.100.1'), @('client', '-6', 'default', 'via', 'fd00:5ea1:100::1'),
            @('r1', 'default', 'via', '198.18.101.2'), @('r1', '-6', 'default', 'via', 'fd00:5ea1:101::2'),
            @('r2', '198.18.100.0/24', 'via', '198.18.101.1'), @('r2', '-6', 'fd00:5ea1:100::/64', 'via', 'fd00:5ea1:101::1'),
            @('r2', 'default', 'via', '198.18.102.2'), @('r2', '-6', 'default', 'via', 'fd00:5ea1:102::2'),
            @('world', '198.18.100.0/23', 'via', '198.18.102.1'), @('world', '-6', 'fd00:5ea1::/32', 'via', 'fd00:5ea1:102::1'))
        foreach ($r in $routes) {
            $ns = $r[0]; $rest = @($r | Select-Object -Skip 1)
            $cmd = if ($rest[0] -eq '-6') { @('ip', '-6', 'route', 'add') + @($rest | Select-Object -Skip 1) } else { @('ip', 'route', 'add') + $rest }
            Invoke-SealedCommand $net $ns $cmd | Out-Null
        }
        # The stand-in addresses, on the world's loopback (this kernel has no dummy interfaces; lo of a namespace
        # serves the same: local addresses only the sealed world routes to).
        $all = @($script:Addresses.Values | ForEach-Object { $_ }) | Select-Object -Unique
        foreach ($ip in $all) {
            if ($ip -like '*:*') { Invoke-SealedCommand $net world 'ip', '-6', 'addr', 'add', "$ip/128", 'dev', 'lo', 'nodad' | Out-Null }
            else { Invoke-SealedCommand $net world 'ip', 'addr', 'add', "$ip/32", 'dev', 'lo' | Out-Null }
        }
        Invoke-SealedCommand $net world 'ip', 'route', 'add', 'blackhole', $script:Blackhole | Out-Null
        # The client's own resolver (resolv.conf is bind-mounted by ip netns exec from /etc/netns/<name>/).
        $net.EtcNetns = "/etc/netns/$($net.Namespaces.client)"
        $null = New-Item -ItemType Directory -Force $net.EtcNetns
        Set-Content -Path (Join-Path $net.EtcNetns 'resolv.conf') -Value "nameserver $($script:Addresses.MainlandResolvers[0])"
        $problems = @(Test-SealedNetwork $net)
        if ($problems) { throw "Sealed network $($net.Name) is not sealed:`n$($problems -join "`n")" }

        # Zones from the module's own catalog (the module is loaded by the test that builds the network).
        $endpoints = @(Get-WeChatEndpoint)
        $listen = [Collections.Generic.List[string]]::new()
        foreach ($view in 'Mainland', 'Overseas', 'Broken') {
            $dir = Join-Path $net.Dir "knot-$view"
            $null = New-Item -ItemType Directory -Force $dir
            Set-Content -Path (Join-Path $dir 'root.zone') -Value (New-ZoneText -View $view -Endpoints $endpoints)
            $addrs = $script:Addresses["${view}Resolvers"]
            Set-Content -Path (Join-Path $dir 'knot.conf') -Value @"
server:
    rundir: "$dir"
    listen: [ $(($addrs | ForEach-Object { "$_@53" }) -join ', ') ]
    edns-client-subnet: on
database:
    storage: "$dir"
log:
  - target: stderr
    any: warning
zone:
  - domain: .
    storage: "$dir"
    file: "root.zone"
"@
            Start-SealedDaemon $net world "knot-$view" @($knotd, '-c', (Join-Path $dir 'knot.conf'))
            $addrs | ForEach-Object { $listen.Add("${_}:53") }
        }
        # DoH: one certificate for the public DoH names (its CA trusted in the client through SSL_CERT_FILE), another
        # CA for the private resolver of the examples (trusted only with -CertificatePath).
        $net.CaPath = New-Certificate $net 'public' 'WeChatNet sealed network public CA' @('doh.pub', 'dns.alidns.com', 'dns.google', 'cloudflare-dns.com')
        $net.CorpCaPath = New-Certificate $net 'corp' 'WeChatNet sealed network corp CA' @('resolver.corp.example')
        $dohs = @(
            @{ Name = 'unbound-mainland'; Cert = 'public'; Forward = $script:Addresses.MainlandResolvers[0]; Listen = @('1.12.12.12', '223.5.5.5') },
            @{ Name = 'unbound-overseas'; Cert = 'public'; Forward = $script:Addresses.OverseasResolvers[0]; Listen = @('8.8.8.8', '1.1.1.1') },
            @{ Name = 'unbound-corp'; Cert = 'corp'; Forward = $script:Addresses.MainlandResolvers[0]; Listen = @('10.3.0.53') })
        foreach ($u in $dohs) {
            $dir = Join-Path $net.Dir $u.Name
            $null = New-Item -ItemType Directory -Force $dir
            Set-Content -Path (Join-Path $dir 'unbound.conf') -Value @"
server:
$(($u.Listen | ForEach-Object { "    interface: $_@443" }) -join "`n")
    https-port: 443
    tls-service-key: "$($net.Dir)/$($u.Cert).key"
    tls-service-pem: "$($net.Dir)/$($u.Cert).pem"
    do-daemonize: no
    username: ""
    chroot: ""
    directory: "$dir"
    pidfile: "$dir/unbound.pid"
    use-syslog: no
    logfile: ""
    verbosity: 1
    access-control: 0.0.0.0/0 allow
    access-control: ::/0 allow
    do-not-query-localhost: no
    module-config: "iterator"
    qname-minimisation: no
    num-threads: 1
forward-zone:
    name: "."
    forward-addr: $($u.Forward)@53
"@
            Start-SealedDaemon $net world $u.Name @($unbound, '-d', '-c', (Join-Path $dir 'unbound.conf'))
            $u.Listen | ForEach-Object { $listen.Add("${_}:443") }
        }
        # WeChat's servers: TCP 80/443/8080 (HTTP answers, the dispatch on newgetdns).
        $dispatchFile = Join-Path $net.Dir 'dispatch.xml'
        [IO.File]::WriteAllText($dispatchFile, $net.DispatchXml)
        $wechat = @('MainlandLongLink', 'MainlandShortLink', 'MainlandOther', 'Dispatch', 'OverseasLongLink', 'OverseasOther', 'OverseasLongLink6', 'LabTarget') |
            ForEach-Object { $script:Addresses[$_] }
        $endpoints = foreach ($ip in $wechat) { foreach ($port in 80, 443, 8080) { if ($ip -like '*:*') { "[$ip]:$port" } else { "${ip}:$port" } } }
        $ready = Join-Path $net.Dir 'services.ready'
        Start-SealedDaemon $net world 'services' (@($net.Pwsh) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'SealedServices.ps1'),
                '-DispatchFile', $dispatchFile, '-ReadyFile', $ready, '-Listen', ($endpoints -join ',')))
        $endpoints | ForEach-Object { $listen.Add($_) }
        Wait-SealedListen $net $listen -TimeoutSec 60
        Request-SealedWarmup $net world "$($script:Addresses.Dispatch[0]):80"
        # Neighbours resolved before the first probe (a trace's first round must not wait on ARP).
        Invoke-SealedCommand $net client 'ping', '-c', '1', '-W', '2', $script:Addresses.MainlandLongLink[0] | Out-Null
        $net
    }
    catch {
        Remove-SealedNetwork $net
        throw
    }
}

function Start-SealedService {
    <#
    .SYNOPSIS
        More stand-in TCP/HTTP servers (SealedServices.ps1: the dispatch document on newgetdns, "ok" otherwise) on the
        given address:port list in one namespace of the network (for example 127.0.0.1:8080 in the client). They stop
        with Remove-SealedNetwork.
    #>
    param([Parameter(Mandatory)] $Network, [Parameter(Mandatory)] [string[]] $Listen,
        [string] $Namespace = 'world')
    $n = $Network.Processes.Count
    $dispatchFile = Join-Path $Network.Dir 'dispatch.xml'
    Start-SealedDaemon $Network $Namespace "services-$Namespace-$n" (@($Network.Pwsh) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'SealedServices.ps1'),
            '-DispatchFile', $dispatchFile, '-ReadyFile', (Join-Path $Network.Dir "services-$n.ready"), '-Listen', ($Listen -join ',')))
    Wait-SealedListen $Network $Listen -TimeoutSec 60 -Namespace $Namespace
    Request-SealedWarmup $Network $Namespace $Listen[0]
}

function Test-SealedNetwork {
    <#
    .SYNOPSIS
        What would let traffic leave the sealed network: a veth whose peer is outside it, or a route (ip route, in
        every namespace of it) through an interface that is not its own. Empty when sealed.
    #>
    param([Parameter(Mandatory)] $Network)
    $ours = @($Network.Namespaces.Values)
    foreach ($role in @($Network.Namespaces.Keys)) {
        $links = @(Invoke-SealedCommand $Network $role 'ip', '-o', '-d', 'link', 'show')
        $inside = @{}
        foreach ($l in $links) {
            if ($l -notmatch '^\d+:\s+([^:@\s]+)') { continue }
            $if = $Matches[1]
            if ($if -eq 'lo' -or $l -match '\bdummy\b') { $inside[$if] = $true; continue }
            if ($l -match '\bveth\b' -and $l -match 'link-netns (\S+)' -and $ours -contains $Matches[1]) { $inside[$if] = $true; continue }
            "${role}: interface $if is not a veth to another namespace of the sealed network: $l"
        }
        foreach ($family in '-4', '-6') {
            foreach ($r in @(Invoke-SealedCommand $Network $role 'ip', $family, 'route', 'show', 'table', 'all')) {
                if ($r -match '\bdev (\S+)' -and -not $inside[$Matches[1]]) { "${role}: route leaves through $($Matches[1]): $r" }
            }
        }
    }
    # And from the host's side: no interface of the host's namespace has its peer in ours.
    foreach ($l in @(Invoke-Native $Network.Ip @('-o', 'link', 'show'))) {
        if ($l -match 'link-netns (\S+)' -and $ours -contains $Matches[1]) { "host: $l" }
    }
}

function Invoke-SealedPwsh {
    <#
    .SYNOPSIS
        Runs pwsh -Command in the client namespace (or -File with -ArgumentList); returns ExitCode, StdOut, StdErr.
        The child trusts the network's public CA (SSL_CERT_FILE) and finds modules on -ModulePath first.
    #>
    param(
        [Parameter(Mandatory)] $Network,
        [string] $Command,
        [string] $File,
        [string[]] $ArgumentList = @(),
        [string] $WorkingDirectory = (Get-Location).Path,
        [hashtable] $Environment = @{},
        [string[]] $ModulePath = @(),
        [int] $TimeoutSec = 120,
        # client by default; any namespace of $Network.Namespaces (a suite may add its own, linked inside the world)
        [string] $Namespace = 'client'
    )
    if (-not $Network.Namespaces.Contains($Namespace)) { throw "Sealed network $($Network.Name) has no namespace '$Namespace'." }
    $psi = [Diagnostics.ProcessStartInfo]::new($Network.Ip)
    foreach ($a in @('netns', 'exec', $Network.Namespaces[$Namespace]) + @($Network.Pwsh) + @('-NoProfile', '-NonInteractive')) { $psi.ArgumentList.Add($a) }
    if ($File) { $psi.ArgumentList.Add('-File'); $psi.ArgumentList.Add($File); foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) } }
    else { $psi.ArgumentList.Add('-Command'); $psi.ArgumentList.Add($Command) }
    $psi.WorkingDirectory = $WorkingDirectory
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.Environment['SSL_CERT_FILE'] = $Network.CaPath
    $psi.Environment['POWERSHELL_TELEMETRY_OPTOUT'] = '1'
    $psi.Environment['POWERSHELL_UPDATECHECK'] = 'Off'
    $psi.Environment['NO_COLOR'] = '1'
    $psi.Environment['TERM'] = 'dumb'
    if ($ModulePath) { $psi.Environment['PSModulePath'] = ($ModulePath + @($env:PSModulePath -split [IO.Path]::PathSeparator)) -join [IO.Path]::PathSeparator }
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = [string]$Environment[$k] }
    $p = [Diagnostics.Process]::Start($psi)
    $stdout = $p.StandardOutput.ReadToEndAsync()
    $stderr = $p.StandardError.ReadToEndAsync()
    if (-not $p.WaitForExit($TimeoutSec * 1000)) {
        $p.Kill($true)
        $p.WaitForExit()
        throw "pwsh in $($Network.Namespaces[$Namespace]) did not finish within $TimeoutSec s: $Command$File`n$($stdout.Result)`n$($stderr.Result)"
    }
    $p.WaitForExit()
    [pscustomobject]@{ ExitCode = $p.ExitCode; StdOut = $stdout.Result; StdErr = $stderr.Result }
}

function Remove-SealedNetwork {
    <# Kills the network's processes, deletes its namespaces, its /etc/netns folder and its temp folder. Never throws. #>
    param([Parameter(Mandatory)] [AllowNull()] $Network)
    if (-not $Network) { return }
    foreach ($p in @($Network.Processes)) {
        try { if (-not $p.Process.HasExited) { $p.Process.Kill($true); $null = $p.Process.WaitForExit(5000) } } catch { Write-Warning "kill $($p.Name): $_" }
    }
    foreach ($ns in @($Network.Namespaces.Values)) {
        # Anything still running inside (a child a test left) goes with the namespace.
        $pids = @(& $Network.Ip netns pids $ns 2>$null)
        foreach ($id in $pids) { try { Stop-Process -Id ([int]$id) -Force -ErrorAction Stop } catch { } }
        & $Network.Ip netns delete $ns 2>$null
    }
    if ($Network.EtcNetns -and (Test-Path $Network.EtcNetns)) { Remove-Item $Network.EtcNetns -Recurse -Force -ErrorAction Ignore }
    if ($Network.Dir -and (Test-Path $Network.Dir)) { Remove-Item $Network.Dir -Recurse -Force -ErrorAction Ignore }
}

Export-ModuleMember -Function New-SealedNetwork, Start-SealedService, Start-SealedDaemon, Remove-SealedNetwork, Test-SealedNetwork, Invoke-SealedPwsh, Invoke-SealedCommand
