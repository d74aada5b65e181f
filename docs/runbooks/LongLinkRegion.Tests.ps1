#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }, WeChatNet
# Runbook: WeChat's long link resolves to a nearby region, and connects quickly.
# Copy it, then run:  Invoke-Pester -Container (New-PesterContainer -Path ./LongLinkRegion.Tests.ps1 -Data @{ ExpectedRegion = 'MainlandChina'; Family = 'Weixin' })
param(
    # Where this site's clients should be served from: MainlandChina, HongKong or Overseas.
    [string] $ExpectedRegion = 'MainlandChina',
    # Which app the site's users run: Weixin (mainland names, *.weixin.qq.com) or WeChat (the international app, *.wechat.com).
    [ValidateSet('Weixin', 'WeChat')] [string] $Family = 'Weixin',
    # The catalog's host regions this site's clients are sent to (Get-WeChatEndpoint -Region): for a site abroad,
    # for example Global, HongKong, Singapore.
    [string[]] $HostRegion = @('Global', 'Shenzhen', 'Shanghai', 'Tianjin'),
    # Resolvers the clients really use (empty: this machine's own). Label them: 'Mainland=10.0.0.53'.
    [string[]] $Server = @(),
    # A connect slower than this (best of the addresses) means a far or congested server.
    [double] $MaxConnectMs = 150
)

BeforeDiscovery {
    $script:LongLinkHosts = Get-WeChatEndpoint -Role LongLink -Family $Family -Region $HostRegion | Where-Object Name -NotLike '*`**' | Select-Object -ExpandProperty Name -Unique
}

BeforeAll {
    $resolve = @{ Name = @(Get-WeChatEndpoint -Role LongLink -Family $Family -Region $HostRegion | Where-Object Name -NotLike '*`**' | Select-Object -ExpandProperty Name -Unique) }
    if ($Server) { $resolve.Server = $Server }
    $script:Answers = Resolve-WeChatDomain @resolve
}

Describe 'The long link resolves to a nearby region' {
    It '<_> resolves' -ForEach $LongLinkHosts {
        $a = $Answers | Where-Object Name -eq $_
        $a | Should -Not -BeNullOrEmpty
        $a.Status | Should -Contain 'Ok' -Because 'at least one resolver must answer'
    }

    It '<_> resolves to addresses in the expected region' -ForEach $LongLinkHosts {
        $hostName = $_
        $ok = $Answers | Where-Object { $_.Name -eq $hostName -and $_.Status -eq 'Ok' -and $_.Addresses.Count -gt 0 }
        foreach ($answer in $ok) {
            $answer.AddressRegions | Should -Be (@($ExpectedRegion) * $answer.Addresses.Count) -Because "$($answer.Server) answered $($answer.Addresses -join ', ')"
        }
    }

    It 'connects to the long link quickly on 8080' {
        $first = ($Answers | Where-Object { $_.Status -eq 'Ok' -and $_.Addresses.Count -gt 0 } | Select-Object -First 1)
        $first | Should -Not -BeNullOrEmpty
        $t = Test-WeChatConnection -Name $first.Name -Address $first.Addresses -Port 8080 -SkipHttp
        ($t | Where-Object Succeeded).Count | Should -BeGreaterThan 0 -Because 'the long link must accept connections'
        ($t | Where-Object Succeeded | Measure-Object ConnectMs -Minimum).Minimum | Should -BeLessOrEqual $MaxConnectMs
    }
}
