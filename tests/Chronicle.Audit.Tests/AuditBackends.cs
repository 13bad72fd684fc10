using Chronicle.Audit.Host;
using Chronicle.EventStore;
using Chronicle.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Chronicle.Audit.Tests;

/// <summary>
/// The Audit service's event store on one backend (<see cref="TestStorage"/> on its own schemas), with raw SQL access to
/// its table for tampering, as an intruder with database access would.
/// </summary>
public sealed class AuditBackend(TestStorage storage) : IAsyncDisposable
{
    public IEventStore Store => storage.Events;

    public static async Task<AuditBackend> CreateAsync(StorageBackend backend) => new(await TestStorage.CreateAsync(backend, new()
    {
        Name = "audit", EventSchema = AuditHostSettings.EventSchema, ReadModelSchema = AuditHostSettings.ReadModelSchema,
    }));

    /// <summary>
    /// Runs SQL against the events table, written with {events} for its qualified name and {batch} for the columns only
    /// one backend has (PostgreSQL's batch bounds, copied as they are by a row-copying tamperer); @a, @b bind the arguments.
    /// </summary>
    public async Task<int> ExecuteAsync(string sql, object? a = null, object? b = null)
    {
        if (storage.Backend == StorageBackend.Sqlite)
        {
            await using var connection = new SqliteConnection($"Data Source={storage.EventsFile};Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql.Replace("{events}", "events", StringComparison.Ordinal).Replace("{batch}", "", StringComparison.Ordinal);
            command.Parameters.AddWithValue("@a", a ?? DBNull.Value);
            command.Parameters.AddWithValue("@b", b ?? DBNull.Value);
            return await command.ExecuteNonQueryAsync();
        }

        await using (var connection = new NpgsqlConnection(storage.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql.Replace("{events}", storage.Options.EventSchema + ".events", StringComparison.Ordinal)
                .Replace("{batch}", ", batch_first_version, batch_size", StringComparison.Ordinal), connection);
            command.Parameters.AddWithValue("a", a ?? DBNull.Value);
            command.Parameters.AddWithValue("b", b ?? DBNull.Value);
            return await command.ExecuteNonQueryAsync();
        }
    }

    public ValueTask DisposeAsync() => storage.DisposeAsync();
}
