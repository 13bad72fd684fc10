using System.Globalization;
using System.Text;
using Chronicle.Fhir;
using Chronicle.Fhir.Http;
using Chronicle.Fhir.Search;
using Chronicle.Record.Fhir.Projection;
using Chronicle.Security;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Chronicle.Record.Fhir.Api;

/// <summary>
/// <c>Patient/{id}/$summary</c>: the record as an International Patient Summary-shaped document for another care setting.
/// A document Bundle whose first entry is a Composition (LOINC 60591-5, patient summary document) with the IPS sections,
/// each coded with its LOINC section code and a narrative, followed by the resources the sections name and those
/// they refer to. Entries entered in error are never summarised. With <c>_at</c>, the summary of the record as it stood
/// then, folded from the event stream as <c>$everything</c>'s is.
/// </summary>
public sealed class PatientSummaryApi(RecordFhirReadModel readModel, IOptions<RecordFhirOptions> options)
{
    public const string Operation = "summary";
    public const string Definition = "http://hl7.org/fhir/uv/ips/OperationDefinition/summary";

    private const string Loinc = "http://loinc.org";
    private static readonly HashSet<string> Parameters = new(StringComparer.Ordinal) { RecordFhirDefinitions.PointInTimeParameter, SearchRequestParser.FormatParameter };

    /// <summary>The IPS sections: problems, allergies and medication always (empty ones say so), the others when they have entries.</summary>
    private static readonly Section[] Sections =
    [
        new("11450-4", "Problem list", "Active problems", true, r => r is Condition c && Code(c.ClinicalStatus) == "active"),
        new("48765-2", "Allergies and adverse reactions", "Allergies and intolerances", true, r => r is AllergyIntolerance),
        new("10160-0", "History of medication use", "Medication", true, r => r is MedicationStatement),
        new("11369-6", "History of immunization", "Immunisations", false, r => r is Immunization),
        new("11348-0", "History of past illness", "Past problems", false, r => r is Condition c && Code(c.ClinicalStatus) == "resolved"),
        new("30954-2", "Relevant diagnostic tests/laboratory data", "Results", false, r => r is Observation o && !IsVitalSign(o)),
        new("8716-3", "Vital signs", "Vital signs", false, r => r is Observation o && IsVitalSign(o)),
    ];

    public async Task<IResult> SummaryAsync(HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        RecordFhirApi.KnownParameters(request, Parameters, "Patient/$summary");
        if (!Guid.TryParseExact(id, "D", out var patientId))
            throw FhirException.NotFound($"Patient/{id} is not known: patient ids are UUIDs.");
        // Every type it returns: a scope on all resource types, then the patient, before anything is looked up.
        RecordFhirAccess.RequireScope(request.HttpContext, SmartScope.AnyResource, ScopeAccess.Read);
        await RecordFhirAccess.RequirePatientAsync(request.HttpContext, id).ConfigureAwait(false);
        var at = RecordFhirApi.InstantParameter(request, RecordFhirDefinitions.PointInTimeParameter);

        var fold = await PatientRecordFold.LoadAsync(readModel.Store, patientId, at, request.HttpContext.RequestAborted).ConfigureAwait(false);
        var record = fold.Current.Select(r => r.Parse()).ToList();
        if (record.OfType<Patient>().FirstOrDefault(p => p.Id == id) is not { } patient)
            throw FhirException.NotFound(at is null ? $"Patient/{id} is not known." : $"Patient/{id} did not exist at {FhirValues.DateTime(at.Value)}.");
        var baseUrl = FhirRequestUrls.BaseUrl(request, options.Value.RoutePrefix);
        return FhirResults.Resource(Build(baseUrl, patient, record, at ?? DateTimeOffset.UtcNow, at));
    }

    /// <summary>The summary document of <paramref name="record"/> (current versions), as of <paramref name="timestamp"/>.</summary>
    public static Bundle Build(string baseUrl, Patient patient, IReadOnlyList<Resource> record, DateTimeOffset timestamp, DateTimeOffset? at)
    {
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentNullException.ThrowIfNull(record);
        var shown = record.Where(r => !EnteredInError.Is(r)).ToList();
        var composition = new Composition
        {
            Id = DocumentId(patient.Id ?? "", at ?? timestamp).ToString("D"),
            Status = CompositionStatus.Final,
            Type = new CodeableConcept(Loinc, "60591-5", "Patient summary Document"),
            Subject = new ResourceReference($"Patient/{patient.Id}"),
            Date = FhirValues.DateTime(timestamp),
            Author = [.. patient.GeneralPractitioner.Select(g => (ResourceReference)g.DeepCopy())],
            Title = at is null ? "Patient summary" : $"Patient summary as the record stood at {FhirValues.DateTime(at.Value)}",
            Custodian = patient.GeneralPractitioner.FirstOrDefault() is { } practice ? (ResourceReference)practice.DeepCopy() : null,
        };
        if (composition.Author.Count == 0)
            composition.Author.Add(new ResourceReference { Display = "Chronicle" });

        var entries = new List<Resource>();
        foreach (var section in Sections)
        {
            var members = shown.Where(section.Matches).ToList();
            if (members.Count == 0 && !section.Required)
                continue;
            composition.Section.Add(new Composition.SectionComponent
            {
                Title = section.Title,
                Code = new CodeableConcept(Loinc, section.Code, section.Display),
                Text = Narrative(section.Title, members),
                Entry = [.. members.Select(m => new ResourceReference($"{m.TypeName}/{m.Id}"))],
                EmptyReason = members.Count == 0
                    ? new CodeableConcept("http://terminology.hl7.org/CodeSystem/list-empty-reason", "nilknown", "Nil Known")
                    : null,
            });
            entries.AddRange(members.Where(m => !entries.Contains(m)));
        }

        // What the summarised entries refer to (their consultations), so every reference resolves inside the document.
        var referenced = entries.SelectMany(References).ToHashSet(StringComparer.Ordinal);
        entries.AddRange(shown.Where(r => r is not Patient && !entries.Contains(r) && referenced.Contains($"{r.TypeName}/{r.Id}")));
        composition.Text = Narrative(composition.Title, [patient]);

        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Document,
            Identifier = new Identifier("urn:ietf:rfc:3986", $"urn:uuid:{composition.Id}"),
            Timestamp = timestamp.ToUniversalTime(),
        };
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = $"{baseUrl}/Composition/{composition.Id}", Resource = composition });
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = FhirBundles.FullUrl(baseUrl, patient), Resource = patient });
        foreach (var entry in entries)
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = FhirBundles.FullUrl(baseUrl, entry), Resource = entry });
        return bundle;
    }

    /// <summary>The same document id for the same patient and moment, so a summary asked for twice is recognisably one document.</summary>
    private static Guid DocumentId(string patientId, DateTimeOffset asOf)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(
            $"summary|{patientId}|{asOf.UtcTicks.ToString(CultureInfo.InvariantCulture)}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8: a name-based UUID of our own
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    private static bool IsVitalSign(Observation observation) =>
        observation.Category.SelectMany(c => c.Coding).Any(c => c.Code == "vital-signs");

    private static string? Code(CodeableConcept? concept) => concept?.Coding.FirstOrDefault()?.Code;

    private static IEnumerable<string> References(Resource resource) => resource switch
    {
        Condition c => [c.Encounter?.Reference],
        Observation o => [o.Encounter?.Reference],
        AllergyIntolerance a => [a.Encounter?.Reference],
        MedicationStatement m => [m.Context?.Reference],
        Immunization i => [i.Encounter?.Reference],
        _ => Array.Empty<string?>(),
    } is var references ? references.OfType<string>() : [];

    /// <summary>A section's narrative: its title, then each entry as its own generated narrative shows it.</summary>
    private static Narrative Narrative(string title, IReadOnlyList<Resource> members)
    {
        var narrative = new FhirNarrative(title);
        if (members.Count == 0)
            narrative.Text("No information.");
        foreach (var member in members)
            narrative.Include((member as DomainResource)?.Text);
        return narrative.ToNarrative();
    }

    private sealed record Section(string Code, string Display, string Title, bool Required, Func<Resource, bool> Matches);
}
