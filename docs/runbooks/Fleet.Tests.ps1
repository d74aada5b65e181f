#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Runbook: many sites at once. Runs the diagnostic at every site in parallel over PowerShell remoting (SSH sessions,
# Invoke-Command -Session -ThrottleLimit), brings
# back the newest capture from each, writes one cross-site report, and fails per site naming the site and the finding.
# Every site needs PowerShell 7 with the SSH subsystem and WeChatNet (installed, or at -ModulePath).
# Copy it, then run:
#   $c = New-PesterContainer -Path ./Fleet.Tests.ps1 -Data @{ HostName = 'shop1', 'shop2', 'depot'; UserName = 'ops'; ReportPath = './fleet.html' }
#   Invoke-Pester -Container $c -Output Detailed
param(
    # The sites: host names or addresses reachable by SSH.
    [Parameter(Mandatory)] [string[]] $HostName,
    [string] $UserName = $env:USER,
    # The SSH key (empty: ssh's own defaults and agent).
    [string] $KeyFilePath = '',
    # Extra ssh options, e.g. @{ StrictHostKeyChecking = 'yes' }.
    [hashtable] $SshOptions = @{},
    # How many sites are worked on at once.
    [int] $ThrottleLimit = 8,
    # Where WeChatNet is on the sites (a folder or .psd1); empty: Import-Module WeChatNet.
    [string] $ModulePath = '',
    # What each site runs after importing the module; its output (findings, DNS answers, connects, dispatch answers,
    # hops, flows) goes into the report. The default is the live diagnostic.
    [string] $SiteScript = 'Invoke-WeChatDiagnostic -Live -SkipTrace',
    # A folder on the sites holding captures (for example Start-WeChatCapture -OutFile ... -MaxFiles); the newest
    # *.pcapng of each site is copied to CollectFolder/<site>/. Empty: no captures collected.
    [string] $RemoteCaptureFolder = '',
    [string] $CollectFolder = './fleet-captures',
    # The cross-site report (.html or .md).
    [string] $ReportPath = './fleet-report.html',
    # Findings at or above this severity fail the site.
    [ValidateSet('Info', 'Warning', 'Error')] [string] $MinimumSeverity = 'Warning'
)

BeforeDiscovery {
    $sites = $HostName
}

BeforeAll {
    # Invoke-Command -HostName has no -ThrottleLimit (pwsh 7.6): open the sessions, then Invoke-Command -Session.
    $ssh = @{ HostName = $HostName; UserName = $UserName; ErrorAction = 'SilentlyContinue'; ErrorVariable = 'sessionErrors' }
    if ($KeyFilePath) { $ssh.KeyFilePath = $KeyFilePath }
    if ($SshOptions.Count) { $ssh.Options = $SshOptions }
    $sessionErrors = @()
    $script:Sessions = @(New-PSSession @ssh)
    $script:Unreached = @{}
    foreach ($e in $sessionErrors) {
        # A failed SSH session names its host in its runspace's connection, and at the start of the message: "[host] ...".
        $name = $e.TargetObject.ConnectionInfo.ComputerName
        if (-not $name -and "$e" -match '^\[([^\]]+)\]') { $name = $Matches[1] }
        if (-not $name) { $name = "$($e.TargetObject)" }
        $Unreached[$name] = "$e"
    }
    $remote = {
        param($modulePath, $siteScript, $captureFolder)
        if ($modulePath) { Import-Module $modulePath -ErrorAction Stop } else { Import-Module WeChatNet -ErrorAction Stop }
        & ([scriptblock]::Create($siteScript))
        if ($captureFolder) {
            # The newest capture; the controller copies it back.
            $newest = Get-ChildItem -Path $captureFolder -Filter *.pcapng -File -ErrorAction SilentlyContinue | Sort-Object LastWriteTime -Descending | Select-Object -First 1
            if ($newest) { [pscustomobject]@{ PSTypeName = 'WeChatNet.FleetCapture'; Path = $newest.FullName; Length = $newest.Length } }
        }
    }
    $siteErrors = @()
    $script:Results = @()
    if ($Sessions) {
        $script:Results = @(Invoke-Command -Session $Sessions -ThrottleLimit $ThrottleLimit -ScriptBlock $remote -ArgumentList $ModulePath, $SiteScript, $RemoteCaptureFolder `
            -ErrorAction SilentlyContinue -ErrorVariable siteErrors)
    }
    foreach ($e in $siteErrors) { $name = "$($e.OriginInfo.PSComputerName)"; if (-not $Unreached.ContainsKey($name)) { $Unreached[$name] = "$e" } }

    $script:Captures = @{}
    foreach ($c in @($Results | Where-Object { $_.PSObject.TypeNames -contains 'Deserialized.WeChatNet.FleetCapture' })) {
        $session = $Sessions | Where-Object ComputerName -eq $c.PSComputerName | Select-Object -First 1
        $to = Join-Path $CollectFolder $c.PSComputerName
        $null = New-Item -ItemType Directory -Force $to
        Copy-Item -FromSession $session -Path $c.Path -Destination $to -Force
        $Captures[$c.PSComputerName] = Join-Path $to (Split-Path $c.Path -Leaf)
    }
    $reportArgs = @{ Path = $ReportPath; Force = $true }
    # The errors too: the report names each site that was not reached or failed, and why, beside the others.
    $script:Report = @($Results | Where-Object { $_.PSObject.TypeNames -notcontains 'Deserialized.WeChatNet.FleetCapture' }) + @($sessionErrors) + @($siteErrors) |
        Export-WeChatReport @reportArgs -WarningAction SilentlyContinue
    $rank = @{ Info = 0; Warning = 1; Error = 2 }
    $script:Bad = @($Results | Where-Object { $_.PSObject.TypeNames -contains 'Deserialized.WeChatNet.Finding' -and $rank[$_.Severity] -ge $rank[$MinimumSeverity] })
}

Describe 'Fleet: <_>' -ForEach $sites {
    It 'answers over remoting' {
        $site = $_
        if ($Unreached.ContainsKey($site)) { "site ${site}: not reached: $($Unreached[$site])" | Should -BeNullOrEmpty }
    }

    It 'has no finding at or above the minimum severity' {
        $site = $_
        # A site that was not reached has failed above; it has not passed this check.
        if ($Unreached.ContainsKey($site)) { Set-ItResult -Skipped -Because "site $site was not reached" }
        $Bad | Where-Object PSComputerName -eq $site | ForEach-Object { "site ${site}: [$($_.Severity)] $($_.RuleId): $($_.Title)" } | Should -BeNullOrEmpty
    }

    It 'sent back its newest capture when asked' -Skip:(-not $RemoteCaptureFolder) {
        if ($Unreached.ContainsKey($_)) { Set-ItResult -Skipped -Because "site $_ was not reached" }
        $Captures[$_] | Should -Not -BeNullOrEmpty -Because "site $_ should have a capture in $RemoteCaptureFolder"
        Test-Path $Captures[$_] | Should -BeTrue
    }
}

AfterAll {
    if ($Sessions) { $Sessions | Remove-PSSession }
}

Describe 'Fleet report' {
    It 'was written' {
        $Report.Path | Should -Exist
    }
}
