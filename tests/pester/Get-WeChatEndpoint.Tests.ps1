#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
}

Describe 'Get-WeChatEndpoint' {
    It 'lists the long-link hosts of both families and every region' {
        $names = Get-WeChatEndpoint -Role LongLink | Select-Object -ExpandProperty Name
        foreach ($prefix in '', 'sz', 'sh', 'tj', 'hk', 'ca', 'sg', 'sh2tj', 'sz2tj') {
            $names | Should -Contain "${prefix}long.weixin.qq.com"
        }
        $names | Should -Contain 'sglong.wechat.com'
        $names | Should -Contain 'long.wechat.com'
    }

    It 'takes a positional wildcard' {
        $qpic = Get-WeChatEndpoint '*qpic*'
        $qpic.Name | Should -Contain 'cmmsns.qpic.cn'
        $qpic | ForEach-Object { $_.Name | Should -BeLike '*qpic*' }
    }

    It 'emits WeChatNet.Endpoint objects with plain data' {
        $e = Get-WeChatEndpoint 'szlong.weixin.qq.com'
        $e | Should -BeOfType ([WeChatNet.Endpoint])
        $e.Role | Should -Be 'LongLink'
        $e.Region | Should -Be 'Shenzhen'
        $e.Family | Should -Be 'Weixin'
        $e.Ports | Should -Be @(8080, 443, 80)
        $e.Operator | Should -Be 'Shenzhen Tencent Computer Systems Co., Ltd.'
    }

    It 'filters by family and region' {
        (Get-WeChatEndpoint -Family WeChat -Region Singapore).Name | Should -Be @('sglong.wechat.com', 'sgshort.wechat.com')
    }

    It 'accepts names from the pipeline, by value and by property' {
        ('dns.weixin.qq.com' | Get-WeChatEndpoint).Role | Should -Be 'Dispatch'
        ([pscustomobject]@{ Name = 'cmmsns.qpic.cn' } | Get-WeChatEndpoint).Role | Should -Be 'Moments'
    }

    It 'writes EndpointNotFound for an unknown literal name and keeps going' {
        $found = Get-WeChatEndpoint 'example.com', 'dns.weixin.qq.com' -ErrorVariable err -ErrorAction SilentlyContinue
        $found.Name | Should -Be 'dns.weixin.qq.com'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'EndpointNotFound*'
    }

    It 'rejects a role that does not exist' {
        { Get-WeChatEndpoint -Role Nonsense } | Should -Throw
    }

    It 'completes role values and host names' {
        $completion = TabExpansion2 -inputScript 'Get-WeChatEndpoint szlo' -cursorColumn 23
        $completion.CompletionMatches.CompletionText | Should -Contain 'szlong.weixin.qq.com'
        $roles = TabExpansion2 -inputScript 'Get-WeChatEndpoint -Role Long' -cursorColumn 29
        $roles.CompletionMatches.CompletionText | Should -Contain 'LongLink'
    }

    It 'survives serialisation (remoting, Export-Clixml)' {
        $path = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-endpoint-$PID.xml"
        try {
            Get-WeChatEndpoint 'sglong.wechat.com' | Export-Clixml $path
            $back = Import-Clixml $path
            $back.Name | Should -Be 'sglong.wechat.com'
            $back.Ports | Should -Be @(8080, 443, 80)
        } finally { Remove-Item $path -ErrorAction SilentlyContinue }
    }

    It 'has a default table view' {
        (Get-FormatData -TypeName WeChatNet.Endpoint).FormatViewDefinition.Control |
            Should -BeOfType ([System.Management.Automation.TableControl])
    }
}
