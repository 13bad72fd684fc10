using System.Globalization;
using System.Text;
using Chronicle.Fhir.Search;

using Chronicle.Record.Fhir.Projection;

namespace Chronicle.Record.Fhir.Api;

/// <summary>
/// Builds the WHERE clause of a search over current resource versions (alias <c>v</c>). Each criterion becomes an
/// EXISTS over its index table, its alternatives OR-ed inside; criteria are AND-ed. The SQL is the same on
/// PostgreSQL and SQLite.
/// </summary>
internal sealed class SearchSql
{
    private readonly StringBuilder _where = new();
    private readonly List<(string Name, object? Value)> _parameters = [];

    public SearchSql(string type)
    {
        _where.Append("v.resource_type = ").Append(Parameter(type)).Append(" and v.is_current = 1");
    }

    public string Where => _where.ToString();

    public IReadOnlyList<(string Name, object? Value)> Parameters => _parameters;

    public void Add(SearchCriterion criterion)
    {
        var condition = criterion switch
        {
            TokenCriterion { Parameter.Name: "_id" } t => $"v.resource_id in ({string.Join(", ", t.AnyOf.Select(v => Parameter(v.Code ?? "")))})",
            ReferenceCriterion r => $"v.patient_id in ({string.Join(", ", r.AnyOfIds.Select(Parameter))})",
            TokenCriterion t => Exists(RecordFhirTables.Tokens, t.Parameter.Name, t.AnyOf.Select(Token)),
            StringCriterion s => Exists(RecordFhirTables.Strings, s.Parameter.Name, s.AnyOf.Select(value => String(value, s.Exact))),
            DateCriterion d => Exists(RecordFhirTables.Dates, d.Parameter.Name, d.AnyOf.Select(Date)),
            _ => throw new InvalidOperationException($"No SQL for {criterion.GetType().Name}."),
        };
        _where.Append(" and ").Append(condition);
    }

    /// <summary>
    /// The value row <c>v</c> sorts by for <paramref name="key"/>: where its range of the date parameter starts (ascending) or
    /// ends (descending), null when it has none.
    /// </summary>
    public string SortValue(SearchSortKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var aggregate = key.Descending ? "max(i.high_us)" : "min(i.low_us)";
        return $"(select {aggregate} from {RecordFhirTables.Dates} i where i.resource_type = v.resource_type and i.resource_id = v.resource_id " +
            $"and i.param = {Parameter(key.Parameter.Name)})";
    }

    /// <summary>
    /// The order of a sorted search over the derived table <c>x</c> whose sort values are columns s0, s1, ...: each key
    /// with rows that have no value last, then <see cref="ResourceSortKey"/>.
    /// </summary>
    public static string OrderBy(IReadOnlyList<SearchSortKey> sort) => string.Join(", ",
        sort.SelectMany((k, i) => new[] { $"(case when x.s{i} is null then 1 else 0 end)", $"x.s{i}{(k.Descending ? " desc" : "")}" })
            .Concat(["x.created_tx", "x.created_pos", "x.resource_id"]));

    /// <summary>The rows of the derived table <c>x</c> strictly after <paramref name="position"/> in <see cref="OrderBy"/>'s order.</summary>
    public string AfterSorted(IReadOnlyList<SearchSortKey> sort, SearchPosition position)
    {
        ArgumentNullException.ThrowIfNull(sort);
        ArgumentNullException.ThrowIfNull(position);
        var keys = new List<(string Expression, bool Descending, object Value)>();
        for (var i = 0; i < sort.Count; i++)
        {
            var value = position.SortValues[i];
            keys.Add(($"(case when x.s{i} is null then 1 else 0 end)", false, value is null ? 1 : 0));
            // Both null: equal on this key, so only the later keys decide.
            if (value is { } v)
                keys.Add(($"x.s{i}", sort[i].Descending, v));
        }

        keys.Add(("x.created_tx", false, position.Key.Created.Transaction));
        keys.Add(("x.created_pos", false, position.Key.Created.Position));
        keys.Add(("x.resource_id", false, position.Key.Id));
        var equalSoFar = new List<string>();
        var alternatives = new List<string>();
        foreach (var (expression, descending, value) in keys)
        {
            var p = Parameter(value);
            alternatives.Add(string.Join(" and ", equalSoFar.Append($"{expression} {(descending ? "<" : ">")} {p}")));
            equalSoFar.Add($"{expression} = {p}");
        }

        return string.Join(" or ", alternatives.Select(a => $"({a})"));
    }

    public void After(ResourceSortKey key) => _where
        .Append(" and (v.created_tx, v.created_pos, v.resource_id) > (")
        .Append(Parameter(key.Created.Transaction)).Append(", ")
        .Append(Parameter(key.Created.Position)).Append(", ")
        .Append(Parameter(key.Id)).Append(')');

    private string Exists(string table, string parameter, IEnumerable<string> alternatives) =>
        $"exists (select 1 from {table} i where i.resource_type = v.resource_type and i.resource_id = v.resource_id " +
        $"and i.param = {Parameter(parameter)} and ({string.Join(" or ", alternatives.Select(a => $"({a})"))}))";

    private string Token(TokenValue token)
    {
        var parts = new List<string>();
        if (token.Code is not null)
            parts.Add($"i.code = {Parameter(token.Code)}");
        if (token.SystemMustBeAbsent)
            parts.Add("i.system = ''");
        else if (token.System is not null)
            parts.Add($"i.system = {Parameter(token.System)}");
        return string.Join(" and ", parts);
    }

    private string String(string value, bool exact) => exact
        ? $"i.value_exact = {Parameter(value)}"
        : $"substr(i.value_norm, 1, {Parameter(value.Length)}) = {Parameter(value.ToLowerInvariant())}";

    private string Date(DateComparison comparison)
    {
        var low = Parameter(comparison.Value.Low);
        var high = Parameter(comparison.Value.High);
        return comparison.Prefix switch
        {
            DatePrefix.Eq => $"i.low_us >= {low} and i.high_us <= {high}",
            DatePrefix.Ne => $"not (i.low_us >= {low} and i.high_us <= {high})",
            DatePrefix.Gt => $"i.high_us > {high}",
            DatePrefix.Lt => $"i.low_us < {low}",
            DatePrefix.Ge => $"i.high_us >= {low}",
            DatePrefix.Le => $"i.low_us <= {high}",
            _ => throw new InvalidOperationException($"Unknown date prefix {comparison.Prefix}."),
        };
    }

    private string Parameter(object value)
    {
        var name = "p" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
        _parameters.Add((name, value));
        return "@" + name;
    }
}
