using System.IO;

namespace WeChatNet.Capture
{
    /// <summary>
    /// The last step of a safe write (Export-WeChatCapture, reports): a finished temporary file takes the target's name.
    /// On Windows, replacing a file that another program has open fails with a sharing violation whose message names
    /// no file; the error raised here names the target and says what to do.
    /// </summary>
    internal static class AtomicFile
    {
        private const int SharingViolation = unchecked((int)0x80070020);
        private const int LockViolation = unchecked((int)0x80070021);

        /// <summary>Renames <paramref name="temp"/> to <paramref name="target"/>, replacing it if <paramref name="replace"/>.</summary>
        public static void MoveOver(string temp, string target, bool replace)
        {
            try
            {
                if (replace) File.Replace(temp, target, null);
                else File.Move(temp, target);
            }
            catch (IOException e) when (e.HResult == SharingViolation || e.HResult == LockViolation)
            {
                throw new IOException($"'{target}' could not be replaced: another program has it open ({e.Message.TrimEnd('.')}). " +
                                      "Close it there, or write to another file.", e);
            }
        }
    }
}
