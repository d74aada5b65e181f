# Stand-in servers of a sealed network (tests/pester/Support/SealedNetwork.psm1): TCP listeners on the addresses and
# ports given, in the namespace this runs in. A connection that sends an HTTP request gets an answer: the dispatch
# document for .../newgetdns, "ok" for anything else; long-link heartbeats get their replies; a connection that sends
# nothing is closed after 3 s. Runs until killed; writes -ReadyFile once every socket is listening.
param(
    # address:port or [v6]:port, comma-separated (pwsh -File passes one string)
    [Parameter(Mandatory)] [string] $Listen,
    [Parameter(Mandatory)] [string] $DispatchFile,
    [Parameter(Mandatory)] [string] $ReadyFile
)
$ErrorActionPreference = 'Stop'
$xml = [IO.File]::ReadAllBytes($DispatchFile)
$listeners = foreach ($endpoint in $Listen -split ',') {
    $ep = [System.Net.IPEndPoint]::Parse($endpoint)
    $s = [System.Net.Sockets.Socket]::new($ep.AddressFamily, [System.Net.Sockets.SocketType]::Stream, [System.Net.Sockets.ProtocolType]::Tcp)
    if ($ep.AddressFamily -eq 'InterNetworkV6') { $s.DualMode = $false }
    $s.Bind($ep)
    $s.Listen(128)
    $s
}
[IO.File]::WriteAllText($ReadyFile, "$PID")

function Send-Http([System.Net.Sockets.Socket] $client, [string] $head) {
    $null = $head -match '^(GET|POST|HEAD) (\S+) HTTP/1\.[01]'
    $isDispatch = $Matches[2] -like '*newgetdns*'
    $body = if ($isDispatch) { $xml } else { [Text.Encoding]::ASCII.GetBytes('ok') }
    $type = if ($isDispatch) { 'text/xml' } else { 'text/plain' }
    $response = [Text.Encoding]::ASCII.GetBytes("HTTP/1.1 200 OK`r`nContent-Type: $type`r`nContent-Length: $($body.Length)`r`nConnection: close`r`n`r`n")
    $null = $client.Send($response)
    $null = $client.Send($body)
    $client.Shutdown([System.Net.Sockets.SocketShutdown]::Send)
}

# Open connections wait, without blocking the others, for a request. An HTTP request is answered and the connection
# closed; anything else is taken as a long link: each 16-byte heartbeat frame (command 6) gets its reply (command
# 1000000006), and the connection stays open while the client talks. Silent connections are closed after 3 s.
$open = [Collections.Generic.List[object]]::new()
$chunk = [byte[]]::new(65536)
while ($true) {
    $watch = [Collections.ArrayList]::new()
    foreach ($l in $listeners) { $null = $watch.Add($l) }
    foreach ($c in $open) { $null = $watch.Add($c.Socket) }
    [System.Net.Sockets.Socket]::Select($watch, $null, $null, 200000)
    foreach ($s in $watch) {
        if ($listeners -contains $s) {
            try { $open.Add([pscustomobject]@{ Socket = $s.Accept(); Until = [DateTime]::UtcNow.AddSeconds(3); Data = [IO.MemoryStream]::new() }) }
            catch { [Console]::Error.WriteLine("accept on $($s.LocalEndPoint): $($_.Exception.Message)") }
            continue
        }
        $entry = $open | Where-Object Socket -eq $s | Select-Object -First 1
        $close = $true
        try {
            $n = $s.Receive($chunk)
            if ($n -gt 0) {
                $entry.Data.Write($chunk, 0, $n)
                $bytes = $entry.Data.ToArray()
                $text = [Text.Encoding]::ASCII.GetString($bytes, 0, [Math]::Min($bytes.Length, 16384))
                if ($text -match '^(GET|POST|HEAD) ') {
                    if ($text.Contains("`r`n`r`n")) { Send-Http $s $text } else { $close = $bytes.Length -ge 16384 }
                }
                else {
                    $whole = $bytes.Length - ($bytes.Length % 16)
                    for ($i = 0; $i + 16 -le $whole; $i += 16) {
                        if ($bytes[$i + 11] -eq 6 -and $bytes[$i + 8] -eq 0) {
                            $reply = [byte[]]@(0, 0, 0, 0x10, 0, 0x10, 0, 1, 0x3B, 0x9A, 0xCA, 0x06, 0, 0, 0, 0)
                            $null = $s.Send($reply)
                        }
                    }
                    $rest = $bytes.Length - $whole
                    $entry.Data = [IO.MemoryStream]::new()
                    if ($rest) { $entry.Data.Write($bytes, $whole, $rest) }
                    $entry.Until = [DateTime]::UtcNow.AddSeconds(30)
                    $close = $false
                }
            }
        }
        catch { [Console]::Error.WriteLine("$($s.LocalEndPoint): $($_.Exception.Message)") }
        if ($close) { $s.Dispose(); $null = $open.Remove($entry) }
    }
    $now = [DateTime]::UtcNow
    foreach ($c in @($open | Where-Object { $_.Until -lt $now })) { $c.Socket.Dispose(); $null = $open.Remove($c) }
}
