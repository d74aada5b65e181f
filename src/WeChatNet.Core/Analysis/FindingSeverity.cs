namespace WeChatNet
{
    /// <summary>How serious a finding is, lowest first (-MinimumSeverity; Finding.Severity holds the same names).</summary>
    public enum FindingSeverity
    {
        Info,
        Warning,
        Error,
    }
}
