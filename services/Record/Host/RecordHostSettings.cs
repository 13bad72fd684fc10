using Chronicle.Record.Application;
using Chronicle.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Chronicle.Record.Host;

public enum RecordStorageKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The Record host's settings, from the <c>Chronicle</c> configuration section (appsettings.json, environment variables
/// such as <c>Chronicle__Storage</c>, command-line arguments such as <c>--Chronicle:Storage=postgres</c>) and the
/// <c>ConnectionStrings:Record</c> connection string. <see cref="From"/> checks them all before anything starts.
/// </summary>
public sealed record RecordHostSettings
{
    public const string Section = "Chronicle";
    public const string ConnectionStringName = "Record";

    public RecordStorageKind Storage { get; init; } = RecordStorageKind.Sqlite;

    /// <summary>Where the SQLite files live: an absolute path, resolved against the working directory.</summary>
    public string DataDirectory { get; init; } = Path.GetFullPath("./data/record");

    /// <summary>The PostgreSQL connection string; set when <see cref="Storage"/> is PostgreSQL.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>Listen on every network interface rather than loopback only (in a container, say).</summary>
    public bool ListenAnyIp { get; init; }

    /// <summary>The FHIR REST API, health endpoints (HTTP/1.1). 0 picks a free port.</summary>
    public int FhirPort { get; init; } = 5100;

    /// <summary>The gRPC commands and queries (HTTP/2 cleartext). 0 picks a free port.</summary>
    public int GrpcPort { get; init; } = 5101;

    /// <summary>
    /// How long a command's reply waits for the FHIR read model to include its write, and how long a FHIR read with
    /// X-Chronicle-Min-Position waits for the same.
    /// </summary>
    public TimeSpan ReadYourWritesWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many folded patient records the command side keeps between commands (<c>Chronicle:StateCache:MaxRecords</c>,
    /// <c>Chronicle:StateCache:MaxEvents</c>; 0 records turns it off).
    /// </summary>
    public RecordStateCacheOptions StateCache { get; init; } = new();

    /// <exception cref="ServiceConfigurationException">A setting is missing, unreadable or out of range.</exception>
    public static RecordHostSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        RecordHostOptions options;
        try
        {
            options = configuration.GetSection(Section).Get<RecordHostOptions>() ?? new RecordHostOptions();
        }
        catch (InvalidOperationException e)
        {
            // The binder's message names the key and the type it wanted, e.g. "...value at 'Chronicle:Ports:Fhir' to type 'System.Int32'".
            throw new ServiceConfigurationException(e.Message, e);
        }

        var storage = options.Storage?.Trim().ToLowerInvariant() switch
        {
            null or "" or "sqlite" => RecordStorageKind.Sqlite,
            "postgres" or "postgresql" => RecordStorageKind.Postgres,
            _ => throw new ServiceConfigurationException($"{Section}:Storage must be 'sqlite' or 'postgres'; it is '{options.Storage}'."),
        };
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (storage == RecordStorageKind.Postgres)
            connectionString = CheckPostgresConnectionString(connectionString);
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
            throw new ServiceConfigurationException($"{Section}:DataDirectory must name a folder (the default is ./data/record).");
        if (options.ReadYourWritesWait < TimeSpan.Zero)
            throw new ServiceConfigurationException($"{Section}:ReadYourWritesWait must not be negative; it is {options.ReadYourWritesWait}.");

        if (options.StateCache.MaxRecords < 0 || options.StateCache.MaxEvents < 0)
            throw new ServiceConfigurationException($"{Section}:StateCache:MaxRecords and MaxEvents must not be negative (0 records turns the cache off).");

        return new RecordHostSettings
        {
            Storage = storage,
            DataDirectory = Path.GetFullPath(options.DataDirectory, Environment.CurrentDirectory),
            PostgresConnectionString = storage == RecordStorageKind.Postgres ? connectionString : null,
            ListenAnyIp = options.ListenAnyIp,
            FhirPort = CheckPort("Fhir", options.Ports.Fhir),
            GrpcPort = CheckPort("Grpc", options.Ports.Grpc),
            ReadYourWritesWait = options.ReadYourWritesWait,
            StateCache = new RecordStateCacheOptions { MaxRecords = options.StateCache.MaxRecords, MaxEvents = options.StateCache.MaxEvents },
        };
    }

    private static string CheckPostgresConnectionString(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ServiceConfigurationException(
                $"{Section}:Storage is 'postgres' but ConnectionStrings:{ConnectionStringName} is not set " +
                $"(e.g. ConnectionStrings__{ConnectionStringName}=\"Host=localhost;Database=chronicle_record;Username=chronicle;Password=...\").");
        }

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

    /// <summary>The section as configuration binds it; <see cref="From"/> turns it into checked settings.</summary>
    private sealed class RecordHostOptions
    {
        public string? Storage { get; set; }
        public string DataDirectory { get; set; } = "./data/record";
        public bool ListenAnyIp { get; set; }
        public RecordPortOptions Ports { get; set; } = new();
        public TimeSpan ReadYourWritesWait { get; set; } = TimeSpan.FromSeconds(5);
        public RecordStateCacheBinding StateCache { get; set; } = new();
    }

    private sealed class RecordStateCacheBinding
    {
        public int MaxRecords { get; set; } = new RecordStateCacheOptions().MaxRecords;
        public long MaxEvents { get; set; } = new RecordStateCacheOptions().MaxEvents;
    }

    private sealed class RecordPortOptions
    {
        public int Fhir { get; set; } = 5100;
        public int Grpc { get; set; } = 5101;
    }
}
