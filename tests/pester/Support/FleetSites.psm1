# "Sites" for the remoting suite: each one a network namespace joined to the host by a veth pair on a private /30
# (no default route, nothing leaves the machine), with its own sshd (the PowerShell SSH subsystem, key auth made by
# the test) and its own stand-ins on the site's address: a resolver, WeChat's HTTP dispatch and a long-link server
# (site_standins.py). Every resource is named with a per-run suffix and removed by Remove-FleetLab, even after a failure.

$script:Python = '/usr/bin/python3'

function Assert-FleetTools {
    $missing = @()
    foreach ($t in 'ip', 'iptables', 'ssh', 'ssh-keygen', '/usr/sbin/sshd', $script:Python) {
        if (-not (Get-Command $t -CommandType Application -ErrorAction SilentlyContinue)) { $missing += $t }
    }
    if ($missing) { throw "The remoting suite needs $($missing -join ', ') (apt-get install iproute2 iptables openssh-server openssh-client python3)." }
    if ((id -u) -ne 0) { throw 'The remoting suite creates network namespaces and runs sshd: run it as root.' }
}

function Invoke-Native {
    param([Parameter(Mandatory)] [string] $File, [string[]] $Arguments)
    $out = & $File @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed ($LASTEXITCODE): $out" }
    $out
}

function Get-PwshLaunch {
    # The pwsh running this test: a real install has $PSHOME/pwsh, the repository's dotnet tool is `dotnet pwsh.dll`.
    if (Test-Path (Join-Path $PSHOME 'pwsh.dll')) {
        $dotnet = [Environment]::ProcessPath
        if (-not $dotnet -or (Split-Path $dotnet -Leaf) -notmatch '^dotnet') { $dotnet = (Get-Command dotnet -CommandType Application)[0].Source }
        return "'$dotnet' '$(Join-Path $PSHOME 'pwsh.dll')'"
    }
    "'$(Join-Path $PSHOME 'pwsh')'"
}

function New-FleetLab {
    <# Creates the sites. -Sites: hashtables with Name, Answers (name=ip strings for the site's resolver),
       DispatchXml (the dispatch document), BlockLongLink (drop TCP 8080 into the site). Returns the lab. #>
    param([Parameter(Mandatory)] [hashtable[]] $Sites, [string] $Prefix = 'wcnfleet')
    Assert-FleetTools
    $suffix = '{0:x4}' -f (Get-Random -Maximum 65535)
    $dir = Join-Path ([IO.Path]::GetTempPath()) "$Prefix-$PID-$suffix"
    New-Item -ItemType Directory $dir | Out-Null
    $lab = [pscustomobject]@{ Dir = $dir; Suffix = $suffix; Key = (Join-Path $dir 'client_key'); Sites = [Collections.Generic.List[object]]::new(); Wrapper = (Join-Path $dir 'pwsh-sshs.sh') }
    try {
        Invoke-Native ssh-keygen @('-q', '-t', 'ed25519', '-N', '', '-C', "wechatnet-fleet-$suffix", '-f', $lab.Key) | Out-Null
        Copy-Item "$($lab.Key).pub" (Join-Path $dir 'authorized_keys')
        # sshd starts the subsystem with a bare environment: the wrapper names dotnet and pwsh by full path.
        Set-Content -Path $lab.Wrapper -Value @"
#!/bin/sh
export HOME=/root DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
exec $(Get-PwshLaunch) "`$@"
"@
        Invoke-Native chmod @('755', $lab.Wrapper) | Out-Null
        if (-not (Test-Path /run/sshd)) { New-Item -ItemType Directory /run/sshd | Out-Null }   # sshd's privilege-separation folder

        # A private 10.x.y.0/24 no interface of this machine uses; site i gets 10.x.y.(4i)/30.
        do { $net = "10.$(Get-Random -Minimum 200 -Maximum 250).$(Get-Random -Maximum 256)" } while ((ip -4 -o addr) -match [regex]::Escape("$net."))
        $i = 0
        foreach ($spec in $Sites) {
            $i++
            $ns = "wcnf-$($spec.Name)-$suffix"
            $hostIf = "wf$suffix$i"; $nsIf = "wf$suffix${i}n"
            $hostIp = "$net.$(4 * $i + 1)"; $siteIp = "$net.$(4 * $i + 2)"
            $siteDir = Join-Path $dir $spec.Name
            New-Item -ItemType Directory $siteDir | Out-Null
            $site = [pscustomobject]@{ Name = $spec.Name; Namespace = $ns; Address = $siteIp; HostAddress = $hostIp; HostInterface = $hostIf; Dir = $siteDir; Pids = [Collections.Generic.List[int]]::new() }
            $lab.Sites.Add($site)
            Invoke-Native ip @('netns', 'add', $ns) | Out-Null
            Invoke-Native ip @('link', 'add', $hostIf, 'type', 'veth', 'peer', 'name', $nsIf) | Out-Null
            Invoke-Native ip @('link', 'set', $nsIf, 'netns', $ns) | Out-Null
            Invoke-Native ip @('addr', 'add', "$hostIp/30", 'dev', $hostIf) | Out-Null
            Invoke-Native ip @('link', 'set', $hostIf, 'up') | Out-Null
            Invoke-Native ip @('netns', 'exec', $ns, 'ip', 'addr', 'add', "$siteIp/30", 'dev', $nsIf) | Out-Null
            Invoke-Native ip @('netns', 'exec', $ns, 'ip', 'link', 'set', $nsIf, 'up') | Out-Null
            Invoke-Native ip @('netns', 'exec', $ns, 'ip', 'link', 'set', 'lo', 'up') | Out-Null
            $routes = Invoke-Native ip @('netns', 'exec', $ns, 'ip', '-4', 'route')
            if ($routes -match 'default') { throw "Site $($spec.Name) has a default route: $routes" }
            if ($spec.BlockLongLink) { Invoke-Native ip @('netns', 'exec', $ns, 'iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '8080', '-j', 'DROP') | Out-Null }

            # Stand-ins.
            $xml = Join-Path $siteDir 'dispatch.xml'
            Set-Content -Path $xml -Value $spec.DispatchXml -NoNewline
            $ready = Join-Path $siteDir 'standins.ready'
            $standArgs = @('netns', 'exec', $ns, $script:Python, (Join-Path $PSScriptRoot 'site_standins.py'), '--address', $siteIp, '--dispatch', $xml, '--ready', $ready)
            foreach ($a in $spec.Answers) { $standArgs += '--answer', $a }
            $p = Start-Process ip -ArgumentList $standArgs -PassThru -RedirectStandardError (Join-Path $siteDir 'standins.err') -RedirectStandardOutput (Join-Path $siteDir 'standins.out')
            $site.Pids.Add($p.Id)

            # sshd with the PowerShell subsystem.
            $hostKey = Join-Path $siteDir 'ssh_host_ed25519_key'
            Invoke-Native ssh-keygen @('-q', '-t', 'ed25519', '-N', '', '-f', $hostKey) | Out-Null
            $cfg = Join-Path $siteDir 'sshd_config'
            Set-Content -Path $cfg -Value @"
Port 22
ListenAddress $siteIp
HostKey $hostKey
PidFile $(Join-Path $siteDir 'sshd.pid')
AuthorizedKeysFile $(Join-Path $dir 'authorized_keys')
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Subsystem powershell $($lab.Wrapper) -sshs -NoLogo -NoProfile
"@
            $p = Start-Process ip -ArgumentList @('netns', 'exec', $ns, '/usr/sbin/sshd', '-D', '-e', '-f', $cfg) -PassThru `
                -RedirectStandardError (Join-Path $siteDir 'sshd.log') -RedirectStandardOutput (Join-Path $siteDir 'sshd.out')
            $site.Pids.Add($p.Id)
        }
        foreach ($site in $lab.Sites) { Wait-FleetSite $site }
        $lab
    } catch {
        Remove-FleetLab $lab
        throw
    }
}

function Wait-FleetSite($Site, [int] $TimeoutSeconds = 30) {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        $ok = $false
        if (Test-Path (Join-Path $Site.Dir 'standins.ready')) {
            $c = [System.Net.Sockets.TcpClient]::new()
            try { $ok = $c.ConnectAsync($Site.Address, 22).Wait(1000) -and $c.Connected } catch { $ok = $false } finally { $c.Dispose() }
        }
        if ($ok) { return }
        if ([DateTime]::UtcNow -gt $deadline) {
            $log = Get-Content (Join-Path $Site.Dir 'sshd.log'), (Join-Path $Site.Dir 'standins.err') -ErrorAction SilentlyContinue
            throw "Site $($Site.Name): sshd on $($Site.Address):22 or its stand-ins did not come up within $TimeoutSeconds s. $log"
        }
        Start-Sleep -Milliseconds 200
    }
}

function Get-FleetSshOptions {
    # Host keys are made fresh for every run: nothing to check them against, and nothing to remember.
    @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR'; ConnectTimeout = '20' }
}

function Remove-FleetLab($Lab) {
    if (-not $Lab) { return }
    foreach ($site in $Lab.Sites) {
        # Every process left in the namespace (sshd, its sessions, the stand-ins) was started by this lab.
        $inside = @(ip netns pids $site.Namespace 2>$null) + @($site.Pids) | Where-Object { $_ } | Sort-Object -Unique
        foreach ($id in $inside) { Stop-Process -Id ([int]$id) -Force -ErrorAction SilentlyContinue }
        ip netns del $site.Namespace 2>$null
        ip link del $site.HostInterface 2>$null
    }
    Remove-Item $Lab.Dir -Recurse -Force -ErrorAction SilentlyContinue
}

function Get-PngColorCount {
    <# Counts the pixels of exactly each RGB colour in an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium's
       --screenshot writes). -Colors: name = 0xRRGGBB. #>
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [hashtable] $Colors)
    $b = [IO.File]::ReadAllBytes($Path)
    if ($b.Length -lt 8 -or $b[0] -ne 137 -or $b[1] -ne 80) { throw "$Path is not a PNG." }
    $at = 8; $idat = [IO.MemoryStream]::new()
    $be = { param($i) ([uint32]$b[$i] -shl 24) -bor ([uint32]$b[$i + 1] -shl 16) -bor ([uint32]$b[$i + 2] -shl 8) -bor $b[$i + 3] }
    while ($at + 8 -le $b.Length) {
        $len = [int](& $be $at); $type = [Text.Encoding]::ASCII.GetString($b, $at + 4, 4)
        if ($type -eq 'IHDR') { $w = [int](& $be ($at + 8)); $h = [int](& $be ($at + 12)); $depth = $b[$at + 16]; $ct = $b[$at + 17]; $il = $b[$at + 20] }
        elseif ($type -eq 'IDAT') { $idat.Write($b, $at + 8, $len) }
        elseif ($type -eq 'IEND') { break }
        $at += 12 + $len
    }
    if ($depth -ne 8 -or ($ct -ne 2 -and $ct -ne 6) -or $il -ne 0) { throw "$Path has an unexpected PNG layout (depth $depth, colour type $ct, interlace $il)." }
    $bpp = if ($ct -eq 6) { 4 } else { 3 }
    $idat.Position = 0
    $z = [IO.Compression.ZLibStream]::new($idat, [IO.Compression.CompressionMode]::Decompress)
    $raw = [IO.MemoryStream]::new(); $z.CopyTo($raw); $data = $raw.ToArray()
    Add-Type -TypeDefinition @'
public static class WeChatNetPngCount {
    public static int[] Count(byte[] d, int w, int h, int bpp, int[] colors) {
        int stride = w * bpp; var prev = new byte[stride]; var cur = new byte[stride]; var counts = new int[colors.Length];
        for (int y = 0; y < h; y++) {
            int o = y * (stride + 1); byte f = d[o];
            for (int x = 0; x < stride; x++) {
                int a = x >= bpp ? cur[x - bpp] : 0, up = prev[x], c = x >= bpp ? prev[x - bpp] : 0, v = d[o + 1 + x];
                switch (f) {
                    case 1: v += a; break; case 2: v += up; break; case 3: v += (a + up) / 2; break;
                    case 4: { int p = a + up - c, pa = System.Math.Abs(p - a), pb = System.Math.Abs(p - up), pc = System.Math.Abs(p - c); v += (pa <= pb && pa <= pc) ? a : pb <= pc ? up : c; break; }
                }
                cur[x] = (byte)v;
            }
            for (int x = 0; x < w; x++) {
                int rgb = (cur[x * bpp] << 16) | (cur[x * bpp + 1] << 8) | cur[x * bpp + 2];
                for (int k = 0; k < colors.Length; k++) if (colors[k] == rgb) counts[k]++;
            }
            var t = prev; prev = cur; cur = t;
        }
        return counts;
    }
}
'@ -ErrorAction SilentlyContinue
    $names = @($Colors.Keys)
    $counts = [WeChatNetPngCount]::Count($data, $w, $h, $bpp, [int[]]@($names | ForEach-Object { $Colors[$_] }))
    $result = [ordered]@{ Width = $w; Height = $h }
    for ($i = 0; $i -lt $names.Count; $i++) { $result[$names[$i]] = $counts[$i] }
    [pscustomobject]$result
}

Export-ModuleMember -Function New-FleetLab, Remove-FleetLab, Get-FleetSshOptions, Get-PwshLaunch, Get-PngColorCount
