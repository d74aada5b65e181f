using System;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Engines;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// AES-GCM with a 16-byte tag, from BouncyCastle (GcmBlockCipher over AesEngine): one code path for Windows PowerShell 5.1
    /// and PowerShell 7, since netstandard2.0 has no AesGcm type. Nothing here is hand-written cryptography: this class
    /// only hands buffers to the library. A plaintext is returned only when the library verified the tag.
    /// </summary>
    internal static class MmtlsAead
    {
        public const int TagLength = 16;
        public const int NonceLength = 12;

        /// <summary>True for an AES key length (16, 24 or 32 bytes).</summary>
        public static bool IsKeyLength(int length) => length == 16 || length == 24 || length == 32;

        /// <summary>
        /// Decrypts <paramref name="ciphertextAndTag"/> (ciphertext then 16-byte tag) into <paramref name="plaintext"/>
        /// (at least <c>ciphertextAndTag.Length - 16</c> bytes). False when the tag does not verify (nothing may be shown
        /// then) or the input is shorter than a tag. Never throws for bad keys or data.
        /// </summary>
        public static bool TryOpen(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertextAndTag, int offset, int count, byte[] plaintext) =>
            new MmtlsGcmOpener().TryOpen(key, nonce, aad, ciphertextAndTag, offset, count, plaintext);

        /// <summary>Encrypts: ciphertext followed by the 16-byte tag (the sample generator and tests use this).</summary>
        public static byte[] Seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext)
        {
            if (!IsKeyLength(key.Length)) throw new ArgumentException("An AES key is 16, 24 or 32 bytes.", nameof(key));
            var gcm = new GcmBlockCipher(new AesEngine());
            gcm.Init(true, new AeadParameters(new KeyParameter(key), TagLength * 8, nonce, aad));
            var output = new byte[gcm.GetOutputSize(plaintext.Length)];
            int n = gcm.ProcessBytes(plaintext, 0, plaintext.Length, output, 0);
            gcm.DoFinal(output, n);
            return output;
        }
    }
}
