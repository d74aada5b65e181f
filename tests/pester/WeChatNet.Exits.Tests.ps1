#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Every output type, from every sample capture and the local producers, through the usual exits: Export-Csv/Import-Csv,
# ConvertTo-Json/ConvertFrom-Json and Export-Clixml/Import-Clixml. Values come back readable and equal; an array property X
# is also the string XText in a CSV (WeChatNet.Types.ps1xml), never only "System.Int32[]".
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
    $tmp = Join-Path ([IO.Path]::GetTempPath()) "wechatnet-exits-pester-$PID-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory $tmp | Out-Null
    $objects = New-WeChatNetOutputSet -Folder $tmp

    # What a property's value reads as, for comparing before and after an exit (arrays joined, dates as round-trip text).
    function ConvertTo-Comparable($value) {
        if ($null -eq $value) { return '' }
        if ($value -is [datetimeoffset]) { return $value.UtcDateTime.ToString('o') }
        # CLIXML (and so remoting) has no DateTimeOffset: it comes back as a property bag whose UtcDateTime is a DateTime.
        if ($value.PSObject.TypeNames -contains 'Deserialized.System.DateTimeOffset') { return ([datetime]$value.UtcDateTime).ToUniversalTime().ToString('o') }
        if ($value -is [datetime]) { return $value.ToUniversalTime().ToString('o') }
        if ($value -is [byte[]]) { return [BitConverter]::ToString($value) }
        if ($value -is [System.Collections.IEnumerable] -and $value -isnot [string]) { return (@($value | ForEach-Object { ConvertTo-Comparable $_ }) -join '; ') }
        if ($value -is [double] -or $value -is [single]) { return ([double]$value).ToString('R', [cultureinfo]::InvariantCulture) }
        if ($value -is [bool]) { return "$value".ToLowerInvariant() }
        if ($value -is [System.Management.Automation.PSCustomObject] -or $value -is [psobject] -and $value.PSObject.BaseObject -is [System.Management.Automation.PSCustomObject]) {
            return (@($value.PSObject.Properties | ForEach-Object { "$($_.Name)=$(ConvertTo-Comparable $_.Value)" }) -join ',')
        }
        if (-not $value.GetType().IsPrimitive -and $value -isnot [string] -and $value -isnot [decimal] -and -not $value.GetType().IsEnum -and $value.GetType().Namespace -like 'WeChatNet*') {
            return (@($value.PSObject.Properties | ForEach-Object { "$($_.Name)=$(ConvertTo-Comparable $_.Value)" }) -join ',')
        }
        "$value"
    }
}

AfterAll {
    if ($tmp -and (Test-Path $tmp)) { Remove-Item $tmp -Recurse -Force }
}

Describe 'Output through the usual exits' {
    It 'has every array property of <_> also as a readable member' -ForEach $typeNames {
        $type = $_ -as [type]
        $type | Should -Not -BeNullOrEmpty
        foreach ($p in $type.GetProperties() | Where-Object { $_.PropertyType.IsArray }) {
            $member = if ($p.PropertyType -eq [byte[]]) { "$($p.Name)Hex" } else { "$($p.Name)Text" }
            (Get-TypeData $type.FullName).Members.Keys | Should -Contain $member -Because "$($type.Name).$($p.Name) is an array: Export-Csv shows it only as $member"
        }
    }

    It 'writes <_> to CSV with readable cells' -ForEach $typeNames {
        $name = $_
        $items = @($objects | Where-Object { $_.GetType().FullName -eq $name } | Select-Object -First 25)
        $items.Count | Should -BeGreaterThan 0 -Because "the test must make at least one $name"
        $csv = Join-Path $tmp "$name.csv"
        $items | Export-Csv -Path $csv -NoTypeInformation
        $rows = @(Import-Csv -Path $csv)
        $rows.Count | Should -Be $items.Count
        $arrays = @(($name -as [type]).GetProperties() | Where-Object { $_.PropertyType.IsArray } | ForEach-Object Name)
        for ($i = 0; $i -lt $rows.Count; $i++) {
            foreach ($column in $rows[$i].PSObject.Properties) {
                if ($column.Name -in $arrays) { continue }   # the raw array column; its readable twin is checked below
                $column.Value | Should -Not -Match '^(System|WeChatNet)\.[\w.`]+(\[\])?$' -Because "$name.$($column.Name) must be a value, not a type name"
            }
            foreach ($array in $arrays) {
                # The twin follows the property's type, not its value: a byte[] that is null (MmtlsRecord.Plaintext without
                # -ShowIdentifiers) still has its Hex twin, empty.
                $bytes = ($name -as [type]).GetProperty($array).PropertyType -eq [byte[]]
                $twin = if ($bytes) { "${array}Hex" } else { "${array}Text" }
                $expected = if (-not $bytes) { @($items[$i].$array) -join '; ' } elseif ($null -ne $items[$i].$array) { [BitConverter]::ToString($items[$i].$array).Replace('-', '') } else { '' }
                $rows[$i].$twin | Should -Be $expected
            }
        }
    }

    It 'round-trips <_> through ConvertTo-Json and Export-Clixml' -ForEach $typeNames {
        $name = $_
        $items = @($objects | Where-Object { $_.GetType().FullName -eq $name } | Select-Object -First 25)
        $items.Count | Should -BeGreaterThan 0
        $json = @($items | ConvertTo-Json -Depth 6 -AsArray | ConvertFrom-Json)
        $xml = Join-Path $tmp "$name.xml"
        $items | Export-Clixml -Path $xml -Depth 6
        $back = @(Import-Clixml -Path $xml)
        $back.Count | Should -Be $items.Count
        $json.Count | Should -Be $items.Count
        for ($i = 0; $i -lt $items.Count; $i++) {
            foreach ($p in ($name -as [type]).GetProperties()) {
                $before = ConvertTo-Comparable $items[$i].($p.Name)
                ConvertTo-Comparable $back[$i].($p.Name) | Should -Be $before -Because "$name.$($p.Name) through Export-Clixml"
                if ($p.PropertyType -in [datetimeoffset], [datetime], [Nullable[datetimeoffset]]) { continue }   # JSON writes dates as text
                if ($p.PropertyType.IsEnum) { continue }                                                          # and enums as numbers
                if ($p.PropertyType -eq [byte[]]) {                                                               # and bytes as numbers
                    (@($json[$i].($p.Name)) -join ',') | Should -Be (@($items[$i].($p.Name)) -join ',')
                    continue
                }
                ConvertTo-Comparable $json[$i].($p.Name) | Should -Be $before -Because "$name.$($p.Name) through ConvertTo-Json"
            }
        }
    }
}
