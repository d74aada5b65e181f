#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
    $samples = [IO.Path]::GetFullPath((Join-Path (Split-Path $manifest) 'samples'))
}

Describe 'Get-WeChatFinding' {
    It 'names the NAT idle timeout and its interval' {
        $f = Get-WeChatFinding (Join-Path $samples 'nat-timeout.pcapng') | Where-Object RuleId -eq 'LongLinkIdleTimeout'
        $f | Should -BeOfType ([WeChatNet.Finding])
        $f.Title | Should -Be 'Long links do not survive 210 s of silence: a NAT or carrier idle timeout'
        $f.Severity | Should -Be 'Warning'
    }

    It 'reports the dead link as an error, first' {
        $all = Get-WeChatFinding (Join-Path $samples 'dead-link.pcapng')
        $all[0].Severity | Should -Be 'Error'
        $all[0].RuleId | Should -Be 'LongLinkDied'
    }

    It 'finds nothing to warn about in a healthy capture' {
        Get-WeChatFinding (Join-Path $samples 'mmtls-longlink.pcapng') -MinimumSeverity Warning | Should -BeNullOrEmpty
    }

    It 'analyses several files one by one: the dead link is still found, and no gap spans two files' {
        $dead = Join-Path $samples 'dead-link.pcapng'
        $all = Get-WeChatFinding $dead, (Join-Path $samples 'mmtls-longlink.pcapng')
        $died = $all | Where-Object RuleId -eq 'LongLinkDied'
        $died | Should -Not -BeNullOrEmpty
        $died.File | Should -Be $dead
        $byDir = Get-ChildItem $samples -Filter *.pcapng | Get-WeChatFinding
        ($byDir | Where-Object RuleId -eq 'LongLinkDied').File | Should -Contain $dead
        ($byDir | Where-Object { $_.Evidence -match 'GB|GiB' }) | Should -BeNullOrEmpty
    }

    It 'takes packets from Import-WeChatCapture' {
        $f = Import-WeChatCapture (Join-Path $samples 'dead-link.pcapng') | Get-WeChatFinding -ErrorAction Stop
        $f.RuleId | Should -Contain 'LongLinkDied'
    }

    It 'completes -MinimumSeverity and -ClientRegion from their enums' {
        $line = 'Get-WeChatFinding x.pcapng -MinimumSeverity W'
        $c = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $c.CompletionMatches.CompletionText | Should -Be 'Warning'
        $line = 'Get-WeChatFinding x.pcapng -ClientRegion '
        $c = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $c.CompletionMatches.CompletionText | Should -Be @('MainlandChina', 'Overseas')
        (Get-Command Get-WeChatFinding).Parameters['MinimumSeverity'].ParameterType | Should -Be ([WeChatNet.FindingSeverity])
        (Get-WeChatFinding (Join-Path $samples 'dead-link.pcapng') -MinimumSeverity Error).Severity | Sort-Object -Unique | Should -Be 'Error'
    }

    It 'rejects an unknown client region' {
        { Get-WeChatFinding (Join-Path $samples 'mmtls-longlink.pcapng') -ClientRegion Mars } | Should -Throw
    }
}

Describe 'README main job' {
    It 'runs on the shipped sample through the pipeline' {
        $f = Get-WeChatSample nat-timeout | Get-WeChatFinding
        $f.RuleId | Should -Contain 'LongLinkIdleTimeout'
        $f.RuleId | Should -Contain 'LongLinkDied'
    }
}
