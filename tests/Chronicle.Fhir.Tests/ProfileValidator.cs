using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace Chronicle.Fhir.Tests;

/// <summary>
/// Firely's profile validator (Firely.Fhir.Validation.R4) over the R4 specification (Hl7.Fhir.Specification.Data.R4): the
/// base resource definitions, the vital signs profiles and the XHTML rules for narrative. One instance for the test run,
/// since loading the specification takes seconds; calls are serialised, as the validator's caches are not documented as
/// thread-safe.
/// </summary>
public static class ProfileValidator
{
    private static readonly Lazy<Validator> Instance = new(() =>
    {
        // Chronicle's own definitions beside R4's, snapshots generated as they are asked for: what the platform publishes.
        var specification = ZipSource.CreateValidationSource();
        var chronicle = new InMemoryResourceResolver(Chronicle.Fhir.Conformance.ChronicleDefinitions.All.Select(d => (Resource)d.DeepCopy()));
        var withSnapshots = new SnapshotSource(new MultiResolver(chronicle, specification));
        var source = new CachedResolver(new MultiResolver(specification, withSnapshots)).AsAsync();
        return new Validator(source, new LocalTerminologyService(source), null, new ValidationSettings());
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly Lock Gate = new();

    /// <summary>The errors (severity error or fatal) found validating <paramref name="resource"/> against its base definition
    /// and every profile its meta.profile claims, and against <paramref name="profile"/> when one is given.</summary>
    public static IReadOnlyList<string> Errors(Resource resource, string? profile = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        OperationOutcome outcome;
        lock (Gate)
            outcome = Instance.Value.Validate(resource, profile);
        return outcome.Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
            .Select(i => $"{i.Details?.Text} @ {string.Join(", ", i.Expression)}")
            .ToList();
    }

    /// <summary>
    /// The errors, and the warnings that an extension's definition could not be found, validating <paramref name="resource"/>
    /// against its base definition, the profiles it claims and Chronicle's definitions.
    /// </summary>
    public static IReadOnlyList<string> Problems(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        OperationOutcome outcome;
        lock (Gate)
            outcome = Instance.Value.Validate(resource);
        return outcome.Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal
                || i.Severity == OperationOutcome.IssueSeverity.Warning && (i.Details?.Text ?? "").Contains("resolve", StringComparison.OrdinalIgnoreCase))
            .Select(i => $"{i.Severity}: {i.Details?.Text} @ {string.Join(", ", i.Expression)}")
            .ToList();
    }

    /// <summary>Fails unless <paramref name="resource"/> has no error against its base definition and each profile it claims.</summary>
    public static void AssertValid(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var errors = Errors(resource);
        Assert.True(errors.Count == 0, $"{resource.TypeName}/{resource.Id} ({string.Join(", ", resource.Meta?.Profile ?? [])}) fails validation: {string.Join("; ", errors)}");
    }
}
