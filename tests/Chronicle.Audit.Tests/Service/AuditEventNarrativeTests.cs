using System.Xml.Linq;
using Chronicle.Audit.Fhir;
using Chronicle.Auditing;
using Hl7.Fhir.Model;
using Hl7.Fhir.Validation;

namespace Chronicle.Audit.Tests.Service;

/// <summary>Every AuditEvent the Audit service serves carries a short generated narrative, valid XHTML with every value escaped.</summary>
public sealed class AuditEventNarrativeTests
{
    private static readonly DateTimeOffset At = new(2025, 6, 2, 9, 30, 12, TimeSpan.Zero);

    [Fact]
    public void GivenARead_WhenMapped_ThenItsNarrativeSaysWhoReadWhatWhenAndHowItEnded()
    {
        var entry = Entries.Read("0b4d3b1e-0000-4000-8000-000000000001", at: At) with { AgentKind = "staff", AccessGrounds = "legitimate-relationship" };

        var auditEvent = AuditEventMapping.ToAuditEvent(42, entry);

        Assert.Equal(Narrative.NarrativeStatus.Generated, auditEvent.Text.Status);
        Assert.Equal("<div xmlns=\"http://www.w3.org/1999/xhtml\">" +
            "<p><b>Read Patient/0b4d3b1e-0000-4000-8000-000000000001, HTTP 200 (success), 2 Jun 2025 09:30:12 UTC</b></p>" +
            "<p>By: G8123456 (GP)</p><p>Caller kind: staff</p><p>Organisation: ODS A81001</p><p>Client: gp-desktop</p>" +
            "<p>Patient: Patient/0b4d3b1e-0000-4000-8000-000000000001</p><p>Grounds: legitimate-relationship</p>" +
            "<p>Service: record</p><p>Audit chain entry: 42</p></div>", auditEvent.Text.Div);
        Assert.Empty(auditEvent.Validate());
    }

    [Fact]
    public void GivenMarkupInAQueryAndABreakGlassReason_WhenMapped_ThenTheNarrativeShowsItEscaped()
    {
        const string Markup = "<script>alert('x')</script>&";
        var entry = Entries.Read("p1", at: At) with
        {
            Action = AuditAction.Search, ResourceType = "Observation", ResourceId = null, Query = "?code=" + Markup,
            BreakGlass = true, BreakGlassReason = Markup,
        };

        var div = AuditEventMapping.ToAuditEvent(7, entry).Text.Div;

        Assert.DoesNotContain("<script", div, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<b>Search Observation?code=&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;, HTTP 200 (success)", div, StringComparison.Ordinal);
        Assert.Contains("<p>Break glass: &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>", div, StringComparison.Ordinal);
        var elements = XElement.Parse(div).DescendantsAndSelf().ToList();
        Assert.All(elements, e => Assert.Contains(e.Name.LocalName, new[] { "div", "p", "b", "br" }));
        Assert.Equal(2, XElement.Parse(div).Value.Split(Markup).Length - 1);
    }

    [Fact]
    public void GivenTheSameEntry_WhenMappedTwice_ThenTheNarrativeIsByteIdentical()
    {
        var entry = Entries.Read("p1", at: At) with { OnBehalfOf = "G7000001", Outcome = 403 };

        Assert.Equal(AuditEventMapping.ToAuditEvent(3, entry).Text.Div, AuditEventMapping.ToAuditEvent(3, entry).Text.Div);
        Assert.Contains("HTTP 403 (refused)", AuditEventMapping.ToAuditEvent(3, entry).Text.Div, StringComparison.Ordinal);
    }
}
