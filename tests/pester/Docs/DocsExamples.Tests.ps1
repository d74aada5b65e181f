#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Issue 12 item 4: the documentation is executable. Every ```powershell block under EXAMPLES in docs/cmdlets/*.md and
# the README's main-job and quick-start blocks runs against the packaged module (out/WeChatNet), as written, in a
# prepared working folder, inside a sealed network (tests/pester/Support/SealedNetwork.psm1: no route out, stand-ins on
# the public addresses the presets use). Groups and expectations: DocsExamples.psd1. Needs root (namespaces, capture).
# Runs alone: ./build.ps1 -Task Pester -PesterTag Docs   (or -PesterPath tests/pester/Docs/DocsExamples.Tests.ps1)

BeforeDiscovery {
    $root = (Resolve-Path (Join-Path $PSScriptRoot '../../..')).Path
    Import-Module (Join-Path $PSScriptRoot '../Support/MarkdownCode.psm1') -Force
    $catalog = Import-PowerShellDataFile (Join-Path $PSScriptRoot 'DocsExamples.psd1')
    $pages = @(Get-ChildItem (Join-Path $root 'docs/cmdlets') -Filter *.md | ForEach-Object FullName) + (Join-Path $root 'README.md')
    $blocks = @($pages | Get-MarkdownCodeBlock -Language powershell -Root $root | Where-Object {
            ($_.File -like 'docs/cmdlets/*' -and $_.Section -eq 'EXAMPLES') -or
            ($_.File -eq 'README.md' -and $_.Section -in 'Quick start', 'The main job, on a sample capture shipped with the module') })
    $script:AllExamples = @(foreach ($b in $blocks) {
            $key = if ($b.Title) { "$($b.File)#$($b.Title)" } else { "$($b.File)#$($b.Section)" }
            $entry = $catalog[$key]
            $group = if ($entry) { $entry.Group } else { $null }
            # Live capture runs 3 s here, not the minutes an example asks for: the test name says so.
            $note = if ($group -eq 'Capture' -and $b.Text -match '-Duration\b') { ' (capture -Duration run as 3s)' } else { '' }
            @{ Key = $key; Id = $b.Id; Text = $b.Text; Group = $group; Entry = $entry; Note = $note }
        })
    $script:Unclassified = @($AllExamples | Where-Object { -not $_.Group } | ForEach-Object { "$($_.Id) ($($_.Key))" })
    $script:Duplicates = @($AllExamples | Group-Object Key | Where-Object Count -gt 1 | ForEach-Object Name)
    $script:Stale = @($catalog.Keys | Where-Object { $_ -notin $AllExamples.Key })
    $script:Groups = [ordered]@{}
    foreach ($g in 'Samples', 'Sealed', 'UserFile', 'Capture', 'Pester', 'DryBound') {
        $Groups[$g] = @($AllExamples | Where-Object Group -eq $g)
    }
}

BeforeAll {
    $script:root = (Resolve-Path (Join-Path $PSScriptRoot '../../..')).Path
    $script:manifest = Join-Path $root 'out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/MarkdownCode.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/SealedNetwork.psm1') -Force
    $script:catalog = Import-PowerShellDataFile (Join-Path $PSScriptRoot 'DocsExamples.psd1')

    function script:Test-DryBinding {
        # Parses the text and binds every command's named parameters and positional arguments against its parameter
        # sets, without running anything; returns what does not bind (nothing when everything does).
        param([string] $Text, [string] $Id)
        $tokens = $null; $parseErrors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref] $tokens, [ref] $parseErrors)
        foreach ($e in $parseErrors) { "${Id}: parse error at line $($e.Extent.StartLineNumber): $($e.Message)" }
        foreach ($c in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true)) {
            $name = $c.GetCommandName()
            if (-not $name) { continue }
            $cmd = Get-Command $name -ErrorAction Ignore | Select-Object -First 1
            if (-not $cmd) { if ($name -like '*-WeChat*' -or $name -match '^[A-Z][a-z]+-[A-Z]') { "${Id}: no command $name" }; continue }
            if ($cmd.CommandType -eq 'Application' -or $cmd.CommandType -eq 'ExternalScript') { continue }
            if ($cmd.CommandType -eq 'Alias') { $cmd = $cmd.ResolvedCommand }
            $params = $cmd.Parameters.Values
            $named = [Collections.Generic.List[string]]::new(); $positional = 0
            $elements = @($c.CommandElements | Select-Object -Skip 1)
            for ($i = 0; $i -lt $elements.Count; $i++) {
                $el = $elements[$i]
                if ($el -is [System.Management.Automation.Language.CommandParameterAst]) {
                    $p = @($params | Where-Object { $_.Name -eq $el.ParameterName -or $_.Aliases -contains $el.ParameterName })
                    if (-not $p) { $p = @($params | Where-Object { $_.Name -like "$($el.ParameterName)*" }) }
                    if ($p.Count -ne 1) { "${Id}: $name has $(if ($p) { 'ambiguous' } else { 'no' }) parameter -$($el.ParameterName)"; continue }
                    $named.Add($p[0].Name)
                    if (-not $el.Argument -and $p[0].ParameterType -ne [System.Management.Automation.SwitchParameter]) { $i++ }
                }
                else { $positional++ }
            }
            $piped = $c.Parent -is [System.Management.Automation.Language.PipelineAst] -and $c.Parent.PipelineElements.IndexOf($c) -gt 0
            $fits = @($cmd.ParameterSets | Where-Object {
                    $set = $_
                    $members = @($set.Parameters.Name)
                    $posFree = @($set.Parameters | Where-Object { $_.Position -ge 0 -and $named -notcontains $_.Name }).Count
                    $mandatoryMissing = @($set.Parameters | Where-Object { $_.IsMandatory -and $named -notcontains $_.Name -and $_.Position -lt 0 -and
                            -not ($piped -and ($_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName)) })
                    -not @($named | Where-Object { $members -notcontains $_ }) -and $positional -le $posFree -and -not $mandatoryMissing
                })
            if (-not $fits) { "${Id}: $name binds in no parameter set with -$($named -join ', -') and $positional positional argument(s)" }
        }
    }

    $script:Results = @{}
    $script:net = $null
    $runnable = @($AllExamples | Where-Object { $_.Group -and $_.Group -ne 'DryBound' })
    if (-not $runnable) { return }
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ("wcn-docs-{0:x}-{1}" -f $PID, (Get-Random -Maximum 65536))
    $null = New-Item -ItemType Directory -Force $work
    $script:net = New-SealedNetwork -Name docs

    # Files the examples name, made once: samples as they ship, as classic pcap, gzip-compressed; generated captures;
    # a site's diagnostic kept with Export-Clixml; a GeoLite2-shaped MaxMind DB written by MaxMind's own writer; a
    # prefix list; the private resolver's CA.
    $sources = Join-Path $work 'sources'
    $null = New-Item -ItemType Directory -Force $sources
    function script:Get-SourceFile([string] $spec) {
        $kind, $arg = $spec -split ':', 2
        $target = Join-Path $sources ($spec -replace '[:]', '_')
        if (Test-Path $target) { return $target }
        # Only the sample-* sources name a shipped sample ('generated:mixed-traffic' is a generator situation).
        $sample = if ($arg -and $kind -like 'sample*') { (Get-WeChatSample $arg).Path }
        switch ($kind) {
            'sample' { Copy-Item $sample $target }
            'sample-pcap' { $null = Import-WeChatCapture $sample | Export-WeChatCapture $target -Format Pcap }
            { $_ -in 'sample-gz', 'sample-pcap-gz' } {
                $plain = if ($kind -eq 'sample-gz') { $sample } else { Get-SourceFile "sample-pcap:$arg" }
                $in = [IO.File]::OpenRead($plain); $out = [IO.File]::Create($target)
                $gz = [IO.Compression.GZipStream]::new($out, [IO.Compression.CompressionMode]::Compress)
                $in.CopyTo($gz); $gz.Dispose(); $in.Dispose()
            }
            'geolite' {
                $perl = Join-Path $root 'tests/WeChatNet.Core.Tests/IpIntel/fixtures/write-mmdb.pl'
                & perl $perl $target 24 6 2>&1 | Out-Host
                if ($LASTEXITCODE -ne 0) { throw "write-mmdb.pl failed: the GeoLite2 test file needs perl and libmaxmind-db-writer-perl (.ci/run installs it)." }
            }
            'prefixes' { Set-Content $target "# chnroutes2-style list written by the docs test`n1.2.3.0/24`n101.226.0.0/15" }
            'corp-ca' { Copy-Item $net.CorpCaPath $target }
            # A realistic capture the generator makes on demand (the precision suite's situations), not shipped.
            # generated:<situation>@<CapturePoint> places the capture (Client, InBetween, Server); without it, at the client.
            'generated' {
                $situation, $point = $arg -split '@', 2
                $capture = if ($point) { [WeChatNet.WeChat.SampleCaptureGenerator]::Generate($situation, [WeChatNet.CapturePoint]$point) }
                           else { [WeChatNet.WeChat.SampleCaptureGenerator]::Generate($situation) }
                [IO.File]::WriteAllBytes($target, $capture.File)
            }
            # What a site keeps with Export-Clixml: its diagnostic of a shipped sample.
            'clixml-diagnostic' { Invoke-WeChatDiagnostic -Path (Get-WeChatSample $arg).Path | Export-Clixml -LiteralPath $target }
            default { throw "DocsExamples.psd1: unknown file source '$spec'." }
        }
        $target
    }

    $long = @($net.Addresses.MainlandLongLink | ForEach-Object { "${_}:8080" }) + @($net.Addresses.MainlandOther | ForEach-Object { "${_}:8080" })
    $inputs = @()
    $n = 0
    foreach ($ex in $runnable) {
        $n++
        $dir = Join-Path $work ('{0:d2}' -f $n)
        $null = New-Item -ItemType Directory -Force (Join-Path $dir 'out')
        # README: Import-Module ./out/WeChatNet/WeChatNet.psd1 from the working folder.
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $dir 'out/WeChatNet') -Target (Join-Path $root 'out/WeChatNet')
        if ($ex.Entry.Contains('Files')) {
            foreach ($f in $ex.Entry.Files.Keys) {
                $dest = Join-Path $dir $f
                $null = New-Item -ItemType Directory -Force (Split-Path $dest)
                Copy-Item (Get-SourceFile $ex.Entry.Files[$f]) $dest
            }
        }
        $text = $ex.Text
        $traffic = $null
        if ($ex.Group -eq 'Capture') {
            # Live capture runs for as long as the example says; here it runs 3 s (the test name says so), with traffic.
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($text, [ref] $null, [ref] $null)
            $durations = @($ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] -and $args[0].GetCommandName() -in 'Start-WeChatCapture', 'Get-WeChatConnection' }, $true) |
                ForEach-Object { $els = @($_.CommandElements); for ($i = 0; $i -lt $els.Count - 1; $i++) { if ($els[$i] -is [System.Management.Automation.Language.CommandParameterAst] -and $els[$i].ParameterName -eq 'Duration') { $els[$i + 1].Extent } } } |
                Sort-Object StartOffset -Descending)
            foreach ($d in $durations) { $text = $text.Substring(0, $d.StartOffset) + "'3s'" + $text.Substring($d.EndOffset) }
            $traffic = $long
        }
        if ($ex.Entry.Contains('LocalDispatch')) { Start-SealedService $net -Listen $ex.Entry.LocalDispatch -Namespace client }
        if ($ex.Entry.Contains('WeChatClient') -and -not $script:wechatClient) {
            # A process named WeChat in the client holding connections to the stand-ins (Get-WeChatConnection's examples).
            $ready = Join-Path $work 'wechat-client.ready'
            Start-SealedDaemon $net client 'wechat-client' @('/usr/bin/python3', (Join-Path $PSScriptRoot '../Support/longlink_standins.py'), 'hold', '--name', 'WeChat', '--connect', $ex.Entry.WeChatClient, '--ready', $ready)
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (Test-Path $ready)) {
                if ([DateTime]::UtcNow -gt $deadline) { throw "The WeChat-named stand-in client did not connect to $($ex.Entry.WeChatClient) in 60 s." }
                Start-Sleep -Milliseconds 200
            }
            $script:wechatClient = $true
        }
        $inputs += [pscustomobject]@{ Id = $ex.Key; Text = $text; Dir = $dir; Mode = if ($ex.Group -eq 'Pester') { 'Pester' } else { 'Script' }
            Traffic = $traffic; TrafficSeconds = 25 }
    }
    $inFile = Join-Path $work 'examples.json'
    $outFile = Join-Path $work 'results.json'
    ConvertTo-Json -InputObject @($inputs) -Depth 4 | Set-Content $inFile
    $modules = Join-Path $root 'out/modules'
    $script:run = Invoke-SealedPwsh $net -File (Join-Path $PSScriptRoot '../Support/DocsExampleRunner.ps1') -ArgumentList '-InputFile', $inFile, '-OutputFile', $outFile, '-ModuleManifest', $manifest, '-PesterVersion', "$((Get-Module Pester | Select-Object -First 1).Version)" `
        -WorkingDirectory $work -ModulePath $modules -TimeoutSec 600
    if (-not (Test-Path $outFile)) { throw "The example runner wrote no results (exit $($run.ExitCode)):`n$($run.StdOut)`n$($run.StdErr)" }
    foreach ($r in @(Get-Content -Raw $outFile | ConvertFrom-Json)) { $Results[$r.Id] = $r }
}

AfterAll {
    if ($script:net) { Remove-SealedNetwork $script:net }
    if ($script:work -and (Test-Path $script:work)) { Remove-Item $script:work -Recurse -Force -ErrorAction Ignore }
}

Describe 'Documentation examples' -Tag Docs {
    It 'every example is in exactly one group (DocsExamples.psd1)' {
        $Unclassified | Should -BeNullOrEmpty -Because 'a new example must be given a group in tests/pester/Docs/DocsExamples.psd1'
        $Duplicates | Should -BeNullOrEmpty -Because 'example headings must be unique within a page'
        $Stale | Should -BeNullOrEmpty -Because 'every entry of DocsExamples.psd1 must still name an example'
    }

    It 'finds the examples of every help page and the README' {
        $AllExamples.Count | Should -BeGreaterThan 50
        foreach ($page in Get-ChildItem (Join-Path $root 'docs/cmdlets') -Filter *.md) {
            @($AllExamples | Where-Object Key -like "docs/cmdlets/$($page.Name)#*").Count | Should -BeGreaterOrEqual 2 -Because "$($page.Name) needs at least two examples"
        }
        @($AllExamples | Where-Object Key -like 'README.md#*').Count | Should -Be 2
    }

    It 'runs them in a sealed network: no link to the host, no route out' {
        Test-SealedNetwork $net | Should -BeNullOrEmpty
        $routes = @(Invoke-SealedCommand $net client @('ip', 'route')) + @(Invoke-SealedCommand $net client @('ip', '-6', 'route'))
        $routes | Where-Object { $_ -match '\bdev (\S+)' -and $Matches[1] -notin 's100', 'lo' } | Should -BeNullOrEmpty
        $runEnd = Invoke-SealedPwsh $net -Command '[Net.Dns]::GetHostAddresses("dns.weixin.qq.com").IPAddressToString; Get-Content /etc/resolv.conf'
        $runEnd.StdOut | Should -Match ([regex]::Escape($net.Addresses.Dispatch[0]))
        $runEnd.StdOut | Should -Match 'nameserver 114\.114\.114\.114'
    }

    It 'reports how many ran per group' {
        $line = ($Groups.Keys | ForEach-Object { "$_ $(@($Groups[$_]).Count)" }) -join ', '
        Write-Host "Documentation examples: $line (total $(@($AllExamples).Count); runner took $([math]::Round(($Results.Values | Measure-Object Seconds -Sum).Sum, 1)) s)" -ForegroundColor Cyan
        @($Results.Keys).Count | Should -Be (@($AllExamples).Count - @($Groups['DryBound']).Count)
    }
}

foreach ($g in 'Samples', 'Sealed', 'UserFile', 'Capture', 'Pester') {
    Describe "Documentation examples, group $g ($(@($Groups[$g]).Count) run)" -Tag Docs {
        It "[$g] <Key><Note>" -ForEach $Groups[$g] {
            $r = $Results[$Key]
            $r | Should -Not -BeNullOrEmpty -Because 'the runner must report every example'
            $because = "$Id printed:`n$($r.Text)"
            $r.Errors | Should -BeNullOrEmpty -Because $because
            if ($Group -eq 'Pester') {
                $r.Pester.Failed | Should -Be 0 -Because ($r.Pester.Messages -join "`n")
                $r.Pester.Passed | Should -BeGreaterThan 0
                return
            }
            if (-not $Entry.Contains('AllowProblems')) {
                $r.Problems | Should -BeNullOrEmpty -Because "every stand-in answers in the sealed network; $because"
            }
            $seen = @($r.Types) + @($r.FormatTypes)
            if ($Entry.Expect -contains 'None') {
                $r.Count | Should -Be 0 -Because "the example is meant to emit nothing; $because"
            }
            elseif (-not ($Entry.Contains('AllowEmpty') -and $r.Count -eq 0 -and -not $r.FormatTypes)) {
                foreach ($t in $Entry.Expect) {
                    @($seen | Where-Object { $_ -like $t }).Count | Should -BeGreaterThan 0 -Because "the page shows $t; it emitted $($seen -join ', ')"
                }
                $r.Text | Should -Not -Match '\{\$null|<ScriptBlock>' -Because 'the default views show values, not script blocks'
            }
            if ($Entry.Contains('Match')) { $r.Text | Should -Match $Entry.Match -Because 'the stand-ins answer with these addresses' }
            if ($Entry.Contains('Creates')) { $r.Files | Should -Contain $Entry.Creates }
        }
    }
}

Describe "Documentation examples, group DryBound ($(@($Groups['DryBound']).Count) parsed and bound, not run)" -Tag Docs {
    It '[DryBound] <Key> (<Entry.Reason>)' -ForEach $Groups['DryBound'] {
        Test-DryBinding -Text $Text -Id $Id | Should -BeNullOrEmpty
    }

    It 'the dry binding catches a parameter that does not exist and a set that does not fit' {
        (Test-DryBinding -Text 'Get-WeChatFinding C:\x.pcapng -NoSuchParameter 1' -Id 't') -join "`n" | Should -Match 't: Get-WeChatFinding has no parameter -NoSuchParameter'
        (Test-DryBinding -Text 'Get-WeChatFinding C:\x.pcapng, D:\y.pcapng E:\z.pcapng' -Id 't') -join "`n" | Should -Match 'binds in no parameter set with .* 2 positional'
        (Test-DryBinding -Text 'Get-WeChatThing -Name x' -Id 't') -join "`n" | Should -Match 'no command Get-WeChatThing'
        Test-DryBinding -Text 'Get-WeChatFinding C:\captures\x.pcapng -MinimumSeverity Warning' -Id 't' | Should -BeNullOrEmpty
    }
}
