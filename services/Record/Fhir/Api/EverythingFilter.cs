using Chronicle.Fhir;
using Chronicle.Fhir.Search;
using Chronicle.Record.Fhir.Projection;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;

namespace Chronicle.Record.Fhir.Api;

/// <summary>
/// <c>Patient/$everything</c>'s <c>start</c>, <c>end</c> and <c>_type</c> as the standard defines them: the care date range
/// (the Patient always in it; a resource with a care date, <see cref="RecordFhirDefinitions.CareDates"/>, when that date
/// reaches into the range; one without, never) and the resource types to return. Applied in SQL to the read model and in
/// memory to a record folded as at <c>_at</c>, with the same meaning.
/// </summary>
public sealed record EverythingFilter(IReadOnlySet<string>? Types, long? CareFrom, long? CareTo)
{
    public static EverythingFilter All { get; } = new(null, null, null);

    public bool HasCareRange => CareFrom is not null || CareTo is not null;

    /// <exception cref="FhirException">400 for a date that is no date, a parameter given twice, or a type not served here (all named).</exception>
    public static EverythingFilter Parse(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var from = Date(request, RecordFhirDefinitions.StartParameter)?.Low;
        var to = Date(request, RecordFhirDefinitions.EndParameter)?.High;
        if (from > to)
            throw FhirException.BadRequest($"'{RecordFhirDefinitions.StartParameter}' is after '{RecordFhirDefinitions.EndParameter}': the care date range is empty.");
        HashSet<string>? types = null;
        var values = request.Query[RecordFhirDefinitions.TypeParameter];
        if (values.Count > 0)
        {
            var named = values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
            var unknown = named.Where(t => RecordFhirDefinitions.Find(t) is null).Distinct(StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
                throw FhirException.BadRequest(
                    $"'{RecordFhirDefinitions.TypeParameter}' names resource type{(unknown.Count > 1 ? "s" : "")} not served here: {string.Join(", ", unknown.Select(u => $"'{u}'"))}. " +
                    $"Served: {string.Join(", ", RecordFhirDefinitions.All.Select(d => d.Type))}.");
            if (named.Count > 0)
                types = new HashSet<string>(named, StringComparer.Ordinal);
        }

        return new EverythingFilter(types, from, to);
    }

    /// <summary>Whether a resource of the (current or folded) record is returned.</summary>
    public bool Matches(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (Types is not null && !Types.Contains(resource.TypeName))
            return false;
        if (!HasCareRange || resource.TypeName == RecordFhirDefinitions.Patient.Type)
            return true;
        if (!RecordFhirDefinitions.CareDates.TryGetValue(resource.TypeName, out var parameter))
            return false;
        return RecordSearchIndex.Extract(resource).Dates.Any(d => d.Parameter == parameter && InRange(d.Range));
    }

    private bool InRange(FhirDateRange range) => (CareFrom is null || range.High >= CareFrom) && (CareTo is null || range.Low <= CareTo);

    private static FhirDateRange? Date(HttpRequest request, string name)
    {
        var values = request.Query[name];
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
            return null;
        if (values.Count > 1)
            throw FhirException.BadRequest($"'{name}' is given more than once.");
        return FhirDateRange.TryParse(values[0]!, out var range, out var error)
            ? range
            : throw FhirException.BadRequest($"'{name}': {error}");
    }
}
