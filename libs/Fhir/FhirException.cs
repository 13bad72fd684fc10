using System.Net;
using Hl7.Fhir.Model;

namespace Chronicle.Fhir;

/// <summary>
/// A FHIR request that cannot be answered as asked. It carries the HTTP status and the OperationOutcome issue
/// the client sees, so handlers throw it and one place turns it into the response.
/// </summary>
public sealed class FhirException(HttpStatusCode status, OperationOutcome.IssueType issueType, string diagnostics)
    : Exception(diagnostics)
{
    public HttpStatusCode Status { get; } = status;
    public OperationOutcome.IssueType IssueType { get; } = issueType;

    /// <summary>For a 405: the methods the resource does answer, sent as the Allow header.</summary>
    public IReadOnlyList<string> Allow { get; private init; } = [];

    public OperationOutcome ToOperationOutcome() => OperationOutcomes.Error(IssueType, Message);

    public static FhirException BadRequest(string diagnostics, OperationOutcome.IssueType issueType = OperationOutcome.IssueType.Invalid) =>
        new(HttpStatusCode.BadRequest, issueType, diagnostics);

    public static FhirException NotSupported(string diagnostics) =>
        new(HttpStatusCode.BadRequest, OperationOutcome.IssueType.NotSupported, diagnostics);

    public static FhirException NotFound(string diagnostics) =>
        new(HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound, diagnostics);

    public static FhirException Gone(string diagnostics) =>
        new(HttpStatusCode.Gone, OperationOutcome.IssueType.Deleted, diagnostics);

    public static FhirException MethodNotAllowed(string diagnostics, IReadOnlyList<string> allow) =>
        new(HttpStatusCode.MethodNotAllowed, OperationOutcome.IssueType.NotSupported, diagnostics) { Allow = allow };

    public static FhirException NotAcceptable(string diagnostics) =>
        new(HttpStatusCode.NotAcceptable, OperationOutcome.IssueType.NotSupported, diagnostics);

    public static FhirException UnsupportedMediaType(string diagnostics) =>
        new(HttpStatusCode.UnsupportedMediaType, OperationOutcome.IssueType.NotSupported, diagnostics);

    public static FhirException Unprocessable(string diagnostics) =>
        new(HttpStatusCode.UnprocessableEntity, OperationOutcome.IssueType.Invalid, diagnostics);

    public static FhirException Unavailable(string diagnostics) =>
        new(HttpStatusCode.ServiceUnavailable, OperationOutcome.IssueType.Timeout, diagnostics);
}

public static class OperationOutcomes
{
    public static OperationOutcome Error(OperationOutcome.IssueType issueType, string diagnostics) => new()
    {
        Issue =
        [
            new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Error,
                Code = issueType,
                Diagnostics = diagnostics,
            },
        ],
    };
}
