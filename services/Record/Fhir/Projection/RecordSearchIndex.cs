using Chronicle.Fhir.Search;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

using Chronicle.Record.Fhir.Api;

namespace Chronicle.Record.Fhir.Projection;

public sealed record TokenIndexEntry(string Parameter, string System, string Code);

public sealed record DateIndexEntry(string Parameter, FhirDateRange Range);

/// <param name="Normalised">Lower-cased, for the default case-insensitive starts-with match.</param>
public sealed record StringIndexEntry(string Parameter, string Normalised, string Exact);

public sealed record SearchIndexEntries(
    IReadOnlyList<TokenIndexEntry> Tokens,
    IReadOnlyList<DateIndexEntry> Dates,
    IReadOnlyList<StringIndexEntry> Strings);

/// <summary>
/// What each served resource is found by: the values behind the search parameters of <see cref="RecordFhirDefinitions"/>.
/// <c>_id</c> and <c>patient</c> are columns of the resource table itself, so they are not repeated here.
/// </summary>
public static class RecordSearchIndex
{
    public static SearchIndexEntries Extract(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var tokens = new List<TokenIndexEntry>();
        var dates = new List<DateIndexEntry>();
        var strings = new List<StringIndexEntry>();
        if (resource.Meta?.LastUpdated is { } lastUpdated)
            dates.Add(new DateIndexEntry("_lastUpdated", FhirDateRange.Instant(lastUpdated)));

        void Codes(string parameter, CodeableConcept? concept)
        {
            foreach (var coding in concept?.Coding ?? [])
            {
                if (coding.Code is not null)
                    tokens.Add(new TokenIndexEntry(parameter, coding.System ?? "", coding.Code));
            }
        }

        void Date(string parameter, string? low, string? high = null)
        {
            if (ParseRange(low) is not { } start)
                return;
            var end = ParseRange(high) ?? start;
            dates.Add(new DateIndexEntry(parameter, new FhirDateRange(start.Low, Math.Max(start.High, end.High))));
        }

        void Instant(string parameter, DateTimeOffset? instant)
        {
            if (instant is { } value)
                dates.Add(new DateIndexEntry(parameter, FhirDateRange.Instant(value)));
        }

        switch (resource)
        {
            case Patient p:
                foreach (var identifier in p.Identifier)
                {
                    if (identifier.Value is { } value)
                        tokens.Add(new TokenIndexEntry("identifier", identifier.System ?? "", value));
                }
                if (p.Gender is { } gender)
                    tokens.Add(new TokenIndexEntry("gender", FhirSystems.AdministrativeGender, gender.GetLiteral()));
                Date("birthdate", p.BirthDate);
                foreach (var name in p.Name)
                {
                    foreach (var part in name.Prefix.Concat(name.Given).Append(name.Family).OfType<string>().Distinct(StringComparer.Ordinal))
                        strings.Add(new StringIndexEntry("name", part.ToLowerInvariant(), part));
                }

                break;
            case Encounter e:
                Date("date", e.Period?.Start, e.Period?.End);
                break;
            case Condition c:
                Codes("code", c.Code);
                Codes("clinical-status", c.ClinicalStatus);
                Date("onset-date", (c.Onset as FhirDateTime)?.Value);
                break;
            case Observation o:
                Codes("code", o.Code);
                Date("date", (o.Effective as FhirDateTime)?.Value);
                break;
            case AllergyIntolerance a:
                Codes("code", a.Code);
                Codes("clinical-status", a.ClinicalStatus);
                Date("date", a.RecordedDate);
                break;
            case MedicationStatement m:
                Codes("code", m.Medication as CodeableConcept);
                Date("effective", (m.Effective as FhirDateTime)?.Value);
                break;
            case Immunization i:
                Codes("vaccine-code", i.VaccineCode);
                Date("date", (i.Occurrence as FhirDateTime)?.Value);
                break;
            case ServiceRequest s:
                Codes("code", s.Code);
                Date("authored", s.AuthoredOn);
                break;
            case DocumentReference d:
                Codes("type", d.Type);
                Instant("date", d.Date);
                break;
            case Provenance v:
                Instant("recorded", v.Recorded);
                break;
        }

        return new SearchIndexEntries(tokens, dates, strings);
    }

    private static FhirDateRange? ParseRange(string? value) =>
        value is not null && FhirDateRange.TryParse(value, out var range, out _) ? range : null;
}
