#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }, WeChatNet
# Runbook: from this network, WeChat's dispatch answers, its servers accept connections, and nothing in the live
# diagnostic is an error. Keeps an HTML report of every run for the ticket.
# Copy it, then run:  Invoke-Pester -Container (New-PesterContainer -Path ./LiveNetwork.Tests.ps1 -Data @{ ReportFolder = './reports' })
param(
    # Where to keep the HTML report of each run (empty: no report).
    [string] $ReportFolder = '',
    # Resolvers the clients use, labelled by region ('Mainland=10.0.0.53'); empty: the Mainland and Overseas presets.
    [string[]] $Server = @(),
    # Skip the trace where the runbook cannot run elevated (the diagnostic then says it skipped it).
    [switch] $SkipTrace
)

BeforeAll {
    $run = @{ Live = $true }
    if ($Server) { $run.Server = $Server }
    if ($SkipTrace) { $run.SkipTrace = $true }
    if ($ReportFolder) {
        $null = New-Item -ItemType Directory -Force $ReportFolder
        $run.Report = Join-Path $ReportFolder ("wechat-{0:yyyyMMdd-HHmmss}.html" -f (Get-Date))
    }
    $script:Findings = @(Invoke-WeChatDiagnostic @run)
}

Describe 'WeChat works from this network' {
    It 'gets an answer from the dispatch' {
        $Findings | Where-Object RuleId -eq 'DispatchFailed' | ForEach-Object Evidence | Should -BeNullOrEmpty
    }

    It 'reaches every WeChat host' {
        $Findings | Where-Object RuleId -eq 'HostUnreachable' | ForEach-Object Title | Should -BeNullOrEmpty
    }

    It 'has working resolvers' {
        $Findings | Where-Object RuleId -eq 'ResolverFailed' | ForEach-Object Title | Should -BeNullOrEmpty
    }

    It 'has no big latency step or loss on the way to the long link' {
        $Findings | Where-Object RuleId -in 'PathLatencyStep', 'PathLoss' | ForEach-Object Title | Should -BeNullOrEmpty
    }

    It 'has no errors at all' {
        $Findings | Where-Object Severity -eq 'Error' | ForEach-Object { "$($_.RuleId): $($_.Title)" } | Should -BeNullOrEmpty
    }
}
