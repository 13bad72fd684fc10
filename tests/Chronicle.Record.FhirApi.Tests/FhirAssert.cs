using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Validation;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Record.FhirApi.Tests;

internal static class FhirAssert
{
    /// <summary>The resource, and every resource inside a Bundle, passes Firely's POCO validation.</summary>
    public static T Valid<T>(T? resource) where T : Resource
    {
        Assert.NotNull(resource);
        var errors = resource.Validate();
        Assert.True(errors.Count == 0, $"{resource.TypeName}/{resource.Id} fails POCO validation: {string.Join("; ", errors.Select(e => e.Message))}");
        if (resource is Bundle bundle)
        {
            foreach (var entry in bundle.Entry)
                Valid(entry.Resource);
        }

        return resource;
    }

    public static async Task<OperationOutcome> FailsAsync(System.Net.HttpStatusCode status, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<FhirOperationException>(call);
        Assert.Equal(status, error.Status);
        return Valid(error.Outcome);
    }

    public static IReadOnlyList<T> Matches<T>(Bundle bundle) where T : Resource =>
        bundle.Entry.Where(e => e.Search?.Mode == Bundle.SearchEntryMode.Match).Select(e => Assert.IsType<T>(e.Resource)).ToList();
}
