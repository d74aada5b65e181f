using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace WeChatNet.Dns
{
    /// <summary>Server-certificate validation that adds one trusted certificate (a private CA or a self-signed server certificate).</summary>
    internal static class CertificateValidation
    {
        /// <summary>
        /// Loads a certificate from a PEM (first CERTIFICATE block) or DER file. Throws <see cref="IOException"/> or
        /// <see cref="CryptographicException"/> with the path when it is missing or not a certificate.
        /// </summary>
        public static X509Certificate2 Load(string path)
        {
            byte[] bytes = File.ReadAllBytes(path);
            string text = System.Text.Encoding.ASCII.GetString(bytes);
            const string begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----";
            int b = text.IndexOf(begin, StringComparison.Ordinal);
            if (b >= 0)
            {
                int e = text.IndexOf(end, b, StringComparison.Ordinal);
                if (e < 0) throw new CryptographicException($"{path}: a PEM CERTIFICATE block without its END line.");
                string b64 = text.Substring(b + begin.Length, e - b - begin.Length).Replace("\r", "").Replace("\n", "").Replace(" ", "");
                try { bytes = Convert.FromBase64String(b64); }
                catch (FormatException) { throw new CryptographicException($"{path}: the PEM CERTIFICATE block is not valid base64."); }
            }
            try { return new X509Certificate2(bytes); }
            catch (CryptographicException x) { throw new CryptographicException($"{path} is not a certificate (PEM or DER): {x.Message}", x); }
        }

        /// <summary>
        /// Accepts what the system already trusts. Otherwise accepts only a certificate whose chain, built with
        /// <paramref name="trusted"/> as an extra anchor, ends at exactly <paramref name="trusted"/> with no other chain
        /// problem (expiry, usage) and whose name matches the host. Never accepts an arbitrary certificate.
        /// </summary>
        public static bool Validate(X509Certificate2? certificate, SslPolicyErrors errors, X509Certificate2 trusted)
        {
            if (errors == SslPolicyErrors.None) return true;
            if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            chain.ChainPolicy.ExtraStore.Add(trusted);
            if (!chain.Build(certificate)) return false;
            var root = chain.ChainElements[chain.ChainElements.Count - 1].Certificate;
            if (!string.Equals(root.Thumbprint, trusted.Thumbprint, StringComparison.OrdinalIgnoreCase)) return false;
            foreach (X509ChainElement element in chain.ChainElements)
                foreach (var status in element.ChainElementStatus)
                    if (status.Status != X509ChainStatusFlags.NoError && status.Status != X509ChainStatusFlags.UntrustedRoot) return false;
            return true;
        }
    }
}
