using System.Globalization;
using System.Text;
using Chronicle.Record.Domain;
using Hl7.Fhir.Model;
using static Chronicle.Record.Domain.RecordEventsV1;
using Chronicle.Record.Application;

namespace Chronicle.Record.Fhir.Projection;

/// <summary>
/// Turns one patient-record event into the FHIR resource versions it produces: the created or changed resource,
/// then a Provenance saying who did it, each with its generated narrative (<see cref="RecordNarrative"/>). Pure: the same event and current resource always give the same output,
/// which is why the live projection, a rebuild and a point-in-time read agree byte for byte.
/// </summary>
public static class PatientRecordFhirBuilder
{
    /// <param name="current">The current version of <see cref="RecordEvent.TouchedId"/>, or null if there is none.
    /// It is not modified.</param>
    /// <returns>New versions, the Provenance last; empty when the event changes nothing the FHIR view shows.</returns>
    public static IReadOnlyList<ResourceVersion> Build(RecordEvent change, Resource? current)
    {
        ArgumentNullException.ThrowIfNull(change);
        var patient = change.PatientId;
        Resource? produced = change.Event switch
        {
            PatientRegistered e => PatientResources.Registered(e),
            DemographicsUpdated e => current is Patient p ? PatientResources.WithDemographics(p, e.Demographics) : null,
            ConsultationRecorded e => EncounterResources.From(patient, e),
            ProblemAdded e => ClinicalResources.Condition(patient, e, change.Recorded.RecordedAt),
            ProblemResolved e => current is Condition c ? ClinicalResources.Resolved(c, e) : null,
            ObservationRecorded e => ClinicalResources.Observation(patient, e, change.Recorded.RecordedAt),
            AllergyRecorded e => ClinicalResources.Allergy(patient, e, change.Recorded.RecordedAt),
            MedicationRecorded e => ClinicalResources.Medication(patient, e, change.Recorded.RecordedAt),
            ImmunisationGiven e => ClinicalResources.Immunisation(patient, e, change.Recorded.RecordedAt),
            ReferralMade e => ClinicalResources.Referral(patient, e, change.Recorded.RecordedAt),
            NoteWritten e => ClinicalResources.Note(patient, e, change.Recorded.RecordedAt),
            FamilyHistoryRecorded e => ClinicalResources.FamilyHistory(patient, e, change.Recorded.RecordedAt),
            ProcedureRecorded e => ClinicalResources.Procedure(patient, e),
            EntryMarkedEnteredInError => current is null ? null : EnteredInError.Mark(current),
            _ => null,
        };
        if (produced is null)
            return [];

        var lastUpdated = change.Recorded.RecordedAt.ToUniversalTime();
        var previousVersion = current?.Meta?.VersionId is { } v ? long.Parse(v, CultureInfo.InvariantCulture) : 0;
        RecordNarrative.Apply((DomainResource)produced);
        var version = new ResourceVersion(produced, previousVersion + 1, lastUpdated);
        var provenance = ProvenanceResources.For(change, version);
        RecordNarrative.Apply(provenance);
        return [version, new ResourceVersion(provenance, 1, lastUpdated)];
    }
}

/// <summary>A resource version the builder produced, its meta.versionId and meta.lastUpdated already set.</summary>
public sealed record ResourceVersion
{
    public ResourceVersion(Resource resource, long versionId, DateTimeOffset lastUpdated)
    {
        ArgumentNullException.ThrowIfNull(resource);
        Id = resource.Id ?? throw new ArgumentException("A resource version needs an id.", nameof(resource));
        // The profiles the resource claims (e.g. a vital sign's) are kept; the version and time are this version's own.
        var profiles = resource.Meta?.Profile.ToList() ?? [];
        resource.Meta = new Meta { VersionId = versionId.ToString(CultureInfo.InvariantCulture), LastUpdated = lastUpdated, Profile = profiles };
        Resource = resource;
        VersionId = versionId;
        LastUpdated = lastUpdated;
    }

    public Resource Resource { get; }
    public string Type => Resource.TypeName;
    public string Id { get; }
    public long VersionId { get; }
    public DateTimeOffset LastUpdated { get; }
}

internal static class PatientResources
{
    public static Patient Registered(PatientRegistered e)
    {
        var patient = new Patient
        {
            Id = FhirValues.Id(e.PatientId),
            Identifier = [new Identifier(CodeSystems.NhsNumber, e.NhsNumber) { Use = Identifier.IdentifierUse.Official }],
            Active = true,
            GeneralPractitioner = [FhirValues.OrganisationByOds(e.PracticeOds)],
        };
        return WithDemographics(patient, e.Demographics);
    }

    public static Patient WithDemographics(Patient current, Demographics demographics)
    {
        var patient = (Patient)current.DeepCopy();
        patient.Name =
        [
            new HumanName
            {
                Use = HumanName.NameUse.Official,
                Family = demographics.Name.Family,
                Given = demographics.Name.Given.ToList(),
                Prefix = demographics.Name.Prefix is { } prefix ? [prefix] : [],
            },
        ];
        patient.Gender = FhirValues.Enum<AdministrativeGender>(demographics.Gender) ?? AdministrativeGender.Unknown;
        patient.BirthDate = FhirValues.Date(demographics.BirthDate);
        patient.Address = demographics.Address is { } a
            ? [new Address
            {
                Use = Address.AddressUse.Home,
                Line = a.Lines.ToList(),
                City = a.City,
                District = a.District,
                PostalCode = a.PostalCode,
                Country = a.Country,
            }]
            : [];
        patient.Telecom = demographics.Telecom.Select(t => new Hl7.Fhir.Model.ContactPoint
        {
            System = FhirValues.Enum<Hl7.Fhir.Model.ContactPoint.ContactPointSystem>(t.System) ?? Hl7.Fhir.Model.ContactPoint.ContactPointSystem.Other,
            Value = t.Value,
            Use = FhirValues.Enum<Hl7.Fhir.Model.ContactPoint.ContactPointUse>(t.Use),
        }).ToList();
        return patient;
    }
}

internal static class EncounterResources
{
    public static Encounter From(Guid patientId, ConsultationRecorded e) => new()
    {
        Id = FhirValues.Id(e.EncounterId),
        Status = e.End is null ? Encounter.EncounterStatus.InProgress : Encounter.EncounterStatus.Finished,
        Class = ClassOf(e.Mode),
        Type = [FhirValues.Text(e.Mode)],
        Subject = FhirValues.Patient(patientId),
        Participant =
        [
            new Encounter.ParticipantComponent
            {
                Type = e.Clinician.Role is { } role ? [FhirValues.Text(role)] : [],
                Individual = FhirValues.User(e.Clinician.Id, e.Clinician.Name),
            },
        ],
        Period = new Period
        {
            Start = FhirValues.DateTime(e.Start),
            End = e.End is { } end ? FhirValues.DateTime(end) : null,
        },
        ReasonCode = e.Reason is { } reason ? [FhirValues.Concept(reason)] : [],
        ServiceProvider = FhirValues.OrganisationByOds(e.PracticeOds),
    };

    /// <summary>Maps the consultation mode onto the v3 ActCode encounter classes: in person, virtual or at home.</summary>
    private static Hl7.Fhir.Model.Coding ClassOf(string mode)
    {
        var normalised = mode.Trim().ToLowerInvariant();
        if (normalised.Contains("home", StringComparison.Ordinal))
            return new Hl7.Fhir.Model.Coding(FhirSystems.ActCode, "HH", "home health");
        if (normalised.Contains("phone", StringComparison.Ordinal) || normalised.Contains("video", StringComparison.Ordinal)
            || normalised.Contains("online", StringComparison.Ordinal) || normalised.Contains("virtual", StringComparison.Ordinal))
            return new Hl7.Fhir.Model.Coding(FhirSystems.ActCode, "VR", "virtual");
        return new Hl7.Fhir.Model.Coding(FhirSystems.ActCode, "AMB", "ambulatory");
    }
}

internal static class ClinicalResources
{
    public static Condition Condition(Guid patientId, ProblemAdded e, DateTimeOffset recordedAt) => new()
    {
        Id = FhirValues.Id(e.EntryId),
        ClinicalStatus = ClinicalStatus(e.ClinicalStatus),
        VerificationStatus = FhirValues.Concept(FhirSystems.ConditionVerification, "confirmed", "Confirmed"),
        Category = [FhirValues.Concept(FhirSystems.ConditionCategory, "problem-list-item", "Problem List Item")],
        Code = FhirValues.Concept(e.Code),
        Subject = FhirValues.Patient(patientId),
        Encounter = FhirValues.Encounter(e.EncounterId),
        Onset = e.Onset is { } onset ? new FhirDateTime(FhirValues.Date(onset)) : null,
        Abatement = e.Resolved is { } resolved ? new FhirDateTime(FhirValues.Date(resolved)) : null,
        RecordedDate = FhirValues.DateTime(recordedAt),
    };

    public static Condition Resolved(Condition current, ProblemResolved e)
    {
        var condition = (Condition)current.DeepCopy();
        condition.ClinicalStatus = ClinicalStatus("resolved");
        condition.Abatement = new FhirDateTime(FhirValues.Date(e.Resolved));
        return condition;
    }

    /// <summary>A measurement as recorded; a vital sign also as R4's vital signs profile has it (<see cref="VitalSigns"/>).</summary>
    public static Observation Observation(Guid patientId, ObservationRecorded e, DateTimeOffset recordedAt)
    {
        var observation = new Observation
        {
            Id = FhirValues.Id(e.EntryId),
            Status = ObservationStatus.Final,
            Code = FhirValues.Concept(e.Code),
            Subject = FhirValues.Patient(patientId),
            Encounter = FhirValues.Encounter(e.EncounterId),
            Effective = new FhirDateTime(FhirValues.DateTime(e.Effective)),
            Issued = recordedAt.ToUniversalTime(),
            Value = e.Value is { } value ? FhirValues.Quantity(value) : null,
            Component = e.Components.Select(c => new Observation.ComponentComponent
            {
                Code = FhirValues.Concept(c.Code),
                Value = FhirValues.Quantity(c.Value),
            }).ToList(),
        };
        VitalSigns.Apply(observation);
        return observation;
    }

    public static AllergyIntolerance Allergy(Guid patientId, AllergyRecorded e, DateTimeOffset recordedAt)
    {
        var allergy = new AllergyIntolerance
        {
            Id = FhirValues.Id(e.EntryId),
            ClinicalStatus = FhirValues.Concept(FhirSystems.AllergyClinical, "active", "Active"),
            VerificationStatus = FhirValues.Concept(FhirSystems.AllergyVerification, "confirmed", "Confirmed"),
            Code = FhirValues.Concept(e.Substance),
            Patient = FhirValues.Patient(patientId),
            Encounter = FhirValues.Encounter(e.EncounterId),
            Onset = e.Onset is { } onset ? new FhirDateTime(FhirValues.Date(onset)) : null,
            RecordedDate = FhirValues.DateTime(recordedAt),
            Criticality = FhirValues.Enum<AllergyIntolerance.AllergyIntoleranceCriticality>(e.Criticality),
        };

        // A reaction needs a manifestation; a severity recorded without one keeps a placeholder rather than being lost.
        if (e.Reaction is not null || e.Severity is not null)
        {
            allergy.Reaction.Add(new AllergyIntolerance.ReactionComponent
            {
                Manifestation = [e.Reaction is { } reaction ? FhirValues.Concept(reaction) : FhirValues.Text("Reaction not recorded")],
                Severity = FhirValues.Enum<AllergyIntolerance.AllergyIntoleranceSeverity>(e.Severity),
            });
        }

        return allergy;
    }

    public static MedicationStatement Medication(Guid patientId, MedicationRecorded e, DateTimeOffset recordedAt) => new()
    {
        Id = FhirValues.Id(e.EntryId),
        Status = MedicationStatement.MedicationStatusCodes.Active,
        Medication = FhirValues.Concept(e.Medication),
        Subject = FhirValues.Patient(patientId),
        Context = FhirValues.Encounter(e.EncounterId),
        Effective = e.Started is { } started ? new FhirDateTime(FhirValues.Date(started)) : null,
        DateAsserted = FhirValues.DateTime(recordedAt),
        Dosage = e.Dosage is { } dosage ? [new Dosage { Text = dosage }] : [],
    };

    public static Immunization Immunisation(Guid patientId, ImmunisationGiven e, DateTimeOffset recordedAt) => new()
    {
        Id = FhirValues.Id(e.EntryId),
        Status = Immunization.ImmunizationStatusCodes.Completed,
        VaccineCode = FhirValues.Concept(e.Vaccine),
        Patient = FhirValues.Patient(patientId),
        Encounter = FhirValues.Encounter(e.EncounterId),
        Occurrence = new FhirDateTime(FhirValues.Date(e.Occurrence)),
        Recorded = FhirValues.DateTime(recordedAt),
        PrimarySource = true,
        LotNumber = e.LotNumber,
    };

    public static ServiceRequest Referral(Guid patientId, ReferralMade e, DateTimeOffset recordedAt) => new()
    {
        Id = FhirValues.Id(e.EntryId),
        Status = RequestStatus.Active,
        Intent = RequestIntent.Order,
        Priority = FhirValues.Enum<RequestPriority>(e.Priority) ?? RequestPriority.Routine,
        Code = FhirValues.Concept(e.Service),
        Subject = FhirValues.Patient(patientId),
        Encounter = FhirValues.Encounter(e.EncounterId),
        AuthoredOn = FhirValues.DateTime(recordedAt),
        ReasonCode = e.Reason is { } reason ? [FhirValues.Concept(reason)] : [],
        Performer = e.Recipient is { } recipient ? [new ResourceReference { Display = recipient }] : [],
    };

    /// <summary>A free-text note as a plain-text DocumentReference (LOINC 11506-3, progress note) linked to its encounter.</summary>
    public static DocumentReference Note(Guid patientId, NoteWritten e, DateTimeOffset recordedAt) => new()
    {
        Id = FhirValues.Id(e.EntryId),
        Status = DocumentReferenceStatus.Current,
        Type = FhirValues.Concept(FhirSystems.Loinc, "11506-3", "Progress note"),
        Subject = FhirValues.Patient(patientId),
        Date = recordedAt.ToUniversalTime(),
        Content =
        [
            new DocumentReference.ContentComponent
            {
                Attachment = new Attachment { ContentType = "text/plain; charset=utf-8", Data = Encoding.UTF8.GetBytes(e.Text) },
            },
        ],
        Context = new DocumentReference.ContextComponent { Encounter = [FhirValues.Encounter(e.EncounterId)] },
    };

    /// <summary>A relative's condition: the relationship as an HL7 v3 RoleCode, the SNOMED CT condition, its onset age in years.</summary>
    public static FamilyMemberHistory FamilyHistory(Guid patientId, FamilyHistoryRecorded e, DateTimeOffset recordedAt) => new()
    {
        Id = FhirValues.Id(e.EntryId),
        Status = FamilyMemberHistory.FamilyHistoryStatus.Completed,
        Patient = FhirValues.Patient(patientId),
        Date = FhirValues.DateTime(recordedAt),
        Relationship = FhirValues.Concept("http://terminology.hl7.org/CodeSystem/v3-RoleCode", e.Relationship),
        Condition =
        [
            new FamilyMemberHistory.ConditionComponent
            {
                Code = FhirValues.Concept(e.Condition),
                Onset = e.OnsetAge is { } age ? new Age { Value = age, Unit = "years", System = CodeSystems.Ucum, Code = "a" } : null,
            },
        ],
        Note = e.Note is { } note ? [new Annotation { Text = note }] : [],
    };

    /// <summary>A completed procedure: its SNOMED CT code, the date it was performed when known, and a note.</summary>
    public static Procedure Procedure(Guid patientId, ProcedureRecorded e) => new()
    {
        Id = FhirValues.Id(e.EntryId),
        Status = EventStatus.Completed,
        Code = FhirValues.Concept(e.Code),
        Subject = FhirValues.Patient(patientId),
        Encounter = FhirValues.Encounter(e.EncounterId),
        Performed = e.Performed is { } performed ? new FhirDateTime(FhirValues.Date(performed)) : null,
        Note = e.Note is { } note ? [new Annotation { Text = note }] : [],
    };

    private static CodeableConcept ClinicalStatus(string status) =>
        status.Equals("resolved", StringComparison.OrdinalIgnoreCase)
            ? FhirValues.Concept(FhirSystems.ConditionClinical, "resolved", "Resolved")
            : FhirValues.Concept(FhirSystems.ConditionClinical, "active", "Active");
}

/// <summary>Gives a resource the FHIR entered-in-error status its type defines. The resource itself is never removed.</summary>
internal static class EnteredInError
{
    /// <summary>True when <paramref name="resource"/> carries its type's entered-in-error status (as <see cref="Mark"/> sets it).</summary>
    public static bool Is(Resource resource) => resource switch
    {
        Condition c => c.VerificationStatus?.Coding.Any(x => x.Code == "entered-in-error") == true,
        AllergyIntolerance a => a.VerificationStatus?.Coding.Any(x => x.Code == "entered-in-error") == true,
        Observation o => o.Status == ObservationStatus.EnteredInError,
        MedicationStatement m => m.Status == MedicationStatement.MedicationStatusCodes.EnteredInError,
        Immunization i => i.Status == Immunization.ImmunizationStatusCodes.EnteredInError,
        ServiceRequest s => s.Status == RequestStatus.EnteredInError,
        Encounter e => e.Status == Encounter.EncounterStatus.EnteredInError,
        DocumentReference d => d.Status == DocumentReferenceStatus.EnteredInError,
        FamilyMemberHistory f => f.Status == FamilyMemberHistory.FamilyHistoryStatus.EnteredInError,
        Procedure p => p.Status == EventStatus.EnteredInError,
        _ => false,
    };

    public static Resource? Mark(Resource current)
    {
        var copy = (Resource)current.DeepCopy();
        switch (copy)
        {
            case Condition c:
                c.VerificationStatus = FhirValues.Concept(FhirSystems.ConditionVerification, "entered-in-error", "Entered in Error");
                c.ClinicalStatus = null; // con-5: no clinical status on an entered-in-error Condition
                c.Abatement = null; // con-4: an abated Condition needs a clinical status; the abatement stays in the earlier version
                return c;
            case AllergyIntolerance a:
                a.VerificationStatus = FhirValues.Concept(FhirSystems.AllergyVerification, "entered-in-error", "Entered in Error");
                a.ClinicalStatus = null; // ait-2: likewise for AllergyIntolerance
                return a;
            case Observation o:
                o.Status = ObservationStatus.EnteredInError;
                VitalSigns.Apply(o); // a version stored before the vital signs mapping gains it too
                return o;
            case MedicationStatement m:
                m.Status = MedicationStatement.MedicationStatusCodes.EnteredInError;
                return m;
            case Immunization i:
                i.Status = Immunization.ImmunizationStatusCodes.EnteredInError;
                return i;
            case ServiceRequest s:
                s.Status = RequestStatus.EnteredInError;
                return s;
            case Encounter e:
                e.Status = Encounter.EncounterStatus.EnteredInError;
                return e;
            case DocumentReference d:
                d.Status = DocumentReferenceStatus.EnteredInError;
                return d;
            case FamilyMemberHistory f:
                f.Status = FamilyMemberHistory.FamilyHistoryStatus.EnteredInError;
                return f;
            case Procedure p:
                p.Status = EventStatus.EnteredInError;
                return p;
            default:
                // A Patient or Provenance has no entered-in-error state; the decider does not target them.
                return null;
        }
    }
}
