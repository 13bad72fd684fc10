using System.Text.Json;
using Chronicle.Contracts.IntegrationEvents.Audit;

namespace Chronicle.Auditing.Tests;

/// <summary>
/// The audit entry has one shape, from the outbox to the wire and back. Its canonical bytes (which the chain hashes and
/// the emitters sign) are those the code wrote before that shape existed: the three entries below were serialised by
/// the hand-written canonical form of 2026-12-07 (commit 631b42e), and must serialise to the same bytes for ever.
/// </summary>
public sealed class AuditEntryShapeTests
{
    private static readonly string[] WrittenByEarlierCode =
    [
        "eyJlbnRyeUlkIjoiMDE5MmYzYTEtN2MyZS03YjNkLTlhNDEtNWU2ZjdhOGI5YzBkIiwib2NjdXJyZWRBdCI6IjIwMjYtMTEtMjVUMDg6MzA6MDEuMTIzNDU2N1oiLCJzZXJ2aWNlIjoicmVjb3JkIiwidXNlcklkIjoiRzgxMjM0NTYiLCJyb2xlIjoiZ3AiLCJvcmdhbmlzYXRpb25PZHMiOiJBODEwMDEiLCJjbGllbnRJZCI6ImdwLWRlc2t0b3AiLCJvbkJlaGFsZk9mIjpudWxsLCJwYXRpZW50SWQiOiI5ZjBjMmQ0ZS0xMTExLTQyMjItODMzMy05NDQ0NTU1NTY2NjYiLCJhY3Rpb24iOiJFdmVyeXRoaW5nIiwicmVzb3VyY2VUeXBlIjoiUGF0aWVudCIsInJlc291cmNlSWQiOiI5ZjBjMmQ0ZS0xMTExLTQyMjItODMzMy05NDQ0NTU1NTY2NjYiLCJxdWVyeSI6Ij9fc2luY2U9MjAyNi0wMS0wMVx1MDAyNng9XHUwMDNDXHUwMEU5XHUwMDNFXHUwMDIyIiwib3V0Y29tZSI6MjAwLCJjb3JyZWxhdGlvbklkIjoiY29yci0xIiwiYnJlYWtHbGFzcyI6dHJ1ZSwiYnJlYWtHbGFzc1JlYXNvbiI6IlVuY29uc2Npb3VzIHBhdGllbnQgaW4gQVx1MDAyNkUiLCJhY2Nlc3NHcm91bmRzIjoiYnJlYWstZ2xhc3MifQ==",
        "eyJlbnRyeUlkIjoiMDE5MmYzYTEtN2MyZS03YjNkLTlhNDEtMDAwMDAwMDAwMDAyIiwib2NjdXJyZWRBdCI6IjIwMjUtMDEtMDJUMDM6MDQ6MDUuMDAwMDAwMFoiLCJzZXJ2aWNlIjoiaWRlbnRpdHkiLCJ1c2VySWQiOm51bGwsInJvbGUiOm51bGwsIm9yZ2FuaXNhdGlvbk9kcyI6bnVsbCwiY2xpZW50SWQiOm51bGwsIm9uQmVoYWxmT2YiOm51bGwsInBhdGllbnRJZCI6bnVsbCwiYWN0aW9uIjoiU2VhcmNoIiwicmVzb3VyY2VUeXBlIjpudWxsLCJyZXNvdXJjZUlkIjpudWxsLCJxdWVyeSI6bnVsbCwib3V0Y29tZSI6NDAzLCJjb3JyZWxhdGlvbklkIjpudWxsLCJicmVha0dsYXNzIjpmYWxzZSwiYnJlYWtHbGFzc1JlYXNvbiI6bnVsbH0=",
        "eyJlbnRyeUlkIjoiMDE5MmYzYTEtN2MyZS03YjNkLTlhNDEtMDAwMDAwMDAwMDAzIiwib2NjdXJyZWRBdCI6IjIwMjctMDEtMDFUMDQ6NTk6NTkuOTk5MDAwMFoiLCJzZXJ2aWNlIjoiYXVkaXQiLCJ1c2VySWQiOiJhdWRpdG9yLTEiLCJyb2xlIjoiYXVkaXRvciIsIm9yZ2FuaXNhdGlvbk9kcyI6bnVsbCwiY2xpZW50SWQiOm51bGwsIm9uQmVoYWxmT2YiOm51bGwsInBhdGllbnRJZCI6bnVsbCwiYWN0aW9uIjoiVmVyaWZ5IiwicmVzb3VyY2VUeXBlIjoiQXVkaXRMb2ciLCJyZXNvdXJjZUlkIjpudWxsLCJxdWVyeSI6Ilx1MjAyOHRhYlx0Iiwib3V0Y29tZSI6MjAwLCJjb3JyZWxhdGlvbklkIjpudWxsLCJicmVha0dsYXNzIjpmYWxzZSwiYnJlYWtHbGFzc1JlYXNvbiI6bnVsbCwiYWNjZXNzR3JvdW5kcyI6ImF1ZGl0b3IifQ==",
    ];

    public static TheoryData<int> Entries => [0, 1, 2];

    [Theory]
    [MemberData(nameof(Entries))]
    public void GivenAnEntryWrittenByEarlierCode_WhenReadAndWrittenAgain_ThenItsBytesAreIdentical(int index)
    {
        var bytes = Convert.FromBase64String(WrittenByEarlierCode[index]);
        using var json = JsonDocument.Parse(bytes);

        var entry = AuditCanonicalForm.Read(json.RootElement);

        Assert.Equal(bytes, AuditCanonicalForm.ToBytes(entry));
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public void GivenAnEntryWrittenByEarlierCode_WhenItTravelsAsTheIntegrationEventAndBack_ThenItIsTheSameEntryWithTheSameBytes(int index)
    {
        var bytes = Convert.FromBase64String(WrittenByEarlierCode[index]);
        using var json = JsonDocument.Parse(bytes);
        var entry = AuditCanonicalForm.Read(json.RootElement);
        var key = AuditSigningKey.Generate();

        var sent = AuditEntryMessages.ToIntegrationEvent(key.Sign(entry));
        var wire = JsonSerializer.SerializeToUtf8Bytes(sent, AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded);
        var received = AuditEntryMessages.FromIntegrationEvent(JsonSerializer.Deserialize(wire, AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded)!);

        Assert.Equal(entry, received);
        Assert.Equal(bytes, AuditCanonicalForm.ToBytes(received));
        Assert.Equal((entry.EntryId, entry.Service, entry.Action.ToString(), entry.Outcome, entry.AccessGrounds),
            (sent.EntryId, sent.Service, sent.Action, sent.Outcome, sent.AccessGrounds));
        Assert.NotNull(sent.Signature);
    }
}
