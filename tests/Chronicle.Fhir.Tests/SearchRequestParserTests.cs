using System.Net;
using Chronicle.Fhir.Search;
using Chronicle.Record.Fhir.Api;

namespace Chronicle.Fhir.Tests;

public sealed class SearchRequestParserTests
{
    private static SearchRequest Parse(string type, params (string Name, string Value)[] query) =>
        SearchRequestParser.Parse(RecordFhirDefinitions.Find(type)!, query.Select(q => new KeyValuePair<string, string?>(q.Name, q.Value)));

    private static FhirException Refused(string type, params (string Name, string Value)[] query) =>
        Assert.Throws<FhirException>(() => Parse(type, query));

    [Fact]
    public void GivenTokenForms_WhenParsed_ThenSystemAndCodeAreSplitAsFhirDefines()
    {
        var criterion = Assert.IsType<TokenCriterion>(Assert.Single(Parse("Condition",
            ("code", @"http://snomed.info/sct|38341003,195967001,|local,http://snomed.info/sct|,a\,b")).Criteria));

        Assert.Equal(
        [
            new TokenValue("http://snomed.info/sct", "38341003"),
            new TokenValue(null, "195967001"),
            new TokenValue(null, "local", SystemMustBeAbsent: true),
            new TokenValue("http://snomed.info/sct", null),
            new TokenValue(null, "a,b"),
        ], criterion.AnyOf);
    }

    [Theory]
    [InlineData("2024", "2024-01-01T00:00:00Z", "2024-12-31T23:59:59.999999Z")]
    [InlineData("2024-02", "2024-02-01T00:00:00Z", "2024-02-29T23:59:59.999999Z")]
    [InlineData("2024-02-10", "2024-02-10T00:00:00Z", "2024-02-10T23:59:59.999999Z")]
    [InlineData("2024-02-10T10:30+01:00", "2024-02-10T09:30:00Z", "2024-02-10T09:30:59.999999Z")]
    [InlineData("2024-02-10T10:30:15Z", "2024-02-10T10:30:15Z", "2024-02-10T10:30:15.999999Z")]
    [InlineData("2024-02-10T10:30:15.25Z", "2024-02-10T10:30:15.25Z", "2024-02-10T10:30:15.25Z")]
    public void GivenPartialDates_WhenParsed_ThenTheyCoverTheirWholeSpan(string value, string low, string high)
    {
        Assert.True(FhirDateRange.TryParse(value, out var range, out _));
        Assert.Equal(DateTimeOffset.Parse(low), FhirDateRange.FromMicros(range.Low));
        Assert.Equal(DateTimeOffset.Parse(high), FhirDateRange.FromMicros(range.High));
    }

    [Theory]
    [InlineData("eq2024", DatePrefix.Eq)]
    [InlineData("2024", DatePrefix.Eq)]
    [InlineData("ne2024", DatePrefix.Ne)]
    [InlineData("gt2024", DatePrefix.Gt)]
    [InlineData("lt2024", DatePrefix.Lt)]
    [InlineData("ge2024", DatePrefix.Ge)]
    [InlineData("le2024", DatePrefix.Le)]
    public void GivenDatePrefix_WhenParsed_ThenItIsRead(string value, DatePrefix prefix)
    {
        var criterion = Assert.IsType<DateCriterion>(Parse("Observation", ("date", value)).Criteria.Single());
        Assert.Equal(prefix, criterion.AnyOf.Single().Prefix);
    }

    [Theory]
    [InlineData("date", "sa2024", "prefix 'sa' is not supported")]
    [InlineData("date", "2024-13-01", "not a real date")]
    [InlineData("date", "yesterday", "is not a FHIR date")]
    [InlineData("date", "2024-02-10T10:30", "without a time zone")]
    [InlineData("_lastUpdated", "ge2024-02-10T10:30:00", "without a time zone")]
    public void GivenBadDates_WhenParsed_Then400SaysWhy(string name, string value, string reason)
    {
        var error = Refused("Observation", (name, value));
        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenDateComparisons_WhenParsed_ThenRangesFollowFhirSemantics()
    {
        FhirDateRange.TryParse("2024-02-10", out var day, out _);
        FhirDateRange Range(string value) => FhirDateRange.TryParse(value, out var r, out _) ? r : throw new FormatException(value);

        Assert.True(new DateComparison(DatePrefix.Eq, Range("2024-02")).Matches(day));
        Assert.False(new DateComparison(DatePrefix.Eq, Range("2024-02-10T12:00:00Z")).Matches(day));
        Assert.True(new DateComparison(DatePrefix.Ge, Range("2024-02-10")).Matches(day));
        Assert.True(new DateComparison(DatePrefix.Le, Range("2024-02-10")).Matches(day));
        Assert.False(new DateComparison(DatePrefix.Gt, Range("2024-02-10")).Matches(day));
        Assert.False(new DateComparison(DatePrefix.Lt, Range("2024-02-10")).Matches(day));
        Assert.True(new DateComparison(DatePrefix.Gt, Range("2024-02-09")).Matches(day));
        Assert.True(new DateComparison(DatePrefix.Lt, Range("2024-02-11")).Matches(day));
        Assert.True(new DateComparison(DatePrefix.Ne, Range("2024-03")).Matches(day));
    }

    [Fact]
    public void GivenStringParameter_WhenParsed_ThenDefaultIsStartsWithAndExactIsAModifier()
    {
        var plain = Assert.IsType<StringCriterion>(Parse("Patient", ("name", "smi")).Criteria.Single());
        var exact = Assert.IsType<StringCriterion>(Parse("Patient", ("name:exact", "Smith")).Criteria.Single());
        Assert.False(plain.Exact);
        Assert.True(exact.Exact);
        Assert.Contains("':contains' is not supported", Refused("Patient", ("name:contains", "mit")).Message.Replace("modifier ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1c0f6a9e-5a7b-4f57-9d1e-3cfa6d1c2b11")]
    [InlineData("Patient/1c0f6a9e-5a7b-4f57-9d1e-3cfa6d1c2b11")]
    [InlineData("http://example.org/fhir/Patient/1c0f6a9e-5a7b-4f57-9d1e-3cfa6d1c2b11")]
    public void GivenPatientReferenceForms_WhenParsed_ThenTheIdIsExtracted(string value)
    {
        var criterion = Assert.IsType<ReferenceCriterion>(Parse("Condition", ("patient", value)).Criteria.Single());
        Assert.Equal("1c0f6a9e-5a7b-4f57-9d1e-3cfa6d1c2b11", criterion.AnyOfIds.Single());
    }

    [Fact]
    public void GivenReferenceToAnotherType_WhenParsed_Then400()
    {
        Assert.Equal(HttpStatusCode.BadRequest, Refused("Condition", ("patient", "Practitioner/abc")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, Refused("Condition", ("patient:Group", "abc")).Status);
    }

    [Fact]
    public void GivenUnknownParameters_WhenParsed_Then400NamesEveryOneOfThem()
    {
        var error = Refused("Condition", ("code", "123"), ("severity", "mild"), ("subject:missing", "true"), ("_sort", "date"));
        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Equal(Hl7.Fhir.Model.OperationOutcome.IssueType.NotSupported, error.IssueType);
        Assert.Contains("'severity'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'subject:missing'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'_sort=date'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenParameterOfAnotherType_WhenParsed_ThenItIsUnknownHere()
    {
        Assert.Contains("'birthdate'", Refused("Condition", ("birthdate", "2000")).Message, StringComparison.Ordinal);
        Assert.Contains("'clinical-status'", Refused("Observation", ("clinical-status", "active")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("ten")]
    public void GivenBadCount_WhenParsed_Then400(string count) =>
        Assert.Equal(HttpStatusCode.BadRequest, Refused("Patient", ("_count", count)).Status);

    [Fact]
    public void GivenCount_WhenParsed_ThenDefaultAppliesAndLargeCountsAreCutToTheMaximum()
    {
        Assert.Equal(20, Parse("Patient").Count);
        Assert.Equal(5, Parse("Patient", ("_count", "5")).Count);
        Assert.Equal(100, Parse("Patient", ("_count", "5000")).Count);
        Assert.Equal(HttpStatusCode.BadRequest, Refused("Patient", ("_count", "5"), ("_count", "6")).Status);
    }

    [Fact]
    public void GivenInclude_WhenParsed_ThenOnlyDeclaredIncludesAreAccepted()
    {
        Assert.Equal("Condition:patient", Parse("Condition", ("_include", "Condition:patient")).Includes.Single().ToString());
        Assert.Single(Parse("Condition", ("_include", "Condition:patient:Patient")).Includes);
        Assert.Equal(HttpStatusCode.BadRequest, Refused("Condition", ("_include", "Condition:encounter")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, Refused("Condition", ("_include", "Observation:patient")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, Refused("Patient", ("_include", "Patient:general-practitioner")).Status);
    }

    [Fact]
    public void GivenEmptyValue_WhenParsed_ThenTheParameterIsIgnored() =>
        Assert.Empty(Parse("Patient", ("name", ""), ("_format", "json")).Criteria);

    [Fact]
    public void GivenCursor_WhenWrittenAndParsed_ThenItRoundTripsAndForgeriesAreRefused()
    {
        var cursor = PageCursor.Encode("12", "34", "abc");
        Assert.Equal(["12", "34", "abc"], PageCursor.Decode(cursor, 3));
        Assert.Equal(HttpStatusCode.BadRequest, Assert.Throws<FhirException>(() => PageCursor.Decode("not a cursor!", 3)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, Assert.Throws<FhirException>(() => PageCursor.Decode(cursor, 1)).Status);
    }
    private static SearchRequest ParseLenient(string type, params (string Name, string Value)[] query) =>
        SearchRequestParser.Parse(RecordFhirDefinitions.Find(type)!, query.Select(q => new KeyValuePair<string, string?>(q.Name, q.Value)),
            handling: SearchHandling.Lenient);

    [Fact]
    public void GivenSort_WhenParsed_ThenKeysKeepTheirOrderAndDirection()
    {
        var search = Parse("Observation", ("_sort", "-date,_lastUpdated"));

        Assert.Equal(["-date", "_lastUpdated"], search.Sort.Select(k => k.ToString()));
        Assert.Equal("-date,_lastUpdated", search.SortSignature);
        Assert.Equal(["_lastUpdated", "date"], RecordFhirDefinitions.Find("Observation")!.SortParameters);
    }

    [Fact]
    public void GivenLenientHandling_WhenUnsupportedThingsAreParsed_ThenTheyAreDroppedFromTheSearchAndFromKept()
    {
        var search = ParseLenient("Condition", ("code", "123"), ("severity", "mild"), ("_sort", "code,-onset-date"),
            ("_elements", "code,wingspan"), ("_include", "Condition:encounter"), ("name:contains", "x"));

        Assert.Single(search.Criteria);
        Assert.Equal(["-onset-date"], search.Sort.Select(k => k.ToString()));
        Assert.Equal(["code"], search.Elements);
        Assert.Empty(search.Includes);
        Assert.Equal(["code=123", "_sort=-onset-date", "_elements=code"], search.Kept.Select(p => $"{p.Key}={p.Value}"));
    }

    [Fact]
    public void GivenLenientHandling_WhenAValueIsWrong_ThenItIsStill400()
    {
        Assert.Equal(HttpStatusCode.BadRequest, Assert.Throws<FhirException>(() => ParseLenient("Observation", ("date", "2024-13-01"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, Assert.Throws<FhirException>(() => ParseLenient("Observation", ("_summary", "short"))).Status);
    }

    [Theory]
    [InlineData("_count", "0", false, true)]
    [InlineData("_summary", "count", false, true)]
    [InlineData("_total", "none", true, false)]
    [InlineData("_total", "estimate", true, true)]
    public void GivenCountOrTotal_WhenParsed_ThenEntriesAndTotalAreWantedAsFhirSays(string name, string value, bool entries, bool total)
    {
        var search = Parse("Patient", (name, value));
        Assert.Equal((entries, total), (search.WantsEntries, search.WantsTotal));
    }

    [Fact]
    public void GivenATypeWithoutIncludes_WhenRefused_ThenTheErrorDoesNotOfferInclude()
    {
        Assert.DoesNotContain("_include", Refused("Patient", ("colour", "red")).Message, StringComparison.Ordinal);
        Assert.Contains("_include", Refused("Condition", ("colour", "red")).Message, StringComparison.Ordinal);
        Assert.Contains("'_include=Patient:general-practitioner'", Refused("Patient", ("_include", "Patient:general-practitioner")).Message, StringComparison.Ordinal);
    }
}
