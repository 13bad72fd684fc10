using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chronicle.Auditing;

/// <summary>
/// Where a service's audit signing key comes from: <c>Chronicle:Auditing:SigningKey</c>, the path of a PEM file or the
/// PEM text itself (the launcher passes a path, Kubernetes a secret). Under Dapr (<c>Chronicle:Transport=dapr</c>) the
/// key is required. Elsewhere a service run on its own without one creates a development key once in its data directory
/// and warns: its entries are then refused by any Audit service not told that key's public half.
/// </summary>
public static partial class AuditSigningConfiguration
{
    public const string SigningKeySetting = "Chronicle:Auditing:SigningKey";
    public const string DevelopmentKeyFile = "audit-signing-key.pem";

    /// <summary>Loads (or, in development, creates) the key. <paramref name="developmentWarning"/> says when the development key is used.</summary>
    /// <exception cref="AuditSigningConfigurationException">No key under Dapr, or the configured key cannot be read.</exception>
    public static AuditSigningKey LoadKey(IConfiguration configuration, string dataDirectory, out string? developmentWarning)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        developmentWarning = null;
        var configured = configuration[SigningKeySetting];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            try
            {
                return AuditSigningKey.FromPem(configured.Contains("-----BEGIN", StringComparison.Ordinal) ? configured : File.ReadAllText(configured.Trim()));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException or NotSupportedException)
            {
                throw new AuditSigningConfigurationException(
                    $"{SigningKeySetting} must be an ECDSA P-256 private key in PEM form, or the path of one: {e.Message}", e);
            }
        }

        if (string.Equals(configuration["Chronicle:Transport"], "dapr", StringComparison.OrdinalIgnoreCase))
            throw new AuditSigningConfigurationException(
                $"{SigningKeySetting} is not set: under Dapr every service signs its audit entries with its own key, from a secret " +
                "(Chronicle__Auditing__SigningKey, see k8s/README.md); the Audit service refuses entries it cannot verify.");

        var path = Path.Combine(dataDirectory, DevelopmentKeyFile);
        AuditSigningKey key;
        try
        {
            key = AuditSigningKey.LoadOrCreate(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new AuditSigningConfigurationException($"{SigningKeySetting} is not set and the development key {path} cannot be used: {e.Message}", e);
        }

        developmentWarning = $"{SigningKeySetting} is not set: audit entries are signed with the development key {path} (key id {key.KeyId}). " +
                             $"An Audit service refuses them unless it trusts {AuditSigningKey.PublicKeyPathFor(path)} " +
                             "(Chronicle:Audit:Emitters:<service>:PublicKeys); the launcher, k8s/ and the Helm chart configure keys.";
        return key;
    }

    /// <summary>Registers the service's <see cref="AuditSigningKey"/> (see <see cref="LoadKey"/>), logging a warning at start when it is a development key.</summary>
    /// <exception cref="AuditSigningConfigurationException">No key under Dapr, or the configured key cannot be read.</exception>
    public static IServiceCollection AddAuditSigning(this IServiceCollection services, IConfiguration configuration, string dataDirectory) =>
        services.AddAuditSigning(configuration, dataDirectory, out _);

    /// <inheritdoc cref="AddAuditSigning(IServiceCollection, IConfiguration, string)"/>
    /// <param name="key">The key registered, for a service that also trusts its own entries (the Audit service).</param>
    public static IServiceCollection AddAuditSigning(this IServiceCollection services, IConfiguration configuration, string dataDirectory,
        out AuditSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(services);
        key = LoadKey(configuration, dataDirectory, out var warning);
        services.TryAddSingleton(key);
        if (warning is not null)
            services.AddHostedService(provider => new DevelopmentKeyWarning(provider.GetRequiredService<ILoggerFactory>().CreateLogger("Chronicle.Auditing"), warning));
        return services;
    }

    private sealed partial class DevelopmentKeyWarning(ILogger logger, string warning) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogDevelopmentKey(logger, warning);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
        private static partial void LogDevelopmentKey(ILogger logger, string warning);
    }
}

/// <summary>The audit signing key cannot be had; the message says which setting and how to fix it (exit code 2 from a service host).</summary>
[Chronicle.Contracts.ConfigurationError]
public sealed class AuditSigningConfigurationException : Exception
{
    public AuditSigningConfigurationException(string message) : base(message)
    {
    }

    public AuditSigningConfigurationException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public AuditSigningConfigurationException()
    {
    }
}
