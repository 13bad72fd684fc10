using System.Globalization;
using System.Text;
using Chronicle.Fhir;
using Chronicle.Record.Domain;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace Chronicle.Record.Fhir.Projection;

/// <summary>
/// The generated narrative (<c>text</c>) of every resource the Record serves: a short summary a clinician in another
/// system can read, e.g. "Blood pressure 142/91 mm[Hg], 1 Mar 2024 09:00 UTC". Written from the resource itself, once it
/// is built, so a new version (resolved, entered in error, new demographics) always gets a narrative that matches it.
/// Pure and deterministic, so a rebuild is byte-identical; every value is escaped by <see cref="FhirNarrative"/>.
/// </summary>
public static class RecordNarrative
{
    private const string EnteredInError = "Entered in error";

    /// <summary>HL7 v3 RoleCode relatives (the codes FamilyMemberHistory.relationship carries) in words.</summary>
    private static readonly Dictionary<string, string> Relatives = new(StringComparer.Ordinal)
    {
        ["FAMMEMB"] = "family member", ["MTH"] = "mother", ["FTH"] = "father", ["PRN"] = "parent", ["SIB"] = "sibling",
        ["SIS"] = "sister", ["BRO"] = "brother", ["TWIN"] = "twin", ["CHILD"] = "child", ["DAU"] = "daughter", ["SON"] = "son",
        ["GRMTH"] = "grandmother", ["GRFTH"] = "grandfather", ["GRPRN"] = "grandparent", ["AUNT"] = "aunt", ["UNCLE"] = "uncle",
        ["COUSN"] = "cousin", ["NIECE"] = "niece", ["NEPHEW"] = "nephew", ["HSIB"] = "half-sibling", ["HSIS"] = "half-sister",
        ["HBRO"] = "half-brother", ["GRNDCHILD"] = "grandchild",
    };

    /// <summary>Sets <paramref name="resource"/>'s text to its generated narrative.</summary>
    public static void Apply(DomainResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        resource.Text = For(resource).ToNarrative();
    }

    public static FhirNarrative For(DomainResource resource) => resource switch
    {
        Patient p => Patient(p),
        Encounter e => Encounter(e),
        Condition c => Condition(c),
        Observation o => Observation(o),
        AllergyIntolerance a => Allergy(a),
        MedicationStatement m => Medication(m),
        Immunization i => Immunisation(i),
        ServiceRequest s => Referral(s),
        DocumentReference d => Note(d),
        FamilyMemberHistory f => FamilyHistory(f),
        Procedure p => Procedure(p),
        Provenance p => Provenance(p),
        _ => new FhirNarrative(resource.TypeName),
    };

    private static FhirNarrative Patient(Patient p)
    {
        var name = p.Name.FirstOrDefault();
        var fullName = name is null ? "Patient" : string.Join(' ', name.Prefix.Concat(name.Given).Append(name.Family).Where(n => !string.IsNullOrWhiteSpace(n)));
        var address = p.Address.FirstOrDefault();
        return new FhirNarrative(fullName)
            .Detail("NHS number", p.Identifier.FirstOrDefault(i => i.System == CodeSystems.NhsNumber)?.Value is { Length: 10 } nhs
                ? $"{nhs[..3]} {nhs[3..6]} {nhs[6..]}"
                : p.Identifier.FirstOrDefault()?.Value)
            .Detail("Born", FhirNarrative.When(p.BirthDate))
            .Detail("Gender", p.Gender?.GetLiteral())
            .Detail("Address", address is null ? null : string.Join(", ", address.Line.Append(address.City).Append(address.PostalCode).Where(l => !string.IsNullOrWhiteSpace(l))))
            .Detail("Registered GP practice", p.GeneralPractitioner.FirstOrDefault()?.Identifier?.Value is { } ods ? $"ODS {ods}" : null);
    }

    private static FhirNarrative Encounter(Encounter e)
    {
        var participant = e.Participant.FirstOrDefault();
        var clinician = participant?.Individual?.Display;
        var role = FhirNarrative.Name(participant?.Type.FirstOrDefault());
        var start = FhirNarrative.When(e.Period?.Start);
        var end = e.Period?.End is { } endValue ? FhirNarrative.When(endValue) : null;
        return new FhirNarrative(Headline(e.Status == Hl7.Fhir.Model.Encounter.EncounterStatus.EnteredInError,
                $"Consultation ({FhirNarrative.Name(e.Type.FirstOrDefault()) ?? e.Class?.Display}), {start}{(end is null ? "" : " to " + end)}"))
            .Detail("Clinician", clinician is null ? null : role is null ? clinician : $"{clinician} ({role})")
            .Detail("Reason", FhirNarrative.Name(e.ReasonCode.FirstOrDefault()))
            .Detail("Practice", e.ServiceProvider?.Identifier?.Value is { } ods ? $"ODS {ods}" : null)
            .Detail("Status", Literal(e.Status));
    }

    private static FhirNarrative Condition(Condition c)
    {
        var inError = c.VerificationStatus?.Coding.Any(x => x.Code == "entered-in-error") == true;
        return new FhirNarrative(Headline(inError, $"Problem: {FhirNarrative.Name(c.Code)}"))
            .Detail("Status", inError ? EnteredInError : c.ClinicalStatus?.Coding.FirstOrDefault()?.Code)
            .Detail("Onset", FhirNarrative.When((c.Onset as FhirDateTime)?.Value))
            .Detail("Resolved", FhirNarrative.When((c.Abatement as FhirDateTime)?.Value))
            .Detail("Recorded", FhirNarrative.When(c.RecordedDate));
    }

    private static FhirNarrative Observation(Observation o)
    {
        var name = FhirNarrative.Name(o.Code);
        var when = FhirNarrative.When((o.Effective as FhirDateTime)?.Value);
        var inError = o.Status == ObservationStatus.EnteredInError;
        var narrative = new FhirNarrative(Headline(inError, $"{name} {ValueOf(o)}, {when}"));
        return narrative.Detail("Status", inError ? EnteredInError : Literal(o.Status));
    }

    /// <summary>The value as recorded; a blood pressure as systolic/diastolic, any other set of components one after another.</summary>
    private static string ValueOf(Observation o)
    {
        if (o.Value is Hl7.Fhir.Model.Quantity quantity)
            return FhirNarrative.Amount(quantity) ?? "";
        var values = o.Component.Select(c => (Code: c.Code, Quantity: c.Value as Hl7.Fhir.Model.Quantity)).ToList();
        if (values is [{ Quantity: { } systolic } first, { Quantity: { } diastolic } second]
            && IsCoded(first.Code, "8480-6", "271649006") && IsCoded(second.Code, "8462-4", "271650006")
            && systolic.Code == diastolic.Code && systolic.Value is { } s && diastolic.Value is { } d)
            return $"{s.ToString(CultureInfo.InvariantCulture)}/{d.ToString(CultureInfo.InvariantCulture)} {systolic.Unit ?? systolic.Code}";
        return string.Join("; ", values.Select(v => $"{FhirNarrative.Name(v.Code)} {FhirNarrative.Amount(v.Quantity)}"));
    }

    private static bool IsCoded(CodeableConcept? concept, string loinc, string snomed) =>
        concept?.Coding.Any(c => (c.System == FhirSystems.Loinc && c.Code == loinc) || (c.System == CodeSystems.Snomed && c.Code == snomed)) == true;

    private static FhirNarrative Allergy(AllergyIntolerance a)
    {
        var inError = a.VerificationStatus?.Coding.Any(x => x.Code == "entered-in-error") == true;
        var reaction = a.Reaction.FirstOrDefault();
        var manifestation = FhirNarrative.Name(reaction?.Manifestation.FirstOrDefault());
        var severity = reaction?.Severity?.GetLiteral();
        return new FhirNarrative(Headline(inError, $"Allergy: {FhirNarrative.Name(a.Code)}"))
            .Detail("Reaction", manifestation is null ? null : severity is null ? manifestation : $"{manifestation} ({severity})")
            .Detail("Criticality", a.Criticality?.GetLiteral())
            .Detail("Onset", FhirNarrative.When((a.Onset as FhirDateTime)?.Value))
            .Detail("Recorded", FhirNarrative.When(a.RecordedDate))
            .Detail("Status", inError ? EnteredInError : a.ClinicalStatus?.Coding.FirstOrDefault()?.Code);
    }

    private static FhirNarrative Medication(MedicationStatement m)
    {
        var inError = m.Status == MedicationStatement.MedicationStatusCodes.EnteredInError;
        return new FhirNarrative(Headline(inError, $"Medication: {FhirNarrative.Name(m.Medication as CodeableConcept)}"))
            .Detail("Dosage", m.Dosage.FirstOrDefault()?.Text)
            .Detail("Started", FhirNarrative.When((m.Effective as FhirDateTime)?.Value))
            .Detail("Status", inError ? EnteredInError : Literal(m.Status));
    }

    private static FhirNarrative Immunisation(Immunization i)
    {
        var inError = i.Status == Immunization.ImmunizationStatusCodes.EnteredInError;
        return new FhirNarrative(Headline(inError, $"Immunisation: {FhirNarrative.Name(i.VaccineCode)}, {FhirNarrative.When((i.Occurrence as FhirDateTime)?.Value)}"))
            .Detail("Batch", i.LotNumber)
            .Detail("Status", inError ? EnteredInError : Literal(i.Status));
    }

    private static FhirNarrative Referral(ServiceRequest s)
    {
        var inError = s.Status == RequestStatus.EnteredInError;
        return new FhirNarrative(Headline(inError, $"Referral: {FhirNarrative.Name(s.Code)} ({Literal(s.Priority)})"))
            .Detail("To", s.Performer.FirstOrDefault()?.Display)
            .Detail("Reason", FhirNarrative.Name(s.ReasonCode.FirstOrDefault()))
            .Detail("Made", FhirNarrative.When(s.AuthoredOn))
            .Detail("Status", inError ? EnteredInError : Literal(s.Status));
    }

    /// <summary>A note shows its own text (cut to <see cref="FhirNarrative.MaxTextLength"/>): that is what a reader wants of it.</summary>
    private static FhirNarrative Note(DocumentReference d)
    {
        var inError = d.Status == DocumentReferenceStatus.EnteredInError;
        var data = d.Content.FirstOrDefault()?.Attachment?.Data;
        return new FhirNarrative(Headline(inError, $"{FhirNarrative.Name(d.Type)}, {(d.Date is { } date ? FhirNarrative.When(date) : null)}"))
            .Text(data is null ? null : Encoding.UTF8.GetString(data))
            .Detail("Status", inError ? EnteredInError : null);
    }

    private static FhirNarrative FamilyHistory(FamilyMemberHistory f)
    {
        var inError = f.Status == FamilyMemberHistory.FamilyHistoryStatus.EnteredInError;
        var relationship = f.Relationship?.Coding.FirstOrDefault()?.Code is { } code ? Relatives.GetValueOrDefault(code, code) : FhirNarrative.Name(f.Relationship);
        var condition = f.Condition.FirstOrDefault();
        var onset = condition?.Onset is Age { Value: { } age } ? $", from age {age.ToString(CultureInfo.InvariantCulture)}" : "";
        return new FhirNarrative(Headline(inError, $"Family history: {relationship}, {FhirNarrative.Name(condition?.Code)}{onset}"))
            .Detail("Note", f.Note.FirstOrDefault()?.Text is { } note ? FhirNarrative.Shorten(note) : null)
            .Detail("Recorded", FhirNarrative.When(f.Date))
            .Detail("Status", inError ? EnteredInError : null);
    }

    private static FhirNarrative Procedure(Procedure p)
    {
        var inError = p.Status == EventStatus.EnteredInError;
        return new FhirNarrative(Headline(inError, $"Procedure: {FhirNarrative.Name(p.Code)}"))
            .Detail("Performed", FhirNarrative.When((p.Performed as FhirDateTime)?.Value))
            .Detail("Note", p.Note.FirstOrDefault()?.Text is { } note ? FhirNarrative.Shorten(note) : null)
            .Detail("Status", inError ? EnteredInError : Literal(p.Status));
    }

    private static FhirNarrative Provenance(Provenance p)
    {
        var author = p.Agent.FirstOrDefault();
        var who = author?.Who is { } w ? w.Display ?? w.Identifier?.Value : null;
        var role = FhirNarrative.Name(author?.Role.FirstOrDefault());
        var onBehalfOf = author?.OnBehalfOf is { } b ? (b.Type is { } type ? $"{type} " : "") + (b.Display ?? b.Identifier?.Value) : null;
        var via = p.Agent.Skip(1).FirstOrDefault(a => a.Who?.Type == "Device")?.Who?.Display;
        return new FhirNarrative($"{Capitalised(FhirNarrative.Name(p.Activity))} {p.Target.FirstOrDefault()?.Reference}, {(p.Recorded is { } recorded ? FhirNarrative.When(recorded) : null)}")
            .Detail("By", who is null ? null : role is null ? who : $"{who} ({role})")
            .Detail("On behalf of", onBehalfOf)
            .Detail("Via", via)
            .Detail("Reason", string.Join("; ", p.Reason.Select(FhirNarrative.Name)));
    }

    private static string Headline(bool enteredInError, string headline) => enteredInError ? $"{EnteredInError}: {headline}" : headline;

    private static string? Literal<T>(T? value) where T : struct, Enum => value?.GetLiteral();

    private static string? Capitalised(string? text) => string.IsNullOrEmpty(text) ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
