#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# WeChatNet over real PowerShell remoting (SSH). Three "sites", each a network namespace with its own sshd and
# stand-ins (Support/FleetSites.psm1): "healthy"; "wrongdns", whose resolver sends a mainland client to an overseas
# address; "blocked", where iptables drops the long link (TCP 8080). The controller is this Pester process: it runs
# the diagnostic everywhere with New-PSSession -HostName and Invoke-Command -Session -ThrottleLimit, stops a remote capture job and closes a
# session under a flood and checks every counted packet was kept, copies captures back with Copy-Item -FromSession,
# renders the cross-site report in headless Chromium, and runs the fleet runbook in a passing and a failing setup.
# The sites import the packaged module (out/WeChatNet) by path. Nothing leaves the machine: the namespaces hang off
# the host on private /30s with no default route (checked). Needs root, sshd, ssh, python3, tshark, chromium.

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    $script:manifest = (Resolve-Path $manifest).Path
    Import-Module $script:manifest -Force
    Import-Module (Join-Path $PSScriptRoot 'Support/FleetSites.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Support/CaptureStop.psm1') -Force

    $dispatchXml = @'
<?xml version="1.0" encoding="utf-8"?>
<dns>
  <retcode>0</retcode>
  <clientip>10.0.0.1</clientip>
  <domainlist>
    <domain name="long.weixin.qq.com" timeout="600"><ip>101.226.5.4</ip><ip>180.163.10.11</ip></domain>
    <domain name="short.weixin.qq.com" timeout="600"><ip property="major">14.215.1.2</ip></domain>
  </domainlist>
</dns>
'@
    $overseasDispatch = $dispatchXml -replace '101\.226\.5\.4', '129.226.1.1'
    $script:lab = New-FleetLab -Sites @(
        @{ Name = 'healthy'; Answers = 'long.weixin.qq.com=101.226.5.4'; DispatchXml = $dispatchXml }
        @{ Name = 'wrongdns'; Answers = 'long.weixin.qq.com=129.226.1.1'; DispatchXml = $overseasDispatch }
        @{ Name = 'blocked'; Answers = 'long.weixin.qq.com=101.226.5.4'; DispatchXml = $dispatchXml; BlockLongLink = $true }
    )
    $script:site = @{}
    foreach ($s in $lab.Sites) { $site[$s.Name] = $s }
    $script:ssh = @{ UserName = 'root'; KeyFilePath = $lab.Key; Options = (Get-FleetSshOptions) }

    # What every site runs: the diagnostic against its own stand-ins (the address the controller reached it on),
    # plus the objects behind it for the report. The stand-ins answer at once and no timeout is under test, so the
    # timeouts are long (5 s): with 1-1.5 s a loaded machine could make the healthy site look broken.
    $script:siteScript = @'
$me = ($env:SSH_CONNECTION -split ' ')[2]
$dispatch = "http://$me/cgi-bin/micromsg-bin/newgetdns"
Invoke-WeChatDiagnostic -Live -Server "${me}:53" -Name long.weixin.qq.com -Target $me -Port 8080 -DispatchUri $dispatch -SkipTrace -ClientRegion MainlandChina -DnsTimeout 5 -ConnectTimeout 5
Resolve-WeChatDomain long.weixin.qq.com -Server "${me}:53" -Timeout 5
Test-WeChatConnection -Address $me -Port 8080 -Timeout 5 -SkipHttp
Get-WeChatDispatch -Uri $dispatch -TimeoutSec 5
'@
    # Invoke-Command -HostName has no -ThrottleLimit (pwsh 7.6's SSHHost parameter set): sessions first, then
    # Invoke-Command -Session -ThrottleLimit, as the fleet runbook does.
    $sessions = New-PSSession -HostName $lab.Sites.Address @ssh -ErrorAction Stop
    $job = Invoke-Command -Session $sessions -ThrottleLimit 2 -AsJob -ArgumentList $script:manifest, $siteScript -ScriptBlock {
        param($module, $script)
        Import-Module $module
        & ([scriptblock]::Create($script))
        Write-Warning "site $(($env:SSH_CONNECTION -split ' ')[2]) done"
    }
    $null = $job | Wait-Job -Timeout 300
    # Progress records as the controller got them (read before Receive-Job, which takes them off the job).
    $script:progress = @($job.ChildJobs | ForEach-Object { $_.Progress } | Where-Object { $_ })
    $script:results = @($job | Receive-Job -Keep -ErrorVariable remoteErrors -ErrorAction SilentlyContinue -WarningVariable remoteWarnings -WarningAction SilentlyContinue)
    $script:remoteWarnings = @($remoteWarnings)
    $script:remoteErrors = $remoteErrors
    $job | Remove-Job -Force
    $sessions | Remove-PSSession
    function script:Of([string] $Name) { $results | Where-Object PSComputerName -eq $site[$Name].Address }
}

AfterAll {
    Remove-FleetLab $script:lab
}

Describe 'WeChatNet over SSH remoting' {
    Context 'the sites' {
        It 'have no route out of the machine' {
            foreach ($s in $lab.Sites) {
                (ip netns exec $s.Namespace ip -4 route) -join "`n" | Should -Not -Match 'default' -Because "site $($s.Name) must not reach the outside"
            }
        }
    }

    Context 'Invoke-Command -ThrottleLimit over SSH sessions to three sites' {
        It 'reached every site without an error' {
            $remoteErrors | ForEach-Object { "$($_.OriginInfo.PSComputerName): $_" } | Should -BeNullOrEmpty
            ($results.PSComputerName | Sort-Object -Unique) | Should -Be ($lab.Sites.Address | Sort-Object)
        }

        It 'names each site''s expected findings' {
            Of healthy | Where-Object { $_.PSObject.TypeNames[0] -eq 'Deserialized.WeChatNet.Finding' -and $_.Severity -ne 'Info' } |
                ForEach-Object { "healthy: $($_.RuleId) $($_.Title)" } | Should -BeNullOrEmpty
            (Of wrongdns | Where-Object RuleId -eq 'ResolverRegionMismatch').Title | Should -Match 'MainlandChina client sent to Overseas addresses for long.weixin.qq.com'
            (Of wrongdns | Where-Object RuleId -eq 'HostUnreachable') | Should -BeNullOrEmpty
            (Of blocked | Where-Object RuleId -eq 'HostUnreachable').Severity | Should -Be 'Error'
            (Of blocked | Where-Object RuleId -eq 'ResolverRegionMismatch') | Should -BeNullOrEmpty
        }

        It 'brings every output type back deserialised, with no property lost or stringified' {
            $byType = Of healthy | Group-Object { $_.PSObject.TypeNames[0] } -AsHashTable -AsString
            foreach ($t in 'DnsAnswer', 'ConnectionTest', 'Dispatch') { $byType.ContainsKey("Deserialized.WeChatNet.$t") | Should -BeTrue -Because "$t comes back" }
            $byType['Deserialized.WeChatNet.Finding'] = @(Of wrongdns | Where-Object { $_.PSObject.TypeNames[0] -eq 'Deserialized.WeChatNet.Finding' })
            $answer = $byType['Deserialized.WeChatNet.DnsAnswer'][0]
            $answer.Addresses | Should -Be '101.226.5.4'
            $answer.AddressRegions | Should -Be 'MainlandChina'
            $d = $byType['Deserialized.WeChatNet.Dispatch'][0]
            $long = $d.Domains | Where-Object Name -eq 'long.weixin.qq.com'
            $long.Addresses.Address | Should -Be '101.226.5.4', '180.163.10.11' -Because 'SerializationDepth keeps the nested domains and addresses objects'
            ($d.Domains | Where-Object Name -eq 'short.weixin.qq.com').Addresses[0].Property | Should -Be 'major'
            # Every property of the live type is on the deserialised object.
            foreach ($pair in @{ 'Dispatch' = [WeChatNet.Dispatch]; 'DnsAnswer' = [WeChatNet.DnsAnswer]; 'ConnectionTest' = [WeChatNet.ConnectionTest]; 'Finding' = [WeChatNet.Finding] }.GetEnumerator()) {
                $o = $byType["Deserialized.WeChatNet.$($pair.Key)"][0]
                foreach ($p in $pair.Value.GetProperties().Name) { $o.PSObject.Properties.Name | Should -Contain $p -Because "$($pair.Key).$p survives remoting" }
            }
        }

        It 'formats deserialised objects with the module''s views plus PSComputerName' {
            $viewed = (Get-FormatData -TypeName 'WeChatNet.*').TypeNames | Where-Object { $_ -notlike 'Deserialized.*' }
            $viewed.Count | Should -BeGreaterThan 15
            foreach ($t in $viewed) {
                (Get-FormatData -TypeName "Deserialized.$t").FormatViewDefinition.Control | Should -BeOfType ([System.Management.Automation.TableControl]) -Because "Deserialized.$t has $t's view"
            }
            $text = Of wrongdns | Where-Object { $_.PSObject.TypeNames[0] -eq 'Deserialized.WeChatNet.Finding' } | Format-Table | Out-String -Width 200
            $text | Should -Match 'Severity\s+Area\s+File\s+Title'
            $text | Should -Match 'PSComputerName'
            $text | Should -Match ([regex]::Escape($site.wrongdns.Address))
        }

        It 'passes warnings and progress to the controller' {
            $remoteWarnings.Message | Should -Contain "site $($site.blocked.Address) done"
            $progress.Activity | Should -Contain 'Invoke-WeChatDiagnostic' -Because 'the diagnostic''s progress reaches the controller'
            ($progress | Where-Object Activity -eq 'Invoke-WeChatDiagnostic').StatusDescription | Should -Contain 'Dns' -Because 'each stage is reported'
        }
    }

    Context 'a remote capture, stopped from the controller' {
        BeforeEach {
            $script:session = New-PSSession -HostName $site.healthy.Address @ssh
            Invoke-Command -Session $session -ScriptBlock { param($m) Import-Module $m } -ArgumentList $manifest
            $script:port = Get-FreeUdpPort
            $script:remoteFile = Join-Path $site.healthy.Dir "capture-$(Get-Random).pcapng"
            $script:flood = Start-UdpFlood -Port $port -Address $site.healthy.Address
            $script:local = Join-Path $TestDrive "copy-$(Get-Random)"
            New-Item -ItemType Directory $local | Out-Null
        }
        AfterEach {
            Stop-UdpFlood $flood
            if ($session) { Remove-PSSession $session -ErrorAction SilentlyContinue }
        }

        It 'keeps every counted packet when <How>, and Copy-Item -FromSession brings the file back' -ForEach @(
            @{ How = 'the job is stopped (Stop-Job)' }, @{ How = 'the session is closed (Remove-PSSession)' }, @{ How = 'the remote pwsh is killed (SIGTERM)' }
        ) {
            $iface = (ip netns exec $site.healthy.Namespace ip -o link | Select-String -Pattern "\d+: (wf\w+n)@").Matches[0].Groups[1].Value
            $job = Invoke-Command -Session $session -AsJob -ArgumentList $iface, $port, $remoteFile -ScriptBlock {
                param($iface, $port, $file)
                Start-WeChatCapture $iface -Filter "udp port $port" -OutFile $file
            }
            Wait-CaptureFileGrowing -Path $remoteFile
            if ($How -match 'Stop-Job') {
                $job | Stop-Job
                $job.State | Should -Be 'Stopped'
                Copy-Item -FromSession $session -Path $remoteFile -Destination $local
            } else {
                if ($How -match 'SIGTERM') {
                    # The site's PowerShell server process (sshd's subsystem), killed as a service manager would.
                    $server = @(ip netns pids $site.healthy.Namespace) | Where-Object { (Get-Content "/proc/$_/cmdline" -Raw -ErrorAction SilentlyContinue) -match '-sshs' }
                    $server | Should -Not -BeNullOrEmpty
                    foreach ($id in $server) { kill -TERM $id }
                } else {
                    Remove-PSSession $session
                }
                $script:session = $null
                $job | Remove-Job -Force
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while (-not (Get-PcapNgBlockSummary -Path $remoteFile).Delivered -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
                $again = New-PSSession -HostName $site.healthy.Address @ssh
                try { Copy-Item -FromSession $again -Path $remoteFile -Destination $local } finally { Remove-PSSession $again }
            }
            $copy = Join-Path $local (Split-Path $remoteFile -Leaf)
            $c = Get-CaptureFileCheck -Path $copy
            $c.Complete | Should -BeTrue
            $c.TsharkErrors | Should -BeNullOrEmpty
            $c.Recorded | Should -BeGreaterThan 100 -Because 'the flood reached the site while it captured'
            $c.TsharkPackets | Should -Be $c.Recorded -Because 'every packet the remote capture counted is in the copied file'
            $c.ReaderPackets | Should -Be $c.Recorded
            (Get-FileHash $copy).Hash | Should -Be (Get-FileHash $remoteFile).Hash
        }
    }

    Context 'the cross-site report' {
        BeforeAll {
            $script:html = Join-Path $TestDrive 'fleet.html'
            # In site order (healthy, wrongdns, blocked), whatever order the throttled sessions answered in.
            $script:out = $results | Sort-Object -Stable { $lab.Sites.Address.IndexOf($_.PSComputerName) } | Export-WeChatReport -Path $html
            $script:text = Get-Content $html -Raw
        }

        It 'writes one page with every site' {
            $out | Should -BeOfType ([WeChatNet.ReportFile])
            $out.SiteCount | Should -Be 3
            $out.Format | Should -Be 'Html'
            $text | Should -Match 'Findings by site'
            foreach ($s in $lab.Sites) { $text | Should -Match ([regex]::Escape("Site $($s.Address)")) }
            $text | Should -Not -Match '<script'
        }

        It 'puts each site''s findings in the matrix and shows what differs' {
            # The matrix row of a rule: one cell per site, in site order (healthy, wrongdns, blocked).
            function Row($rule) { [regex]::Match($text, "<tr><td><b>[^<]*</b><br><small>$rule</small></td>.*?</tr>").Value }
            $cells = [regex]::Matches((Row 'ResolverRegionMismatch'), 'class="cell (\w+)"') | ForEach-Object { $_.Groups[1].Value }
            $cells | Should -Be 'none', 'Warning', 'none'
            $cells = [regex]::Matches((Row 'HostUnreachable'), 'class="cell (\w+)"') | ForEach-Object { $_.Groups[1].Value }
            $cells | Should -Be 'none', 'none', 'Error'
            $text | Should -Match 'Resolver answers for long.weixin.qq.com <span class="bad">differs'
            $text | Should -Match 'Dispatch answers <span class="bad">differs'
            $text | Should -Match 'Long-link connects <span class="bad">differs'
            $text | Should -Match 'none connected'
        }

        It 'renders in headless Chromium' {
            $chromium = Get-Command chromium, chromium-browser -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
            if (-not $chromium) { throw 'chromium is needed to render the report (apt-get install chromium).' }
            $png = Join-Path $TestDrive 'fleet.png'
            $profile = Join-Path $TestDrive "chromium-$(Get-Random)"
            & $chromium.Source --headless --no-sandbox --disable-gpu --disable-background-networking "--user-data-dir=$profile" `
                --window-size=1280,1600 "--screenshot=$png" "file://$html" 2>&1 | Out-Null
            Test-Path $png | Should -BeTrue -Because 'chromium writes a screenshot'
            $pixels = Get-PngColorCount -Path $png -Colors @{ ErrorCell = 0xfde2e1; WarningCell = 0xfff1d6 }
            $pixels.ErrorCell | Should -BeGreaterThan 200 -Because 'the blocked site''s error cell is drawn'
            $pixels.WarningCell | Should -BeGreaterThan 200 -Because 'the wrong-region warning cell is drawn'
        }
    }

    Context 'the fleet runbook (docs/runbooks/Fleet.Tests.ps1)' {
        BeforeAll {
            $script:runbook = Join-Path $PSScriptRoot '../../docs/runbooks/Fleet.Tests.ps1'
            # A capture folder "at the site" (the sites share this machine's disk, so one folder serves all).
            $script:siteCaptures = Join-Path $TestDrive 'site-captures'
            New-Item -ItemType Directory $siteCaptures | Out-Null
            Copy-Item (Get-WeChatSample nat-timeout).Path (Join-Path $siteCaptures 'older.pcapng')
            Copy-Item (Get-WeChatSample dead-link).Path (Join-Path $siteCaptures 'newest.pcapng')
            (Get-Item (Join-Path $siteCaptures 'older.pcapng')).LastWriteTime = (Get-Date).AddHours(-1)
            (Get-Item (Join-Path $siteCaptures 'newest.pcapng')).LastWriteTime = Get-Date   # Copy-Item keeps the sample's own time
            function script:Invoke-Runbook([string[]] $HostName, [string] $Report, [hashtable] $More = @{}) {
                $data = @{ HostName = $HostName; UserName = 'root'; KeyFilePath = $lab.Key; SshOptions = (Get-FleetSshOptions); ModulePath = $manifest
                           SiteScript = $siteScript; ReportPath = $Report; ThrottleLimit = 3 }
                foreach ($k in $More.Keys) { $data[$k] = $More[$k] }   # -More may replace a default (SiteScript)
                $c = New-PesterContainer -Path $runbook -Data $data
                $conf = New-PesterConfiguration
                $conf.Run.Container = $c; $conf.Run.PassThru = $true; $conf.Output.Verbosity = 'None'
                Invoke-Pester -Configuration $conf
            }
        }

        It 'passes for a healthy site' {
            $collect = Join-Path $TestDrive 'collected'
            $r = Invoke-Runbook -HostName $site.healthy.Address -Report (Join-Path $TestDrive 'pass.html') -More @{ RemoteCaptureFolder = $siteCaptures; CollectFolder = $collect }
            $r.FailedCount | Should -Be 0
            $r.PassedCount | Should -Be 4
            Join-Path $TestDrive 'pass.html' | Should -Exist
            # The site's newest capture came back over the session.
            $copy = Join-Path $collect "$($site.healthy.Address)/newest.pcapng"
            $copy | Should -Exist
            (Get-FileHash $copy).Hash | Should -Be (Get-FileHash (Get-WeChatSample dead-link).Path).Hash
        }

        It 'fails a site whose session breaks halfway, naming it, and its report says so' {
            # The blocked site's PowerShell ends itself after its diagnostic (as a crash or an OOM kill would). The runbook fails
            # the site; its report must say so too (before, the report showed the site's findings as if it had finished).
            $dies = $site.blocked.Address
            $script = $siteScript + "`nif ((`$env:SSH_CONNECTION -split ' ')[2] -eq '$dies') { Stop-Process -Id `$PID -Force }"
            $report = Join-Path $TestDrive 'halfway.html'
            $r = Invoke-Runbook -HostName $site.healthy.Address, $dies -Report $report -More @{ SiteScript = $script }
            $r.Failed.ExpandedName | Should -Be 'answers over remoting'
            $r.Failed[0].ErrorRecord.Exception.Message | Should -Match ([regex]::Escape("site ${dies}: ") + '.*SSH client session has ended')
            @($r.Skipped.ExpandedName) | Should -Contain 'has no finding at or above the minimum severity' -Because 'a site that broke has not passed its checks'
            $r.PassedCount | Should -Be 3 -Because 'the healthy site answers and has no finding; the report was written'
            $html = Get-Content -Raw $report
            $html | Should -Match ([regex]::Escape(">Site $dies</h2>") + '\s*<p class="bad"><b>This site failed:</b> [^<]*SSH client session has ended')
            $html | Should -Match ([regex]::Escape(">Site $($site.healthy.Address)</h2>"))
        }

        It 'fails naming the site and the finding' {
            # The three sites, and an address where nothing answers SSH (the healthy site's host end of its link).
            $nobody = $site.healthy.HostAddress
            $r = Invoke-Runbook -HostName (@($lab.Sites.Address) + $nobody) -Report (Join-Path $TestDrive 'fail.html')
            $r.FailedCount | Should -Be 3
            $messages = ($r.Failed | ForEach-Object { $_.ErrorRecord.Exception.Message }) -join "`n"
            $messages | Should -Match ([regex]::Escape("site $($site.wrongdns.Address): [Warning] ResolverRegionMismatch"))
            $messages | Should -Match ([regex]::Escape("site $($site.blocked.Address): [Error] HostUnreachable"))
            $messages | Should -Match ([regex]::Escape("site ${nobody}: not reached"))
            $messages | Should -Not -Match ([regex]::Escape("site $($site.healthy.Address):"))
        }
    }
}
