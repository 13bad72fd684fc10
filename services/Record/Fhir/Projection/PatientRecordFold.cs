using Chronicle.EventStore;
using Chronicle.Fhir;
using Chronicle.Record.Application;

namespace Chronicle.Record.Fhir.Projection;

/// <summary>
/// One patient's FHIR record built in memory by folding their event stream through <see cref="PatientRecordFhirBuilder"/>,
/// the same builder the projection uses, and round-tripping each version through JSON just as the projection's tables
/// do. Reading the stream as of a time gives the record exactly as it then stood.
/// </summary>
public sealed class PatientRecordFold
{
    private const int PageSize = 1000;

    private readonly Guid _patientId;
    private readonly Dictionary<string, StoredResource> _current = new(StringComparer.Ordinal);
    private readonly List<StoredResource> _versions = [];

    public PatientRecordFold(Guid patientId) => _patientId = patientId;

    /// <summary>The current version of every resource, in the projection's sort order.</summary>
    public IReadOnlyList<StoredResource> Current => _current.Values.OrderBy(r => r.Key).ToList();

    /// <summary>Every version produced, in the order produced.</summary>
    public IReadOnlyList<StoredResource> Versions => _versions;

    public static async Task<PatientRecordFold> LoadAsync(IEventStore store, Guid patientId, DateTimeOffset? asOf,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var fold = new PatientRecordFold(patientId);
        var stream = RecordEvent.StreamOf(patientId);
        long next = 0;
        while (true)
        {
            var page = await store.ReadStreamAsync(stream,
                new StreamReadOptions { FromVersion = next, MaxCount = PageSize, AsOfTime = asOf }, cancellationToken).ConfigureAwait(false);
            foreach (var recorded in page)
                fold.Apply(recorded);
            if (page.Count < PageSize)
                return fold;
            next = page[^1].StreamVersion + 1;
        }
    }

    public void Apply(RecordedEvent recorded)
    {
        if (RecordEvent.TryDecode(recorded) is not { } change || change.PatientId != _patientId)
            return;
        _current.TryGetValue(FhirValues.Id(change.TouchedId), out var current);
        foreach (var version in PatientRecordFhirBuilder.Build(change, current?.Parse()))
        {
            var created = current is not null && current.Id == version.Id ? current.Created : recorded.LogPosition;
            var stored = new StoredResource(version.Type, version.Id, version.VersionId, FhirValues.Id(_patientId),
                FhirJson.Serialize(version.Resource), created);
            _current[version.Id] = stored;
            _versions.Add(stored);
        }
    }
}
