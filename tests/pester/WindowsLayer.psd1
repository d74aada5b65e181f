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
        'Get-WeChatConnection.Tests.ps1' = 'Linux network namespaces with a stand-in server, clients run as nobody (setpriv, unshare) and ss as the oracle; the Windows path is its own file'
        'Get-WeChatRoute.Tests.ps1' = 'routers in Linux network namespaces (ip netns, iptables) and capsh; the Windows route tests are their own file'
        'Repository/HostedWorkflow.Tests.ps1' = 'reads the workflow YAML with the Linux python3 and PyYAML (python3-yaml)'
        'Remoting.Tests.ps1' = 'sshd in Linux network namespaces, SIGTERM to the remote pwsh, chromium'
        'Resolve-WeChatDomain.Tests.ps1' = 'Knot (knotd) as the authoritative server the queries reach'
        'Start-WeChatCapture.Faults.Tests.ps1' = 'Linux mounts (a full or read-only tmpfs), a veth pair deleted mid-capture and SIGKILL'
        'Start-WeChatCapture.Stop.Tests.ps1' = 'Unix signals (SIGTERM, SIGHUP) to pwsh, process jobs, tshark as the reference reader'
    }
}
