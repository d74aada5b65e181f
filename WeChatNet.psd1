@{
    RootModule           = 'WeChatNet.dll'
    ModuleVersion        = '1.0.0'
    GUID                 = '6f0f5b5e-3d7c-4f43-9a55-8a2b2f1c9e41'
    Author               = 'WeChatNet contributors'
    CompanyName          = 'WeChatNet'
    Copyright            = '(c) 2026 WeChatNet contributors. MIT licence.'
    Description          = 'Understand WeChat''s networking: its servers and dispatch, the path to them, and what crosses the wire.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    # The core is loaded before the type data, which names its CapturePoint enum (rehydrated from remoting and CLIXML).
    RequiredAssemblies   = @('WeChatNet.Core.dll')
    FormatsToProcess     = @('WeChatNet.Format.ps1xml')
    TypesToProcess       = @('WeChatNet.Types.ps1xml')
    CmdletsToExport      = @(
        'Get-WeChatEndpoint',
        'Resolve-WeChatDomain',
        'Get-WeChatDispatch',
        'Get-WeChatIpInfo',
        'Test-WeChatConnection',
        'ConvertFrom-WeChatPacket',
        'Get-WeChatSample',
        'Get-WeChatFlow',
        'Measure-WeChatHeartbeat',
        'Get-WeChatFinding',
        'Import-WeChatCapture',
        'Export-WeChatCapture',
        'Get-WeChatRoute',
        'Get-WeChatCaptureDevice',
        'Start-WeChatCapture',
        'Invoke-WeChatDiagnostic',
        'Export-WeChatReport',
        'Get-WeChatConnection'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('WeChat', 'Weixin', 'Network', 'Diagnostics', 'pcap', 'DNS', 'Traceroute',
                             'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/wechatnet/WeChatNet'
            LicenseUri   = 'https://github.com/wechatnet/WeChatNet/blob/main/LICENSE'
            ReleaseNotes = '1.0.0: first release (semantic versioning from here: 1.x keeps 1.0''s names). WeChat''s hosts, DNS and dispatch (Get-WeChatEndpoint, Resolve-WeChatDomain, Get-WeChatDispatch); address ownership and region (Get-WeChatIpInfo); connectivity and path (Test-WeChatConnection, Get-WeChatRoute); capture files and live capture (Import-WeChatCapture, Export-WeChatCapture, Start-WeChatCapture, Get-WeChatCaptureDevice, Get-WeChatSample); decoding, MMTLS decryption with a key log, and analysis (ConvertFrom-WeChatPacket, Get-WeChatFlow, Measure-WeChatHeartbeat, Get-WeChatFinding); Invoke-WeChatDiagnostic and Export-WeChatReport (HTML and Markdown, one site or many). The export cmdlets take -Path and -LiteralPath as Export-Csv does; names used only during development were removed (CHANGELOG.md lists each). Full notes: https://github.com/wechatnet/WeChatNet/blob/main/CHANGELOG.md'
        }
    }
}
