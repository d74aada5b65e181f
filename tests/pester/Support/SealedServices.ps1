# Stand-in servers of a sealed network (tests/pester/Support/SealedNetwork.psm1): TCP listeners on the addresses and
# ports given, in the namespace this runs in. A connection that sends an HTTP request gets an answer: the dispatch
# document for .../newgetdns, "ok" for anything else; a connection that sends nothing is accepted and closed, as a
# long-link server does for a bare connect. Runs until killed; writes -ReadyFile once every socket is listening.
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

function Send-Answer([System.Net.Sockets.Socket] $client) {
    # Called when the client has sent something: read the request head, answer, close.
    $client.ReceiveTimeout = 2000
    $client.SendTimeout = 2000
    $buffer = [byte[]]::new(16384)
    $have = 0
    $deadline = [DateTime]::UtcNow.AddSeconds(2)
    while ($have -lt $buffer.Length -and [DateTime]::UtcNow -lt $deadline) {
        $n = $client.Receive($buffer, $have, $buffer.Length - $have, [System.Net.Sockets.SocketFlags]::None)
        if ($n -le 0) { break }
        $have += $n
        if ([Text.Encoding]::ASCII.GetString($buffer, 0, $have).Contains("`r`n`r`n")) { break }
    }
    $head = [Text.Encoding]::ASCII.GetString($buffer, 0, $have)
    if ($head -notmatch '^(GET|POST|HEAD) (\S+) HTTP/1\.[01]') { return }
    $isDispatch = $Matches[2] -like '*newgetdns*'
    $body = if ($isDispatch) { $xml } else { [Text.Encoding]::ASCII.GetBytes('ok') }
    $type = if ($isDispatch) { 'text/xml' } else { 'text/plain' }
    $response = [Text.Encoding]::ASCII.GetBytes("HTTP/1.1 200 OK`r`nContent-Type: $type`r`nContent-Length: $($body.Length)`r`nConnection: close`r`n`r`n")
    $null = $client.Send($response)
    $null = $client.Send($body)
    $client.Shutdown([System.Net.Sockets.SocketShutdown]::Send)
}

# Open connections wait (without blocking the others) until they send a request or 3 s pass.
$open = [Collections.Generic.List[object]]::new()
while ($true) {
    $watch = [Collections.ArrayList]::new()
    foreach ($l in $listeners) { $null = $watch.Add($l) }
    foreach ($c in $open) { $null = $watch.Add($c.Socket) }
    [System.Net.Sockets.Socket]::Select($watch, $null, $null, 200000)
    foreach ($s in $watch) {
        if ($listeners -contains $s) {
            try { $open.Add([pscustomobject]@{ Socket = $s.Accept(); Until = [DateTime]::UtcNow.AddSeconds(3) }) }
            catch { [Console]::Error.WriteLine("accept on $($s.LocalEndPoint): $($_.Exception.Message)") }
            continue
        }
        $entry = $open | Where-Object Socket -eq $s | Select-Object -First 1
        try { Send-Answer $s } catch { [Console]::Error.WriteLine("$($s.LocalEndPoint): $($_.Exception.Message)") }
        finally { $s.Dispose(); $null = $open.Remove($entry) }
    }
    $now = [DateTime]::UtcNow
    foreach ($c in @($open | Where-Object { $_.Until -lt $now })) { $c.Socket.Dispose(); $null = $open.Remove($c) }
}
