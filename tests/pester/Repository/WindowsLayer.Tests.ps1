#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Issue 20 item 1: the Windows layer runs every Pester file except those tests/pester/WindowsLayer.psd1 lists with a
# reason, and docs/testing.md names each of them: no file leaves the layer silently. Windows-only files
# (*.Windows.Tests.ps1) are never listed and refuse to pass where $IsWindows is false.
# It reads files, not the module: it lives in a subfolder, outside the rule that every cmdlet suite imports the package.

BeforeDiscovery {
    $pester = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
    $list = Import-PowerShellDataFile -LiteralPath (Join-Path $pester 'WindowsLayer.psd1')
    $script:Listed = @($list.NotOnWindows.Keys | ForEach-Object { @{ File = $_; Reason = $list.NotOnWindows[$_] } })
    $script:WindowsOnly = @(Get-ChildItem -LiteralPath $pester -Recurse -Filter '*.Windows.Tests.ps1' |
        ForEach-Object { @{ File = [IO.Path]::GetRelativePath($pester, $_.FullName) -replace '\\', '/' } })
}

BeforeAll {
    $script:PesterRoot = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
    $script:List = (Import-PowerShellDataFile -LiteralPath (Join-Path $script:PesterRoot 'WindowsLayer.psd1')).NotOnWindows
    $script:TestingDoc = Get-Content -LiteralPath (Join-Path $script:PesterRoot '../../docs/testing.md')
    $script:AllFiles = @(Get-ChildItem -LiteralPath $script:PesterRoot -Recurse -Filter '*.Tests.ps1' |
        ForEach-Object { [IO.Path]::GetRelativePath($script:PesterRoot, $_.FullName) -replace '\\', '/' })
}

Describe 'The Windows layer''s list of files it does not run' -Tag Parse {
    It 'leaves out fewer files than it runs' {
        $script:List.Count | Should -BeGreaterThan 0 -Because 'the list is read (an empty one would be a wrong key)'
        ($script:AllFiles.Count - $script:List.Count) | Should -BeGreaterThan $script:List.Count
    }

    It '<File>: is a Pester file, with a reason that docs/testing.md gives too' -ForEach $script:Listed {
        $script:AllFiles | Should -Contain $File -Because 'a listed file that no longer exists is a stale entry'
        $Reason | Should -Match '\w{3,}.*\w{3,}' -Because 'the reason says what Linux-only infrastructure the file needs'
        $start = "| ``tests/pester/$File`` | "
        $row = @($script:TestingDoc | Where-Object { $_.StartsWith($start, [StringComparison]::Ordinal) })
        $row.Count | Should -Be 1 -Because "docs/testing.md lists $File in its table of files the Windows layer does not run"
        $row[0] | Should -BeExactly ($start + $Reason + ' |')
    }

    It 'lists in docs/testing.md no file that the layer runs' {
        $rows = @($script:TestingDoc | Where-Object { $_ -match '^\| `tests/pester/(?<f>[^`]+)` \| ' } | ForEach-Object { $Matches.f })
        $rows.Count | Should -Be $script:List.Count
        @($rows | Sort-Object) | Should -Be @($script:List.Keys | Sort-Object)
    }

    It '<File>: runs only in the Windows layer and fails elsewhere' -ForEach $script:WindowsOnly {
        $script:List.Keys | Should -Not -Contain $File
        $text = Get-Content -Raw -LiteralPath (Join-Path $script:PesterRoot $File)
        $text | Should -Match '(?s)BeforeAll\s*\{\s*(#[^\n]*\n\s*)*if \(-not \$IsWindows\) \{ throw ' -Because 'its first BeforeAll statement throws where $IsWindows is false, so it cannot pass on Linux'
    }
}
