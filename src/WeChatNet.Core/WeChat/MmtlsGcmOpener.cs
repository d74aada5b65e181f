using System;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Engines;

namespace WeChatNet.WeChat
{
    /// <summary>
    /// AES-GCM decryption that keeps BouncyCastle's cipher and its key schedule (and GHASH tables) while records keep
    /// the same key, as the records of one connection direction do: only the nonce and AAD change from record to record.
    /// Same guarantees as <see cref="MmtlsAead.TryOpen"/>: plaintext only when the tag verifies, never an exception.
    /// </summary>
    internal sealed class MmtlsGcmOpener
    {
        private readonly GcmBlockCipher _gcm = new GcmBlockCipher(new AesEngine());
        private byte[]? _key;

        public bool TryOpen(byte[] key, byte[] nonce, byte[] aad, byte[] input, int offset, int count, byte[] plaintext)
        {
            if (count < MmtlsAead.TagLength || !MmtlsAead.IsKeyLength(key.Length) || nonce.Length == 0 || plaintext.Length < count - MmtlsAead.TagLength) return false;
            bool sameKey = _key != null && _key.AsSpan().SequenceEqual(key);
            // A null key parameter tells BouncyCastle to keep the key it has (and the tables derived from it).
            _gcm.Init(false, new AeadParameters(sameKey ? null : new KeyParameter(key), MmtlsAead.TagLength * 8, nonce, aad));
            if (!sameKey) _key = (byte[])key.Clone();
            try
            {
                int n = _gcm.ProcessBytes(input, offset, count, plaintext, 0);
                _gcm.DoFinal(plaintext, n);
                return true;
            }
            catch (InvalidCipherTextException)
            {
                Array.Clear(plaintext, 0, count - MmtlsAead.TagLength); // an unverified plaintext never leaves this method
                return false;
            }
        }
    }
}
