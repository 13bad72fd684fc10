using Chronicle.ServiceDefaults;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Chronicle.Identity.Hosting;

namespace Chronicle.Identity.Keys;

/// <summary>
/// Configuration section <c>Chronicle:Identity:KeyEncryption</c>: the certificate whose RSA key encrypts Identity's
/// data-protection key ring at rest. A PEM certificate and key (a Kubernetes TLS secret's <c>tls.crt</c> and
/// <c>tls.key</c>), or a PKCS#12 file with its password. Every replica needs the same certificate, and it must stay
/// available for as long as the database does: without it Identity cannot read its keys and will not start.
/// </summary>
public sealed class KeyEncryptionOptions
{
    public const string Section = "Chronicle:Identity:KeyEncryption";

    /// <summary>A PEM certificate (with <see cref="PrivateKeyPath"/>), or a PKCS#12 (.pfx/.p12) file holding the private key.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/>.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>The password of a PKCS#12 <see cref="CertificatePath"/>, if it has one.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// Certificates that encrypted keys before the current one (same three settings each, under <c>Previous:0</c>,
    /// <c>Previous:1</c>…): only decrypted with. Keep one until the data-protection keys it encrypted have expired
    /// (90 days); Identity then encrypts its token keys afresh under the newer data-protection key.
    /// </summary>
    public List<KeyEncryptionOptions> Previous { get; } = [];

    /// <param name="section">Where these settings are, for messages.</param>
    /// <returns>Null when no certificate is configured.</returns>
    public X509Certificate2? LoadCertificate(string section = Section)
    {
        if (string.IsNullOrEmpty(CertificatePath))
            return null;
        foreach (var (setting, path) in new[] { ("CertificatePath", CertificatePath), ("PrivateKeyPath", PrivateKeyPath) })
        {
            if (path is { Length: > 0 } && !File.Exists(path))
                throw new ServiceConfigurationException($"{section}:{setting} is '{path}', and there is no such file.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = PrivateKeyPath is { Length: > 0 }
                ? X509Certificate2.CreateFromPemFile(CertificatePath, PrivateKeyPath)
                : X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, CertificatePassword);
        }
        catch (CryptographicException e)
        {
            throw new ServiceConfigurationException($"{section}: the certificate at '{CertificatePath}' cannot be loaded: {e.Message}", e);
        }

        if (certificate.GetRSAPrivateKey() is null)
        {
            certificate.Dispose();
            throw new ServiceConfigurationException($"{section}: the certificate at '{CertificatePath}' needs an RSA private key to encrypt keys with.");
        }

        return certificate;
    }
}
