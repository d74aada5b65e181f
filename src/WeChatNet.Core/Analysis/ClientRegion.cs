namespace WeChatNet
{
    /// <summary>Where the client is, for the region findings (-ClientRegion).</summary>
    public enum ClientRegion
    {
        MainlandChina,
        Overseas,
    }
}
