#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Every output type of the module, formatted as a user sees it: Format-Table (the module's table view) and Format-List,
# through Out-String. No script-block text, no $null, no {…} in a table, no formatting error.
# Run after packaging (./build.ps1 -Task Package, or dotnet publish src/WeChatNet -c Release -o out/WeChatNet).

BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'OutputObjects.ps1')
    $script:typeNames = Get-WeChatNetOutputTypeName
}

BeforeAll {
    $manifest = Join-Path $PSScriptRoot '../../out/WeChatNet/WeChatNet.psd1'
    if (-not (Test-Path $manifest)) { throw "Packaged module not found at ${manifest}: run ./build.ps1 -Task Package first." }
    Import-Module $manifest -Force
    . (Join-Path $PSScriptRoot 'OutputObjects.ps1')
    $tmp = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-format-pester-$PID-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory $tmp | Out-Null
    $objects = New-WeChatNetOutputSet -Folder $tmp
}

AfterAll {
    if ($tmp -and (Test-Path $tmp)) { Remove-Item $tmp -Recurse -Force }
}

Describe 'WeChatNet.Format.ps1xml' {
    It 'formats <_> as a clean table and list' -ForEach $typeNames {
        $name = $_
        $items = @($objects | Where-Object { $_.GetType().FullName -eq $name })
        $items.Count | Should -BeGreaterThan 0 -Because "the test must make at least one $name"
        $table = $items | Select-Object -First 20 | Format-Table -DisplayError | Out-String -Width 300
        $list = $items | Select-Object -First 5 | Format-List -DisplayError | Out-String -Width 300
        foreach ($text in $table, $list) {
            $text | Should -Not -Match '\$null|<ScriptBlock>|#ERR|\{\$'
        }
        # Windows names capture devices \Device\NPF_{GUID}: those braces are the value itself.
        ($table -replace '\\Device\\NPF_\{[0-9A-Fa-f-]{36}\}', '') | Should -Not -Match '[{}]' -Because 'a table column shows values, not PowerShell array or script text'
        $table.Trim() | Should -Not -BeNullOrEmpty
    }

    It 'shows durations and handshake times in the flow table' {
        $flow = $objects | Where-Object { $_ -is [WeChatNet.Flow] -and $null -ne $_.HandshakeMs } | Select-Object -First 1
        $row = ($flow | Format-Table | Out-String -Width 300) -split "`n" | Where-Object { $_ -match "^\s*$($flow.Id)\s" } | Select-Object -First 1
        $row | Should -Match ('{0:0.#}' -f $flow.HandshakeMs)
        $row | Should -Match '\d+(\.\d)? (s|ms)'
    }

    It 'fits the flow table in a 120-column console, down to Retrans and Resets' {
        # PowerShell leaves out the columns of a fixed-width table that do not fit; the flow table must keep them all.
        $table = Get-WeChatSample dead-link | Get-WeChatFlow | Format-Table | Out-String -Width 120
        $table | Should -Match 'HandshakeMs\s+Retrans\s+Resets'
    }

    It 'shows the median interval in the heartbeat table' {
        $hb = $objects | Where-Object { $_ -is [WeChatNet.HeartbeatReport] -and $null -ne $_.IntervalMedianSec } | Select-Object -First 1
        ($hb | Format-Table | Out-String -Width 300) | Should -Match ('\b{0:0}\b' -f $hb.IntervalMedianSec)
    }

    It 'says which capture each flow, heartbeat report and finding came from when several files are read' {
        # Get-ChildItem *.pcapng | Get-WeChatFlow numbers flows from 1 in every file: without the file the rows repeat.
        $dead = (Get-WeChatSample dead-link).Path; $nat = (Get-WeChatSample nat-timeout).Path
        $flows = Get-ChildItem $dead, $nat | Get-WeChatFlow | Out-String -Width 300
        $flows | Should -Match ('File: ' + [regex]::Escape($dead))
        $flows | Should -Match ('File: ' + [regex]::Escape($nat))
        (Get-ChildItem $dead, $nat | Measure-WeChatHeartbeat | Out-String -Width 300) | Should -Match ('File: ' + [regex]::Escape($nat))
        # Packets without a file (Start-WeChatCapture | Get-WeChatFlow): the group says so instead of a bare "File: ".
        $live = Import-WeChatCapture $dead | ForEach-Object { $_.File = $null; $_ }
        foreach ($text in ($live | Get-WeChatFlow | Out-String -Width 300), ($live | Measure-WeChatHeartbeat | Out-String -Width 300)) {
            $text | Should -Match 'File: \(live capture, no file\)'
            $text | Should -Not -Match 'File: *\r?\n'
        }
        # Findings are sorted by severity across files (Invoke-WeChatDiagnostic): a column, not groups.
        # The two Errors: nat-timeout's idle timeout (its deaths are its evidence) and dead-link's death, each with its file.
        $rows = (Invoke-WeChatDiagnostic -Path $nat, $dead | Out-String -Width 300) -split "`n" | Where-Object { $_ -match '^Error\b' }
        $rows | Should -HaveCount 2
        @($rows | Where-Object { $_ -match 'nat-timeout\.pcapng' -and $_ -match '210 s of silence' }) | Should -HaveCount 1
        @($rows | Where-Object { $_ -match 'dead-link\.pcapng' -and $_ -match 'Long link died' }) | Should -HaveCount 1
    }
}
