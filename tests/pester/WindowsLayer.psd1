@{
    # The Windows layer (build.ps1 -Task Test or Windows; docs/testing.md "The Windows layer") runs every Pester file
    # under tests/pester on the Windows build of PowerShell under Wine, except the files listed here, each with the
    # Linux-only test infrastructure it needs. Files named *.Windows.Tests.ps1 run there only (they fail elsewhere).
    # Keys (any order): paths relative to tests/pester with '/'. tests/pester/Repository/WindowsLayer.Tests.ps1 checks that every
    # key is a Pester file, every reason is given, no *.Windows.Tests.ps1 file is listed, and docs/testing.md names
    # each listed file.
    NotOnWindows = @{
        'Docs/DocsExamples.Tests.ps1' = 'the sealed network: Linux network namespaces with Knot, Unbound and stand-in servers'
        'Docs/Runbooks.Tests.ps1' = 'the sealed network: Linux network namespaces with Knot, Unbound and stand-in servers'
        'FleetRunbook.Tests.ps1' = 'sites in Linux network namespaces reached over SSH (sshd, ip netns)'
        'Get-WeChatRoute.Tests.ps1' = 'routers in Linux network namespaces (ip netns, iptables) and capsh; the Windows route tests are their own file'
        'Remoting.Tests.ps1' = 'sshd in Linux network namespaces, SIGTERM to the remote pwsh, chromium'
        'Resolve-WeChatDomain.Tests.ps1' = 'Knot (knotd) as the authoritative server the queries reach'
        'Start-WeChatCapture.Stop.Tests.ps1' = 'Unix signals (SIGTERM, SIGHUP) to pwsh, process jobs, tshark as the reference reader'
    }
}
