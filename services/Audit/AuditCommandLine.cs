using System.Globalization;
using Chronicle.Audit.Chain;
using Chronicle.Auditing;
using Chronicle.EventStore;
using Chronicle.EventStore.Postgres;
using Chronicle.EventStore.Sqlite;

namespace Chronicle.Audit;

/// <summary>
/// The Audit service's command line. <c>verify</c> checks the chain in the service's store against the trusted
/// checkpoint keys and every emitter's public keys, and exits 0 when intact, 1 at the first break (printed with its
/// cause), 2 on a usage error.
/// </summary>
public static class AuditCommandLine
{
    public const string Usage = """
        usage: Chronicle.Audit verify [--sqlite PATH | --postgres CONNECTION [--schema NAME]] [--key PEM]...
                                      [--emitter SERVICE=PEM]... [--emitter-keys DIR] [--from SEQ] [--to SEQ]
          --sqlite PATH          the Audit service's SQLite event store file (default ./data/audit/events.db)
          --postgres CONN        its PostgreSQL database instead
          --key PEM              a trusted checkpoint public key (SubjectPublicKeyInfo PEM, or the service's private key file); repeatable
          --emitter SERVICE=PEM  a public key SERVICE signs its audit entries with (the Audit service's own too, as audit=...); repeatable
          --emitter-keys DIR     every SERVICE.pub.pem in DIR, as --emitter SERVICE=DIR/SERVICE.pub.pem (the launcher's data/audit-signing-keys)
          --from / --to          check only this range of sequence numbers
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length == 0 || args[0] != "verify")
        {
            await error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        string? sqlite = null, postgres = null, schema = null;
        long from = 1;
        long? to = null;
        var keys = new List<byte[]>();
        var emitters = new AuditEmitterKeys();
        try
        {
            for (var i = 1; i < args.Length; i++)
            {
                var value = i + 1 < args.Length ? args[i + 1] : throw new FormatException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--sqlite": sqlite = value; break;
                    case "--postgres": postgres = value; break;
                    case "--schema": schema = value; break;
                    case "--from": from = long.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--to": to = long.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--key": keys.Add(ReadPublicKey(value)); break;
                    case "--emitter": AddEmitter(emitters, value); break;
                    case "--emitter-keys": AddEmitterDirectory(emitters, value); break;
                    default: throw new FormatException($"Unknown option {args[i]}.");
                }

                i++;
            }

            if (sqlite is not null && postgres is not null)
                throw new FormatException("Choose --sqlite or --postgres, not both.");
        }
        catch (Exception failure) when (failure is FormatException or OverflowException or IOException or ArgumentException
                                             or System.Security.Cryptography.CryptographicException)
        {
            await error.WriteLineAsync(failure.Message).ConfigureAwait(false);
            await error.WriteLineAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        await using IEventStore store = postgres is not null
            ? PostgresEventStore.Create(postgres, new PostgresEventStoreOptions { Schema = schema ?? Host.AuditHostSettings.EventSchema })
            : SqliteEventStore.ForFile(sqlite ?? Path.Combine("data", "audit", "events.db"));
        await store.InitializeAsync().ConfigureAwait(false);
        var result = await new AuditChainVerifier(store, new TrustedCheckpointKeys(keys), emitters).VerifyAsync(from, to).ConfigureAwait(false);
        await output.WriteLineAsync(Describe(result)).ConfigureAwait(false);
        return result.Intact ? 0 : 1;
    }

    public static string Describe(ChainVerification result) => result.Problem is { } problem
        ? string.Create(CultureInfo.InvariantCulture, $"BROKEN at seq {problem.Seq}: {problem.Kind}. {problem.Detail} ({result.LinksChecked} links intact before it.)")
        : string.Create(CultureInfo.InvariantCulture,
            $"INTACT: {result.LinksChecked} links (seq {result.FirstSeq} to {result.LastSeq}), {result.CheckpointsChecked} signed checkpoints valid, " +
            $"{result.SignaturesChecked} emitter signatures valid{(result.UnsignedLinks > 0 ? $", {result.UnsignedLinks} entries unsigned (chained before signatures)" : "")}.");

    private static void AddEmitter(AuditEmitterKeys emitters, string value)
    {
        var split = value.IndexOf('=', StringComparison.Ordinal);
        if (split <= 0 || split == value.Length - 1)
            throw new FormatException($"--emitter needs SERVICE=PEM (e.g. record=record.pub.pem); it is '{value}'.");
        foreach (var key in AuditEmitterKeys.ReadPublicKeys(value[(split + 1)..]))
            emitters.Add(value[..split], key);
    }

    private static void AddEmitterDirectory(AuditEmitterKeys emitters, string directory)
    {
        const string suffix = ".pub.pem";
        var files = Directory.GetFiles(directory, "*" + suffix);
        if (files.Length == 0)
            throw new FormatException($"--emitter-keys: no SERVICE{suffix} file in {directory}.");
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            foreach (var key in AuditEmitterKeys.ReadPublicKeys(file))
                emitters.Add(name[..^suffix.Length], key);
        }
    }

    private static byte[] ReadPublicKey(string path)
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(path));
        return key.ExportSubjectPublicKeyInfo();
    }
}
