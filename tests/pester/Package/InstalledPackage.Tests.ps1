#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The module as a user gets it: the .nupkg that ./build.ps1 -Task Package writes to out/repository, installed with
# PSResourceGet into an empty module path in a fresh pwsh, imported from there (never out/WeChatNet), running the
# README's main job and the help tests (WeChatNet.Help.Tests.ps1 on the installed manifest). Runs on Linux and in the
# Windows layer; the README's own install block (Install-PSResource into the CurrentUser scope) runs where that scope
# can be pointed into a test folder (HOME: Linux and macOS), and is checked without running on Windows.

BeforeAll {
    $script:root = (Resolve-Path (Join-Path $PSScriptRoot '../../..')).ProviderPath
    Import-Module (Join-Path $root 'tests/pester/Support/MarkdownCode.psm1') -Force
    $version = (Import-PowerShellDataFile (Join-Path $root 'WeChatNet.psd1')).ModuleVersion
    $script:nupkg = Join-Path $root "out/repository/WeChatNet.$version.nupkg"
    if (-not (Test-Path -LiteralPath $nupkg)) { throw "The module's package $nupkg is missing: run ./build.ps1 -Task Package first." }
    $script:version = $version
    $script:packaged = (Resolve-Path (Join-Path $root 'out/WeChatNet')).ProviderPath
    $script:work = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-installed-$PID-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory -Path (Join-Path $work 'packages') -Force | Out-Null
    # The package as a user downloads it: a copy in a folder of its own.
    Copy-Item -LiteralPath $nupkg -Destination (Join-Path $work 'packages')

    $script:readme = @(Get-MarkdownCodeBlock -Path (Join-Path $root 'README.md') -Language powershell | Where-Object Section -eq 'Install')
    $script:gallery = @($readme | Where-Object Title -eq 'From the PowerShell Gallery')
    $script:download = @($readme | Where-Object Title -eq 'From a downloaded package')

    # A fresh process of the PowerShell running this file (pwsh, or the repository's tool as "dotnet pwsh.dll").
    $self = [Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    # @(...) around the if: a one-element array from an if statement would arrive as a bare string ($pwsh[0] = 'Z').
    $script:pwsh = @(if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') { $self; Join-Path $PSHOME 'pwsh.dll' } else { $self })

    function Invoke-Installed([string] $Mode, [string] $Modules, [hashtable] $Environment = @{}, [string[]] $Extra = @()) {
        New-Item -ItemType Directory -Path $Modules -Force | Out-Null
        $out = Join-Path $work "result-$Mode.json"
        $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File',
            (Join-Path $root 'tests/pester/Support/InstalledPackageRunner.ps1'), '-Mode', $Mode, '-WorkFolder', $work,
            '-ModulesFolder', $Modules, '-OutputFile', $out) + $Extra
        # The child writes to this process's own output (it reports through its JSON file): under Wine the services a
        # process starts inherit its standard handles and keep them, so a pipe's reader would wait until wineserver exits
        # and a log file in the work folder could not be removed.
        $quoted = @($arguments | ForEach-Object { if ($_ -match '\s') { '"' + $_ + '"' } else { $_ } })
        $saved = @{}
        foreach ($k in $Environment.Keys) { $saved[$k] = [Environment]::GetEnvironmentVariable($k); [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
        try {
            $p = Start-Process -FilePath $pwsh[0] -ArgumentList $quoted -NoNewWindow -PassThru
            if (-not $p.WaitForExit(900000)) { $p.Kill(); throw "The $Mode run did not end within 15 minutes." }
        }
        finally { foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) } }
        if (-not (Test-Path -LiteralPath $out)) { throw "The $Mode run ended (exit code $($p.ExitCode)) without writing $out (its output is above)." }
        $r = Get-Content -Raw -LiteralPath $out | ConvertFrom-Json
        $r | Add-Member -NotePropertyName Modules -NotePropertyValue (Resolve-Path -LiteralPath $Modules).ProviderPath
        $r | Add-Member -NotePropertyName Log -NotePropertyValue "the $Mode run's error, with its position, is in its JSON ($out)"
        $r
    }

    $script:saved = Invoke-Installed Save -Modules (Join-Path $work 'modules') -Extra @('-PesterModule', (Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'), '-HelpTests', (Join-Path $root 'tests/pester/WeChatNet.Help.Tests.ps1'))
}

AfterAll {
    if ($script:work -and (Test-Path -LiteralPath $script:work)) { Remove-Item -LiteralPath $script:work -Recurse -Force }
}

Describe 'The .nupkg installed with Save-PSResource into an empty module path' {
    It 'installs and imports the installed copy, not out/WeChatNet' {
        $saved.Error | Should -BeNullOrEmpty -Because $saved.Log
        @($saved.ModulesBefore).Count | Should -Be 0 -Because 'the module path starts empty'
        $saved.Version | Should -Be $version
        $saved.ModuleBase | Should -Be (Join-Path $saved.Modules "WeChatNet/$version")
        $saved.ModuleBase | Should -Not -BeLike "$packaged*"
    }

    It 'runs the README''s main job from the installed copy' {
        # One cause, one finding: the idle timeout, with the deaths it caused as its evidence.
        @($saved.Findings) | Should -Be @('LongLinkIdleTimeout')
        # The sample itself comes from the installed module's samples folder.
        @($saved.FindingFiles) | Should -Be @(Join-Path $saved.ModuleBase 'samples/nat-timeout.pcapng' | ForEach-Object { [IO.Path]::GetFullPath($_) })
    }

    It 'passes the help tests on the installed copy' {
        $saved.HelpFailed | Should -Be 0 -Because ($saved.HelpFailures -join "`n")
        $cmdlets = (Import-PowerShellDataFile (Join-Path $root 'WeChatNet.psd1')).CmdletsToExport
        # Three tests per cmdlet and one more: the help suite ran whole, not an empty container.
        $saved.HelpPassed | Should -Be (3 * $cmdlets.Count + 1)
    }
}

Describe 'The README''s install' {
    It 'has a Gallery install and a downloaded-package install under "## Install"' {
        $gallery.Count | Should -Be 1
        $download.Count | Should -Be 1
    }

    It 'names the Gallery install''s commands and parameters as they exist (checked, not run: no network)' {
        $ast = [Management.Automation.Language.Parser]::ParseInput($gallery[0].Text, [ref] $null, [ref] $null)
        $commands = @($ast.FindAll({ $args[0] -is [Management.Automation.Language.CommandAst] }, $true))
        $commands.Count | Should -BeGreaterThan 0
        foreach ($c in $commands) {
            $info = Get-Command $c.GetCommandName() -ErrorAction Stop
            foreach ($p in @($c.CommandElements | Where-Object { $_ -is [Management.Automation.Language.CommandParameterAst] })) {
                $info.Parameters.Keys | Should -Contain $p.ParameterName -Because "$($c.GetCommandName()) is called with -$($p.ParameterName)"
            }
        }
    }

    # Windows keeps the CurrentUser scope in the Documents folder, which no environment variable moves: checked, not run.
    It 'installs from a downloaded .nupkg as written, into the CurrentUser scope, and runs the main job' -Skip:([Environment]::OSVersion.Platform -eq [PlatformID]::Win32NT) {
        # Install-PSResource's CurrentUser scope is $HOME/.local/share/powershell/Modules (PSResourceGet does not read
        # XDG_DATA_HOME for it, pwsh does: unset here so both agree), its repository list $HOME/.local/share/PSResourceGet:
        # HOME points into the work folder, so the block runs as written without touching this user's modules or list.
        $home2 = Join-Path $work 'home'
        New-Item -ItemType Directory -Path $home2 -Force | Out-Null
        $blockFile = Join-Path $work 'readme-install.ps1'
        Set-Content -LiteralPath $blockFile -Value $download[0].Text -Encoding utf8
        $userModules = Join-Path $home2 '.local/share/powershell/Modules'
        $r = Invoke-Installed Readme -Modules $userModules -Environment @{ HOME = $home2; XDG_DATA_HOME = $null } -Extra @('-ReadmeBlockFile', $blockFile)
        $r.Error | Should -BeNullOrEmpty -Because $r.Log
        $r.ModuleBase | Should -Be (Join-Path $userModules "WeChatNet/$version")
        $r.Findings | Should -Contain 'LongLinkIdleTimeout'
        # The README unregisters its repository: only the default remains in the (test's) list.
        [xml] $list = Get-Content -Raw -LiteralPath (Join-Path $home2 '.local/share/PSResourceGet/PSResourceRepository.xml')
        @($list.configuration.Repository | ForEach-Object Name) | Should -Be @('PSGallery')
    }
}
