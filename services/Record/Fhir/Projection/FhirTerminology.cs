using System.Globalization;
using Chronicle.Record.Domain;
using Hl7.Fhir.Model;

namespace Chronicle.Record.Fhir.Projection;

/// <summary>The code systems and identifier systems the Record's FHIR resources use.</summary>
public static class FhirSystems
{
    public const string ConditionClinical = "http://terminology.hl7.org/CodeSystem/condition-clinical";
    public const string ConditionVerification = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
    public const string ConditionCategory = "http://terminology.hl7.org/CodeSystem/condition-category";
    public const string AllergyClinical = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical";
    public const string AllergyVerification = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification";
    public const string ActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    public const string DataOperation = "http://terminology.hl7.org/CodeSystem/v3-DataOperation";
    public const string ProvenanceParticipantType = "http://terminology.hl7.org/CodeSystem/provenance-participant-type";
    public const string AdministrativeGender = "http://hl7.org/fhir/administrative-gender";
    public const string Loinc = "http://loinc.org";

    /// <summary>Chronicle's own user ids (from the Identity service); no national system covers every user.</summary>
    public const string ChronicleUserId = "urn:chronicle:user-id";

    /// <summary>The OAuth client (supplier module) that sent a command.</summary>
    public const string ChronicleClientId = "urn:chronicle:client-id";

    public const string CorrelationIdExtension = Chronicle.Fhir.Conformance.ChronicleDefinitions.CorrelationIdExtension;
    public const string CausationIdExtension = Chronicle.Fhir.Conformance.ChronicleDefinitions.CausationIdExtension;
}

internal static class FhirValues
{
    public static string Id(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);

    public static ResourceReference Patient(Guid patientId) => new($"Patient/{Id(patientId)}");

    public static ResourceReference Encounter(Guid encounterId) => new($"Encounter/{Id(encounterId)}");

    public static ResourceReference OrganisationByOds(string odsCode) => new()
    {
        Type = "Organization",
        Identifier = new Identifier(CodeSystems.OdsCode, odsCode),
    };

    public static ResourceReference User(string userId, string? display = null) => new()
    {
        Type = "Practitioner",
        Identifier = new Identifier(FhirSystems.ChronicleUserId, userId),
        Display = display,
    };

    public static CodeableConcept Concept(Domain.Coding coding) => new()
    {
        Coding = [new Hl7.Fhir.Model.Coding(coding.System, coding.Code, coding.Display)],
    };

    public static CodeableConcept Concept(string system, string code, string? display = null) => new()
    {
        Coding = [new Hl7.Fhir.Model.Coding(system, code, display)],
    };

    public static CodeableConcept Text(string text) => new() { Text = text };

    public static Hl7.Fhir.Model.Quantity Quantity(Domain.Quantity quantity) => new()
    {
        Value = quantity.Value,
        Unit = quantity.Unit,
        System = CodeSystems.Ucum,
        Code = quantity.Unit,
    };

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A FHIR dateTime in UTC, keeping sub-second digits only when there are any.</summary>
    public static string DateTime(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>A FHIR code string parsed into its Firely enum, or null when it is not one of the code's literals.</summary>
    public static T? Enum<T>(string? literal) where T : struct, System.Enum =>
        literal is null ? null : Hl7.Fhir.Utility.EnumUtility.ParseLiteral<T>(literal, ignoreCase: true);
}
