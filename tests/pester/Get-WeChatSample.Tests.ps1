#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
}

Describe 'Get-WeChatSample' {
    It 'lists the seven shipped samples with existing paths' {
        $s = @(Get-WeChatSample)
        $s.Name | Should -Be @('dead-link', 'legacy-longlink', 'login-dispatch', 'mmtls-longlink', 'nat-timeout', 'retransmissions', 'shortlink-burst')
        $s | ForEach-Object { Test-Path $_.Path | Should -BeTrue }
        $s[0] | Should -BeOfType ([WeChatNet.WeChatSample])
        ($s | Where-Object Name -eq 'legacy-longlink').Description | Should -Match 'plain'
    }

    It 'filters by wildcard and reports unknown names' {
        (Get-WeChatSample '*link*').Name | Should -Be @('dead-link', 'legacy-longlink', 'mmtls-longlink', 'shortlink-burst')
        Get-WeChatSample 'nope' -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'SampleNotFound*'
    }

    It 'pipes into ConvertFrom-WeChatPacket by its Path' {
        (Get-WeChatSample retransmissions | ConvertFrom-WeChatPacket -Kind LongLinkFrame).Count | Should -Be 8
    }
}
