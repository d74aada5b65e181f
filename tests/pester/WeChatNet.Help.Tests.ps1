#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Get-Help <cmdlet> -Full as a user reads it: the MAML built from docs/cmdlets (build/MamlHelp.targets) shows list
# items as their own paragraphs and no Markdown markup (bold, links, images) a console cannot render.

# -ModulePath: another copy's manifest (tests/pester/Package/InstalledPackage.Tests.ps1 runs this file on the module
# installed from its .nupkg, through New-PesterContainer -Data); by default the packaged out/WeChatNet.
param([string] $ModulePath = (Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'))

BeforeDiscovery {
    $script:Cmdlets = @((Import-PowerShellDataFile $ModulePath).CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    if (-not (Test-Path $ModulePath)) { throw "Module manifest not found at ${ModulePath}: run ./build.ps1 -Task Package first." }
    Import-Module $ModulePath -Force
}

Describe 'Get-Help -Full of <Name>' -ForEach $Cmdlets {
    BeforeAll {
        $script:help = Get-Help $Name -Full
        $script:text = $help | Out-String -Width 4000
    }

    It 'has a synopsis, typed parameters and at least two examples' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "$Name*"   # not the generated syntax line of a cmdlet without help
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        foreach ($p in $help.parameters.parameter) { $p.type.name | Should -Not -BeNullOrEmpty -Because "-$($p.name) has a type" }
    }

    It 'shows no Markdown markup' {
        $text | Should -Not -Match '\*\*\S'
        $text | Should -Not -Match '\]\([^)\s]+\)'
        $text | Should -Not -Match '!\['
        $text | Should -Not -Match '```'
    }

    It 'keeps every list item in its own paragraph' {
        # A bullet or numbered item run into the sentence before it reads '... end. - Next item' or '... end. 2. Next'.
        $text | Should -Not -Match '[.:)] - [A-Z`*]'
        $text | Should -Not -Match '[a-z)`]\. [2-9]\. [A-Z`*]'
    }
}

Describe 'Get-Help list items' {
    It 'shows each of the diagnostic''s stages as its own paragraph' {
        $paras = @((Get-Help Invoke-WeChatDiagnostic).description.Text)
        foreach ($n in 1..4) { @($paras | Where-Object { $_ -like "$n. *" }).Count | Should -Be 1 -Because "stage $n starts a paragraph" }
        ($paras | Where-Object { $_ -like '1. *' }) | Should -BeLike '1. DNS: *'
    }
}
