#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The README's "Many sites" section as far as it runs without an SSH server: the runbook path it gives exists,
# and a site where nothing answers SSH fails once, naming the site, instead of also "passing" the finding check
# (the full runbook over real SSH sites is in Remoting.Tests.ps1). Needs the ssh client (openssh-client).

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
    if (-not (Get-Command ssh -CommandType Application -ErrorAction SilentlyContinue)) { throw 'These tests need the ssh client: apt-get install -y openssh-client' }
    $script:readme = Get-Content -Raw (Join-Path $PSScriptRoot '../../README.md')
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ("wcn-fleetrunbook-{0:x}-{1}" -f $PID, (Get-Random -Maximum 65536))
    $null = New-Item -ItemType Directory -Force $work
}

AfterAll {
    if ($work -and (Test-Path $work)) { Remove-Item -Recurse -Force $work }
}

Describe 'README: Many sites' {
    It 'gives a runbook path that exists once the module is imported' {
        $section = [regex]::Match($readme, '(?s)## Many sites.*?```powershell\r?\n(.*?)```').Groups[1].Value
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($section, [ref] $null, [ref] $null)
        $call = $ast.Find({ $args[0] -is [System.Management.Automation.Language.CommandAst] -and $args[0].GetCommandName() -eq 'New-PesterContainer' }, $true)
        $call | Should -Not -BeNullOrEmpty
        $elements = $call.CommandElements
        $i = [array]::FindIndex([object[]] $elements, [Predicate[object]] { param($e) $e -is [System.Management.Automation.Language.CommandParameterAst] -and $e.ParameterName -eq 'Path' })
        $pathText = $elements[$i + 1].Extent.Text
        $path = Invoke-Expression $pathText
        $path | Should -Exist -Because "the README's -Path $pathText must name the fleet runbook"
        Split-Path $path -Leaf | Should -Be 'Fleet.Tests.ps1'
    }
}

Describe 'Fleet runbook: a site where nothing answers SSH' {
    BeforeAll {
        # A loopback port nothing listens on: ssh is refused at once, no server and no resolver involved.
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $l.Start(); $port = $l.LocalEndpoint.Port; $l.Stop()
        $runbook = Join-Path (Get-Module WeChatNet).ModuleBase 'runbooks/Fleet.Tests.ps1'
        $c = New-PesterContainer -Path $runbook -Data @{
            HostName = '127.0.0.1'; UserName = 'ops'; SshOptions = @{ Port = "$port"; ConnectTimeout = '5'; BatchMode = 'yes' }
            RemoteCaptureFolder = '/nonexistent/wechat'; CollectFolder = (Join-Path $work 'collected'); ReportPath = (Join-Path $work 'fleet.html') }
        $conf = New-PesterConfiguration
        $conf.Run.Container = $c; $conf.Run.PassThru = $true; $conf.Output.Verbosity = 'None'
        $script:r = Invoke-Pester -Configuration $conf
    }

    It 'fails once, naming the site' {
        $r.FailedCount | Should -Be 1
        $r.Failed[0].ExpandedName | Should -Be 'answers over remoting'
        $r.Failed[0].ErrorRecord.Exception.Message | Should -Match ([regex]::Escape('site 127.0.0.1: not reached'))
    }

    It 'skips the site''s other checks instead of passing them' {
        @($r.Skipped.ExpandedName) | Should -Be @('has no finding at or above the minimum severity', 'sent back its newest capture when asked')
        @($r.Passed.ExpandedName) | Should -Be @('was written')
    }

    It 'still writes the report, naming the site that was not reached and why' {
        Join-Path $work 'fleet.html' | Should -Exist
        $html = Get-Content -Raw (Join-Path $work 'fleet.html')
        $html | Should -Match '>Site 127\.0\.0\.1</h2>'
        $html | Should -Match 'This site failed:</b> \[127\.0\.0\.1\] '
        $html | Should -Match 'It returned nothing to report'
    }
}
