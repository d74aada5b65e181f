#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# .github/workflows/hosted.yml is not run by this repository's CI (no hosted runners here). What can be checked here is:
# it is YAML that GitHub can read (PyYAML, python3-yaml from Debian), it has the three platforms, and every build.ps1
# call in it names a task, parameters and files that exist, so it runs the same tasks as .ci/run.

BeforeAll {
    $script:root = (Resolve-Path (Join-Path $PSScriptRoot '../../..')).ProviderPath
    $script:workflowPath = Join-Path $root '.github/workflows/hosted.yml'
    # Debian's python3 first: python3-yaml is installed for it (.ci/run).
    $python = if (Test-Path -LiteralPath '/usr/bin/python3') { '/usr/bin/python3' } else { (Get-Command python3 -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source }
    if (-not $python) { throw 'This test needs python3 with PyYAML (apt-get install -y python3-yaml) to read the workflow as YAML.' }
    $json = & $python -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding="utf-8"))))' $workflowPath 2>&1
    if ($LASTEXITCODE -ne 0) { throw "The workflow is not YAML that PyYAML reads (or python3-yaml is missing): $json" }
    $script:workflow = $json | ConvertFrom-Json

    $buildAst = [Management.Automation.Language.Parser]::ParseFile((Join-Path $root 'build.ps1'), [ref] $null, [ref] $null)
    $script:buildParameters = @($buildAst.ParamBlock.Parameters | ForEach-Object { $_.Name.VariablePath.UserPath })
    $taskParameter = $buildAst.ParamBlock.Parameters | Where-Object { $_.Name.VariablePath.UserPath -eq 'Task' }
    $validateSet = $taskParameter.Attributes | Where-Object { $_.TypeName.Name -eq 'ValidateSet' }
    $script:tasks = @($validateSet.PositionalArguments | ForEach-Object { $_.Value })

    # Every build.ps1 call: its job, the shell, and the parsed command.
    $script:calls = @(foreach ($job in $workflow.jobs.PSObject.Properties) {
        foreach ($step in @($job.Value.steps | Where-Object { $_.PSObject.Properties['run'] -and $_.run -match 'build\.ps1' })) {
            $errors = $null
            $ast = [Management.Automation.Language.Parser]::ParseInput($step.run, [ref] $null, [ref] $errors)
            $command = $ast.FindAll({ $args[0] -is [Management.Automation.Language.CommandAst] }, $true) |
                Where-Object { $_.GetCommandName() -match 'build\.ps1$' } | Select-Object -First 1
            [pscustomobject]@{ Job = $job.Name; RunsOn = $job.Value.'runs-on'; Shell = $step.shell; Command = $command; ParseErrors = $errors }
        }
    })
}

Describe 'The hosted-runner workflow' {
    It 'runs on Windows with Windows PowerShell 5.1 and PowerShell 7, and on macOS with PowerShell 7' {
        $platforms = @($calls | ForEach-Object { "$($_.RunsOn)/$($_.Shell)" } | Sort-Object -Unique)
        $platforms | Should -Be @('macos-latest/pwsh', 'windows-latest/powershell', 'windows-latest/pwsh')
        # YAML 1.1 (PyYAML) reads the key "on" as the boolean true; GitHub reads it as "on".
        $on = if ($workflow.PSObject.Properties['on']) { $workflow.on } else { $workflow.'true' }
        $on.PSObject.Properties.Name | Should -Contain 'workflow_dispatch'
    }

    It 'calls build.ps1 with tasks and parameters that exist' {
        $calls.Count | Should -BeGreaterOrEqual 6
        foreach ($c in $calls) {
            $c.ParseErrors | Should -BeNullOrEmpty -Because "the $($c.Job) step parses as $($c.Shell)"
            $c.Command | Should -Not -BeNullOrEmpty
            $named = @($c.Command.CommandElements | Where-Object { $_ -is [Management.Automation.Language.CommandParameterAst] })
            foreach ($p in $named) { $buildParameters | Should -Contain $p.ParameterName -Because "$($c.Job) passes -$($p.ParameterName)" }
            $taskIndex = [array]::IndexOf(@($c.Command.CommandElements), ($named | Where-Object ParameterName -eq 'Task'))
            $task = $c.Command.CommandElements[$taskIndex + 1].Value
            $tasks | Should -Contain $task -Because "$($c.Job) runs -Task $task"
        }
        @($calls | ForEach-Object { $_.Command.CommandElements[2].Value } | Sort-Object -Unique) | Should -Be @('Pester', 'Xunit')
    }

    It 'names test projects and Pester files that exist' {
        $xunit = @($calls | ForEach-Object { $e = @($_.Command.CommandElements); for ($i = 0; $i -lt $e.Count - 1; $i++) { if ($e[$i].ParameterName -eq 'XunitPath') { $e[$i + 1].Value } } })
        $xunit.Count | Should -Be 3
        foreach ($x in $xunit) { Test-Path -LiteralPath (Join-Path $root $x) -PathType Container | Should -BeTrue -Because "-XunitPath $x" }
        $files = @($workflow.env.OFFLINE_PESTER -replace '\s', '' -split ',')
        $files.Count | Should -BeGreaterThan 10
        foreach ($f in $files) { Test-Path -LiteralPath (Join-Path $root $f) -PathType Leaf | Should -BeTrue -Because "OFFLINE_PESTER names $f" }
        # Each Pester step passes that list.
        @($calls | Where-Object { $_.Command.Extent.Text -match '-Task Pester' } | Where-Object { $_.Command.Extent.Text -notmatch 'OFFLINE_PESTER' }) | Should -BeNullOrEmpty
    }
}
