using System.Globalization;
using Chronicle.EventStore;
using Chronicle.Fhir;
using Chronicle.Fhir.Search;
using Chronicle.Record.Fhir.Projection;

namespace Chronicle.Record.Fhir.Api;

/// <summary>
/// Where a row stands in a search's order: the values of its <c>_sort</c> keys (null where it has none), then
/// <see cref="ResourceSortKey"/>, which no two rows share and no later event changes. A next link's cursor is the
/// position of the last row shown, so the next page starts strictly after it (keyset paging, in any order asked for).
/// </summary>
public sealed record SearchPosition(IReadOnlyList<long?> SortValues, ResourceSortKey Key)
{
    /// <param name="signature">The search's <see cref="SearchRequest.SortSignature"/>; a search without <c>_sort</c> has the plain key's cursor.</param>
    public string ToCursor(string signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (SortValues.Count == 0)
            return Key.ToCursor();
        return PageCursor.Encode([signature, .. SortValues.Select(v => v?.ToString(CultureInfo.InvariantCulture) ?? ""),
            Key.Created.Transaction.ToString(CultureInfo.InvariantCulture), Key.Created.Position.ToString(CultureInfo.InvariantCulture), Key.Id]);
    }

    /// <exception cref="FhirException">400 for a cursor this server did not issue for a search in this order.</exception>
    public static SearchPosition FromCursor(string cursor, SearchRequest search)
    {
        ArgumentNullException.ThrowIfNull(search);
        if (search.Sort.Count == 0)
            return new SearchPosition([], ResourceSortKey.FromCursor(cursor));
        var parts = PageCursor.Decode(cursor, search.Sort.Count + 4);
        if (parts[0] != search.SortSignature)
            throw FhirException.BadRequest($"This '_cursor' pages a search sorted by '{parts[0]}', not by '{search.SortSignature}'; follow the 'next' link as given.");
        var values = new List<long?>();
        foreach (var part in parts.Skip(1).Take(search.Sort.Count))
        {
            if (part.Length == 0)
                values.Add(null);
            else if (long.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
                values.Add(value);
            else
                throw Forged();
        }

        var n = search.Sort.Count + 1;
        return long.TryParse(parts[n], NumberStyles.None, CultureInfo.InvariantCulture, out var tx)
            && long.TryParse(parts[n + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var position)
            && FhirIds.IsValid(parts[n + 2])
            ? new SearchPosition(values, new ResourceSortKey(new LogPosition(tx, position), parts[n + 2]))
            : throw Forged();
    }

    private static FhirException Forged() => FhirException.BadRequest("'_cursor' is not a cursor this server issued; follow the 'next' link as given.");
}

/// <summary>A search's row and where it stands in the search's order.</summary>
public sealed record SearchRow(StoredResource Resource, SearchPosition Position);
