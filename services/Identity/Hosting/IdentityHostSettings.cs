using System.Net;
using Chronicle.ServiceDefaults;

namespace Chronicle.Identity.Hosting;

/// <summary>
/// Where the service listens and stores its data, read from the <c>Chronicle</c> configuration section. The directory
/// (OpenIddict's tables and the practices, staff, patients and modules) is <see cref="ConnectionString"/>; the event store
/// that is the audit outbox, and the messaging inbox and relay checkpoint, are the host's storage (<see cref="IdentityHost"/>).
/// </summary>
public sealed record IdentityHostSettings(
    IPAddress ListenAddress, int HttpPort, int GrpcPort, bool UsePostgres, string ConnectionString, bool SeedDemo)
{
    /// <summary>On PostgreSQL, the schema of the outbox event store in the Identity database (the directory keeps the default schema).</summary>
    public const string EventSchema = "identity";

    /// <summary>On PostgreSQL, the schema of the messaging inbox and the relay's checkpoint.</summary>
    public const string ReadModelSchema = "identity_read";

    /// <summary>The SQLite files (directory, outbox, inbox) and the direct broker's queue.</summary>
    public string DataDirectory { get; init; } = Path.GetFullPath(Path.Combine("data", "identity"));

    public const int DefaultHttpPort = 5300;
    public const int DefaultGrpcPort = 5301;

    /// <exception cref="ServiceConfigurationException">A setting is missing, unreadable or out of range.</exception>
    public static IdentityHostSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var address = configuration["Chronicle:ListenAddress"] is { Length: > 0 } text
            ? IPAddress.TryParse(text, out var parsed) ? parsed : throw new ServiceConfigurationException($"Chronicle:ListenAddress '{text}' is not an IP address.")
            : IPAddress.Loopback;
        var storage = configuration["Chronicle:Storage"] ?? "sqlite";
        bool usePostgres = storage.ToLowerInvariant() switch
        {
            "postgres" or "postgresql" => true,
            "sqlite" => false,
            _ => throw new ServiceConfigurationException($"Chronicle:Storage must be 'sqlite' or 'postgres'; it is '{storage}'."),
        };
        var directory = Path.GetFullPath(configuration["Chronicle:DataDirectory"] ?? Path.Combine("data", "identity"));
        string connectionString;
        if (usePostgres)
        {
            connectionString = configuration.GetConnectionString("Identity")
                ?? throw new ServiceConfigurationException("Chronicle:Storage=postgres needs ConnectionStrings:Identity.");
        }
        else
        {
            // A 0600 file in a 0700 directory before EF Core opens it (see PrivateDataDirectory).
            connectionString = $"Data Source={PrivateDataDirectory.PrepareFile(Path.Combine(directory, "identity.db"))}";
        }

        return new IdentityHostSettings(address, Port(configuration, "Http", DefaultHttpPort), Port(configuration, "Grpc", DefaultGrpcPort),
            usePostgres, connectionString, configuration.GetValue<bool>("Chronicle:Demo")) { DataDirectory = directory };
    }

    private static int Port(IConfiguration configuration, string name, int fallback)
    {
        int port;
        try
        {
            port = configuration.GetValue<int?>($"Chronicle:Ports:{name}") ?? fallback;
        }
        catch (InvalidOperationException e)
        {
            throw new ServiceConfigurationException($"Chronicle:Ports:{name} must be a TCP port (0 to 65535, 0 picks a free one): {e.Message}", e);
        }

        return port is >= 0 and <= 65535
            ? port
            : throw new ServiceConfigurationException($"Chronicle:Ports:{name} must be a TCP port (0 to 65535, 0 picks a free one); it is {port}.");
    }
}
