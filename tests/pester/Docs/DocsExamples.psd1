# Every ```powershell block under EXAMPLES in docs/cmdlets/*.md and the README's main-job and quick-start blocks, each
# in exactly one group (tests/pester/Docs/DocsExamples.Tests.ps1 fails on a block missing here, or an entry without a
# block). Key: page#heading. Groups:
#   Samples   runs on shipped samples or capture files the test lays out in the working folder
#   Sealed    reaches the Internet (presets, dispatch, connects, traces): runs against the sealed network's stand-ins
#   UserFile  needs a file of the user's own (GeoLite2 databases, a CA certificate, a prefix list): the test writes one
#   Capture   live capture (root): runs in the sealed network with WeChat-like traffic flowing; -Duration is shortened
#   Pester    a runbook fragment (It/Describe): run with Invoke-Pester (an It alone wrapped in a Describe), must pass
#   DryBound  Windows-only paths/adapters or a GUI program: parsed, every command resolved and its parameters bound dry
# Expect: type names (wildcards) of which at least one object must come out of the example or go into Format-*;
#   'None' when the example is meant to emit nothing (-WhatIf, Should). Files: name in the working folder = source
#   (sample:<name>, sample-gz:<name>, sample-pcap:<name>, sample-pcap-gz:<name>, generated:<situation> from the sample
#   generator (generated:<situation>@<CapturePoint> captured at Client, InBetween or Server), clixml-diagnostic:<sample> (Invoke-WeChatDiagnostic of a sample, Export-Clixml), geolite, prefixes, corp-ca).
# Match: a regular expression the example's console text must match (what the stand-ins answered).
# Creates: a file the example must leave in its working folder.
# AllowProblems: the reason a failed DNS answer, connect or trace is what the example shows.
# WeChatClient: IP:PORT list a process named WeChat in the client holds connections to while the examples run (one for all).
# AllowEmpty: the reason an example may find nothing in the files given (it still must run without error).
@{
    'README.md#The main job, on a sample capture shipped with the module' = @{ Group = 'Samples'; Expect = 'WeChatNet.Finding' }
    'README.md#Quick start' = @{ Group = 'Capture'; Expect = 'WeChatNet.Endpoint', 'WeChatNet.DnsComparison', 'WeChatNet.DispatchDomain', 'WeChatNet.MmtlsRecord', 'WeChatNet.Flow', 'WeChatNet.HeartbeatReport', 'WeChatNet.Finding', 'WeChatNet.RouteHop', 'WeChatNet.CaptureSummary'; Creates = 'wechat-diagnostic.html' }

    'docs/cmdlets/ConvertFrom-WeChatPacket.md#Example 1: Decode a shipped sample capture' = @{ Group = 'Samples'; Expect = 'WeChatNet.LongLinkFrame' }
    'docs/cmdlets/ConvertFrom-WeChatPacket.md#Example 2: Heartbeat intervals on an MMTLS long link' = @{ Group = 'Samples'; Expect = 'System.Double' }
    'docs/cmdlets/ConvertFrom-WeChatPacket.md#Example 3: Find the dead link and where the client went next' = @{ Group = 'Samples'; Expect = 'WeChatNet.StreamEvent', 'WeChatNet.Dispatch', 'WeChatNet.MmtlsRecord' }
    'docs/cmdlets/ConvertFrom-WeChatPacket.md#Example 4: What did the dispatch server tell the phone?' = @{ Group = 'Samples'; Expect = 'WeChatNet.DispatchDomain' }
    'docs/cmdlets/ConvertFrom-WeChatPacket.md#Example 5: Short-link timing from a capture file' = @{ Group = 'Samples'; Expect = 'Selected.WeChatNet.ShortLinkExchange'; Files = @{ 'phone.pcapng' = 'sample:shortlink-burst' } }
    'docs/cmdlets/ConvertFrom-WeChatPacket.md#Example 6: Decode one payload copied from Wireshark' = @{ Group = 'Samples'; Expect = 'WeChatNet.LongLinkFrame' }
    'docs/cmdlets/ConvertFrom-WeChatPacket.md#Example 7: Packets from Import-WeChatCapture' = @{ Group = 'Samples'; Expect = 'Microsoft.PowerShell.Commands.GroupInfo*'; Files = @{ 'phone.pcapng' = 'sample:legacy-longlink' } }

    'docs/cmdlets/Export-WeChatCapture.md#Example 1: Save the WeChat long-link traffic of a big capture' = @{ Group = 'Samples'; Expect = 'None'; Creates = 'longlink.pcapng'; Files = @{ 'all.pcapng' = 'sample:login-dispatch' } }
    'docs/cmdlets/Export-WeChatCapture.md#Example 2: Convert a gzip-compressed pcapng to classic pcap for an old tool' = @{ Group = 'Samples'; Expect = 'WeChatNet.CaptureFileSummary'; Files = @{ 'night.pcapng.gz' = 'sample-gz:retransmissions'; 'night.pcap' = 'sample-pcap:legacy-longlink' } }
    'docs/cmdlets/Export-WeChatCapture.md#Example 3: See what would be written' = @{ Group = 'Samples'; Expect = 'None'; Files = @{ 'a.pcap' = 'sample-pcap:legacy-longlink' } }

    'docs/cmdlets/Get-WeChatCaptureDevice.md#Example 1: Every interface, with the default one marked' = @{ Group = 'Capture'; Expect = 'WeChatNet.CaptureDevice' }
    'docs/cmdlets/Get-WeChatCaptureDevice.md#Example 2: Capture on the interface WeChat uses' = @{ Group = 'Capture'; Expect = 'WeChatNet.CaptureSummary' }
    'docs/cmdlets/Get-WeChatCaptureDevice.md#Example 3: Wi-Fi adapters on Windows, by description' = @{ Group = 'DryBound'; Reason = 'a Windows adapter name (Wi-Fi)' }

    'docs/cmdlets/Get-WeChatConnection.md#Example 1: Is WeChat''s long link up, to which server, and how is it doing?' = @{ Group = 'Sealed'; Expect = 'WeChatNet.Connection'; WeChatClient = '183.3.224.139:8080,109.244.217.11:80'; Match = 'long\.weixin\.qq\.com\s+LongLink\s+Established' }
    'docs/cmdlets/Get-WeChatConnection.md#Example 2: Every statistic of the long link' = @{ Group = 'Sealed'; Expect = 'WeChatNet.Connection'; WeChatClient = '183.3.224.139:8080,109.244.217.11:80'; Match = 'RttMs\s+: \d' }
    'docs/cmdlets/Get-WeChatConnection.md#Example 3: Watch the long link come and go for ten minutes' = @{ Group = 'Capture'; Expect = 'WeChatNet.ConnectionEvent'; WeChatClient = '183.3.224.139:8080,109.244.217.11:80' }
    'docs/cmdlets/Get-WeChatConnection.md#Example 4: Web WeChat in a browser, by its connections to WeChat''s servers' = @{ Group = 'Sealed'; Expect = 'None' }
    'docs/cmdlets/Get-WeChatConnection.md#Example 5: Name the servers from WeChat''s own dispatch' = @{ Group = 'Sealed'; Expect = 'WeChatNet.Connection'; WeChatClient = '183.3.224.139:8080,109.244.217.11:80'; Match = 'Dispatch' }
    'docs/cmdlets/Get-WeChatConnection.md#Example 6: A Pester runbook line' = @{ Group = 'Pester'; Expect = 'None'; WeChatClient = '183.3.224.139:8080,109.244.217.11:80' }

    'docs/cmdlets/Get-WeChatDispatch.md#Example 1: What does WeChat''s dispatch hand out on this network?' = @{ Group = 'Sealed'; Expect = 'WeChatNet.DispatchDomain'; Match = 'long\.weixin\.qq\.com\s.*183\.3\.224\.139' }
    'docs/cmdlets/Get-WeChatDispatch.md#Example 2: Compare the dispatch with a resolver' = @{ Group = 'Sealed'; Expect = 'System.Management.Automation.PSCustomObject' }
    'docs/cmdlets/Get-WeChatDispatch.md#Example 3: A mirror or a test server, as a mobile client, with a short timeout' = @{ Group = 'Sealed'; Expect = 'WeChatNet.Dispatch'; LocalDispatch = '127.0.0.1:8080' }

    'docs/cmdlets/Get-WeChatEndpoint.md#Example 1: The long-link hosts of both families' = @{ Group = 'Samples'; Expect = 'System.String' }
    'docs/cmdlets/Get-WeChatEndpoint.md#Example 2: Everything served from qpic.cn' = @{ Group = 'Samples'; Expect = 'WeChatNet.Endpoint' }
    'docs/cmdlets/Get-WeChatEndpoint.md#Example 3: Which hosts does the overseas client use in Singapore?' = @{ Group = 'Samples'; Expect = 'WeChatNet.Endpoint' }
    'docs/cmdlets/Get-WeChatEndpoint.md#Example 4: Resolve every short-link host (with Resolve-WeChatDomain, once available)' = @{ Group = 'Sealed'; Expect = 'WeChatNet.DnsAnswer' }

    'docs/cmdlets/Get-WeChatFinding.md#Example 1: What is wrong in the NAT-timeout sample?' = @{ Group = 'Samples'; Expect = 'WeChatNet.Finding' }
    'docs/cmdlets/Get-WeChatFinding.md#Example 2: A daily runbook: no warnings in the latest capture' = @{ Group = 'DryBound'; Reason = 'a Windows path (C:\captures)' }
    'docs/cmdlets/Get-WeChatFinding.md#Example 3: A mainland office served from abroad?' = @{ Group = 'Samples'; Expect = 'WeChatNet.Finding'; Files = @{ 'office.pcapng' = 'sample:dead-link' } }

    'docs/cmdlets/Get-WeChatFlow.md#Example 1: The connections WeChat opened in a sample capture' = @{ Group = 'Samples'; Expect = 'WeChatNet.Flow' }
    'docs/cmdlets/Get-WeChatFlow.md#Example 2: Long links that were reset, newest first' = @{ Group = 'Samples'; Expect = 'WeChatNet.Flow'; Files = @{ 'office.pcapng' = 'sample:dead-link' } }
    'docs/cmdlets/Get-WeChatFlow.md#Example 3: Only the flows of one filtered packet set' = @{ Group = 'Samples'; Expect = 'WeChatNet.Flow'; Files = @{ 'office.pcapng' = 'sample:legacy-longlink' } }

    'docs/cmdlets/Get-WeChatIpInfo.md#Example 1: Is this server in mainland China, and is it Tencent''s?' = @{ Group = 'Samples'; Expect = 'WeChatNet.IpInfo' }
    'docs/cmdlets/Get-WeChatIpInfo.md#Example 2: Hong Kong, city and AS names from your own GeoLite2 databases' = @{ Group = 'UserFile'; Expect = 'WeChatNet.IpInfo'; Files = @{ 'GeoLite2-City.mmdb' = 'geolite'; 'GeoLite2-ASN.mmdb' = 'geolite' } }
    'docs/cmdlets/Get-WeChatIpInfo.md#Example 3: Use the databases for every cmdlet in this session' = @{ Group = 'UserFile'; Expect = 'WeChatNet.ConnectionTest'; Files = @{ 'GeoLite2-City.mmdb' = 'geolite'; 'GeoLite2-ASN.mmdb' = 'geolite' } }
    'docs/cmdlets/Get-WeChatIpInfo.md#Example 4: Label addresses from other objects in the pipeline' = @{ Group = 'Samples'; Expect = 'WeChatNet.IpInfo' }
    'docs/cmdlets/Get-WeChatIpInfo.md#Example 5: A newer chnroutes2 list' = @{ Group = 'UserFile'; Expect = 'WeChatNet.IpInfo'; Files = @{ 'chnroutes2-latest.txt' = 'prefixes' } }

    'docs/cmdlets/Get-WeChatRoute.md#Example 1: Where does the delay to the long-link server begin?' = @{ Group = 'Sealed'; Expect = 'WeChatNet.RouteHop' }
    'docs/cmdlets/Get-WeChatRoute.md#Example 2: Trace the long-link port itself, 10 rounds, with names' = @{ Group = 'Sealed'; Expect = 'WeChatNet.RouteHop'; Match = '198\.18\.100\.1\b' }
    'docs/cmdlets/Get-WeChatRoute.md#Example 3: In a runbook: fail when real loss begins before the target' = @{ Group = 'Sealed'; Expect = 'None' }
    'docs/cmdlets/Get-WeChatRoute.md#Example 4: Every long-link host of the overseas client, over IPv6' = @{ Group = 'Sealed'; Expect = 'Selected.WeChatNet.RouteHop' }

    'docs/cmdlets/Get-WeChatSample.md#Example 1: List the samples' = @{ Group = 'Samples'; Expect = 'WeChatNet.WeChatSample' }
    'docs/cmdlets/Get-WeChatSample.md#Example 2: Decode one' = @{ Group = 'Samples'; Expect = 'WeChatNet.MmtlsRecord', 'WeChatNet.StreamEvent', 'WeChatNet.Dispatch' }
    'docs/cmdlets/Get-WeChatSample.md#Example 3: Open a sample in Wireshark' = @{ Group = 'DryBound'; Reason = 'starts the Wireshark GUI' }

    'docs/cmdlets/Import-WeChatCapture.md#Example 1: Read a capture and show it like Wireshark''s packet list' = @{ Group = 'Samples'; Expect = 'WeChatNet.Packet'; Files = @{ 'wechat-login.pcapng' = 'sample:login-dispatch' } }
    'docs/cmdlets/Import-WeChatCapture.md#Example 2: Only the traffic to one long-link server on 8080' = @{ Group = 'Samples'; Expect = 'Selected.WeChatNet.Packet'; Files = @{ 'wechat-login.pcapng' = 'sample:login-dispatch' }; AllowEmpty = 'no sample talks to 43.130.30.240 on 8080' }
    'docs/cmdlets/Import-WeChatCapture.md#Example 3: Every capture in a folder, TCP resets only, counted per server' = @{ Group = 'Samples'; Expect = 'Microsoft.PowerShell.Commands.GroupInfo*'; Files = @{ 'captures/dead-link.pcapng' = 'sample:dead-link'; 'captures/nat-timeout.pcap' = 'sample-pcap:nat-timeout' } }
    'docs/cmdlets/Import-WeChatCapture.md#Example 4: Fail a Pester runbook when a capture is damaged' = @{ Group = 'Samples'; Expect = 'None'; Files = @{ 'night.pcap.gz' = 'sample-pcap-gz:mmtls-longlink' } }
    'docs/cmdlets/Import-WeChatCapture.md#Example 5: Keep only DNS and write it back out' = @{ Group = 'Samples'; Expect = 'None'; Creates = 'dns.pcapng'; Files = @{ 'big.pcapng' = 'sample:login-dispatch' } }

    'docs/cmdlets/Invoke-WeChatDiagnostic.md#Example 1: What is wrong in a capture from a phone?' = @{ Group = 'Samples'; Expect = 'WeChatNet.Finding'; Files = @{ 'phone.pcapng' = 'sample:dead-link' } }
    'docs/cmdlets/Invoke-WeChatDiagnostic.md#Example 2: Check this network live and write a report for the ticket' = @{ Group = 'Sealed'; Expect = 'WeChatNet.Finding'; Creates = 'wechat-diagnostic.html' }
    'docs/cmdlets/Invoke-WeChatDiagnostic.md#Example 3: Both at once, only what needs attention' = @{ Group = 'Sealed'; Expect = 'WeChatNet.Finding' }
    'docs/cmdlets/Invoke-WeChatDiagnostic.md#Example 4: Your own resolvers, labelled by region, and a given long-link server' = @{ Group = 'Sealed'; Expect = 'WeChatNet.Finding' }
    'docs/cmdlets/Invoke-WeChatDiagnostic.md#Example 5: In a Pester runbook' = @{ Group = 'Pester' }

    'docs/cmdlets/Measure-WeChatHeartbeat.md#Example 1: Heartbeats in the dead-link sample' = @{ Group = 'Samples'; Expect = 'WeChatNet.HeartbeatReport' }
    'docs/cmdlets/Measure-WeChatHeartbeat.md#Example 2: A runbook check: no long link died in last night''s capture' = @{ Group = 'Pester'; Files = @{ 'night.pcapng' = 'sample:mmtls-longlink' } }

    'docs/cmdlets/Resolve-WeChatDomain.md#Example 1: What do the system resolvers say about WeChat''s long and short links?' = @{ Group = 'Sealed'; Expect = 'WeChatNet.DnsAnswer'; Match = '114\.114\.114\.114' }
    'docs/cmdlets/Resolve-WeChatDomain.md#Example 2: Would a mainland user get the same servers as an overseas one?' = @{ Group = 'Sealed'; Expect = 'WeChatNet.DnsComparison' }
    'docs/cmdlets/Resolve-WeChatDomain.md#Example 3: Ask an authoritative server as if from a Shanghai subnet, over TCP' = @{ Group = 'Sealed'; Expect = 'Selected.WeChatNet.DnsAnswer'; Match = '109\.244\.217\.11' }
    'docs/cmdlets/Resolve-WeChatDomain.md#Example 4: A private DoH resolver with its own certificate authority' = @{ Group = 'UserFile'; Expect = 'WeChatNet.DnsAnswer'; Files = @{ 'corp-ca.pem' = 'corp-ca' } }
    'docs/cmdlets/Resolve-WeChatDomain.md#Example 5: DNS against WeChat''s own dispatch' = @{ Group = 'Sealed'; Expect = 'WeChatNet.DnsComparison' }

    'docs/cmdlets/Start-WeChatCapture.md#Example 1: Watch WeChat''s packets for 30 seconds' = @{ Group = 'Capture'; Expect = 'WeChatNet.Packet' }
    'docs/cmdlets/Start-WeChatCapture.md#Example 2: Keep five minutes of WeChat traffic in a file, then look at its flows' = @{ Group = 'Capture'; Expect = 'WeChatNet.CaptureSummary', 'WeChatNet.Flow' }
    'docs/cmdlets/Start-WeChatCapture.md#Example 3: A ring of 10 files of 50 MB each, running until Ctrl+C' = @{ Group = 'DryBound'; Reason = 'a Windows path (D:\captures) and no end but Ctrl+C' }
    'docs/cmdlets/Start-WeChatCapture.md#Example 4: Your own filter, the first 1000 packets, to a file and to the pipeline' = @{ Group = 'Capture'; Expect = 'WeChatNet.Packet' }

    'docs/cmdlets/Test-WeChatConnection.md#Example 1: Can this machine reach WeChat, and how fast?' = @{ Group = 'Sealed'; Expect = 'WeChatNet.ConnectionTest' }
    'docs/cmdlets/Test-WeChatConnection.md#Example 2: Only the failures, with the reason' = @{ Group = 'Sealed'; Expect = 'None' }
    'docs/cmdlets/Test-WeChatConnection.md#Example 3: Compare two long-link servers on the long link''s port' = @{ Group = 'Sealed'; Expect = 'WeChatNet.ConnectionTest'; Match = '183\.3\.224\.139' }
    'docs/cmdlets/Test-WeChatConnection.md#Example 4: Every regional long-link host from the catalog' = @{ Group = 'Sealed'; Expect = 'WeChatNet.ConnectionTest' }
    'docs/cmdlets/Test-WeChatConnection.md#Example 5: A Pester runbook line' = @{ Group = 'Sealed'; Expect = 'None' }

    'docs/cmdlets/ConvertFrom-WeChatPacket.md#Example 8: Read an MMTLS long link''s real commands with a key log' = @{ Group = 'Samples'; Expect = 'WeChatNet.LongLinkFrame', 'WeChatNet.ShortLinkExchange' }
    'docs/cmdlets/Get-WeChatFinding.md#Example 4: Everything in a mixed capture, not only WeChat' = @{ Group = 'Samples'; Expect = 'WeChatNet.Finding'; Files = @{ 'laptop.pcapng' = 'generated:mixed-traffic' } }
    'docs/cmdlets/Get-WeChatFinding.md#Example 5: Findings that rest on decrypted heartbeats' = @{ Group = 'Samples'; Expect = 'None'; AllowEmpty = 'the key-log sample is a healthy long link: no finding is the point' }
    'docs/cmdlets/Get-WeChatFlow.md#Example 4: Where did each host name come from?' = @{ Group = 'Samples'; Expect = 'WeChatNet.Flow'; Files = @{ 'browser.pcapng' = 'generated:web-wechat' } }
    'docs/cmdlets/Get-WeChatFlow.md#Example 5: The long link''s real commands, from a key log' = @{ Group = 'Samples'; Expect = 'WeChatNet.Flow' }
    'docs/cmdlets/Get-WeChatFlow.md#Example 6: Where was the capture taken, and how long is the path?' = @{ Group = 'Samples'; Expect = 'WeChatNet.Flow'; Files = @{ 'router.pcapng' = 'generated:phone-abroad@InBetween' }; Match = 'InBetween' }
    'docs/cmdlets/Get-WeChatFinding.md#Example 6: The same session captured at the server' = @{ Group = 'Samples'; Expect = 'WeChatNet.Finding'; Files = @{ 'server.pcapng' = 'generated:nat-idle@Server' }; Match = '210 s of silence' }
    'docs/cmdlets/Invoke-WeChatDiagnostic.md#Example 6: A capture and its key log, with a report that keeps the keys out' = @{ Group = 'Samples'; Expect = 'Microsoft.PowerShell.Commands.MatchInfo' }
    'docs/cmdlets/Measure-WeChatHeartbeat.md#Example 3: Exact heartbeats from a key log instead of a size-and-timing guess' = @{ Group = 'Samples'; Expect = 'WeChatNet.HeartbeatReport' }
    'docs/cmdlets/Export-WeChatReport.md#Example 1: One report for three shops' = @{ Group = 'DryBound'; Reason = 'SSH remoting to named hosts (shop1, shop2, depot): tests/pester/Remoting.Tests.ps1 runs this pattern against three namespace sites' }
    'docs/cmdlets/Export-WeChatReport.md#Example 2: Label results kept as files, then report' = @{ Group = 'Samples'; Expect = 'WeChatNet.ReportFile'; Creates = 'shop1-vs-shop2.md'; Files = @{ 'shop1.xml' = 'clixml-diagnostic:dead-link'; 'shop2.xml' = 'clixml-diagnostic:nat-timeout' } }
    'docs/cmdlets/Export-WeChatReport.md#Example 3: This machine''s diagnostic as a Markdown page' = @{ Group = 'Samples'; Expect = 'WeChatNet.ReportFile'; Creates = 'office.md'; Files = @{ 'office.pcapng' = 'sample:dead-link' } }
    'docs/cmdlets/Start-WeChatCapture.md#Example 5: A long capture at a remote site, stopped and fetched from here' = @{ Group = 'DryBound'; Reason = 'SSH remoting to a named host (shop1): tests/pester/Remoting.Tests.ps1 runs a remote capture job stopped from the controller and fetched with Copy-Item -FromSession' }
    'docs/cmdlets/Start-WeChatCapture.md#Example 6: What would be written' = @{ Group = 'Capture'; Expect = 'None' }
}
