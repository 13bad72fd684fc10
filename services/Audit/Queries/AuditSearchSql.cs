using System.Globalization;
using System.Text;
using Chronicle.Audit.Fhir;
using Chronicle.Auditing;
using Chronicle.Fhir;
using Chronicle.Fhir.Search;

namespace Chronicle.Audit.Queries;

/// <summary>
/// The WHERE clause of a search over <see cref="AuditQueryProjection.Entries"/> (alias <c>e</c>): each criterion's
/// alternatives OR-ed, criteria AND-ed. The SQL is the same on PostgreSQL and SQLite.
/// </summary>
internal sealed class AuditSearchSql
{
    private readonly StringBuilder _where = new("1 = 1");
    private readonly List<(string Name, object? Value)> _parameters = [];

    public string Where => _where.ToString();

    public IReadOnlyList<(string Name, object? Value)> Parameters => _parameters;

    public void Add(SearchCriterion criterion)
    {
        var alternatives = criterion switch
        {
            TokenCriterion { Parameter.Name: "_id" } t => t.AnyOf.Select(v => Equal("e.entry_id", v.Code)),
            TokenCriterion { Parameter.Name: "agent-role" } t => t.AnyOf.Select(v => Equal("e.role", v.Code)),
            TokenCriterion { Parameter.Name: "site" } t => t.AnyOf.Select(v => Equal("e.service", v.Code)),
            TokenCriterion { Parameter.Name: "organization" } t => t.AnyOf.Select(v =>
                v.System is null or AuditFhirSystems.OdsCode ? Equal("e.organisation_ods", v.Code) : "1 = 0"),
            TokenCriterion { Parameter.Name: "action" } t => t.AnyOf.Select(v => Actions(v.Code is null ? [] : AuditEventMapping.ActionsWithCode(v.Code))),
            TokenCriterion { Parameter.Name: "subtype" } t => t.AnyOf.Select(v => Actions(v.Code is null ? [] : AuditEventMapping.ActionsWithSubtype(v.Code))),
            TokenCriterion { Parameter.Name: "outcome" } t => t.AnyOf.Select(v => v.Code is not null && AuditEventMapping.StatusesWithOutcome(v.Code) is { } range
                ? $"e.outcome between {Parameter(range.Low)} and {Parameter(range.High)}"
                : "1 = 0"),
            UriCriterion { Parameter.Name: "policy" } u => u.AnyOf.Select(v => v.StartsWith(AuditFhirSystems.AccessGroundsPolicy, StringComparison.Ordinal)
                ? Equal("e.access_grounds", v[AuditFhirSystems.AccessGroundsPolicy.Length..])
                : "1 = 0"),
            ReferenceCriterion { Parameter.Name: "patient" } r => r.AnyOfIds.Select(id => Equal("e.patient_id", id)),
            ReferenceCriterion { Parameter.Name: "agent" } r => r.AnyOfIds.Select(id => Equal("e.user_id", id)),
            ReferenceCriterion { Parameter.Name: "entity" } r => r.AnyOfIds.Select(Entity),
            DateCriterion { Parameter.Name: "date" or "_lastUpdated" } d => d.AnyOf.Select(Date),
            _ => throw new InvalidOperationException($"No SQL for the AuditEvent search parameter '{criterion.Parameter.Name}'."),
        };
        _where.Append(" and (").Append(string.Join(" or ", alternatives.Select(a => $"({a})"))).Append(')');
    }

    public void After(long seq) => _where.Append(" and e.seq > ").Append(Parameter(seq));

    /// <summary>Entries strictly after <paramref name="position"/>: in chain order, or by time (then chain order) when <paramref name="byTime"/>.</summary>
    public void After(AuditPosition position, bool byTime, bool descending)
    {
        if (!byTime || position.OccurredMicros is not { } occurred)
        {
            After(position.Seq);
            return;
        }

        var time = Parameter(occurred);
        _where.Append($" and (e.occurred_us {(descending ? "<" : ">")} {time} or (e.occurred_us = {time} and e.seq > {Parameter(position.Seq)}))");
    }

    private string Equal(string column, string? value) => value is null ? "1 = 1" : $"{column} = {Parameter(value)}";

    private string Actions(IEnumerable<AuditAction> actions)
    {
        var names = actions.Select(a => Parameter(a.ToString())).ToList();
        return names.Count == 0 ? "1 = 0" : $"e.action in ({string.Join(", ", names)})";
    }

    private string Entity(string reference)
    {
        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
            return $"e.resource_id = {Parameter(reference)} or e.patient_id = {Parameter(reference)}";
        var (type, id) = (reference[..slash], reference[(slash + 1)..]);
        var named = $"e.resource_type = {Parameter(type)} and e.resource_id = {Parameter(id)}";
        return type == "Patient" ? $"({named}) or e.patient_id = {Parameter(id)}" : named;
    }

    // An entry's time is an instant: the FHIR range rules reduce to comparisons of one value.
    private string Date(DateComparison comparison)
    {
        var low = Parameter(comparison.Value.Low);
        var high = Parameter(comparison.Value.High);
        return comparison.Prefix switch
        {
            DatePrefix.Eq => $"e.occurred_us between {low} and {high}",
            DatePrefix.Ne => $"e.occurred_us not between {low} and {high}",
            DatePrefix.Gt => $"e.occurred_us > {high}",
            DatePrefix.Lt => $"e.occurred_us < {low}",
            DatePrefix.Ge => $"e.occurred_us >= {low}",
            DatePrefix.Le => $"e.occurred_us <= {high}",
            _ => throw FhirException.NotSupported($"The date prefix {comparison.Prefix} is not supported."),
        };
    }

    private string Parameter(object value)
    {
        var name = "p" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
        _parameters.Add((name, value));
        return "@" + name;
    }
}
