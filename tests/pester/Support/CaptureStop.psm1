# Helpers for tests that stop a running capture from outside (signals, jobs, sessions) under a loopback flood,
# then read the file back with tshark and the module's own reader.

function Get-PwshCommandLine {
    <# The executable and leading arguments that start this same pwsh: a real install has $PSHOME/pwsh; the
       repository's dotnet tool runs as `dotnet $PSHOME/pwsh.dll`. #>
    $native = Join-Path $PSHOME 'pwsh'
    if ((Test-Path $native) -and -not (Test-Path (Join-Path $PSHOME 'pwsh.dll') -PathType Leaf) -or $IsWindows) {
        return , @((Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')))
    }
    $dotnet = [Environment]::ProcessPath
    if (-not $dotnet -or (Split-Path $dotnet -Leaf) -notmatch '^dotnet') { $dotnet = (Get-Command dotnet -CommandType Application -ErrorAction Stop)[0].Source }
    return , @($dotnet, (Join-Path $PSHOME 'pwsh.dll'))
}

function Get-FreeUdpPort {
    $u = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
    try { $u.Client.LocalEndPoint.Port } finally { $u.Dispose() }
}

function Start-UdpFlood {
    <# UDP datagrams to $Address (127.0.0.1):$Port until Stop-UdpFlood: as fast as a thread job can send them, or
       -PerSecond datagrams a second (WeChat's own rate is a few a second). Returns {Job, State}; State.Sent counts what
       was sent (exact at a rate; in steps of 200 for a flood). #>
    param([Parameter(Mandatory)] [int] $Port, [string] $Address = '127.0.0.1', [double] $PerSecond = 0)
    $state = [hashtable]::Synchronized(@{ Run = $true; Sent = 0L })
    $job = Start-ThreadJob -ArgumentList $Port, $state, $Address, $PerSecond -ScriptBlock {
        param($port, $state, $address, $perSecond)
        # Unconnected: nobody listens on the port, and a connected socket would fail on the ICMP port-unreachable.
        $u = [System.Net.Sockets.UdpClient]::new()
        $to = [System.Net.IPEndPoint]::new([System.Net.IPAddress]::Parse($address), $port)
        $payload = [byte[]]::new(200)
        try {
            if ($perSecond -gt 0) {
                $gap = [int](1000 / $perSecond)
                while ($state.Run) {
                    [void]$u.Send($payload, $payload.Length, $to)
                    $state.Sent++
                    Start-Sleep -Milliseconds $gap
                }
                return
            }
            while ($state.Run) {
                for ($i = 0; $i -lt 200; $i++) {
                    try { [void]$u.Send($payload, $payload.Length, $to) } catch [System.Net.Sockets.SocketException] { }
                }
                $state.Sent += 200
            }
        } finally { $u.Dispose() }
    }
    [pscustomobject]@{ Job = $job; State = $state }
}

function Send-UdpDatagram {
    <# One datagram to 127.0.0.1:$Port, sent synchronously (the last packet before a stop). #>
    param([Parameter(Mandatory)] [int] $Port)
    $u = [System.Net.Sockets.UdpClient]::new()
    try { [void]$u.Send([byte[]]::new(200), 200, [System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, $Port)) } finally { $u.Dispose() }
}

function Get-ChildProcessId {
    <# The ids of the processes whose parent is $ParentId (Linux: /proc/<pid>/stat). #>
    param([Parameter(Mandatory)] [int] $ParentId)
    foreach ($stat in Get-ChildItem /proc -Directory -ErrorAction SilentlyContinue | Where-Object Name -match '^\d+$') {
        $text = Get-Content -LiteralPath (Join-Path $stat.FullName 'stat') -Raw -ErrorAction SilentlyContinue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
        if ($text -and ($text.Substring($text.LastIndexOf(')') + 2) -split ' ')[1] -eq "$ParentId") { [int]$stat.Name }
    }
}

function Wait-ProcessGone {
    <# Waits until process $Id has ended (it need not be our child: an orphan is not). $true if it did in time. #>
    param([Parameter(Mandatory)] [int] $Id, [int] $TimeoutSeconds = 300)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        if (-not (Test-Path "/proc/$Id")) { return $true }
        Start-Sleep -Milliseconds 50
    }
    $false
}

function Stop-UdpFlood($Flood) {
    if (-not $Flood) { return }
    $Flood.State.Run = $false
    $null = $Flood.Job | Wait-Job -Timeout 20
    $Flood.Job | Remove-Job -Force
}

function Wait-CaptureFileGrowing {
    <# Waits until $Path exists and has passed $MinBytes (the capture is running and writing under the flood). With
       -MinBytes 0, waits only until the capture has created the file: by then the interface is open and filtered. #>
    param([string] $Path, [long] $MinBytes = 400KB, [int] $TimeoutSeconds = 300)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        $f = Get-Item -LiteralPath $Path -ErrorAction SilentlyContinue
        if ($f -and $f.Length -ge $MinBytes) { return }
        Start-Sleep -Milliseconds 100
    }
    throw "The capture file $Path did not reach $MinBytes bytes within $TimeoutSeconds s (is the capture running? is the flood reaching loopback?)."
}

function Get-CaptureFileCheck {
    <# What a finished capture file holds: packets by tshark and by WeChatNet's reader, the reader's complaints,
       and the count the capture recorded in its closing Interface Statistics Block (isb_usrdeliv), with its comment. #>
    param([Parameter(Mandatory)] [string] $Path)
    $tshark = Get-Command tshark -CommandType Application -ErrorAction SilentlyContinue
    if (-not $tshark) { throw 'tshark is needed to check capture files (apt-get install tshark).' }
    $err = New-TemporaryFile
    try {
        $tsharkCount = @(& $tshark[0].Source -n -r $Path -T fields -e frame.number 2> $err.FullName).Count
        $tsharkErrors = @(Get-Content $err.FullName | Where-Object { $_ -match 'cut short|damaged|isn''t a capture file|error' })
    } finally { Remove-Item $err.FullName -Force }
    $imported = 0; $problems = @()
    Import-WeChatCapture -Path $Path -ErrorVariable +problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue |
        ForEach-Object { $imported++ }
    $blocks = Get-PcapNgBlockSummary -Path $Path
    [pscustomobject]@{
        Path           = $Path
        TsharkPackets  = $tsharkCount
        TsharkErrors   = $tsharkErrors
        ReaderPackets  = $imported
        ReaderProblems = @($problems | ForEach-Object { "$_" })
        BlockPackets   = $blocks.Packets
        Recorded       = $blocks.Delivered
        Comment        = $blocks.Comment
        Complete       = $blocks.Complete
    }
}

function Get-PcapNgBlockSummary {
    <# Walks a little-endian pcapng file block by block (independently of WeChatNet's reader): enhanced packet blocks
       counted, and the last Interface Statistics Block's isb_usrdeliv (option 8) and comment (option 1).
       Complete is false when the last block runs past the end of the file. #>
    param([Parameter(Mandatory)] [string] $Path)
    $b = [IO.File]::ReadAllBytes($Path)
    $at = 0; $epb = 0; $delivered = $null; $comment = $null; $complete = $true
    while ($at + 12 -le $b.Length) {
        $type = [BitConverter]::ToUInt32($b, $at); $len = [int][BitConverter]::ToUInt32($b, $at + 4)
        if ($len -lt 12 -or $at + $len -gt $b.Length) { $complete = $false; break }
        if ($type -eq 6) { $epb++ }
        elseif ($type -eq 5) {
            $o = $at + 20; $delivered = $null; $comment = $null
            while ($o + 4 -le $at + $len - 4) {
                $code = [BitConverter]::ToUInt16($b, $o); $olen = [BitConverter]::ToUInt16($b, $o + 2)
                if ($code -eq 0) { break }
                if ($code -eq 8 -and $olen -eq 8) { $delivered = [long][BitConverter]::ToUInt64($b, $o + 4) }
                if ($code -eq 1) { $comment = [Text.Encoding]::UTF8.GetString($b, $o + 4, $olen) }
                $o += 4 + (($olen + 3) -band -bnot 3)
            }
        }
        $at += $len
    }
    if ($at -ne $b.Length) { $complete = $false }
    [pscustomobject]@{ Packets = $epb; Delivered = $delivered; Comment = $comment; Complete = $complete }
}

Export-ModuleMember -Function Get-PwshCommandLine, Get-FreeUdpPort, Start-UdpFlood, Stop-UdpFlood, Send-UdpDatagram, Get-ChildProcessId, Wait-ProcessGone, Wait-CaptureFileGrowing, Get-CaptureFileCheck, Get-PcapNgBlockSummary
