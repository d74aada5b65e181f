#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Issue 12 item 2: every PowerShell file of the repository (tests, runbooks, build.ps1, manifests) and every
# ```powershell block of the documentation parses with PowerShell's own parser. A failure names file:line:column and
# the parser's message. Runs alone: ./build.ps1 -Task Pester -PesterTag Parse
# It reads files, not the module: it lives in a subfolder, outside the rule that every cmdlet suite imports the package.

BeforeDiscovery {
    $root = (Resolve-Path (Join-Path $PSScriptRoot '../../..')).Path
    Import-Module (Join-Path $PSScriptRoot '../Support/MarkdownCode.psm1') -Force
    # Tracked and new (not ignored) files when this is a git checkout, so build output (out/, bin/, obj/) is never read.
    $files = $null
    if ((Get-Command git -ErrorAction Ignore) -and (Test-Path (Join-Path $root '.git'))) {
        $files = @(git -C $root ls-files --cached --others --exclude-standard -- '*.ps1' '*.psm1' '*.psd1' '*.md' 2>$null |
            Where-Object { Test-Path -LiteralPath (Join-Path $root $_) -PathType Leaf } | Sort-Object -Unique)
    }
    if (-not $files) {
        $files = @(Get-ChildItem $root -Recurse -File -Include *.ps1, *.psm1, *.psd1, *.md |
            Where-Object { $_.FullName -notmatch '[\\/](out|bin|obj|\.git)[\\/]' } |
            ForEach-Object { [IO.Path]::GetRelativePath($root, $_.FullName) -replace '\\', '/' })
    }
    $script:Scripts = @($files | Where-Object { $_ -match '\.(ps1|psm1|psd1)$' } | ForEach-Object { @{ File = $_; Root = $root } })
    $pages = @($files | Where-Object { $_ -like '*.md' })
    $script:Blocks = @($pages | ForEach-Object { Join-Path $root $_ } | Get-MarkdownCodeBlock -Language powershell, pwsh, ps1 -Root $root |
        ForEach-Object { @{ Id = $_.Id; Text = $_.Text; File = $_.File; Line = $_.Line } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../Support/MarkdownCode.psm1') -Force
}

Describe 'Every PowerShell file parses' -Tag Parse {
    It 'finds the files to check (build.ps1, the runbooks, the Pester suites)' {
        $Scripts.File | Should -Contain 'build.ps1'
        ($Scripts.File -like 'docs/runbooks/*.Tests.ps1').Count | Should -BeGreaterThan 0
        ($Scripts.File -like 'tests/pester/*.Tests.ps1').Count | Should -BeGreaterThan 0
    }

    It '<File> parses' -ForEach $Scripts {
        $text = [IO.File]::ReadAllText((Join-Path $Root $File))
        Get-PowerShellParseError -Text $text -File $File | Should -BeNullOrEmpty
    }
}

Describe 'Every powershell code block in the documentation parses' -Tag Parse {
    It 'finds the blocks to check (README, help pages)' {
        ($Blocks.File -eq 'README.md').Count | Should -BeGreaterThan 0
        ($Blocks.File -like 'docs/cmdlets/*').Count | Should -BeGreaterThan 30
    }

    It '<Id> parses' -ForEach $Blocks {
        Get-PowerShellParseError -Text $Text -File $File -LineOffset ($Line - 1) | Should -BeNullOrEmpty
    }
}

Describe 'The parse check itself' -Tag Parse {
    It 'reports file, line and the parser message, offset to the page' {
        $e = @(Get-PowerShellParseError -Text "Get-Thing`n`$x = @(1, 2" -File 'docs/x.md' -LineOffset 10)
        $e.Count | Should -BeGreaterThan 0
        $e[0] | Should -Match '^docs/x\.md:1[12]:\d+: .*\(' 
    }

    It 'sees the drive-qualified variable mistake that once broke every Pester file' {
        # "$manifest:" reads as a variable in drive "manifest": the error issue 12 started from.
        Get-PowerShellParseError -Text '"not found at $manifest: run it"' -File 'x.ps1' | Should -Match 'x\.ps1:1:'
    }

    It 'finds fenced blocks with their first code line and heading' {
        $md = Join-Path ([IO.Path]::GetTempPath()) "wcn-parse-$PID.md"
        try {
            Set-Content $md "# T`n## EXAMPLES`n### Example 1: a`n``````powershell`nGet-A`n``````", "``````text`nx`n``````"
            $b = @(Get-MarkdownCodeBlock $md -Language powershell)
            $b.Count | Should -Be 1
            $b[0].Line | Should -Be 5
            $b[0].Section | Should -Be 'EXAMPLES'
            $b[0].Title | Should -Be 'Example 1: a'
            $b[0].Text | Should -Be 'Get-A'
        }
        finally { Remove-Item $md -ErrorAction Ignore }
    }
}
