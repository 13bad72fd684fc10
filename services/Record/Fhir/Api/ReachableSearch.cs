using Chronicle.Record.Fhir.Projection;

namespace Chronicle.Record.Fhir.Api;

/// <summary>One page of search results and whether another page follows it.</summary>
internal sealed record SearchPage(IReadOnlyList<SearchRow> Rows, bool More);

/// <summary>
/// Pages a search whose matches the caller may see only in part (a search naming no patient shows only resources of
/// patients the caller has a relationship with). Which patients those are is known only by asking, one patient at a
/// time, so the filter cannot go into the SQL: instead the search reads on past the rows it may not show until the page
/// is full and one more row it may show is found. So every page but the last holds exactly the count asked for, a next
/// link is given only when a row the caller may see follows, and the next page starts after the last row shown
/// (never after a row the caller may not see, whose key the cursor would otherwise disclose).
/// </summary>
internal static class ReachableSearch
{
    /// <summary>The most rows one read fetches once reading on past rows the caller may not see.</summary>
    internal const int MaxBatch = 1000;

    /// <param name="fetch">The search's rows in sort-key order strictly after a key (null: from the start), at most the given number.</param>
    /// <param name="mayReach">Whether the caller may see a patient's resources; asked once per patient.</param>
    public static async Task<SearchPage> PageAsync(Func<SearchPosition?, int, Task<IReadOnlyList<SearchRow>>> fetch,
        Func<string, ValueTask<bool>> mayReach, SearchPosition? after, int count)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        ArgumentNullException.ThrowIfNull(mayReach);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var answers = new Dictionary<string, bool>(StringComparer.Ordinal);
        var shown = new List<SearchRow>(count);
        // The first read is the one an unfiltered page makes; when most rows are shown it is the only one.
        var batch = count + 1;
        while (true)
        {
            var rows = await fetch(after, batch).ConfigureAwait(false);
            foreach (var row in rows)
            {
                var patientId = row.Resource.PatientId;
                if (!answers.TryGetValue(patientId, out var allowed))
                    answers[patientId] = allowed = await mayReach(patientId).ConfigureAwait(false);
                if (!allowed)
                    continue;
                if (shown.Count == count)
                    return new SearchPage(shown, More: true);
                shown.Add(row);
            }

            if (rows.Count < batch)
                return new SearchPage(shown, More: false);
            after = rows[^1].Position;
            batch = Math.Min(batch * 4, MaxBatch);
        }
    }

    /// <summary>A page of a search the caller may see all of: one read of one row more than the page.</summary>
    public static async Task<SearchPage> UnfilteredPageAsync(Func<SearchPosition?, int, Task<IReadOnlyList<SearchRow>>> fetch,
        SearchPosition? after, int count)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        var rows = await fetch(after, count + 1).ConfigureAwait(false);
        return new SearchPage(rows.Take(count).ToList(), rows.Count > count);
    }
}
