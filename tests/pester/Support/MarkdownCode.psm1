# Code blocks of Markdown pages, with where they are: shared by the parse test and the executable-docs suite.
Set-StrictMode -Version Latest

function Get-MarkdownCodeBlock {
    <#
    .SYNOPSIS
        The fenced code blocks of Markdown files, each with its file, first code line, headings and text.
    .PARAMETER Language
        Only blocks whose info string is one of these (for example powershell); all blocks when omitted.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, ValueFromPipeline, ValueFromPipelineByPropertyName)] [Alias('FullName')] [string[]] $Path,
        [string[]] $Language,
        # Paths in the output are relative to this folder.
        [string] $Root
    )
    process {
        foreach ($file in $Path) {
            $lines = [IO.File]::ReadAllLines($file)
            $section = ''; $title = ''; $inBlock = $false; $fence = ''; $lang = ''; $start = 0; $body = $null
            $shown = if ($Root) { [IO.Path]::GetRelativePath($Root, $file) -replace '\\', '/' } else { $file }
            for ($i = 0; $i -lt $lines.Count; $i++) {
                $line = $lines[$i]
                if (-not $inBlock) {
                    if ($line -match '^(\s*)(`{3,}|~{3,})\s*([\w+-]*)') {
                        $inBlock = $true; $fence = $Matches[2]; $lang = $Matches[3].ToLowerInvariant(); $start = $i + 2
                        $body = [Collections.Generic.List[string]]::new()
                    }
                    elseif ($line -match '^##\s+(.*)$' -and $line -notmatch '^###') { $section = $Matches[1].Trim(); $title = '' }
                    elseif ($line -match '^###+\s+(.*)$') { $title = $Matches[1].Trim() }
                    continue
                }
                if ($line.Trim() -eq $fence -or ($line.Trim().StartsWith($fence) -and $line.Trim().Trim($fence[0]) -eq '')) {
                    $inBlock = $false
                    if (-not $Language -or $Language -contains $lang) {
                        [pscustomobject]@{
                            PSTypeName = 'WeChatNet.Tests.CodeBlock'
                            File       = $shown
                            FullPath   = $file
                            Line       = $start
                            Language   = $lang
                            Section    = $section
                            Title      = $title
                            Text       = ($body -join "`n")
                            Id         = "${shown}:$start"
                        }
                    }
                    continue
                }
                $body.Add($line)
            }
            if ($inBlock) { throw "${shown}:$($start - 1): code fence $fence is never closed." }
        }
    }
}

function Get-PowerShellParseError {
    <#
    .SYNOPSIS
        Parse errors of PowerShell text as "file:line:column: message" strings; nothing when it parses.
    .PARAMETER LineOffset
        Added to the parser's line numbers (a code block's first line in its page, minus one).
    #>
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Text, [Parameter(Mandatory)] [string] $File, [int] $LineOffset = 0)
    $tokens = $null; $errors = $null
    $null = [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref] $tokens, [ref] $errors)
    foreach ($e in $errors) {
        '{0}:{1}:{2}: {3} ({4})' -f $File, ($e.Extent.StartLineNumber + $LineOffset), $e.Extent.StartColumnNumber, $e.Message, $e.ErrorId
    }
}

Export-ModuleMember -Function Get-MarkdownCodeBlock, Get-PowerShellParseError
