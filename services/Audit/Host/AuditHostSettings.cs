using Chronicle.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Chronicle.Audit.Host;

public enum AuditStorageKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The Audit host's settings, from the <c>Chronicle</c> configuration section (appsettings.json, environment variables such
/// as <c>Chronicle__Storage</c>, arguments such as <c>--Chronicle:Storage=postgres</c>) and <c>ConnectionStrings:Audit</c>.
/// <see cref="From"/> checks them all before anything starts.
/// </summary>
public sealed record AuditHostSettings
{
    public const string Section = "Chronicle";
    public const string ConnectionStringName = "Audit";

    /// <summary>On PostgreSQL: the chain's schema (what <c>verify --postgres</c> reads by default) and the query tables' schema.</summary>
    public const string EventSchema = "audit";

    public const string ReadModelSchema = "audit_read";

    public AuditStorageKind Storage { get; init; } = AuditStorageKind.Sqlite;

    /// <summary>The SQLite files and the checkpoint signing key; an absolute path.</summary>
    public string DataDirectory { get; init; } = Path.GetFullPath("./data/audit");

    public string? PostgresConnectionString { get; init; }

    public bool ListenAnyIp { get; init; }

    /// <summary>FHIR AuditEvent API, verify and replay APIs, health (HTTP/1.1). 0 picks a free port.</summary>
    public int HttpPort { get; init; } = 5200;

    /// <summary>Dapr's app callback (pub/sub deliveries) over HTTP/2 cleartext. 0 picks a free port.</summary>
    public int GrpcPort { get; init; } = 5201;

    /// <summary>A signed checkpoint is taken once this many links were chained since the last one...</summary>
    public int CheckpointEveryEntries { get; init; } = 1000;

    /// <summary>...or once this long has passed with at least one new link.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The public keys each emitting service signs its audit entries with, by service name (several per service while
    /// keys are rotated), from <c>Chronicle:Audit:Emitters:{service}:PublicKeys</c>. The Audit service's own key is added
    /// to these for service "audit" when the chain is composed.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<byte[]>> EmitterPublicKeys { get; init; } = new Dictionary<string, IReadOnlyList<byte[]>>();

    /// <summary>Under Dapr (production): the chain is refused without emitter keys, which would refuse every entry delivered.</summary>
    public bool RequireEmitterKeys { get; init; }

    /// <summary>The PEM file holding the checkpoint signing key (created on first start, readable by the owner only).</summary>
    public string SigningKeyPath => Path.Combine(DataDirectory, "checkpoint-signing-key.pem");

    /// <summary>The signing key's public half (SubjectPublicKeyInfo PEM), written beside it for <c>verify --key</c>.</summary>
    public string PublicKeyPath => Path.Combine(DataDirectory, "checkpoint-signing-key.pub.pem");

    /// <exception cref="ServiceConfigurationException">A setting is missing, unreadable or out of range.</exception>
    public static AuditHostSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        AuditHostOptions options;
        try
        {
            options = configuration.GetSection(Section).Get<AuditHostOptions>() ?? new AuditHostOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new ServiceConfigurationException(e.Message, e);
        }

        var storage = options.Storage?.Trim().ToLowerInvariant() switch
        {
            null or "" or "sqlite" => AuditStorageKind.Sqlite,
            "postgres" or "postgresql" => AuditStorageKind.Postgres,
            _ => throw new ServiceConfigurationException($"{Section}:Storage must be 'sqlite' or 'postgres'; it is '{options.Storage}'."),
        };
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (storage == AuditStorageKind.Postgres)
            connectionString = CheckPostgres(connectionString);
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
            throw new ServiceConfigurationException($"{Section}:DataDirectory must name a folder (the default is ./data/audit).");
        if (options.Checkpoints.EveryEntries < 1)
            throw new ServiceConfigurationException($"{Section}:Checkpoints:EveryEntries must be 1 or more; it is {options.Checkpoints.EveryEntries}.");
        if (options.Checkpoints.Interval <= TimeSpan.Zero)
            throw new ServiceConfigurationException($"{Section}:Checkpoints:Interval must be positive; it is {options.Checkpoints.Interval}.");

        return new AuditHostSettings
        {
            Storage = storage,
            DataDirectory = Path.GetFullPath(options.DataDirectory, Environment.CurrentDirectory),
            PostgresConnectionString = storage == AuditStorageKind.Postgres ? connectionString : null,
            ListenAnyIp = options.ListenAnyIp,
            HttpPort = CheckPort("Http", options.Ports.Http),
            GrpcPort = CheckPort("Grpc", options.Ports.Grpc),
            CheckpointEveryEntries = options.Checkpoints.EveryEntries,
            CheckpointInterval = options.Checkpoints.Interval,
            EmitterPublicKeys = ReadEmitters(configuration.GetSection(EmittersSection)),
            RequireEmitterKeys = string.Equals(configuration[$"{Section}:Transport"], "dapr", StringComparison.OrdinalIgnoreCase),
        };
    }

    public const string EmittersSection = "Chronicle:Audit:Emitters";

    /// <summary>
    /// <c>Emitters:{service}:PublicKeys</c> is one value or a list (<c>PublicKeys:0</c>, <c>PublicKeys:1</c>...), each the
    /// path of a PEM file or PEM text, each holding one or more public keys.
    /// </summary>
    private static Dictionary<string, IReadOnlyList<byte[]>> ReadEmitters(IConfigurationSection emitters)
    {
        var keys = new Dictionary<string, IReadOnlyList<byte[]>>(StringComparer.Ordinal);
        foreach (var emitter in emitters.GetChildren())
        {
            var setting = emitter.GetSection("PublicKeys");
            var values = setting.Value is { } single ? [single] : setting.GetChildren().Select(c => c.Value).OfType<string>().ToList();
            var service = new List<byte[]>();
            foreach (var value in values.Where(v => !string.IsNullOrWhiteSpace(v)))
            {
                try
                {
                    service.AddRange(Chronicle.Auditing.AuditEmitterKeys.ReadPublicKeys(value));
                }
                catch (FormatException e)
                {
                    throw new ServiceConfigurationException($"{setting.Path} must be public keys in PEM form, or the paths of PEM files: {e.Message}", e);
                }
            }

            if (service.Count == 0)
                throw new ServiceConfigurationException($"{setting.Path} names no public key for the service '{emitter.Key}'.");
            keys[emitter.Key] = service;
        }

        return keys;
    }

    private static string CheckPostgres(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new ServiceConfigurationException(
                $"{Section}:Storage is 'postgres' but ConnectionStrings:{ConnectionStringName} is not set " +
                $"(e.g. ConnectionStrings__{ConnectionStringName}=\"Host=localhost;Database=chronicle_audit;Username=chronicle;Password=...\").");
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return connectionString;
        }
        catch (ArgumentException e)
        {
            throw new ServiceConfigurationException($"ConnectionStrings:{ConnectionStringName} is not a valid PostgreSQL connection string: {e.Message}", e);
        }
    }

    private static int CheckPort(string name, int port) => port is >= 0 and <= 65_535
        ? port
        : throw new ServiceConfigurationException($"{Section}:Ports:{name} must be a TCP port (0 to 65535, 0 picks a free one); it is {port}.");

    private sealed class AuditHostOptions
    {
        public string? Storage { get; set; }
        public string DataDirectory { get; set; } = "./data/audit";
        public bool ListenAnyIp { get; set; }
        public PortOptions Ports { get; set; } = new();
        public CheckpointOptions Checkpoints { get; set; } = new();
    }

    private sealed class PortOptions
    {
        public int Http { get; set; } = 5200;
        public int Grpc { get; set; } = 5201;
    }

    private sealed class CheckpointOptions
    {
        public int EveryEntries { get; set; } = 1000;
        public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(60);
    }
}

