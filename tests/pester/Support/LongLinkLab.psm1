# A sealed lab for Get-WeChatConnection: two network namespaces joined only to each other by a veth pair (no link to
# the host, no default route, nothing leaves them). The server namespace holds the stand-in long-link server
# (longlink_standins.py, echoing) on 10.x.y.1 and on public stand-in addresses; the client namespace holds processes
# named like WeChat's, run as an unprivileged user, with /etc/hosts (through /etc/netns/<ns>/hosts) naming the
# server's addresses as WeChat's hosts. Every resource carries a per-run suffix; Remove-LongLinkLab removes them all.

$script:Python = '/usr/bin/python3'
$script:Standins = Join-Path $PSScriptRoot 'longlink_standins.py'

function Invoke-LabNative {
    param([Parameter(Mandatory)] [string] $File, [string[]] $Arguments)
    $out = & $File @Arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed ($LASTEXITCODE): $out" }
    $out
}

function Assert-LongLinkLabTools {
    $missing = foreach ($t in 'ip', 'ss', 'iptables', 'setpriv', 'unshare', 'mount', 'mkfifo', $script:Python) {
        if (-not (Get-Command $t -CommandType Application -ErrorAction SilentlyContinue)) { $t }
    }
    if ($missing) { throw "The connection lab needs $($missing -join ', ') (apt-get install iproute2 iptables util-linux mount python3)." }
    if ((id -u) -ne 0) { throw 'The connection lab creates network namespaces and runs processes as another user: run it as root.' }
}

function New-LongLinkLab {
    <# -Hosts: address = name lines for the client's /etc/hosts (the server holds every address named). -Ports: the
       server's ports. The test user is nobody (uid 65534), the unprivileged account every Debian system has. #>
    param([hashtable] $Hosts = @{}, [int[]] $Ports = @(8080, 443, 80), [string] $Prefix = 'wcc')
    Assert-LongLinkLabTools
    $suffix = '{0:x4}' -f (Get-Random -Maximum 65535)
    $dir = Join-Path ([IO.Path]::GetTempPath()) "$Prefix-lab-$PID-$suffix"
    New-Item -ItemType Directory $dir | Out-Null
    Invoke-LabNative chmod @('755', $dir) | Out-Null
    do { $net = "10.$(Get-Random -Minimum 200 -Maximum 250).$(Get-Random -Maximum 256)" } while ((ip -4 -o addr) -match [regex]::Escape("$net."))
    $lab = [pscustomobject]@{
        Dir = $dir; Suffix = $suffix; Client = "$Prefix-c-$suffix"; Server = "$Prefix-s-$suffix"
        ClientAddress = "$net.2"; ServerAddress = "$net.1"; Hosts = $Hosts; Ports = $Ports
        User = 'nobody'; Uid = 65534; Processes = [Collections.Generic.List[object]]::new(); EtcDir = "/etc/netns/$Prefix-c-$suffix"
        PwshMount = (Join-Path $dir 'pwsh')
    }
    try {
        Invoke-LabNative ip @('netns', 'add', $lab.Client) | Out-Null
        Invoke-LabNative ip @('netns', 'add', $lab.Server) | Out-Null
        Invoke-LabNative ip @('-n', $lab.Client, 'link', 'add', "c$suffix", 'type', 'veth', 'peer', 'name', "s$suffix", 'netns', $lab.Server) | Out-Null
        Invoke-LabNative ip @('-n', $lab.Client, 'addr', 'add', "$($lab.ClientAddress)/24", 'dev', "c$suffix") | Out-Null
        Invoke-LabNative ip @('-n', $lab.Server, 'addr', 'add', "$($lab.ServerAddress)/24", 'dev', "s$suffix") | Out-Null
        foreach ($ns in $lab.Client, $lab.Server) { Invoke-LabNative ip @('-n', $ns, 'link', 'set', 'lo', 'up') | Out-Null }
        Invoke-LabNative ip @('-n', $lab.Client, 'link', 'set', "c$suffix", 'up') | Out-Null
        Invoke-LabNative ip @('-n', $lab.Server, 'link', 'set', "s$suffix", 'up') | Out-Null
        foreach ($address in @($Hosts.Keys | Where-Object { $_ -ne $lab.ServerAddress })) {
            Invoke-LabNative ip @('-n', $lab.Server, 'addr', 'add', "$address/32", 'dev', 'lo') | Out-Null
            Invoke-LabNative ip @('-n', $lab.Client, 'route', 'add', "$address/32", 'via', $lab.ServerAddress) | Out-Null
        }
        # Sealed: no default route in either namespace, and no interface but lo and the pair.
        foreach ($ns in $lab.Client, $lab.Server) {
            $routes = Invoke-LabNative ip @('-n', $ns, 'route')
            if ($routes -match '^default') { throw "Namespace $ns has a default route: $routes" }
        }
        New-Item -ItemType Directory $lab.EtcDir -Force | Out-Null
        $hostsText = "127.0.0.1 localhost`n" + (($Hosts.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join "`n") + "`n"
        Set-Content -Path (Join-Path $lab.EtcDir 'hosts') -Value $hostsText -NoNewline
        # The server.
        $ready = Join-Path $dir 'server.ready'
        $lab.Processes.Add((Start-LabProcess -Lab $lab -Namespace $lab.Server -Arguments @($script:Standins, 'server', '--ports', ($Ports -join ','), '--ready', $ready)))
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while (-not (Test-Path $ready)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw 'The stand-in long-link server did not start in 30 s.' }
            Start-Sleep -Milliseconds 100
        }
        # The pwsh running this test, for unprivileged children: /root is closed to nobody, so $PSHOME is bound into
        # the lab folder inside each child's own mount namespace (unshare -m), never on the host.
        New-Item -ItemType Directory $lab.PwshMount | Out-Null
        $lab
    } catch {
        Remove-LongLinkLab $lab
        throw
    }
}

function Start-LabProcess {
    # A process in a namespace (as root, or as the lab's user with -AsUser), stdout/stderr to files in the lab folder.
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [string] $Namespace, [Parameter(Mandatory)] [string[]] $Arguments, [switch] $AsUser, [string] $Name = 'p')
    $args2 = @('netns', 'exec', $Namespace)
    if ($AsUser) { $args2 += @('setpriv', "--reuid=$($Lab.Uid)", "--regid=$($Lab.Uid)", '--clear-groups') }
    $args2 += @($script:Python) + $Arguments
    $psi = [Diagnostics.ProcessStartInfo]::new('ip')
    foreach ($a in $args2) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $false
    $psi.UseShellExecute = $false
    [Diagnostics.Process]::Start($psi)
}

function Start-LabClient {
    <# A client process named -Name in the client namespace (as nobody unless -AsRoot), controlled through a FIFO. #>
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [string] $Name, [switch] $AsRoot)
    $id = '{0}-{1:x4}' -f $Name, (Get-Random -Maximum 65535)
    $fifo = Join-Path $Lab.Dir "$id.ctl"
    $log = Join-Path $Lab.Dir "$id.log"
    Invoke-LabNative mkfifo @('-m', '666', $fifo) | Out-Null
    Set-Content -Path $log -Value '' -NoNewline
    Invoke-LabNative chmod @('666', $log) | Out-Null
    $p = Start-LabProcess -Lab $Lab -Namespace $Lab.Client -AsUser:(-not $AsRoot) -Arguments @($script:Standins, 'client', '--name', $Name, '--control', $fifo, '--log', $log)
    $Lab.Processes.Add($p)
    # Opening the FIFO for writing waits for the client to open it: keep one writer open for the lab's life.
    $writer = [IO.StreamWriter]::new([IO.FileStream]::new($fifo, [IO.FileMode]::Open, [IO.FileAccess]::Write))
    $writer.AutoFlush = $true
    [pscustomobject]@{ Name = $Name; Process = $p; Writer = $writer; Log = $log; Ports = @{} }
}

function Send-LabClient {
    <# Sends one command and waits (up to 60 s) for the client's acknowledgement; returns it. #>
    param([Parameter(Mandatory)] $Client, [Parameter(Mandatory)] [string] $Command)
    $before = @(Get-Content $Client.Log).Count
    $Client.Writer.WriteLine($Command)
    $verb = ($Command -split ' ')[0]; $id = ($Command -split ' ')[1]
    $done = @{ open = 'opened'; send = 'sent'; close = 'closed' }[$verb]
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ([DateTime]::UtcNow -lt $deadline) {
        $lines = @(Get-Content $Client.Log | Select-Object -Skip $before)
        $err = $lines | Where-Object { $_ -like 'error *' }
        if ($err) { throw "The stand-in client $($Client.Name) failed: $err" }
        $ack = $lines | Where-Object { $_ -like "$done $id*" } | Select-Object -First 1
        if ($ack) {
            if ($verb -eq 'open') { $Client.Ports[$id] = [int](($ack -split ' ')[2]) }
            return $ack
        }
        if ($Client.Process.HasExited) { throw "The stand-in client $($Client.Name) exited ($($Client.Process.ExitCode))." }
        Start-Sleep -Milliseconds 50
    }
    throw "The stand-in client $($Client.Name) did not acknowledge '$Command' in 60 s."
}

function Get-LabPwshCommand {
    # dotnet + pwsh.dll of the running pwsh, as a child sees them through the lab's bind mount.
    param([Parameter(Mandatory)] $Lab)
    $dotnet = [Environment]::ProcessPath
    if (-not $dotnet -or (Split-Path $dotnet -Leaf) -notmatch '^dotnet') { $dotnet = (Get-Command dotnet -CommandType Application)[0].Source }
    if (Test-Path (Join-Path $PSHOME 'pwsh.dll')) { return @($dotnet, (Join-Path $Lab.PwshMount 'pwsh.dll')) }
    @((Join-Path $Lab.PwshMount 'pwsh'))
}

function Start-LabPwsh {
    <# Starts pwsh in the client namespace as the lab's unprivileged user (or root with -AsRoot) running -Script, with
       the module imported from -ModulePath. Returns the process; its output objects go to -OutFile as CliXml. #>
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [string] $Script, [Parameter(Mandatory)] [string] $ModulePath, [switch] $AsRoot)
    $id = '{0:x6}' -f (Get-Random -Maximum 16777215)
    $work = Join-Path $Lab.Dir "pwsh-$id"
    New-Item -ItemType Directory $work | Out-Null
    Invoke-LabNative chmod @('777', $work) | Out-Null
    $scriptFile = Join-Path $work 'run.ps1'
    Set-Content -Path $scriptFile -Value "`$ErrorActionPreference = 'Stop'`nImport-Module '$ModulePath'`n$Script"
    $pwsh = (Get-LabPwshCommand $Lab | ForEach-Object { "'$_'" }) -join ' '
    $user = if ($AsRoot) { '' } else { "setpriv --reuid=$($Lab.Uid) --regid=$($Lab.Uid) --clear-groups" }
    $shell = "mount --bind '$PSHOME' '$($Lab.PwshMount)' && exec ip netns exec '$($Lab.Client)' $user env HOME='$work' DOTNET_CLI_HOME='$work' " +
             "DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 PSModulePath= $pwsh -NoProfile -NonInteractive -File '$scriptFile' > '$work/out.txt' 2> '$work/err.txt'"
    $psi = [Diagnostics.ProcessStartInfo]::new('unshare')
    foreach ($a in @('-m', '--propagation', 'private', 'sh', '-c', $shell)) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $p = [Diagnostics.Process]::Start($psi)
    [pscustomobject]@{ Process = $p; Work = $work; Out = (Join-Path $work 'out.txt'); Err = (Join-Path $work 'err.txt') }
}

function Wait-LabPwsh {
    param([Parameter(Mandatory)] $Run, [int] $TimeoutSec = 180)
    if (-not $Run.Process.WaitForExit($TimeoutSec * 1000)) { $Run.Process.Kill($true); throw "The child pwsh did not finish in $TimeoutSec s." }
    $err = if (Test-Path $Run.Err) { Get-Content -Raw $Run.Err } else { '' }
    if ($Run.Process.ExitCode -ne 0) { throw "The child pwsh failed ($($Run.Process.ExitCode)): $err $(Get-Content -Raw $Run.Out -ErrorAction SilentlyContinue)" }
    $err
}

function Invoke-LabPwsh {
    <# Runs -Script (it should Export-Clixml its results to "$HOME/result.xml") and returns the imported result. #>
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [string] $Script, [Parameter(Mandatory)] [string] $ModulePath, [switch] $AsRoot)
    $run = Start-LabPwsh -Lab $Lab -Script $Script -ModulePath $ModulePath -AsRoot:$AsRoot
    $stderr = Wait-LabPwsh $run
    $file = Join-Path $run.Work 'result.xml'
    if (-not (Test-Path $file)) { throw "The child pwsh wrote no result: $stderr" }
    Import-Clixml $file
}

function Get-LabSs {
    <# ss -tinp in the client namespace (as root: the oracle), one object per connection with the tcp_info fields ss shows. #>
    param([Parameter(Mandatory)] $Lab)
    $lines = @(Invoke-LabNative ip @('netns', 'exec', $Lab.Client, 'ss', '-tinpH', 'state', 'all'))
    $result = @()
    for ($i = 0; $i -lt $lines.Count; $i++) {
        $line = "$($lines[$i])"
        if ($line -match '^\s') { continue }
        $cols = $line -split '\s+'
        if ($cols[0] -eq 'LISTEN') { continue }
        $info = if ($i + 1 -lt $lines.Count -and "$($lines[$i + 1])" -match '^\s') { "$($lines[$i + 1])" } else { '' }
        function Field([string] $name) { if ($info -match "(?:^|\s)$name`:(\S+)") { $Matches[1] } }
        $rtt = Field 'rtt'; $retrans = Field 'retrans'
        $local = $cols[3]; $peer = $cols[4]
        $result += [pscustomobject]@{
            State = $cols[0]
            LocalPort = [int]($local -replace '^.*:', '')
            RemoteAddress = ($peer -replace ':[^:]+$', '') -replace '^\[?(::ffff:)?', '' -replace '\]$', ''
            RemotePort = [int]($peer -replace '^.*:', '')
            Process = if ($line -match 'users:\(\("([^"]+)",pid=(\d+)') { $Matches[1] } else { $null }
            Pid = if ($line -match 'pid=(\d+)') { [int]$Matches[1] } else { $null }
            RttMs = if ($rtt) { [double]($rtt -split '/')[0] } else { $null }
            RttVarMs = if ($rtt) { [double]($rtt -split '/')[1] } else { $null }
            Retransmissions = if ($retrans) { [long]($retrans -split '/')[1] } else { 0 }
            LostSegments = if (Field 'lost') { [long](Field 'lost') } else { 0 }
            CongestionWindow = if (Field 'cwnd') { [long](Field 'cwnd') } else { $null }
            BytesSent = if (Field 'bytes_sent') { [long](Field 'bytes_sent') } else { 0 }
            BytesReceived = if (Field 'bytes_received') { [long](Field 'bytes_received') } else { 0 }
            LastSendMs = if (Field 'lastsnd') { [double](Field 'lastsnd') } else { $null }
            LastReceiveMs = if (Field 'lastrcv') { [double](Field 'lastrcv') } else { $null }
            Unacked = if (Field 'unacked') { [long](Field 'unacked') } else { 0 }
            Info = $info
        }
    }
    $result
}

function Remove-LongLinkLab {
    param($Lab)
    if (-not $Lab) { return }
    foreach ($p in $Lab.Processes) {
        try { if (-not $p.HasExited) { $p.Kill($true); $null = $p.WaitForExit(10000) } } catch { Write-Verbose "process: $_" }
    }
    # setpriv'd children are not in the ip process's tree once exec'd: end what still runs in the namespaces.
    foreach ($ns in $Lab.Client, $Lab.Server) {
        $pids = @(ip netns pids $ns 2>$null)
        foreach ($id in $pids) { if ($id -match "^\d+$") { Stop-Process -Id ([int]$id) -Force -ErrorAction SilentlyContinue } }
        ip netns del $ns 2>$null
    }
    if ($Lab.EtcDir -and (Test-Path $Lab.EtcDir)) { Remove-Item -Recurse -Force $Lab.EtcDir }
    if ($Lab.Dir -and (Test-Path $Lab.Dir)) { Remove-Item -Recurse -Force $Lab.Dir -ErrorAction SilentlyContinue }
}

Export-ModuleMember -Function New-LongLinkLab, Start-LabClient, Send-LabClient, Start-LabPwsh, Wait-LabPwsh, Invoke-LabPwsh, Get-LabSs, Remove-LongLinkLab, Start-LabProcess, Invoke-LabNative
